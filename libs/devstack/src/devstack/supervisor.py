"""Keep the service programs running: restart crashed ones with backoff, stop them all on SIGTERM.

Run as `python -m devstack.supervisor <profile> [--config PATH]`; `Stack.start_services()` launches it
detached and writes the config (programs, their environment and log files) beforehand.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from devstack.proc import group_alive, signal_group, start_time

log = logging.getLogger("devstack.supervisor")

STOP_GRACE_SECONDS = 10.0
BACKOFF_MIN = 1.0
BACKOFF_MAX = 30.0
HEALTHY_RUN_SECONDS = 30.0
"""A program that ran this long before crashing starts again from the shortest backoff."""


@dataclass(frozen=True, slots=True)
class Program:
    """One program the supervisor keeps running."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path


@dataclass(slots=True)
class Child:
    """Runtime state of one program."""

    program: Program
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    next_start: float = 0.0
    backoff: float = BACKOFF_MIN
    restarts: int = 0
    history: list[str] = field(default_factory=list)


def load_config(path: Path) -> tuple[list[Program], Path]:
    """Read the programs and the children-state file path from a supervisor config."""
    data = json.loads(path.read_text())
    base = {str(k): str(v) for k, v in data.get("base_env", {}).items()}
    programs = [
        Program(name=p["name"], argv=list(p["argv"]), env=base | dict(p["env"]), log=Path(p["log"]))
        for p in data["programs"]
    ]
    return programs, Path(data["state"])


class Supervisor:
    """The supervision loop."""

    def __init__(self, programs: list[Program], state_path: Path) -> None:
        self.children = [Child(program) for program in programs]
        self.state_path = state_path
        self.stopping = False

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping all programs", signal.Signals(signum).name)
        self.stopping = True

    def _write_state(self) -> None:
        # stop() in the launcher reads this to kill orphans if the supervisor itself was SIGKILLed.
        state = {
            c.program.name: {"pid": c.proc.pid, "started": start_time(c.proc.pid)}
            for c in self.children
            if c.proc is not None and c.proc.poll() is None
        }
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.state_path)

    def _start(self, child: Child) -> None:
        program = child.program
        program.log.parent.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with program.log.open("ab") as out:
            out.write(f"\n=== {stamp} supervisor: starting {program.name} ===\n".encode())
            out.flush()
            try:
                child.proc = subprocess.Popen(
                    program.argv,
                    env=program.env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as exc:
                # The program may not exist yet (services are written in parallel): keep retrying.
                out.write(f"=== supervisor: cannot start {program.name}: {exc} ===\n".encode())
                self._schedule_restart(child, f"cannot start: {exc.strerror or exc}")
                return
        child.started_at = time.monotonic()
        log.info("started %s (pid %d)", program.name, child.proc.pid)
        self._write_state()

    def _schedule_restart(self, child: Child, why: str) -> None:
        delay = child.backoff
        child.next_start = time.monotonic() + delay
        child.backoff = min(child.backoff * 2, BACKOFF_MAX)
        child.restarts += 1
        log.warning("%s %s; restart #%d in %.0f s", child.program.name, why, child.restarts, delay)

    def _check(self, child: Child) -> None:
        if child.proc is None:
            if time.monotonic() >= child.next_start:
                self._start(child)
            return
        code = child.proc.poll()
        if code is None:
            return
        ran = time.monotonic() - child.started_at
        if ran >= HEALTHY_RUN_SECONDS:
            child.backoff = BACKOFF_MIN
        why = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
        child.proc = None
        self._write_state()
        self._schedule_restart(child, f"{why} after {ran:.1f} s")

    def run(self) -> int:
        """Supervise until SIGTERM/SIGINT, then stop every child."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        log.info(
            "supervisor %d up, programs: %s", os.getpid(), ", ".join(c.program.name for c in self.children)
        )
        while not self.stopping:
            for child in self.children:
                if self.stopping:
                    break
                self._check(child)
            time.sleep(0.2)
        self.shutdown()
        return 0

    def shutdown(self) -> None:
        """Stop children gracefully: SIGTERM to each process group, SIGKILL after the grace period."""
        running = [c for c in self.children if c.proc is not None and c.proc.poll() is None]
        for child in running:
            assert child.proc is not None
            log.info("stopping %s (pid %d)", child.program.name, child.proc.pid)
            signal_group(child.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while time.monotonic() < deadline and any(
            c.proc is not None and c.proc.poll() is None for c in running
        ):
            time.sleep(0.1)
        for child in running:
            assert child.proc is not None
            if child.proc.poll() is None:
                log.warning(
                    "%s ignored SIGTERM for %.0f s; killing it", child.program.name, STOP_GRACE_SECONDS
                )
                signal_group(child.proc.pid, signal.SIGKILL)
                child.proc.wait(timeout=5)
            # Grandchildren that outlived their parent still belong to its group.
            if group_alive(child.proc.pid):
                signal_group(child.proc.pid, signal.SIGKILL)
        self.state_path.unlink(missing_ok=True)
        log.info("all programs stopped")


def main(argv: list[str] | None = None) -> int:
    """Run the supervisor for a profile."""
    parser = argparse.ArgumentParser(prog="python -m devstack.supervisor")
    parser.add_argument("profile")
    parser.add_argument("--config", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s supervisor: %(message)s", stream=sys.stderr
    )
    config = args.config
    if config is None:
        from devstack.stack import Stack

        config = Stack(args.profile).supervisor_config_path
    programs, state = load_config(config)
    return Supervisor(programs, state).run()


if __name__ == "__main__":
    sys.exit(main())
