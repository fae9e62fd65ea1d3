"""The audit-log consumer: decoding, poison detection and the inbox key, against in-memory fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from archive_service.api.consumers import audit_log, subscriptions
from archive_service.application.handlers import ArchiveHandlers
from chassis.consumer import Envelope, Handler, PoisonMessage
from chassis.uow import audit_subject
from ejournal.audit.v1.events_pb2 import AuditRecorded
from google.protobuf.timestamp_pb2 import Timestamp

OCCURRED = datetime(2026, 10, 14, 9, 0, 0, 654321, tzinfo=UTC)


def audit_event(**overrides: object) -> AuditRecorded:
    occurred = Timestamp()
    occurred.FromDatetime(OCCURRED)
    fields: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": occurred,
        "actor_id": str(uuid.uuid4()),
        "actor_roles": ["teacher", "class_teacher"],
        "action": "mark.recorded",
        "resource_type": "mark",
        "resource_id": str(uuid.uuid4()),
        "subject_person_id": str(uuid.uuid4()),
        "service": "journal",
        "correlation_id": str(uuid.uuid4()),
    }
    fields.update(overrides)
    return AuditRecorded(**fields)  # type: ignore[arg-type]


def envelope(data: bytes, msg_id: str | None = None) -> Envelope:
    return Envelope(msg_id or str(uuid.uuid4()), audit_subject("journal"), data, 1)


@pytest.fixture
def consumer(fake_handlers: ArchiveHandlers) -> Handler:
    return audit_log(fake_handlers).envelope_handler()


async def test_an_audit_event_is_appended_as_sent(consumer: Handler, store: Any) -> None:
    event = audit_event()
    await consumer(envelope(event.SerializeToString(), msg_id=event.event_id))
    [record] = store.log
    assert (record.event_id, record.actor_id, record.action, record.service) == (
        event.event_id,
        event.actor_id,
        "mark.recorded",
        "journal",
    )
    assert record.actor_roles == ["class_teacher", "teacher"] and record.occurred_at == OCCURRED
    assert (event.event_id, "archive-audit-log") in store.claimed


async def test_the_same_event_under_another_message_id_is_appended_once(
    consumer: Handler, store: Any
) -> None:
    data = audit_event().SerializeToString()
    await consumer(envelope(data))
    await consumer(envelope(data))
    assert len(store.log) == 1


async def test_an_event_without_its_own_id_is_keyed_by_the_message_id(consumer: Handler, store: Any) -> None:
    await consumer(envelope(audit_event(event_id="").SerializeToString(), msg_id="m-7"))
    assert [r.event_id for r in store.log] == ["m-7"]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xff garbage",
        audit_event(action="").SerializeToString(),
        audit_event(service=" ").SerializeToString(),
        audit_event(event_id="not-a-uuid").SerializeToString(),
        AuditRecorded(
            event_id=str(uuid.uuid4()), action="mark.recorded", service="journal"
        ).SerializeToString(),
    ],
    ids=["undecodable", "no-action", "no-service", "bad-event-id", "no-occurred-at"],
)
async def test_payloads_that_can_never_apply_are_poison(consumer: Handler, store: Any, data: bytes) -> None:
    with pytest.raises(PoisonMessage):
        await consumer(envelope(data))
    assert store.log == [] and store.claimed == set()


def test_the_audit_log_is_applied_one_at_a_time_in_stream_order(fake_handlers: ArchiveHandlers) -> None:
    # With concurrent application two records published back to back could be chained out of order.
    [subscription] = subscriptions(fake_handlers)
    assert subscription.concurrency == 1
    assert subscription.consumer(None, service="archive")._concurrency == 1  # type: ignore[arg-type]
