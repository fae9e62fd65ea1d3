"""Benchmarks that print figures (not tests): run with `make bench` against the dev stack.

Each figure is measured against its floor in the same run, where one exists:
- `me`: GET /api/v1/me through the gateway → a bare FastAPI hello served by uvicorn the same way;
- `mark_write`: one mark through the gateway → bare INSERT of the mark + its outbox row;
- `attendance_bulk`: the attendance of a 25-student group in one PUT through the gateway → the bare
  DELETE + 25-row INSERT + two outbox rows (the event and the audit record) in one transaction;
- `diary_grpc`, `diary`: a student's diary by gRPC and through the gateway → the bare SQL (read by
  the teacher of the load: audited); `diary_own_grpc`, `diary_own`: the demo student's own diary (no
  audit) → its bare SQL;
- `journal_page`: a 30-student × 40-lesson journal page through the gateway → the bare SQL of the
  same reads; `journal_page_region`: the same page on the 10× demo college → on the 1× one (see
  bench/journal_page.py);
- `mark_write_concurrent`: 20 clients recording marks for 20 s through the gateway: throughput,
  p50/p99, and how long the outbox relay and each consumer of the marks (messaging's notifications,
  reports' projection, archive's audit log) take to catch up once the load stops.

Every run writes bench/results/latest.json and the table between the markers in bench/README.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import grpc
import httpx
import nats
from devstack.seed import DEMO_PASSWORD
from devstack.stack import Stack
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc

ROUNDS = 300
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
LOAD_SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
STUDENTS = 25
# The consumers that follow a recorded mark: (stream, durable) on the dev stack's JetStream.
CONSUMERS = {
    "notifications": ("JOURNAL", "messaging-mark-notifications"),
    "reports": ("JOURNAL", "reports-mark-facts"),
    "audit": ("AUDIT", "archive-audit-log"),
}
NAME_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import journal_page  # noqa: E402 - the page benchmarks' module, next to this file

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

HELLO_APP = """
from fastapi import FastAPI
app = FastAPI()
@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
"""


def token(stack: Stack, username: str) -> str:
    """Get a demo user's access token through the dev-only direct-grant client."""
    reply = httpx.post(
        f"{stack.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "ejournal-cli",
            "username": username,
            "password": DEMO_PASSWORD,
        },
        timeout=30,
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


