"""The mark-facts consumer: decoding, poison detection and the inbox key, against in-memory fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from chassis.consumer import Envelope, Handler, PoisonMessage
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1.events_pb2 import MarkRecorded
from google.protobuf.timestamp_pb2 import Timestamp
from reports_service.api.consumers import mark_facts
from reports_service.application.handlers import ReportsHandlers

RECORDED_AT = datetime(2026, 10, 14, 10, 30, 15, 123456, tzinfo=UTC)


def mark_event(**overrides: object) -> MarkRecorded:
    occurred = Timestamp()
    occurred.FromDatetime(RECORDED_AT)
    fields: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": occurred,
        "mark_id": str(uuid.uuid4()),
        "student_id": str(uuid.uuid4()),
        "group_id": str(uuid.uuid4()),
        "discipline_id": str(uuid.uuid4()),
        "teacher_id": str(uuid.uuid4()),
        "lesson_date": LocalDate(year=2026, month=10, day=14),
        "value": "зач",
    }
    fields.update(overrides)
    return MarkRecorded(**fields)  # type: ignore[arg-type]


def envelope(data: bytes, msg_id: str | None = None) -> Envelope:
    return Envelope(msg_id or str(uuid.uuid4()), "journal.mark.recorded.v1", data, 1)


@pytest.fixture
def consumer(fake_handlers: ReportsHandlers) -> Handler:
    return mark_facts(fake_handlers).envelope_handler()


async def test_a_mark_event_becomes_a_fact(consumer: Handler, store: Any) -> None:
    event = mark_event()
    await consumer(envelope(event.SerializeToString()))
    [fact] = store.facts.values()
    assert (str(fact.mark_id), str(fact.group_id), fact.value, str(fact.lesson_date)) == (
        event.mark_id,
        event.group_id,
        "зач",
        "2026-10-14",
    )
    assert fact.recorded_at == RECORDED_AT and fact.event_id == event.event_id


async def test_the_same_event_under_another_message_id_is_applied_once(consumer: Handler, store: Any) -> None:
    data = mark_event().SerializeToString()
    await consumer(envelope(data))
    await consumer(envelope(data))
    assert len(store.facts) == 1 and len(store.claimed) == 1


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xff garbage",
        mark_event(group_id="nope").SerializeToString(),
        mark_event(mark_id="").SerializeToString(),
        mark_event(lesson_date=LocalDate()).SerializeToString(),
        mark_event(value=" ").SerializeToString(),
        MarkRecorded(
            event_id=str(uuid.uuid4()),
            mark_id=str(uuid.uuid4()),
            student_id=str(uuid.uuid4()),
            group_id=str(uuid.uuid4()),
            discipline_id=str(uuid.uuid4()),
            lesson_date=LocalDate(year=2026, month=10, day=14),
            value="5",
        ).SerializeToString(),
    ],
    ids=["undecodable", "bad-group", "no-mark", "no-date", "blank-value", "no-occurred-at"],
)
async def test_payloads_that_can_never_apply_are_poison(consumer: Handler, store: Any, data: bytes) -> None:
    with pytest.raises(PoisonMessage):
        await consumer(envelope(data))
    assert store.facts == {} and store.claimed == set()
