"""Parents' access from messaging's own projection (ADR 0013), against real PostgreSQL, NATS and
gRPC: identity's facts arrive as identity.parent_access.changed.v1 on JetStream, the catch-up reads
identity's snapshot over gRPC (an in-process stand-in of identity's ListParentAccessFacts), and
marks on JetStream notify only the parents whose access has not ended on the college's today."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import grpc
import pytest
from chassis.consumer import EventConsumer
from chassis.db import make_engine, make_session_factory
from chassis.events import subject_of
from chassis.timestamps import now_timestamp
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb
from ejournal.journal.v1.events_pb2 import MarkRecorded
from messaging_service.adapters import orm
from messaging_service.adapters.parent_access import IdentityParentAccess
from messaging_service.adapters.uow import MessagingUnitOfWork
from messaging_service.api.consumers import (
    MARK_NOTIFICATIONS,
    PARENT_ACCESS,
    mark_notifications,
    parent_access,
)
from messaging_service.application.handlers import MessagingHandlers
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration
TODAY = date(2026, 11, 30)
ADULT_SINCE = date(2026, 9, 1)


def _local(value: date) -> LocalDate:
    return LocalDate(year=value.year, month=value.month, day=value.day)


class FakeIdentity(pb_grpc.IdentityServiceServicer):
    """Identity's snapshot of facts, paged two at a time; `down` aborts like an unavailable identity."""

    def __init__(self) -> None:
        self.facts: dict[tuple[str, str], date | None] = {}
        self.down = False
        self.calls = 0
        self.seen_auth: set[str] = set()

    async def ListParentAccessFacts(  # noqa: N802 - the generated servicer names it
        self, request: facts_pb.ListParentAccessFactsRequest, context: Any
    ) -> facts_pb.ListParentAccessFactsResponse:
        self.calls += 1
        self.seen_auth.add(dict(context.invocation_metadata())["authorization"])
        if self.down:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "Сервис временно недоступен")
        keys = sorted(k for k in self.facts if not request.student_id or k[0] == request.student_id)
        start = int(request.page_token or 0)
        page = []
        for student, parent in keys[start : start + 2]:
            fact = facts_pb.ParentAccessFact(student_id=student, parent_id=parent)
            until = self.facts[(student, parent)]
            if until is not None:
                fact.access_until.CopyFrom(_local(until))
            page.append(fact)
        more = start + 2 < len(keys)
        return facts_pb.ListParentAccessFactsResponse(
            facts=page, next_page_token=str(start + 2) if more else ""
        )


class StaticTokens:
    async def token(self) -> str:
        return "svc-token"


