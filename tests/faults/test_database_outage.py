"""PostgreSQL killed (SIGKILL) in the middle of a stream of mark writes through the gateway.

Every answer is 201 or 503 (never 500), the 503s say so in Russian with the stable code
`unavailable`, nothing that was answered 201 is lost, no mark is left without its event, and
writes succeed again once the server is back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from datetime import date

import asyncpg
import httpx
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.grpc_server import GrpcServer
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.journal.v1 import events_pb2, journal_service_pb2_grpc
from gateway.config import GatewaySettings
from gateway.main import create_app
from journal_service.adapters import orm
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.api.grpc import JournalServicer
from journal_service.application.handlers import JournalHandlers
from sqlalchemy import select

pytestmark = pytest.mark.integration

TODAY = date(2026, 10, 15)
WRITERS = 4
WRITES_BEFORE_KILL = 40
SUCCESSES_AFTER_RESTART = 40


class People:
    """Identity's people and roles (identity itself is not running here): the ones the test made."""

    def __init__(self) -> None:
        self.roles: dict[uuid.UUID, str] = {}

    def new(self, role: str) -> str:
        person_id = uuid.uuid4()
        self.roles[person_id] = role
        return str(person_id)

    async def roles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {p: self.roles[p] for p in person_ids if p in self.roles}

    async def page(
        self, after: uuid.UUID | None, size: int
    ) -> tuple[list[tuple[uuid.UUID, str]], uuid.UUID | None]:
        return [], None


PEOPLE = People()


class NoGuardians:
    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        return False


@pytest.fixture
async def gateway_over_journal(
    stack_infra, fresh_db: Callable[[str], Awaitable[str]]
) -> AsyncIterator[tuple[httpx.AsyncClient, LocalIssuer, str]]:
    """The real journal servicer on its own database and the real gateway in front of it."""
    issuer = LocalIssuer()
    orm.start_mappers()
    url = await fresh_db("journal")
    # The test cluster trades durability for speed (synchronous_commit off loses the last commits of
    # a crashed server by design); this database gets the production setting, as the dev stack has.
    conn = await asyncpg.connect(stack_infra.superuser_dsn)
    try:
        await conn.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" SET synchronous_commit = on')
    finally:
        await conn.close()
    engine = make_engine(url, pool_size=4)
    sessions = make_session_factory(engine)
    handlers = JournalHandlers(
        uow=lambda: JournalUnitOfWork(sessions, service="journal"),
        guardians=NoGuardians(),
        today=lambda: TODAY,
        people=PEOPLE,
    )
    server = GrpcServer(
        host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
    )
    journal_service_pb2_grpc.add_JournalServiceServicer_to_server(JournalServicer(handlers), server.server)
    await server.start()
    unused = "127.0.0.1:9"  # the other services are not called by these routes
    settings = GatewaySettings(
        http_port=0,
        public_url="http://testserver",
        identity_addr=unused,
        journal_addr=f"127.0.0.1:{server.port}",
        messaging_addr=unused,
        reports_addr=unused,
        archive_addr=unused,
        oidc_issuer=issuer.issuer,
        oidc_audience=issuer.audience,
        session_secret="test-session-secret",
    )
    app = create_app(settings, verifier=issuer.verifier())
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver", timeout=30
            ) as http:
                yield http, issuer, url
    finally:
        await server.stop(0)
        await engine.dispose()


def _auth(issuer: LocalIssuer, subject: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.token(subject, (role,))}"}


async def _created(http: httpx.AsyncClient, path: str, body: dict[str, str], headers: dict[str, str]) -> dict:
    reply = await http.post(path, json=body, headers=headers)
    assert reply.status_code == 201, reply.text
    return reply.json()


async def test_killing_postgres_mid_stream_gives_only_201_or_503_and_loses_nothing(
    stack_infra, gateway_over_journal: tuple[httpx.AsyncClient, LocalIssuer, str]
) -> None:
    http, issuer, url = gateway_over_journal
    admin = _auth(issuer, str(uuid.uuid4()), "admin")
    teacher_id = PEOPLE.new("teacher")
    teacher = _auth(issuer, teacher_id, "teacher")
    students = [PEOPLE.new("student") for _ in range(5)]
    group = await _created(http, "/api/v1/groups", {"name": "ИС-31"}, admin)
    discipline = await _created(
        http, "/api/v1/disciplines", {"code": "ОП.02", "name": "Физика", "kind": "discipline"}, admin
    )
    for student in students:
        await _created(http, f"/api/v1/groups/{group['group_id']}/students", {"student_id": student}, admin)
    await _created(
        http,
        "/api/v1/teaching-loads",
        {
            "teacher_id": teacher_id,
            "group_id": group["group_id"],
            "discipline_id": discipline["discipline_id"],
        },
        admin,
    )

    answers: list[int] = []
    created: list[str] = []
    unavailable_bodies: list[dict] = []
    enough_before_kill = asyncio.Event()
    restarted = asyncio.Event()
    successes_after_restart = 0

    async def writer(n: int) -> None:
        nonlocal successes_after_restart
        i = 0
        while successes_after_restart < SUCCESSES_AFTER_RESTART:
            i += 1
            body = {
                "student_id": students[(n + i) % len(students)],
                "group_id": group["group_id"],
                "discipline_id": discipline["discipline_id"],
                "lesson_date": TODAY.isoformat(),
                "value": "5",
            }
            reply = await http.post("/api/v1/marks", json=body, headers=teacher)
            answers.append(reply.status_code)
            if len(answers) >= WRITES_BEFORE_KILL:
                enough_before_kill.set()
            if reply.status_code == 201:
                created.append(reply.json()["mark_id"])
                if restarted.is_set():
                    successes_after_restart += 1
            elif reply.status_code == 503:
                unavailable_bodies.append(reply.json())
                await asyncio.sleep(0.05)
            else:
                return  # anything else fails the test below, with the status in the list

    async def killer() -> None:
        await enough_before_kill.wait()
        pid = stack_infra._postgres().pid()  # the test stack's own server, started by devstack
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(1.5)  # writes keep coming while the server is gone
        await asyncio.get_running_loop().run_in_executor(None, stack_infra.start_postgres)
        restarted.set()

    await asyncio.wait_for(asyncio.gather(killer(), *(writer(n) for n in range(WRITERS))), timeout=180)

    assert set(answers) <= {201, 503}, sorted(set(answers))
    assert 503 in answers, "the outage was not noticed by any write"
    assert all(b["error"]["code"] == "unavailable" for b in unavailable_bodies)
    assert all("недоступ" in b["error"]["message"] for b in unavailable_bodies)

    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_factory(engine)() as s:
            stored = {str(m) for m in (await s.scalars(select(orm.marks.c.id))).all()}
            payloads = (
                await s.scalars(
                    select(OUTBOX.c.payload).where(OUTBOX.c.subject == "journal.mark.recorded.v1")
                )
            ).all()
    finally:
        await engine.dispose()
    evented = {events_pb2.MarkRecorded.FromString(p).mark_id for p in payloads}
    assert set(created) <= stored, "a mark answered 201 was lost"
    # A write cut off after its commit may have answered 503 yet be stored: never half of it.
    assert stored == evented, "a mark without its event, or an event without its mark"