def percentile(samples: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of sorted samples."""
    return samples[min(len(samples) - 1, max(0, round(p / 100 * len(samples)) - 1))]


def row(name: str, samples: list[float], floor: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """Return one result: p50, p99 and the floor's p50 with the ratio between them."""
    samples = sorted(samples)
    p50 = percentile(samples, 50)
    floor_ms = floor["p50_ms"] if floor else None
    return {
        "name": name,
        "p50_ms": round(p50, 3),
        "p99_ms": round(percentile(samples, 99), 3),
        "floor_ms": floor_ms,
        "ratio": round(p50 / floor_ms, 2) if floor_ms else None,
        "samples": len(samples),
        **extra,
    }


async def timed(call: Callable[[], Awaitable[object]], rounds: int = ROUNDS) -> list[float]:
    """Time `rounds` sequential calls after a warm-up; return the samples in ms."""
    for _ in range(20):
        await call()
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


async def timed_pair(
    first: Callable[[], Awaitable[object]],
    second: Callable[[], Awaitable[object]],
    rounds: int = ROUNDS,
    block: int = 100,
) -> tuple[list[float], list[float]]:
    """Time `rounds` calls of each, in alternating blocks of `block` back-to-back calls, after a
    warm-up; return both's samples in ms.

    Alternating: a work and its floor see the same state of the shared box (one after the other, its
    drift from minute to minute moved the page's ratio between 2.8 and 3.5 with the same code). In
    long blocks: call by call, the floor right after a page was charged with the page's audit record
    being relayed and archived in the background (3.1 → 3.7 ms); a pause to let that settle made both
    slower (each process woken from idle: the page 9 → 15 ms, the floor 3.1 → 4.5 ms); and blocks of
    ten calls still woke the page's processes once a block (10.5–10.9 ms)."""
    for _ in range(20):
        await first()
        await second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(0, rounds, block):
        for call, into in ((first, samples[0]), (second, samples[1])):
            for _ in range(block):
                t0 = time.perf_counter()
                await call()
                into.append((time.perf_counter() - t0) * 1000)
    return samples


@contextlib.asynccontextmanager
async def bare_hello() -> AsyncIterator[str]:
    """Serve a bare FastAPI hello with uvicorn as the gateway is served (no access log); yield its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = tempfile.TemporaryDirectory(prefix="bench-hello-")
    app_dir = Path(tmp.name)
    (app_dir / "_hello_app.py").write_text(HELLO_APP)
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is timed
        [sys.executable, "-m", "uvicorn", "_hello_app:app", "--app-dir", str(app_dir),
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"],
    )  # fmt: skip
    OWN_PROCESSES[proc.pid] = "bare hello"
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{url}/hello")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        OWN_PROCESSES.pop(proc.pid, None)
        tmp.cleanup()


async def prepare(stack: Stack, admin: str, teacher_id: str) -> dict[str, Any]:
    """Create a bench-only group of students with a discipline the teacher teaches there."""
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=headers, timeout=30) as http:

        async def post(path: str, body: dict[str, str]) -> dict[str, str]:
            reply = await http.post(path, json=body)
            reply.raise_for_status()
            return dict(reply.json())

        tag = uuid.uuid4().hex[:6]
        group = await post("/api/v1/groups", {"name": f"БЕНЧ-{tag}"})
        discipline = await post("/api/v1/disciplines", {"name": f"Замеры {tag}", "kind": "discipline"})
        # A surname of the run's own (the tag in letters): logins are made from the surname and the
        # initials, and one surname's 999 logins («zamerov.b», «zamerov.b2»…) ran out after ~40 runs.
        surname = "Замеров-" + "".join(NAME_LETTERS[int(digit, 16)] for digit in tag)
        students = []
        for n in range(STUDENTS):
            student = await post(
                "/api/v1/people",
                {"role": "student", "last_name": surname, "first_name": "Бенч" + NAME_LETTERS[n % 33]},
            )
            await post(f"/api/v1/groups/{group['group_id']}/students", {"student_id": student["person_id"]})
            students.append(student["person_id"])
        await post(
            "/api/v1/teaching-loads",
            {
                "teacher_id": teacher_id,
                "group_id": group["group_id"],
                "discipline_id": discipline["discipline_id"],
            },
        )
    return {"students": students, "group_id": group["group_id"], "discipline_id": discipline["discipline_id"]}


async def transactions(stack: Stack) -> dict[str, int]:
    """Return the committed transactions of each service database so far (pg_stat_database)."""
    conn = await asyncpg.connect(stack.superuser_dsn)
    try:
        rows = await conn.fetch(
            "SELECT datname, xact_commit FROM pg_stat_database WHERE datname = ANY($1::text[])",
            ["journal", "messaging", "reports", "archive", "identity"],
        )
    finally:
        await conn.close()
    return {r["datname"]: int(r["xact_commit"]) for r in rows}


class KeepAliveClient:
    """The load's HTTP/1.1 client: one kept-alive connection, a request written in one go, the reply
    read by its Content-Length. On the same 2 cores as the stack, httpx spent ≈ 2.6 ms of CPU per
    mark (a sixth of the whole); this spends a fraction of that, left to the stack under test."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._head = f"Host: {parts.netloc}\r\n{extra}Content-Type: application/json\r\n"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> KeepAliveClient:
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()

    async def post(self, path: str, body: bytes) -> int:
        """Send a POST and return the reply's status (its body is read and dropped)."""
        status, _ = await self._request(
            f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        )
        return status

    async def get(self, path: str) -> bytes:
        """Send a GET and return the reply's body; a status other than 200 is an error."""
        status, body = await self._request(f"GET {path} HTTP/1.1\r\n{self._head}\r\n".encode())
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:200]!r}")
        return body

    async def _request(self, message: bytes) -> tuple[int, bytes]:
        assert self._reader is not None and self._writer is not None
        self._writer.write(message)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return int(lines[0].split(" ", 2)[1]), await self._reader.readexactly(length)


