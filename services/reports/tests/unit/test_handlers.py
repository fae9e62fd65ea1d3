"""Reports use cases against in-memory fakes: the projection is idempotent, summaries are for staff."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from chassis.errors import PermissionDenied
from chassis.events import Delivery
from chassis.testing import LocalIssuer
from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers

GROUP, OTHER_GROUP, DISCIPLINE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
issuer = LocalIssuer()


def mark(value: str, *, group: uuid.UUID = GROUP, day: int = 14) -> commands.ProjectMarkRecorded:
    return commands.ProjectMarkRecorded(
        mark_id=uuid.uuid4(),
        group_id=group,
        discipline_id=DISCIPLINE,
        student_id=uuid.uuid4(),
        value=value,
        lesson_date=date(2026, 10, day),
        recorded_at=datetime(2026, 10, day, 10, 0, tzinfo=UTC),
    )


def delivery(event_id: str | None = None) -> Delivery:
    return Delivery(event_id or str(uuid.uuid4()), "reports-mark-facts", "journal.mark.recorded.v1")


@pytest.fixture
def handlers(fake_handlers: ReportsHandlers) -> ReportsHandlers:
    return fake_handlers


async def test_a_repeated_event_is_projected_once(handlers: ReportsHandlers, store: Any) -> None:
    cmd, event = mark("5"), delivery()
    assert await handlers.project_mark_recorded(cmd, event) is True
    assert await handlers.project_mark_recorded(cmd, event) is False
    assert list(store.facts) == [cmd.mark_id]
    assert store.facts[cmd.mark_id].event_id == event.event_id


async def test_the_summary_counts_a_groups_marks_by_value(handlers: ReportsHandlers) -> None:
    for cmd in [mark("5", day=12), mark("4", day=13), mark("5", day=14), mark("2", group=OTHER_GROUP)]:
        await handlers.project_mark_recorded(cmd, delivery())

    summary = await handlers.group_mark_summary(
        commands.GetGroupMarkSummary(GROUP), issuer.principal(roles=("deputy",))
    )
    assert [(c.value, c.count) for c in summary.counts] == [("4", 1), ("5", 2)]
    assert summary.marks_count == 3
    assert summary.last_recorded_at == datetime(2026, 10, 14, 10, 0, tzinfo=UTC)


async def test_an_unknown_group_has_zero_counts(handlers: ReportsHandlers) -> None:
    summary = await handlers.group_mark_summary(
        commands.GetGroupMarkSummary(uuid.uuid4()), issuer.principal(roles=("director",))
    )
    assert (summary.marks_count, summary.counts, summary.last_recorded_at) == (0, (), None)


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator"])
async def test_the_administration_may_read_the_summary(handlers: ReportsHandlers, role: str) -> None:
    await handlers.project_mark_recorded(mark("4"), delivery())
    summary = await handlers.group_mark_summary(
        commands.GetGroupMarkSummary(GROUP), issuer.principal(roles=(role,))
    )
    assert (summary.group_id, summary.marks_count) == (GROUP, 1)
    assert [(c.value, c.count) for c in summary.counts] == [("4", 1)]


@pytest.mark.parametrize(
    "roles", [("teacher",), ("class_teacher",), ("student",), ("parent",), ("service",), ()]
)
async def test_students_parents_and_strangers_may_not(
    handlers: ReportsHandlers, roles: tuple[str, ...]
) -> None:
    with pytest.raises(PermissionDenied) as caught:
        await handlers.group_mark_summary(commands.GetGroupMarkSummary(GROUP), issuer.principal(roles=roles))
    assert caught.value.code == "role_required"


async def test_a_batch_is_projected_in_one_transaction_each_event_once(
    handlers: ReportsHandlers, store: Any
) -> None:
    first = (mark("5"), delivery())
    assert await handlers.project_mark_recorded(*first)
    commits = store.commits
    batch = [first, (mark("4"), delivery()), (mark("3"), delivery())]
    batch.append(batch[1])  # delivered twice within the batch
    assert await handlers.project_marks_recorded(batch) == 2
    assert store.commits == commits + 1
    assert sorted(f.value for f in store.facts.values()) == ["3", "4", "5"]