@dataclass
class World:
    stream: Any
    sessions: async_sessionmaker[AsyncSession]
    identity: FakeIdentity
    handlers: MessagingHandlers
    eventually: Callable[..., Awaitable[Any]]
    tasks: list[asyncio.Task[None]]

    def consumers(self) -> list[EventConsumer]:
        subs = [
            replace(
                parent_access(self.handlers),
                durable=self.stream.durable(PARENT_ACCESS),
                subjects=(self.stream.subject(subject_of(facts_pb.ParentAccessChanged)),),
                stream_name=self.stream.name,
            ),
            replace(
                mark_notifications(self.handlers),
                durable=self.stream.durable(MARK_NOTIFICATIONS),
                subjects=(self.stream.subject(subject_of(MarkRecorded)),),
                stream_name=self.stream.name,
            ),
        ]
        return [s.consumer(self.stream.js, service="messaging") for s in subs]

    async def start(self) -> None:
        """What the service does at start: the catch-up in the background, the consumers."""
        self.tasks = [
            # Retried at once here (the delays themselves are the unit tests' business).
            asyncio.create_task(
                self.handlers.parent_access.catch_up_until_done(lambda _: asyncio.sleep(0.05))
            ),
            *(asyncio.create_task(c.run()) for c in self.consumers()),
        ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []

    async def publish_fact(self, student: uuid.UUID, parent: uuid.UUID, until: date | None) -> None:
        fact = facts_pb.ParentAccessFact(student_id=str(student), parent_id=str(parent))
        if until is not None:
            fact.access_until.CopyFrom(_local(until))
        event = facts_pb.ParentAccessChanged(
            event_id=str(uuid.uuid4()), occurred_at=now_timestamp(), fact=fact
        )
        await self.stream.js.publish(
            self.stream.subject(subject_of(facts_pb.ParentAccessChanged)),
            event.SerializeToString(),
            headers={"Nats-Msg-Id": event.event_id},
        )

    async def publish_mark(self, student: uuid.UUID) -> str:
        event = MarkRecorded(
            event_id=str(uuid.uuid4()),
            occurred_at=now_timestamp(),
            mark_id=str(uuid.uuid4()),
            student_id=str(student),
            group_id=str(uuid.uuid4()),
            discipline_id=str(uuid.uuid4()),
            teacher_id=str(uuid.uuid4()),
            lesson_date=LocalDate(year=2026, month=11, day=27),
            value="5",
        )
        await self.stream.js.publish(
            self.stream.subject(subject_of(MarkRecorded)),
            event.SerializeToString(),
            headers={"Nats-Msg-Id": event.event_id},
        )
        return event.event_id

    async def told(self, event_id: str) -> set[uuid.UUID] | None:
        """The recipients of the mark's notifications once its event was applied; None before."""
        async with self.sessions() as s:
            claimed = await s.scalar(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id})
            if not claimed:
                return None
            rows = await s.scalars(
                select(orm.notifications.c.recipient_id).where(
                    orm.notifications.c.source_event_id == event_id
                )
            )
            return set(rows)

    async def told_of(self, student: uuid.UUID) -> set[uuid.UUID]:
        event_id = await self.publish_mark(student)
        result: set[uuid.UUID] = await self.eventually(lambda: self._applied(event_id))
        return result

    async def _applied(self, event_id: str) -> set[uuid.UUID] | bool:
        told = await self.told(event_id)
        return False if told is None else (told or {uuid.UUID(int=0)})

    async def access(self) -> dict[tuple[uuid.UUID, uuid.UUID], date | None]:
        async with self.sessions() as s:
            rows = await s.execute(
                select(
                    orm.parent_access.c.student_id,
                    orm.parent_access.c.parent_id,
                    orm.parent_access.c.access_until,
                )
            )
            return {(r[0], r[1]): r[2] for r in rows}


NOBODY = {uuid.UUID(int=0)}


