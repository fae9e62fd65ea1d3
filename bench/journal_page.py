"""The journal page benchmarks: `journal_page` (through the dev gateway vs its bare SQL) and
`journal_page_region` (the same page on the 10× demo college vs the 1× one).

The page: a bench group of 30 students × 40 lessons of one discipline (the last 40 weekdays before
today, first pair), ~55 % of the cells with a mark, ~6 % absences, read by the teacher of the load.
Its rows get fixed ids (uuid5), so the same page is put, once, into the dev journal database and into
the region's; a second run finds them there. Written straight with SQL, in bulk, as the demo
generator loads its college: bench data, not news, so no event and no outbox row.

The 10× college lives in its own three databases of the dev cluster (`bench_region_identity`,
`bench_region_journal`, `bench_region_reports`, each owned by its service's role), migrated with
the services' Alembic and loaded by the demo generator at scale 10 the first time (~1–2 min); the
dev databases stay as seeded. For the ratio both sets are read the same way: a journal gRPC server
(`bench/journal_server.py`: the real servicer, handlers and unit of work, without the relay and the
consumers) and a gateway process per set, started here and stopped after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from devstack.demo_college import DEFAULT_SEED, generate_and_load
from devstack.stack import Stack
from journal_service.adapters.repositories import period_locks, read_models, subgroup_membership

HERE = Path(__file__).resolve().parent
STUDENTS, LESSONS = 30, 40
REGION_SCALE = 10
REGION_SERVICES = ("identity", "journal", "reports")
NS = uuid.UUID("6f1b0c1e-3a55-4b8e-9a43-0e6b9c2d7a10")
MARK_VALUES = ("5", "5", "4", "4", "4", "3", "3", "2")


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(NS, name)


def page_ids() -> dict[str, Any]:
    """Return the fixed ids of the bench page: group, discipline, students, lessons."""
    return {
        "group_id": _id("group"),
        "discipline_id": _id("discipline"),
        "students": [_id(f"student-{n}") for n in range(STUDENTS)],
        "lessons": [_id(f"lesson-{n}") for n in range(LESSONS)],
    }


def lesson_days(today: date) -> list[date]:
    """Return the last LESSONS weekdays before today, oldest first."""
    days: list[date] = []
    day = today
    while len(days) < LESSONS:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return sorted(days)


def plain(url: str) -> str:
    """Return an asyncpg DSN of a SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def put_page(dsn: str, teacher_id: uuid.UUID, days: list[date]) -> None:
    """Insert the bench page into a journal database unless it is there (one transaction)."""
    ids = page_ids()
    rng = random.Random(7)
    conn = await asyncpg.connect(dsn)
    try:
        if await conn.fetchval("SELECT 1 FROM groups WHERE id = $1", ids["group_id"]):
            return
        async with conn.transaction():
            people = [(teacher_id, "teacher")] + [(s, "student") for s in ids["students"]]
            await conn.executemany(
                "INSERT INTO people (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING", people
            )
            await conn.execute("INSERT INTO groups (id, name) VALUES ($1, 'БЕНЧ-СТРАНИЦА')", ids["group_id"])
            await conn.execute(
                "INSERT INTO disciplines (id, code, name, kind) VALUES ($1, 'БЕНЧ.01', 'Замеры страницы', "
                "'discipline')",
                ids["discipline_id"],
            )
            await conn.executemany(
                "INSERT INTO enrollments (group_id, student_id) VALUES ($1, $2)",
                [(ids["group_id"], s) for s in ids["students"]],
            )
            await conn.execute(
                "INSERT INTO teaching_loads (id, teacher_id, group_id, discipline_id) "
                "VALUES ($1, $2, $3, $4)",
                _id("load"), teacher_id, ids["group_id"], ids["discipline_id"],
            )  # fmt: skip
            await conn.copy_records_to_table(
                "lessons",
                columns=["id", "group_id", "discipline_id", "teacher_id", "lesson_date", "pair_number",
                         "topic", "kind", "homework"],
                records=[
                    (lesson, ids["group_id"], ids["discipline_id"], teacher_id, day, 1,
                     f"Тема {n + 1}", "lecture", "§ " + str(n + 1) if n % 3 == 0 else "")
                    for n, (lesson, day) in enumerate(zip(ids["lessons"], days, strict=True))
                ],
            )  # fmt: skip
            marks, attendance = [], []
            for lesson, day in zip(ids["lessons"], days, strict=True):
                for student in ids["students"]:
                    roll = rng.random()
                    if roll < 0.06:
                        attendance.append((lesson, student, "absent", "illness"))
                        continue
                    attendance.append((lesson, student, "present", "unspecified"))
                    if roll < 0.61:
                        marks.append(
                            (uuid.UUID(int=rng.getrandbits(128), version=4), student, ids["group_id"],
                             ids["discipline_id"], teacher_id, day, rng.choice(MARK_VALUES), lesson)
                        )  # fmt: skip
            await conn.copy_records_to_table(
                "marks",
                columns=["id", "student_id", "group_id", "discipline_id", "teacher_id", "lesson_date",
                         "value", "lesson_id"],
                records=marks,
            )  # fmt: skip
            await conn.copy_records_to_table(
                "attendance", columns=["lesson_id", "student_id", "status", "reason"], records=attendance
            )
    finally:
        await conn.close()


