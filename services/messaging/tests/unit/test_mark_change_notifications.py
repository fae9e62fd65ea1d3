"""Parents are told when their child's mark is changed or removed (journal.mark.changed.v1 /
removed.v1): one notification per parent with the new value or the value that went, once per event,
poison payloads never applied; in batches like recorded marks. Against in-memory fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from chassis.consumer import Envelope, Handler, PoisonMessage
from chassis.events import Delivery, subject_of
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1.events_pb2 import MarkChanged, MarkRemoved
from ejournal.messaging.v1 import messaging_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from messaging_service.api import mappers
from messaging_service.api.consumers import (
    mark_change_notifications,
    mark_changed_command,
    mark_removal_notifications,
    subscriptions,
)
from messaging_service.application.handlers import MessagingHandlers
from messaging_service.domain.model import NotificationKind

STUDENT, PARENT = uuid.uuid4(), uuid.uuid4()
AT = datetime(2026, 10, 14, 10, 30, tzinfo=UTC)


def facts(**overrides: object) -> dict[str, object]:
    occurred = Timestamp()
    occurred.FromDatetime(AT)
    fields: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": occurred,
        "mark_id": str(uuid.uuid4()),
        "student_id": str(STUDENT),
        "group_id": str(uuid.uuid4()),
        "discipline_id": str(uuid.uuid4()),
        "teacher_id": str(uuid.uuid4()),
        "lesson_date": LocalDate(year=2026, month=10, day=14),
        "old_value": "4",
        "change_id": str(uuid.uuid4()),
    }
    fields.update(overrides)
    return fields


def changed(**overrides: object) -> MarkChanged:
    return MarkChanged(**{"value": "5", **facts(**overrides)})  # type: ignore[arg-type]


def removed(**overrides: object) -> MarkRemoved:
    return MarkRemoved(**facts(**overrides))  # type: ignore[arg-type]


@pytest.fixture
def consumers(fake_handlers: MessagingHandlers, guardians: Any) -> dict[type, Handler]:
    guardians.links[STUDENT] = [PARENT]
    return {
        MarkChanged: mark_change_notifications(fake_handlers).envelope_handler(),
        MarkRemoved: mark_removal_notifications(fake_handlers).envelope_handler(),
    }


async def deliver(consumers: dict[type, Handler], event: MarkChanged | MarkRemoved) -> None:
    envelope = Envelope(str(uuid.uuid4()), subject_of(type(event)), event.SerializeToString(), 1)
    await consumers[type(event)](envelope)


async def test_a_change_and_a_removal_tell_the_parent(consumers: dict[type, Handler], store: Any) -> None:
    await deliver(consumers, changed())
    await deliver(consumers, removed(old_value="3"))
    assert [(n.recipient_id, n.kind, n.mark_value) for n in store.notifications] == [
        (PARENT, NotificationKind.MARK_CHANGED, "5"),
        (PARENT, NotificationKind.MARK_REMOVED, "3"),
    ]
    assert [mappers.notification_to_pb(n).kind for n in store.notifications] == [
        messaging_pb2.NOTIFICATION_KIND_MARK_CHANGED,
        messaging_pb2.NOTIFICATION_KIND_MARK_REMOVED,
    ]


async def test_a_repeated_event_is_told_once(consumers: dict[type, Handler], store: Any) -> None:
    event = changed()
    await deliver(consumers, event)
    await deliver(consumers, event)
    assert len(store.notifications) == 1


async def test_a_batch_is_stored_at_once(
    fake_handlers: MessagingHandlers, guardians: Any, store: Any
) -> None:
    guardians.links[STUDENT] = [PARENT]
    await deliver({MarkChanged: mark_change_notifications(fake_handlers).envelope_handler()}, changed())
    items = [
        (mark_changed_command(changed(value=v)), Delivery(str(uuid.uuid4()), "c", "s")) for v in ("3", "2")
    ]
    assert await fake_handlers.notify_guardians_of_marks(items) == 2
    assert [n.mark_value for n in store.notifications] == ["5", "3", "2"]


@pytest.mark.parametrize(
    "event",
    [changed(value=" "), changed(student_id="nope"), removed(old_value=""), removed(lesson_date=LocalDate())],
    ids=["blank-value", "bad-student", "removed-blank-value", "no-date"],
)
async def test_payloads_that_can_never_apply_are_poison(
    consumers: dict[type, Handler], store: Any, event: MarkChanged | MarkRemoved
) -> None:
    with pytest.raises(PoisonMessage):
        await deliver(consumers, event)
    assert store.notifications == []


def test_the_service_subscribes_to_them(fake_handlers: MessagingHandlers) -> None:
    durables = {s.durable for s in subscriptions(fake_handlers)}
    assert {"messaging-mark-change-notifications", "messaging-mark-removal-notifications"} <= durables