@pytest.fixture
async def world(
    fresh_db: Callable[[str], Awaitable[str]],
    private_stream: Any,
    guardians: Any,
    eventually: Callable[..., Awaitable[Any]],
) -> AsyncIterator[World]:
    orm.start_mappers()
    engine = make_engine(await fresh_db("messaging"), pool_size=3)
    sessions = make_session_factory(engine)
    identity = FakeIdentity()
    server = grpc.aio.server()
    pb_grpc.add_IdentityServiceServicer_to_server(identity, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    handlers = MessagingHandlers(
        uow=lambda: MessagingUnitOfWork(sessions, service="messaging"),
        guardians=guardians,
        parent_access=IdentityParentAccess(channel, StaticTokens()),
        today=lambda: TODAY,
    )
    w = World(private_stream, sessions, identity, handlers, eventually, [])
    try:
        yield w
    finally:
        await w.stop()
        await channel.close()
        await server.stop(0)
        await engine.dispose()


async def test_a_parent_is_told_while_the_facts_give_access(world: World) -> None:
    minor, adult = uuid.uuid4(), uuid.uuid4()
    mother, father, guardian = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # Identity's snapshot at the first start: a minor with two parents, an adult (since September,
    # no consent) with one. Five links would need three pages; these three need two.
    world.identity.facts = {
        (str(minor), str(mother)): None,
        (str(minor), str(father)): date(2027, 3, 1),
        (str(adult), str(guardian)): ADULT_SINCE,
    }
    await world.start()
    await world.eventually(lambda: _caught_up(world))
    assert await world.told_of(minor) == {mother, father}
    assert await world.told_of(adult) == NOBODY
    asked = world.identity.calls
    assert asked == 2 and world.identity.seen_auth == {"Bearer svc-token"}

    # The adult consents to their guardian's access: identity's fact has no end any more.
    await world.publish_fact(adult, guardian, None)
    await world.eventually(lambda: _equals(world.access, (adult, guardian), None))
    assert await world.told_of(adult) == {guardian}
    # ... and withdraws it: the access ended on the 18th birthday, in the past.
    await world.publish_fact(adult, guardian, ADULT_SINCE)
    await world.eventually(lambda: _equals(world.access, (adult, guardian), ADULT_SINCE))
    assert await world.told_of(adult) == NOBODY
    # The minor's birth date is recorded: the father's link ends today (the 18th birthday).
    await world.publish_fact(minor, father, TODAY)
    await world.publish_fact(minor, mother, TODAY + timedelta(days=1))
    await world.eventually(lambda: _equals(world.access, (minor, mother), TODAY + timedelta(days=1)))
    assert await world.told_of(minor) == {mother}
    # Not one more identity call for any of these marks: the projection decided.
    assert world.identity.calls == asked


async def test_the_catch_up_rebuilds_a_dropped_projection_on_restart(world: World) -> None:
    student, parent, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    world.identity.facts = {(str(student), str(parent)): None, (str(student), str(other)): ADULT_SINCE}
    # Identity is down at start: the catch-up waits for it; nothing is lost meanwhile.
    world.identity.down = True
    await world.start()
    await world.eventually(lambda: _true(world.identity.calls >= 1))
    world.identity.down = False
    await world.eventually(lambda: _equals(world.access, (student, other), ADULT_SINCE))
    assert await world.told_of(student) == {parent}

    # The projection is dropped and the service restarted: the catch-up reads it all again.
    await world.stop()
    async with world.sessions() as s:
        for table in (
            orm.parent_access,
            orm.projection_catch_ups,
            orm.guardianships,
            orm.guardianship_students,
        ):
            await s.execute(delete(table))
        await s.commit()
    world.identity.facts[(str(student), str(other))] = None  # consented meanwhile
    await world.start()
    await world.eventually(lambda: _equals(world.access, (student, other), None))
    assert await world.access() == {(student, parent): None, (student, other): None}
    calls = world.identity.calls
    assert await world.told_of(student) == {parent, other}
    assert world.identity.calls == calls


async def test_a_link_whose_fact_is_missing_is_asked_of_identity(world: World) -> None:
    student, parent = uuid.uuid4(), uuid.uuid4()
    await world.start()
    await world.eventually(lambda: _caught_up(world))
    # A link identity made by a path that stages no fact (or whose fact is still on its way).
    async with world.sessions() as s:
        await s.execute(orm.guardianships.insert().values(student_id=student, parent_id=parent))
        await s.execute(orm.guardianship_students.insert().values(student_id=student))
        await s.commit()
    world.identity.facts = {(str(student), str(parent)): ADULT_SINCE}
    calls = world.identity.calls
    assert await world.told_of(student) == NOBODY
    assert world.identity.calls == calls + 1
    assert await world.access() == {(student, parent): ADULT_SINCE}


async def _equals(read: Callable[[], Awaitable[dict[Any, Any]]], key: Any, value: Any) -> bool:
    found = await read()
    return key in found and found[key] == value


async def _true(value: bool) -> bool:
    return value


async def _caught_up(world: World) -> bool:
    async with world.sessions() as s:
        return bool(await s.scalar(select(orm.projection_catch_ups.c.name)))