async def backlog(js: Any, outbox: asyncpg.Connection) -> dict[str, int]:
    """Return what is still to do: unpublished outbox rows and each consumer's pending + unacked."""
    left = {"relay": int(await outbox.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))}
    for name, (stream, durable) in CONSUMERS.items():
        info = await js.consumer_info(stream, durable)
        left[name] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
    return left


async def catch_up(js: Any, outbox: asyncpg.Connection, within: float = 120.0) -> dict[str, float | None]:
    """Poll until the relay and every consumer have nothing left; return how long each took (s)."""
    began = time.perf_counter()
    done: dict[str, float | None] = {}
    while time.perf_counter() - began < within:
        left = await backlog(js, outbox)
        for name, count in left.items():
            if count == 0 and name not in done:
                done[name] = round(time.perf_counter() - began, 3)
        if len(done) == len(left):
            break
        await asyncio.sleep(0.01)
    return {name: done.get(name) for name in ("relay", *CONSUMERS)}


async def concurrent_marks(
    stack: Stack, teacher_token: str, ids: dict[str, Any], lesson: date
) -> dict[str, Any]:
    """Record marks from CLIENTS clients for LOAD_SECONDS; then measure the consumers' catch-up."""
    nc = await nats.connect(stack.nats_url)
    js = nc.jetstream()
    dsn = stack.database_url("journal").replace("postgresql+asyncpg://", "postgresql://", 1)
    outbox = await asyncpg.connect(dsn)
    before = await backlog(js, outbox)
    if any(before.values()):
        print(f"waiting for an earlier backlog to drain: {before}", file=sys.stderr)
        await catch_up(js, outbox)
    headers = {"Authorization": f"Bearer {teacher_token}"}
    samples: list[float] = []
    failures = 0
    stop_at = time.perf_counter() + LOAD_SECONDS

    async def client(n: int) -> None:
        nonlocal failures
        async with KeepAliveClient(stack.gateway_url, headers) as http:
            i = n
            while time.perf_counter() < stop_at:
                body = {
                    "student_id": ids["students"][i % len(ids["students"])],
                    "group_id": ids["group_id"],
                    "discipline_id": ids["discipline_id"],
                    "lesson_date": lesson.isoformat(),
                    "value": "45"[i % 2],
                }
                i += 1
                t0 = time.perf_counter()
                status = await http.post("/api/v1/marks", json.dumps(body).encode())
                if status != 201:
                    failures += 1
                    continue
                samples.append((time.perf_counter() - t0) * 1000)

    cpu_before = cpu_seconds(stack)
    tx_before = await transactions(stack)
    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    elapsed = time.perf_counter() - began
    at_end = await backlog(js, outbox)
    lag = await catch_up(js, outbox)
    cpu_after = cpu_seconds(stack)
    tx_after = await transactions(stack)
    marks = max(1, len(samples))
    # Commits per mark in each database: how well the writes and the consumers batch, a count that
    # does not move with the box's load as CPU and time do.
    commits = {db: round((tx_after[db] - tx_before[db]) / marks, 2) for db in tx_after}
    # A process that started or ended in between (a CLI run by someone else) is left out.
    cpu_ms = {
        part: round((cpu_after[part] - cpu_before[part]) * 1000 / marks, 2)
        for part in sorted(cpu_after)
        if part in cpu_before and cpu_after[part] >= cpu_before[part]
    }
    await outbox.close()
    await nc.close()
    return row(
        "mark_write_concurrent",
        samples,
        clients=CLIENTS,
        seconds=round(elapsed, 1),
        marks_per_s=round(len(samples) / elapsed, 1),
        failures=failures,
        backlog_at_end=at_end,
        catch_up_s=lag,
        cpu_ms_per_mark=cpu_ms,
        commits_per_mark=commits,
        load_average=os.getloadavg()[0],
    )


# Processes this run started itself (the bare hello, the page's readers), counted under their name.
OWN_PROCESSES: dict[int, str] = {}


def _read_pid(path: Path) -> int | None:
    """Return the pid of a pidfile: devstack's `{"pid": …, "started": …}` or PostgreSQL's first line."""
    with contextlib.suppress(OSError, ValueError, IndexError, KeyError, TypeError):
        text = path.read_text()
        return int(json.loads(text)["pid"]) if text.lstrip().startswith("{") else int(text.split()[0])
    return None


