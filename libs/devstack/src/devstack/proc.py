"""Process plumbing shared by every component: pidfiles, detached launch, graceful stop, readiness polls."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("devstack")

TAIL_LINES = 40


class StackError(RuntimeError):
    """A component of the stack failed; the message names it and carries the tail of its log."""

    def __init__(self, component: str, message: str, log_path: Path | None = None) -> None:
        self.component = component
        self.log_path = log_path
        text = f"[{component}] {message}"
        if log_path is not None:
            text += f"\n--- last lines of {log_path} ---\n{tail(log_path)}\n--- end of {log_path.name} ---"
        super().__init__(text)


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    """Return the last `lines` lines of a text file, or a note when it does not exist."""
    try:
        with path.open("rb") as fh:
            # Logs can grow large (Keycloak is chatty); read only the end of the file.
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return f"(no log file at {path})"
    return "\n".join(data.splitlines()[-lines:])


def _proc_stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    return [raw[: raw.index("(")].strip(), "comm", *raw[raw.rindex(")") + 2 :].split()]


def start_time(pid: int) -> int | None:
    """Return the kernel start time of a process (clock ticks since boot), or None when it is gone."""
    stat = _proc_stat(pid)
    return int(stat[21]) if stat is not None and len(stat) > 21 else None


def _reap(pid: int) -> None:
    # A detached child of *this* Python process stays a zombie until waited for; reap it so that
    # liveness checks do not mistake it for a running server.
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def pid_alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie."""
    _reap(pid)
    stat = _proc_stat(pid)
    return stat is not None and stat[2] not in ("Z", "X")


@dataclass(frozen=True, slots=True)
class PidRecord:
    """A pid plus its start time, so a recycled pid is never mistaken for ours."""

    pid: int
    started: int | None

    def alive(self) -> bool:
        """Tell whether this very process is still running."""
        if not pid_alive(self.pid):
            return False
        return self.started is None or start_time(self.pid) == self.started


def write_pidfile(path: Path, pid: int) -> PidRecord:
    """Record a pid (and its start time) in `path`."""
    record = PidRecord(pid=pid, started=start_time(pid))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": record.pid, "started": record.started}))
    tmp.replace(path)
    return record


def read_pidfile(path: Path) -> PidRecord | None:
    """Return the process recorded in `path` if it is still running, else None."""
    try:
        data = json.loads(path.read_text())
        record = PidRecord(pid=int(data["pid"]), started=data.get("started"))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return record if record.alive() else None


def spawn_detached(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    log_path: Path,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start a program in its own session, output appended to `log_path`, surviving our exit."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        # A new session: Ctrl-C in the terminal that ran `make up` must not reach the servers,
        # and stop() can signal the whole process group (kc.sh runs java as a child).
        return subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Send `sig` to the process group led by `pid`, or to `pid` alone when it leads none."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        # Not a group leader: signal the process itself, but only while it is really there.
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)


def group_alive(pgid: int) -> bool:
    """Tell whether any non-zombie process of a process group is left."""
    _reap(pgid)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _proc_stat(int(entry.name))
        if stat is not None and len(stat) > 4 and stat[4] == str(pgid) and stat[2] not in ("Z", "X"):
            return True
    return False


def stop_process(record: PidRecord, *, name: str, grace: float = 10.0) -> bool:
    """Stop a process and its group: SIGTERM, then SIGKILL after `grace` seconds; return True if it ran."""
    if not record.alive():
        if group_alive(record.pid):
            signal_group(record.pid, signal.SIGKILL)
        return False
    log.info("stopping %s (pid %d)", name, record.pid)
    signal_group(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not record.alive() and not group_alive(record.pid):
            return True
        time.sleep(0.1)
    log.warning("%s did not stop within %.0f s; killing it", name, grace)
    signal_group(record.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (record.alive() or group_alive(record.pid)):
        time.sleep(0.1)
    return True


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    component: str,
    what: str,
    log_path: Path | None = None,
    still_running: Callable[[], bool] | None = None,
    interval: float = 0.25,
) -> float:
    """Poll `check` until it holds; fail with the component's log tail on timeout or early death."""
    began = time.monotonic()
    while True:
        if check():
            return time.monotonic() - began
        if still_running is not None and not still_running():
            raise StackError(component, f"exited before it was {what}", log_path)
        if time.monotonic() - began > timeout:
            raise StackError(component, f"not {what} after {timeout:.0f} s", log_path)
        time.sleep(interval)
