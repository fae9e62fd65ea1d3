"""The mark and guardianship consumers: decoding, poison detection and the inbox key, against in-memory fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from chassis.consumer import Envelope, Handler, PoisonMessage
from chassis.events import subject_of
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1.events_pb2 import GuardianLinked
from ejournal.journal.v1.events_pb2 import MarkRecorded
from google.protobuf.timestamp_pb2 import Timestamp
from messaging_service.api.consumers import guardianships, mark_notifications, subscriptions
from messaging_service.application.handlers import MessagingHandlers

STUDENT, PARENT = uuid.uuid4(), uuid.uuid4()
RECORDED_AT = datetime(2026, 10, 14, 10, 30, tzinfo=UTC)


def mark_event(**overrides: object) -> MarkRecorded:
    occurred = Timestamp()
    occurred.FromDatetime(RECORDED_AT)
    fields: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": occurred,
        "mark_id": str(uuid.uuid4()),
        "student_id": str(STUDENT),
        "group_id": str(uuid.uuid4()),
        "discipline_id": str(uuid.uuid4()),
        "teacher_id": str(uuid.uuid4()),
        "lesson_date": LocalDate(year=2026, month=10, day=14),
        "value": "5",
    }
    fields.update(overrides)
    return MarkRecorded(**fields)  # type: ignore[arg-type]


def envelope(data: bytes, msg_id: str | None = None, subject: str = subject_of(MarkRecorded)) -> Envelope:
    return Envelope(event_id=msg_id or str(uuid.uuid4()), subject=subject, data=data, num_delivered=1)


@pytest.fixture
def consumer(fake_handlers: MessagingHandlers, guardians: Any) -> Handler:
    guardians.links[STUDENT] = [PARENT]
    return mark_notifications(fake_handlers).envelope_handler()


async def test_a_mark_event_becomes_a_notification_keyed_by_its_event_id(
    consumer: Handler, store: Any
) -> None:
    event = mark_event()
    await consumer(envelope(event.SerializeToString(), msg_id=event.event_id))
    [note] = store.notifications
    assert (note.recipient_id, note.student_id, note.mark_value, note.source_event_id) == (
        PARENT,
        STUDENT,
        "5",
        event.event_id,
    )
    assert str(note.lesson_date) == "2026-10-14"


async def test_the_same_event_under_another_message_id_is_applied_once(consumer: Handler, store: Any) -> None:
    data = mark_event().SerializeToString()
    await consumer(envelope(data))
    await consumer(envelope(data))
    assert len(store.notifications) == 1


async def test_an_event_without_its_own_id_falls_back_to_the_message_id(
    consumer: Handler, store: Any
) -> None:
    await consumer(envelope(mark_event(event_id="").SerializeToString(), msg_id="m-1"))
    assert [n.source_event_id for n in store.notifications] == ["m-1"]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xff garbage",
        mark_event(student_id="not-a-uuid").SerializeToString(),
        mark_event(discipline_id="").SerializeToString(),
        mark_event(lesson_date=LocalDate(year=2026, month=2, day=30)).SerializeToString(),
        mark_event(value="").SerializeToString(),
        mark_event(value="x" * 17).SerializeToString(),
        mark_event(event_id="not-a-uuid").SerializeToString(),
        MarkRecorded(
            event_id=str(uuid.uuid4()),
            student_id=str(STUDENT),
            discipline_id=str(uuid.uuid4()),
            lesson_date=LocalDate(year=2026, month=10, day=14),
            value="5",
        ).SerializeToString(),
    ],
    ids=[
        "undecodable",
        "bad-student",
        "no-discipline",
        "bad-date",
        "no-value",
        "long-value",
        "bad-event-id",
        "no-occurred-at",
    ],
)
async def test_payloads_that_can_never_apply_are_poison(consumer: Handler, store: Any, data: bytes) -> None:
    with pytest.raises(PoisonMessage):
        await consumer(envelope(data))
    assert store.notifications == [] and store.claimed == set()


def link_event(**overrides: object) -> GuardianLinked:
    occurred = Timestamp()
    occurred.FromDatetime(RECORDED_AT)
    fields: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": occurred,
        "parent_id": str(PARENT),
        "student_id": str(STUDENT),
    }
    fields.update(overrides)
    return GuardianLinked(**fields)  # type: ignore[arg-type]


def link_envelope(event: GuardianLinked, msg_id: str | None = None) -> Envelope:
    return envelope(event.SerializeToString(), msg_id or event.event_id, subject_of(GuardianLinked))


async def test_a_link_event_is_projected_once_under_any_message_id(
    fake_handlers: MessagingHandlers, store: Any
) -> None:
    consumer = guardianships(fake_handlers).envelope_handler()
    event = link_event()
    await consumer(link_envelope(event))
    await consumer(link_envelope(event, msg_id="republished"))
    assert store.guardianships == {(STUDENT, PARENT)}
    assert store.claimed == {(event.event_id, "messaging-guardianships")}


@pytest.mark.parametrize(
    "event",
    [
        link_event(parent_id="not-a-uuid"),
        link_event(student_id=""),
        GuardianLinked(event_id=str(uuid.uuid4()), parent_id=str(PARENT), student_id=str(STUDENT)),
    ],
    ids=["bad-parent", "no-student", "no-occurred-at"],
)
async def test_link_payloads_that_can_never_apply_are_poison(
    fake_handlers: MessagingHandlers, store: Any, event: GuardianLinked
) -> None:
    consumer = guardianships(fake_handlers).envelope_handler()
    with pytest.raises(PoisonMessage):
        await consumer(link_envelope(event))
    assert store.guardianships == set() and store.claimed == set()


def test_messaging_subscribes_to_links_and_marks(fake_handlers: MessagingHandlers) -> None:
    assert {(s.durable, s.stream().name) for s in subscriptions(fake_handlers)} == {
        ("messaging-guardianships", "IDENTITY"),
        ("messaging-parent-access", "IDENTITY"),
        ("messaging-mark-notifications", "JOURNAL"),
        ("messaging-mark-change-notifications", "JOURNAL"),
        ("messaging-mark-removal-notifications", "JOURNAL"),
    }