def stack_roots(stack: Stack) -> dict[int, str]:
    """Return the root pid of each part of this profile's stack: the supervisor's children (its state
    file), NATS's and Keycloak's pidfiles, the postmaster of the profile's cluster; plus this bench."""
    roots: dict[int, str] = {os.getpid(): "bench client", **OWN_PROCESSES}
    with contextlib.suppress(OSError, ValueError):
        children = json.loads((stack.run_dir / "supervisor-children.json").read_text())
        for name, child in children.items():
            roots[int(child["pid"])] = name
    for part, pidfile in (
        ("nats", stack.run_dir / "nats.pid"),
        ("keycloak", stack.run_dir / "keycloak.pid"),
        ("postgres", stack.postgres_data_dir / "postmaster.pid"),
    ):
        pid = _read_pid(pidfile)
        if pid is not None:
            roots[pid] = part
    return roots


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """Return the CPU time used so far by each part of this profile's stack (and this bench), by /proc.

    Only the process trees of the profile's own parts count (see `stack_roots`), never another lane's
    processes of the same name; a process's reaped children count through its cutime/cstime."""
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(pid)] = int(stat[1])
        ticks[int(pid)] = sum(int(field) for field in stat[11:15])
    roots = stack_roots(stack)
    used: dict[str, float] = {}
    for pid, spent in ticks.items():
        ancestor, hops = pid, 0
        while ancestor not in roots and ancestor > 1 and hops < 64:
            ancestor, hops = parent.get(ancestor, 0), hops + 1
        part = roots.get(ancestor)
        if part is not None:
            used[part] = used.get(part, 0.0) + spent / tick
    return used


def server_cpu(stack: Stack, before: dict[str, float], part: str, samples: list[float]) -> float:
    """Return the CPU ms one part of the stack spent per call since `before` (warm-up included)."""
    spent = cpu_seconds(stack).get(part, 0.0) - before.get(part, 0.0)
    return round(spent * 1000 / (len(samples) + 20), 3)


def machine() -> dict[str, Any]:
    """Describe the box the figures come from."""
    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
    }


def write_readme(report: dict[str, Any]) -> None:
    """Replace the table between the markers in bench/README.md with this run's figures."""
    readme = HERE / "README.md"
    text = readme.read_text() if readme.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    m = report["machine"]
    lines = [
        BEGIN,
        f"Last run: {report['date']} on {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}"
        f" (1-min load average {m['load_average_1m_before']} before the run: other work on the box).",
        "",
        "| name | p50 ms | p99 ms | floor ms | ratio | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in report["results"]:
        notes = ""
        if "server_cpu_ms" in r:
            notes = f"server CPU {r['server_cpu_ms']:.2f} ms per call"
        if "lessons" in r:
            notes = f"{r['students']} students × {r['lessons']} lessons"
        if "scale" in r:
            notes = f"the same page on the {r['scale']}× college vs the 1× one"
        if "marks" in r:
            notes = f"{r['marks']} marks, the student's own (no audit)"
        if r["name"] == "mark_write_concurrent":
            lag = ", ".join(f"{k} {v} s" for k, v in r["catch_up_s"].items())
            notes = f"{r['marks_per_s']} marks/s, {r['clients']} clients, {r['failures']} failed; "
            notes += f"caught up: {lag}; CPU {sum(r['cpu_ms_per_mark'].values()):.1f} ms per mark"
        floor = "—" if r["floor_ms"] is None else f"{r['floor_ms']:.2f}"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.1f}"
        lines.append(f"| {r['name']} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {floor} | {ratio} | {notes} |")
    lines.append(END)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text += "\n" + "\n".join(lines) + "\n"
    readme.write_text(text)


