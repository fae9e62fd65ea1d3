"""Changed and removed marks in the reports projection (journal.mark.changed.v1 / removed.v1): a change
sets the value counted, a removal leaves the summary, in whatever order the consumers meet the events;
poison payloads never apply. Against in-memory fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from chassis.consumer import Envelope, Handler, PoisonMessage
from chassis.testing import LocalIssuer
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1.events_pb2 import MarkChanged, MarkRecorded, MarkRemoved
from google.protobuf.timestamp_pb2 import Timestamp
from reports_service.api.consumers import mark_changes, mark_facts, mark_removals
from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers

AT = datetime(2026, 10, 14, 10, 30, tzinfo=UTC)
GROUP = str(uuid.uuid4())
issuer = LocalIssuer()


def facts(mark_id: str) -> dict[str, object]:
    occurred = Timestamp()
    occurred.FromDatetime(AT)
    return {
        "event_id": str(uuid.uuid4()),
        "occurred_at": occurred,
        "mark_id": mark_id,
        "student_id": str(uuid.uuid4()),
        "group_id": GROUP,
        "discipline_id": str(uuid.uuid4()),
        "teacher_id": str(uuid.uuid4()),
        "lesson_date": LocalDate(year=2026, month=10, day=14),
    }


def recorded(mark_id: str, value: str) -> bytes:
    return MarkRecorded(**facts(mark_id), value=value).SerializeToString()  # type: ignore[arg-type]


def changed(mark_id: str, old: str, new: str, **overrides: object) -> bytes:
    fields = {**facts(mark_id), "old_value": old, "value": new, "change_id": str(uuid.uuid4()), **overrides}
    return MarkChanged(**fields).SerializeToString()  # type: ignore[arg-type]


def removed(mark_id: str, old: str, **overrides: object) -> bytes:
    fields = {**facts(mark_id), "old_value": old, "change_id": str(uuid.uuid4()), **overrides}
    return MarkRemoved(**fields).SerializeToString()  # type: ignore[arg-type]


@pytest.fixture
def consumers(fake_handlers: ReportsHandlers) -> dict[str, Handler]:
    return {
        "recorded": mark_facts(fake_handlers).envelope_handler(),
        "changed": mark_changes(fake_handlers).envelope_handler(),
        "removed": mark_removals(fake_handlers).envelope_handler(),
    }


async def deliver(consumers: dict[str, Handler], kind: str, data: bytes) -> None:
    subject = f"journal.mark.{kind}.v1"
    await consumers[kind](Envelope(str(uuid.uuid4()), subject, data, 1))


async def counts(handlers: ReportsHandlers) -> list[tuple[str, int]]:
    summary = await handlers.group_mark_summary(
        commands.GetGroupMarkSummary(uuid.UUID(GROUP)), issuer.principal(roles=("deputy",))
    )
    return [(c.value, c.count) for c in summary.counts]


async def test_a_changed_mark_counts_with_its_new_value_and_a_removed_one_not_at_all(
    consumers: dict[str, Handler], fake_handlers: ReportsHandlers
) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    await deliver(consumers, "recorded", recorded(first, "4"))
    await deliver(consumers, "recorded", recorded(second, "3"))
    await deliver(consumers, "changed", changed(first, "4", "5"))
    await deliver(consumers, "removed", removed(second, "3"))
    assert await counts(fake_handlers) == [("5", 1)]


@pytest.mark.parametrize(
    "order",
    [("removed", "recorded"), ("changed", "recorded"), ("changed", "removed", "recorded")],
    ids="-".join,
)
async def test_the_consumers_order_does_not_matter(
    consumers: dict[str, Handler], fake_handlers: ReportsHandlers, store: Any, order: tuple[str, ...]
) -> None:
    mark = str(uuid.uuid4())
    payloads = {
        "recorded": recorded(mark, "4"),
        "changed": changed(mark, "4", "5"),
        "removed": removed(mark, "4"),
    }
    for kind in order:
        await deliver(consumers, kind, payloads[kind])
    expected = [] if "removed" in order else [("5", 1)]
    assert await counts(fake_handlers) == expected
    assert list(store.facts) == [uuid.UUID(mark)]


async def test_a_repeated_change_is_applied_once(
    consumers: dict[str, Handler], fake_handlers: ReportsHandlers, store: Any
) -> None:
    mark = str(uuid.uuid4())
    await deliver(consumers, "recorded", recorded(mark, "4"))
    data = changed(mark, "4", "5")
    await deliver(consumers, "changed", data)
    await deliver(consumers, "changed", data)
    assert await counts(fake_handlers) == [("5", 1)]
    assert len(store.claimed) == 2


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("changed", b"\xff\xff garbage"),
        ("changed", changed(str(uuid.uuid4()), "4", " ")),
        ("changed", changed("nope", "4", "5")),
        ("changed", changed(str(uuid.uuid4()), "4", "5", lesson_date=LocalDate())),
        ("removed", removed(str(uuid.uuid4()), "", group_id="nope")),
        ("removed", removed("", "4")),
    ],
    ids=["undecodable", "blank-value", "bad-mark", "no-date", "bad-group", "no-mark"],
)
async def test_payloads_that_can_never_apply_are_poison(
    consumers: dict[str, Handler], store: Any, kind: str, data: bytes
) -> None:
    with pytest.raises(PoisonMessage):
        await deliver(consumers, kind, data)
    assert store.facts == {} and store.claimed == set()