def page_floor(
    conn: asyncpg.Connection, teacher_id: uuid.UUID, days: list[date]
) -> Callable[[], Awaitable[None]]:
    """Return the bare SQL of the page: the service's own statements, imported from its repositories —
    the reader's check with the students, their stays (memberships), the lessons, the marks, the
    attendance, the period locks — and the audit record's outbox row, one transaction."""
    ids = page_ids()
    g, d, first, last = ids["group_id"], ids["discipline_id"], days[0], days[-1]

    async def floor() -> None:
        async with conn.transaction():
            await conn.fetch(read_models.GROUP_READERS_IN, g, teacher_id, first, last)
            await conn.fetch(subgroup_membership.GROUP_STAYS, g, first, last)
            await conn.fetch(read_models.PAGE_LESSONS, g, d, first, last, None)
            await conn.fetch(read_models.PAGE_MARKS_TEXT, g, d, first, last)
            await conn.fetch(read_models.PAGE_ATTENDANCE, g, d, first, last)
            await conn.fetch(period_locks.OVERLAPPING, g, d, first, last)
            await conn.execute(
                "INSERT INTO outbox (id, subject, payload, headers, published_at) "
                "VALUES ($1, 'bench.raw.v1', '\\x00', '{}', now())",
                uuid.uuid4(),
            )

    return floor


def page_path(days: list[date]) -> str:
    """Return the REST path of the bench page."""
    ids = page_ids()
    return (
        f"/api/v1/groups/{ids['group_id']}/disciplines/{ids['discipline_id']}/journal"
        f"?date_from={days[0].isoformat()}&date_to={days[-1].isoformat()}"
    )


def free_port() -> int:
    """Return a port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def region_url(stack: Stack, service: str) -> str:
    """Return the SQLAlchemy URL of the region copy of a service's database (same role)."""
    return stack.database_url(service).rsplit("/", 1)[0] + f"/bench_region_{service}"