def last_weekday_before(day: date) -> date:
    """Return the last Monday–Friday before `day` (a past teaching day of a group without a calendar)."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


async def attendance_bulk(
    http: httpx.AsyncClient, conn: asyncpg.Connection, headers: dict[str, str], ids: dict[str, Any]
) -> list[dict[str, Any]]:
    """The attendance of the bench group's 25 students in one request vs its bare SQL.

    The teacher of the load records a lesson (the first pair of the bell schedule, the last weekday
    before today; the bench group has no calendar, so any day of a year is a teaching day), then puts
    its whole attendance again and again (each PUT replaces the previous one). The floor: the same
    DELETE + 25-row INSERT + the event's and the audit record's outbox rows, one transaction."""
    pairs = (await http.get("/api/v1/bell-schedule", headers=headers)).raise_for_status().json()["pairs"]
    lesson_day = last_weekday_before(date.today())
    reply = await http.post(
        "/api/v1/lessons",
        json={
            "group_id": ids["group_id"],
            "discipline_id": ids["discipline_id"],
            "lesson_date": lesson_day.isoformat(),
            "pair_number": min(p["number"] for p in pairs),
            "topic": "Замер посещаемости",
            "kind": "lecture",
        },
        headers=headers,
    )
    reply.raise_for_status()
    lesson_id = reply.json()["lesson"]["lesson_id"]
    # Mostly present, as in a real group: every fifth absent (ill), every seventh late.
    entries = []
    for n, student in enumerate(ids["students"]):
        if n % 5 == 4:
            entries.append({"student_id": student, "status": "absent", "reason": "illness"})
        elif n % 7 == 6:
            entries.append({"student_id": student, "status": "late"})
        else:
            entries.append({"student_id": student, "status": "present"})

    async def put() -> None:
        answer = await http.put(
            f"/api/v1/lessons/{lesson_id}/attendance", json={"entries": entries}, headers=headers
        )
        answer.raise_for_status()

    lesson_uuid = uuid.UUID(lesson_id)
    students = [uuid.UUID(e["student_id"]) for e in entries]
    statuses = [e["status"] for e in entries]
    reasons = [e.get("reason", "unspecified") for e in entries]

    async def replace_sql() -> None:
        async with conn.transaction():
            await conn.execute("DELETE FROM attendance WHERE lesson_id = $1", lesson_uuid)
            await conn.execute(
                "INSERT INTO attendance (lesson_id, student_id, status, reason) "
                "SELECT $1, s, st, r FROM unnest($2::uuid[], $3::text[], $4::text[]) AS t(s, st, r)",
                lesson_uuid, students, statuses, reasons,
            )  # fmt: skip
            for _ in range(2):  # the AttendanceRecorded event and the audit record
                await conn.execute(
                    "INSERT INTO outbox (id, subject, payload, headers, published_at) "
                    "VALUES ($1, 'bench.raw.v1', '\\x00', '{}', now())",
                    uuid.uuid4(),
                )

    floor = row("attendance_bulk_sql", await timed(replace_sql, rounds=100))
    result = row("attendance_bulk", await timed(put, rounds=100), floor, students=len(entries))
    # The last PUT left the lesson's attendance as the service wrote it (the floor's rows replaced).
    return [floor, result]


async def own_diary(
    stack: Stack, http: httpx.AsyncClient, conn: asyncpg.Connection, diary_sql: str
) -> list[dict[str, Any]]:
    """The demo student's own diary (no audit: one reads one's own) by gRPC and REST vs its bare SQL."""
    seeded = json.loads((stack.data_dir / "demo-seeded.json").read_text())
    student_id = seeded["people"]["student"]
    student_token = token(stack, "student")
    floor = row("diary_own_sql", await timed(lambda: conn.fetch(diary_sql, uuid.UUID(student_id))))
    channel = grpc.aio.insecure_channel(stack.grpc_addr("journal"))
    stub = pb_grpc.JournalServiceStub(channel)
    md = (("authorization", f"Bearer {student_token}"),)
    grpc_samples = await timed(
        lambda: stub.ListStudentMarks(pb.ListStudentMarksRequest(student_id=student_id), metadata=md)
    )
    await channel.close()
    headers = {"Authorization": f"Bearer {student_token}"}

    async def rest() -> None:
        (await http.get(f"/api/v1/students/{student_id}/marks", headers=headers)).raise_for_status()

    marks = int(
        await conn.fetchval("SELECT count(*) FROM marks WHERE student_id = $1", uuid.UUID(student_id))
    )
    return [
        floor,
        row("diary_own_grpc", grpc_samples, floor, marks=marks),
        row("diary_own", await timed(rest), floor, marks=marks),
    ]


async def sequential(
    stack: Stack, teacher_id: str, teacher_token: str, ids: dict[str, Any]
) -> list[dict[str, Any]]:
    """Measure the one-client rows, each beside its floor: me, mark_write, diary_grpc, diary."""
    student_id = ids["students"][0]
    dsn = stack.database_url("journal").replace("postgresql+asyncpg://", "postgresql://", 1)
    lesson = date.today() - timedelta(days=1)
    results: list[dict[str, Any]] = []
    conn = await asyncpg.connect(dsn)
    teacher_headers = {"Authorization": f"Bearer {teacher_token}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        async with bare_hello() as hello_url:
            before = cpu_seconds(stack)
            samples = await timed(lambda: http.get(f"{hello_url}/hello"))
            hello = row("bare_hello", samples, server_cpu_ms=server_cpu(stack, before, "bare hello", samples))

        async def me() -> None:
            (await http.get("/api/v1/me", headers=teacher_headers)).raise_for_status()

        before = cpu_seconds(stack)
        samples = await timed(me)
        results += [
            hello,
            row("me", samples, hello, server_cpu_ms=server_cpu(stack, before, "gateway", samples)),
        ]

        insert_mark = (
            "INSERT INTO marks (id, student_id, group_id, discipline_id, teacher_id, lesson_date, value) "
            "VALUES ($1, $2, $3, $4, $5, $6, '4')"
        )

        async def insert_sql() -> None:
            async with conn.transaction():
                await conn.execute(
                    insert_mark,
                    uuid.uuid4(), uuid.UUID(student_id), uuid.UUID(ids["group_id"]),
                    uuid.UUID(ids["discipline_id"]), uuid.UUID(teacher_id), lesson,
                )  # fmt: skip
                await conn.execute(
                    "INSERT INTO outbox (id, subject, payload, headers, published_at) "
                    "VALUES ($1, 'bench.raw.v1', '\\x00', '{}', now())",
                    uuid.uuid4(),
                )

        body = {
            "student_id": student_id,
            "group_id": ids["group_id"],
            "discipline_id": ids["discipline_id"],
            "lesson_date": lesson.isoformat(),
        }

        async def record_rest() -> None:
            reply = await http.post("/api/v1/marks", json={**body, "value": "5"}, headers=teacher_headers)
            reply.raise_for_status()

        floor = row("mark_write_sql", await timed(insert_sql, rounds=100))
        results += [floor, row("mark_write", await timed(record_rest, rounds=100), floor)]
        results += await attendance_bulk(http, conn, teacher_headers, ids)

        diary_sql = (
            "SELECT id, student_id, group_id, discipline_id, teacher_id, lesson_date, value, recorded_at "
            "FROM marks WHERE student_id = $1 ORDER BY lesson_date DESC, recorded_at DESC LIMIT 500"
        )
        floor = row("diary_sql", await timed(lambda: conn.fetch(diary_sql, uuid.UUID(student_id))))
        channel = grpc.aio.insecure_channel(stack.grpc_addr("journal"))
        stub = pb_grpc.JournalServiceStub(channel)
        md = (("authorization", f"Bearer {teacher_token}"),)
        grpc_samples = await timed(
            lambda: stub.ListStudentMarks(pb.ListStudentMarksRequest(student_id=student_id), metadata=md)
        )
        await channel.close()

        async def diary_rest() -> None:
            (
                await http.get(f"/api/v1/students/{student_id}/marks", headers=teacher_headers)
            ).raise_for_status()

        results += [
            floor,
            row("diary_grpc", grpc_samples, floor),
            row("diary", await timed(diary_rest), floor),
        ]
        results += await own_diary(stack, http, conn, diary_sql)
    await conn.close()
    return results


async def journal_pages(stack: Stack, teacher_id: str, teacher_token: str) -> list[dict[str, Any]]:
    """The journal page vs its bare SQL on the dev stack; then the same page on the 10× college vs the
    1× one, each read through its own journal and gateway processes."""
    days = journal_page.lesson_days(date.today())
    teacher = uuid.UUID(teacher_id)
    dev_dsn = journal_page.plain(stack.database_url("journal"))
    region_journal = journal_page.region_url(stack, "journal")
    await journal_page.put_page(dev_dsn, teacher, days)
    await journal_page.ensure_region(stack, lambda line: print(line, file=sys.stderr))
    await journal_page.put_page(journal_page.plain(region_journal), teacher, days)
    headers = {"Authorization": f"Bearer {teacher_token}"}
    path = journal_page.page_path(days)
    size: dict[str, Any] = {"students": journal_page.STUDENTS, "lessons": journal_page.LESSONS}

    async def pages(base_url: str) -> list[float]:
        # The load's lean client (httpx spent ≈ 1.7 ms of the same 2 cores' CPU per page read).
        async with KeepAliveClient(base_url, headers) as http:
            return await timed(lambda: http.get(path), rounds=100)

    # The page and its floor alternate, a hundred calls of each at a time, three times (timed_pair).
    conn = await asyncpg.connect(dev_dsn)
    async with KeepAliveClient(stack.gateway_url, headers) as http:
        floor_samples, page_samples = await timed_pair(
            journal_page.page_floor(conn, teacher, days), lambda: http.get(path), rounds=300
        )
    await conn.close()
    floor = row("journal_page_sql", floor_samples)
    results = [floor, row("journal_page", page_samples, floor, **size)]
    conn = await asyncpg.connect(journal_page.plain(region_journal))
    region_floor = row(
        "journal_page_region_sql",
        await timed(journal_page.page_floor(conn, teacher, days), rounds=100),
        floor,
    )
    await conn.close()
    by_set = {}
    for name, url in (
        ("1x", stack.database_url("journal")),
        (f"{journal_page.REGION_SCALE}x", region_journal),
    ):
        async with journal_page.page_reader(stack, url, OWN_PROCESSES, f"page {name}", path, headers) as gw:
            by_set[name] = await pages(gw)
    one = row("journal_page_1x", by_set["1x"], **size)
    region = row(
        "journal_page_region", by_set[f"{journal_page.REGION_SCALE}x"], one, scale=journal_page.REGION_SCALE
    )
    return [*results, region_floor, one, region]


async def main() -> int:
    load_before = os.getloadavg()[0]
    stack = Stack("dev")
    seeded = json.loads((stack.data_dir / "demo-seeded.json").read_text())
    teacher_id = seeded["people"]["teacher"]
    teacher_token = token(stack, "teacher")
    ids = await prepare(stack, token(stack, "admin"), teacher_id)
    lesson = date.today() - timedelta(days=1)
    results: list[dict[str, Any]] = []
    # BENCH_ONLY=mark_write_concurrent (for profiling the load) skips the rest and writes nothing.
    only = os.environ.get("BENCH_ONLY", "") == "mark_write_concurrent"
    if not only:
        results += await sequential(stack, teacher_id, teacher_token, ids)
        results += await journal_pages(stack, teacher_id, teacher_token)

    results.append(await concurrent_marks(stack, token(stack, "teacher"), ids, lesson))

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "load_average_1m_before": round(load_before, 2)},
        "results": results,
    }
    out = HERE / "results" / "latest.json"
    if not only:
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        write_readme(report)

    print(f"\n{'benchmark':<24}{'p50 ms':>9}{'p99 ms':>9}{'floor ms':>10}{'ratio':>7}")
    for r in results:
        floor_ms = "" if r["floor_ms"] is None else f"{r['floor_ms']:.2f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.1f}"
        print(f"{r['name']:<24}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{floor_ms:>10}{ratio:>7}")
    c = results[-1]
    print(
        f"\nmark_write_concurrent: {c['marks_per_s']} marks/s from {c['clients']} clients",
        f"over {c['seconds']} s,",
    )
    print(f"  {c['failures']} failed; backlog when the load stopped {c['backlog_at_end']};")
    print(f"  caught up after (s): {c['catch_up_s']}")
    print(f"  CPU ms per mark: {c['cpu_ms_per_mark']} (1-min load average {c['load_average']:.1f})")
    print(f"  commits per mark: {c['commits_per_mark']}")
    if not only:
        print(f"\nWritten: {out.relative_to(HERE.parent)} and bench/README.md")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
