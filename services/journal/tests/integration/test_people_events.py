"""The journal's projection of people on real PostgreSQL and NATS: identity.person.created.v1 on a
private stream feeds it exactly once, poison is dead-lettered, the catch-up pages into it, and the
enrolment and the teaching load consult it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from chassis import testing
from chassis.outbox import INBOX
from chassis.principal import Principal
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1.events_pb2 import PersonCreated
from google.protobuf.timestamp_pb2 import Timestamp
from journal_service.adapters import orm
from journal_service.api.consumers import PEOPLE, people
from journal_service.application.groups import CreateGroup, EnrollStudent
from journal_service.domain import errors
from sqlalchemy import func, select

from .served import StreamJournal

pytestmark = pytest.mark.integration
ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")


class Journal(StreamJournal):
    async def people(self) -> dict[uuid.UUID, str]:
        async with self.sessions() as s:
            rows = await s.execute(select(orm.people.c.person_id, orm.people.c.role))
            return {r.person_id: r.role for r in rows}

    async def inbox_rows(self) -> int:
        async with self.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(INBOX)) or 0)


@pytest.fixture
async def journal(stack_infra: Any, fresh_db: Callable[[str], Awaitable[str]]) -> AsyncIterator[Journal]:
    async with Journal.on_stream(
        await fresh_db("journal"),
        stack_infra.nats_url,
        name="journal-tests",
        event=PersonCreated,
        durable=PEOPLE,
    ) as journal:
        yield journal


@pytest.fixture
async def running(journal: Journal) -> AsyncIterator[Journal]:
    async with journal.consuming(people(journal.handlers)):
        yield journal


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
