"""The journal's projection of people on real PostgreSQL and NATS: identity.person.created.v1 on a
private stream feeds it exactly once, poison is dead-lettered, the catch-up pages into it, and the
enrolment and the teaching load consult it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from chassis import testing
from chassis.consumer import EventConsumer, Subscription
from chassis.db import make_engine, make_session_factory
from chassis.events import subject_of
from chassis.outbox import INBOX
from chassis.principal import Principal
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1.events_pb2 import PersonCreated
from google.protobuf.timestamp_pb2 import Timestamp
from journal_service.adapters import orm
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.api.consumers import PEOPLE, people
from journal_service.application.groups import CreateGroup, EnrollStudent
from journal_service.application.handlers import JournalHandlers
from journal_service.domain import errors
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .people import KnownPeople

pytestmark = pytest.mark.integration
ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")


class NoGuardians:
    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        return False


@dataclass
class Journal:
    stream: testing.PrivateStream
    sessions: async_sessionmaker[AsyncSession]
    handlers: JournalHandlers
    identity: KnownPeople
    subject: str
    durable: str

    def subscription(self) -> Subscription[PersonCreated]:
        return replace(
            people(self.handlers),
            durable=self.durable,
            subjects=(self.subject,),
            stream_name=self.stream.name,
        )

    def consumer(self) -> EventConsumer:
        return self.subscription().consumer(self.stream.js, service="journal")

    async def publish(self, event: PersonCreated, msg_id: str | None = None) -> None:
        headers = {"Nats-Msg-Id": msg_id or event.event_id}
        await self.stream.js.publish(self.subject, event.SerializeToString(), headers=headers)

    async def people(self) -> dict[uuid.UUID, str]:
        async with self.sessions() as s:
            rows = await s.execute(select(orm.people.c.person_id, orm.people.c.role))
            return {r.person_id: r.role for r in rows}

    async def inbox_rows(self) -> int:
        async with self.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(INBOX)) or 0)


@pytest.fixture
async def journal(stack_infra: Any, fresh_db: Callable[[str], Awaitable[str]]) -> AsyncIterator[Journal]:
    orm.start_mappers()
    engine = make_engine(await fresh_db("journal"), pool_size=2)
    sessions = make_session_factory(engine)
    identity = KnownPeople()
    handlers = JournalHandlers(
        uow=lambda: JournalUnitOfWork(sessions, service="journal"),
        guardians=NoGuardians(),
        today=lambda: date(2026, 10, 15),
        people=identity,
    )
    async with testing.private_stream(stack_infra.nats_url, name="journal-tests") as stream:
        yield Journal(
            stream,
            sessions,
            handlers,
            identity,
            subject=stream.subject(subject_of(PersonCreated)),
            durable=stream.durable(PEOPLE),
        )
    await engine.dispose()


@pytest.fixture
async def running(journal: Journal) -> AsyncIterator[Journal]:
    task = asyncio.create_task(journal.consumer().run())
    yield journal
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def person_created(role: ipb.Role.ValueType, person_id: str | None = None) -> PersonCreated:
    occurred = Timestamp()
    occurred.FromDatetime(datetime(2026, 10, 14, 9, 0, tzinfo=UTC))
    return PersonCreated(
        event_id=str(uuid.uuid4()),
        occurred_at=occurred,
        person_id=person_id or str(uuid.uuid4()),
        role=role,
    )


async def test_people_created_land_in_the_projection_once_and_decide_the_enrolment(
    running: Journal,
) -> None:
    student, parent = person_created(ipb.ROLE_STUDENT), person_created(ipb.ROLE_PARENT)
    for event in (student, parent):
        await running.publish(event)
    # A republish under a new message id (outside JetStream's deduplication) is the same event.
    await running.publish(student, f"republished-{student.event_id}")

    async def all_handled() -> bool:
        info = await running.stream.js.consumer_info(running.stream.name, running.durable)
        return info.delivered.stream_seq >= 3 and info.num_ack_pending == 0 and info.num_pending == 0

    assert await testing.eventually(all_handled, within=15)
    assert await running.people() == {
        uuid.UUID(student.person_id): "student",
        uuid.UUID(parent.person_id): "parent",
    }
    assert await running.inbox_rows() == 2

    group = await running.handlers.groups.create(CreateGroup(name="ИС-31"), ADMIN)
    student_id, parent_id = uuid.UUID(student.person_id), uuid.UUID(parent.person_id)
    assert await running.handlers.groups.enroll_student(EnrollStudent(group.id, student_id), ADMIN)
    with pytest.raises(errors.PersonNotStudent):
        await running.handlers.groups.enroll_student(EnrollStudent(group.id, parent_id), ADMIN)
    assert running.identity.asked == []  # both were known from the events: identity was not asked


async def test_a_person_created_with_no_role_is_dead_lettered_and_not_remembered(running: Journal) -> None:
    terminated = await running.stream.terminations(running.durable)
    dlq_before = await running.stream.dlq_last_seq()
    event = person_created(ipb.ROLE_UNSPECIFIED)
    await running.publish(event)

    advisory = await asyncio.wait_for(terminated.get(), timeout=15)
    assert advisory["consumer"] == running.durable
    [dead] = [
        d
        for d in await running.stream.dead_letters("journal", dlq_before)
        if d["headers"].get("Ejournal-Original-Event-Id") == event.event_id
    ]
    assert dead["data"] == event.SerializeToString()
    assert await running.people() == {}


async def test_catch_up_pages_identity_into_the_table_and_can_run_again(journal: Journal) -> None:
    everyone = {uuid.UUID(journal.identity.new(role)): role for role in ("teacher", "student", "parent")}
    everyone |= {uuid.UUID(journal.identity.new("student")): "student" for _ in range(4)}

    assert await journal.handlers.people.catch_up(page_size=3) == 7
    assert await journal.handlers.people.catch_up(page_size=500) == 7

    assert await journal.people() == everyone


async def test_a_person_missing_from_the_table_is_asked_once_and_stored(journal: Journal) -> None:
    group = await journal.handlers.groups.create(CreateGroup(name="ИС-32"), ADMIN)
    fresh = uuid.UUID(journal.identity.new("student"))
    nobody = uuid.uuid4()

    assert await journal.handlers.groups.enroll_student(EnrollStudent(group.id, fresh), ADMIN)
    assert not await journal.handlers.groups.enroll_student(EnrollStudent(group.id, fresh), ADMIN)
    with pytest.raises(errors.PersonNotFound):
        await journal.handlers.groups.enroll_student(EnrollStudent(group.id, nobody), ADMIN)

    assert journal.identity.asked == [[fresh], [nobody]]
    assert await journal.people() == {fresh: "student"}
