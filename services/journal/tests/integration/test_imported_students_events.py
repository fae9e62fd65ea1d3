"""identity.group_list.imported.v1 on real PostgreSQL and NATS (slice H2): the students join the group on
the import's date through EnrollStudent's code, once; one already in a group is skipped; an unknown or
graduated group is refused (audited, acked) rather than retried; the projection asks identity once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from chassis import testing
from chassis.outbox import OUTBOX
from chassis.principal import Principal
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1.events_pb2 import GroupListImported
from google.protobuf.timestamp_pb2 import Timestamp
from journal_service.adapters import orm
from journal_service.api.imported_students import DURABLE, imported_students
from journal_service.application.groups import CreateGroup, EnrollStudent
from journal_service.application.movement import GraduateGroup
from sqlalchemy import select

from .served import StreamJournal

pytestmark = pytest.mark.integration
ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
IMPORTED_ON = date(2026, 10, 15)


class Journal(StreamJournal):
    async def enrolments(self, group_id: uuid.UUID) -> dict[uuid.UUID, date]:
        e = orm.enrollments.c
        async with self.sessions() as s:
            rows = await s.execute(select(e.student_id, e.enrolled_on).where(e.group_id == group_id))
            return {r.student_id: r.enrolled_on for r in rows}

    async def audits(self) -> list[str]:
        async with self.sessions() as s:
            rows = await s.execute(select(OUTBOX.c.subject, OUTBOX.c.payload))
            return [
                AuditRecorded.FromString(r.payload).action for r in rows if r.subject.startswith("audit.")
            ]


@pytest.fixture
async def journal(stack_infra: Any, fresh_db: Callable[[str], Awaitable[str]]) -> AsyncIterator[Journal]:
    async with (
        Journal.on_stream(
            await fresh_db("journal"),
            stack_infra.nats_url,
            name="journal-import-tests",
            event=GroupListImported,
            durable=DURABLE,
            today=date(2026, 10, 20),
        ) as journal,
        journal.consuming(imported_students(journal.handlers.imported_students)),
    ):
        yield journal


def imported(group_id: uuid.UUID, students: list[str]) -> GroupListImported:
    occurred = Timestamp()
    occurred.FromDatetime(datetime(2026, 10, 15, 9, 0, tzinfo=UTC))
    return GroupListImported(
        event_id=str(uuid.uuid4()),
        occurred_at=occurred,
        group_id=str(group_id),
        student_ids=students,
        imported_on=LocalDate(year=IMPORTED_ON.year, month=IMPORTED_ON.month, day=IMPORTED_ON.day),
        import_id=str(uuid.uuid4()),
    )


async def test_imported_students_join_the_group_once_and_one_already_in_a_group_is_skipped(
    journal: Journal,
) -> None:
    group = await journal.handlers.groups.create(CreateGroup(name="ИС-41"), ADMIN)
    other = await journal.handlers.groups.create(CreateGroup(name="ИС-42"), ADMIN)
    students = [journal.identity.new("student") for _ in range(3)]
    already = journal.identity.new("student")
    await journal.handlers.groups.enroll_student(EnrollStudent(other.id, uuid.UUID(already)), ADMIN)
    asked_before = len(journal.identity.asked)
    event = imported(group.id, [*students, already])
    await journal.publish(event)
    # The same event again (a redelivery outside JetStream's duplicate window) changes nothing.
    await journal.stream.js.publish(
        journal.subject, event.SerializeToString(), headers={"Nats-Msg-Id": "again"}
    )
    assert await testing.eventually(lambda: journal.handled(2), within=15)
    assert await journal.enrolments(group.id) == {uuid.UUID(s): IMPORTED_ON for s in students}
    assert uuid.UUID(already) in await journal.enrolments(other.id)
    # The projection did not know the new students: identity was asked for each, once.
    assert sorted(str(i) for ids in journal.identity.asked[asked_before:] for i in ids) == sorted(students)
    assert (await journal.audits()).count("group_list.students_enrolled") == 1
    async with journal.sessions() as s:
        enrolled_events = (
            await s.execute(
                select(OUTBOX.c.subject).where(OUTBOX.c.subject == "journal.enrollment.created.v1")
            )
        ).all()
    assert len(enrolled_events) == 4  # the admin's one enrolment and the three imported


async def test_an_unknown_or_graduated_group_is_refused_and_audited_not_retried(journal: Journal) -> None:
    group = await journal.handlers.groups.create(CreateGroup(name="ИС-51"), ADMIN)
    graduate = journal.identity.new("student")
    await journal.handlers.groups.enroll_student(
        EnrollStudent(group.id, uuid.UUID(graduate), enrolled_on=date(2025, 9, 1)), ADMIN
    )
    await journal.handlers.movement.graduate_group(
        GraduateGroup(group_id=group.id, on_date=date(2026, 7, 1), order_number="В-1"), ADMIN
    )
    await journal.publish(imported(group.id, [journal.identity.new("student")]))
    await journal.publish(imported(uuid.uuid4(), [journal.identity.new("student")]))
    assert await testing.eventually(lambda: journal.handled(2), within=15)
    assert set(await journal.enrolments(group.id)) == {uuid.UUID(graduate)}
    audits = await journal.audits()
    assert "group_list.enrolment_refused:group_graduated" in audits
    assert "group_list.enrolment_refused:group_not_found" in audits