async def ensure_region(stack: Stack, log: Callable[[str], None]) -> None:
    """Create, migrate and load the 10× college in its own databases unless a run already did."""
    admin = await asyncpg.connect(stack.superuser_dsn)
    try:
        names = {r["datname"] for r in await admin.fetch("SELECT datname FROM pg_database")}
        for service in REGION_SERVICES:
            if f"bench_region_{service}" not in names:
                await admin.execute(f'CREATE DATABASE "bench_region_{service}" OWNER "{service}"')
    finally:
        await admin.close()
    alembic = str(Path(sys.executable).parent / "alembic")
    procs = []
    for service in REGION_SERVICES:
        env = (
            dict(os.environ)
            | stack.env_for(service)
            | {f"{service.upper()}_DATABASE_URL": region_url(stack, service)}
        )
        procs.append(
            subprocess.Popen(  # noqa: ASYNC220 - set-up, before anything is timed
                [alembic, "-c", f"services/{service}/alembic.ini", "upgrade", "head"],
                cwd=stack.repo,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode:
            raise RuntimeError(f"alembic on a region database failed: {err.decode()[-2000:]}")
    journal = await asyncpg.connect(plain(region_url(stack, "journal")))
    try:
        await journal.execute(
            "CREATE TABLE IF NOT EXISTS bench_region_marker (scale real, seed int, counts jsonb)"
        )
        if await journal.fetchval("SELECT count(*) FROM bench_region_marker"):
            return
    finally:
        await journal.close()
    log(f"loading the {REGION_SCALE}× demo college into bench_region_* (once)")
    urls = {service: region_url(stack, service) for service in REGION_SERVICES}
    college = await generate_and_load(urls, seed=DEFAULT_SEED, scale=REGION_SCALE)
    journal = await asyncpg.connect(plain(region_url(stack, "journal")))
    try:
        await journal.execute(
            "INSERT INTO bench_region_marker VALUES ($1, $2, $3)",
            float(REGION_SCALE), DEFAULT_SEED, json.dumps(college.counts()),
        )  # fmt: skip
    finally:
        await journal.close()


async def _wait_ready(
    url: str, headers: dict[str, str], path: str, procs: list[subprocess.Popen[bytes]]
) -> None:
    """Wait until the page answers 200 through the new gateway (its journal up too)."""
    async with httpx.AsyncClient(base_url=url, headers=headers) as http:
        for _ in range(600):
            for proc in procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(path)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer the page")


@contextlib.asynccontextmanager
async def page_reader(
    stack: Stack, database_url: str, own: dict[int, str], name: str, path: str, headers: dict[str, str]
) -> AsyncIterator[str]:
    """Serve a journal (bench/journal_server.py) on a database and a gateway in front of it; yield the
    gateway's URL. Both processes are counted in the run's CPU under `name`."""
    grpc_port, http_port = free_port(), free_port()
    journal_env = (
        dict(os.environ)
        | stack.env_for("journal")
        | {
            "JOURNAL_DATABASE_URL": database_url,
            "JOURNAL_GRPC_PORT": str(grpc_port),
            "JOURNAL_LOG_LEVEL": "WARNING",
        }
    )
    gateway_env = (
        dict(os.environ)
        | stack.env_for("gateway")
        | {
            "GATEWAY_HTTP_PORT": str(http_port),
            "GATEWAY_PUBLIC_URL": f"http://127.0.0.1:{http_port}",
            "GATEWAY_JOURNAL_ADDR": f"127.0.0.1:{grpc_port}",
            "GATEWAY_LOG_LEVEL": "WARNING",
        }
    )
    journal = subprocess.Popen(  # noqa: ASYNC220 - set-up, before anything is timed
        [sys.executable, str(HERE / "journal_server.py")], env=journal_env, cwd=stack.repo,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    gateway = subprocess.Popen(  # noqa: ASYNC220
        [str(Path(sys.executable).parent / "ejournal-gateway")], env=gateway_env, cwd=stack.repo,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    own[journal.pid], own[gateway.pid] = f"{name} journal", f"{name} gateway"
    url = f"http://127.0.0.1:{http_port}"
    try:
        await _wait_ready(url, headers, path, [journal, gateway])
        yield url
    finally:
        for proc in (gateway, journal):
            proc.terminate()
        for proc in (gateway, journal):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            own.pop(proc.pid, None)
