"""The whole journal service in-process (the real build on the chassis kit) while NATS dies.

Writes go on while NATS is down (SIGKILL), the service keeps saying SERVING, and once NATS is back
the outbox relay publishes every event it held, exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import nats
import pytest
from chassis.db import make_engine
from chassis.grpc_client import call_metadata
from chassis.service import serve_service
from chassis.testing import LocalIssuer, eventually
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from journal_service.adapters import orm
from journal_service.config import JournalSettings
from journal_service.main import build

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NatsServer:
    """A private nats-server with JetStream, killed and restarted on the same port and store."""

    def __init__(self, store: Path) -> None:
        self.port = _free_port()
        self.store = store
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        binary = Path(sys.executable).parent / "nats-server"
        self.proc = subprocess.Popen(
            [str(binary), "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def start(self) -> None:
        self.spawn()
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("nats-server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@pytest.fixture
async def nats_server(tmp_path: Path) -> AsyncIterator[NatsServer]:
    server = NatsServer(tmp_path / "nats")
    await server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.kill()


async def test_writes_go_on_while_nats_is_down_and_the_outbox_catches_up(
    fresh_db: Callable[[str], Awaitable[str]], nats_server: NatsServer
) -> None:
    issuer = LocalIssuer()
    port = _free_port()
    teacher_id, student_id = str(uuid.uuid4()), str(uuid.uuid4())
    database_url = await fresh_db("journal")
    # Identity is not running here: the journal knows these two from identity's events.
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(
            orm.people.insert(),
            [{"person_id": teacher_id, "role": "teacher"}, {"person_id": student_id, "role": "student"}],
        )
    await engine.dispose()
    settings = JournalSettings(
        database_url=database_url,
        nats_url=nats_server.url,
        grpc_port=port,
        oidc_issuer=issuer.issuer,
        identity_addr="127.0.0.1:9",
        outbox_poll_seconds=0.2,
    )
    stop = asyncio.Event()
    service = asyncio.create_task(
        serve_service("journal", settings, build, verifier=issuer.verifier(), stop=stop)
    )
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = pb_grpc.JournalServiceStub(channel)
    health = health_pb2_grpc.HealthStub(channel)

    async def serving() -> bool:
        try:
            reply = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
        except grpc.aio.AioRpcError:
            return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    try:
        assert await eventually(serving, within=20)
        admin = call_metadata(issuer.token(str(uuid.uuid4()), ("admin",)))
        teacher = call_metadata(issuer.token(teacher_id, ("teacher",)))
        group = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-41"), metadata=admin)).group
        discipline = (
            await stub.CreateDiscipline(
                pb.CreateDisciplineRequest(code="ОП.03", name="Химия", kind=jpb.DISCIPLINE_KIND_DISCIPLINE),
                metadata=admin,
            )
        ).discipline
        await stub.EnrollStudent(
            pb.EnrollStudentRequest(group_id=group.group_id, student_id=student_id), metadata=admin
        )
        await stub.AssignTeachingLoad(
            pb.AssignTeachingLoadRequest(
                teacher_id=teacher_id, group_id=group.group_id, discipline_id=discipline.discipline_id
            ),
            metadata=admin,
        )

        nats_server.kill()
        today = datetime.now(ZoneInfo(settings.college_timezone)).date()
        marks = []
        for value in ("5", "4", "3"):
            reply = await stub.RecordMark(
                pb.RecordMarkRequest(
                    student_id=student_id,
                    group_id=group.group_id,
                    discipline_id=discipline.discipline_id,
                    lesson_date=LocalDate(year=today.year, month=today.month, day=today.day),
                    value=value,
                ),
                metadata=teacher,
                timeout=10,
            )
            marks.append(reply.mark.mark_id)
        # NATS is not a health check: the service still takes writes, so it still says SERVING.
        await asyncio.sleep(2.5)
        assert await serving()

        await nats_server.start()
        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream()
            sub = await js.subscribe("journal.mark.recorded.v1", ordered_consumer=True)
            seen: dict[str, int] = {}

            async def all_marks_published() -> bool:
                with contextlib.suppress(TimeoutError, nats.errors.TimeoutError):
                    while True:
                        msg = await sub.next_msg(timeout=0.5)
                        mark_id = events_pb2.MarkRecorded.FromString(msg.data).mark_id
                        seen[mark_id] = seen.get(mark_id, 0) + 1
                return set(marks) <= set(seen)

            assert await eventually(all_marks_published, within=40)
            assert all(seen[m] == 1 for m in marks), seen
        finally:
            await nc.close()
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=30)
        await channel.close()
