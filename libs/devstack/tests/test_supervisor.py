"""The supervisor with stand-in programs: start, health, restart with backoff, graceful stop."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from devstack.proc import PidRecord, StackError
from devstack.profiles import get_profile
from devstack.stack import Stack

DUMMY = str(Path(__file__).with_name("dummy_program.py"))


def _free_block(size: int) -> int:
    for base in range(42000, 48000, 10):
        ok = True
        for port in range(base, base + size):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free ports")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    base = _free_block(6)
    profile = replace(get_profile("test"), name="suptest", grpc_base_port=base, gateway_port=base + 5)
    stack = Stack(profile, repo=tmp_path)
    yield stack
    stack.stop()


def _children(stack: Stack) -> dict[str, PidRecord]:
    state = json.loads((stack.run_dir / "supervisor-children.json").read_text())
    return {name: PidRecord(pid=v["pid"], started=v["started"]) for name, v in state.items()}


def test_supervisor_runs_restarts_and_stops(stack: Stack) -> None:
    programs = {
        "identity": [sys.executable, DUMMY, "identity"],
        "archive": [sys.executable, DUMMY, "archive", "--crash-after", "0.5"],
        "gateway": [sys.executable, DUMMY, "gateway"],
    }
    stack.start_services({k: v for k, v in programs.items() if k != "archive"})
    stack.wait_healthy(timeout=30)  # raises StackError unless every program answers healthy
    supervisor = stack.supervisor_pidfile.read_text()
    stack.start_services({k: v for k, v in programs.items() if k != "archive"})
    assert stack.supervisor_pidfile.read_text() == supervisor, "same programs: the supervisor is reused"

    stack.start_services(programs)
    deadline = time.monotonic() + 20
    while "restart #2" not in stack.log_path("supervisor").read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    log = stack.log_path("supervisor").read_text()
    assert "archive exited with code 3" in log and "restart #2" in log
    with pytest.raises(StackError, match="not healthy after 1 s: archive"):
        stack.wait_healthy(timeout=1)

    children = _children(stack)
    assert {"identity", "gateway"} <= set(children)
    stack.stop()
    assert not any(child.alive() for child in children.values())
    assert "all programs stopped" in stack.log_path("supervisor").read_text()
    assert "dummy identity stopped" in stack.log_path("identity").read_text(), "SIGTERM first, gracefully"


def test_missing_program_is_retried_not_fatal(stack: Stack, tmp_path: Path) -> None:
    stack.start_services({"journal": [str(tmp_path / "not-there")]})
    deadline = time.monotonic() + 10
    while "restart #1" not in stack.log_path("supervisor").read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "journal cannot start" in stack.log_path("supervisor").read_text()
    with pytest.raises(StackError) as failure:
        stack.wait_healthy(timeout=1)
    assert "journal" in str(failure.value) and "not-there" in str(failure.value)
