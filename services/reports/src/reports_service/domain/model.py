"""The reports projection of marks and the summaries built from it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass
class MarkFact:
    """One recorded mark as the reports projection keeps it: ids and facts, no personal data."""

    mark_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    student_id: uuid.UUID
    value: str
    lesson_date: date
    recorded_at: datetime
    event_id: str
    removed: bool = False


@dataclass(frozen=True)
class ValueTally:
    """How many marks of one value a group has, and when the newest of them was recorded."""

    value: str
    count: int
    last_recorded_at: datetime | None


@dataclass(frozen=True)
class ValueCount:
    """One line of a summary: a mark value and how many marks have it."""

    value: str
    count: int


@dataclass(frozen=True)
class GroupMarkSummary:
    """Marks of a group counted by value («накопляемость отметок»), as far as the projection knows."""

    group_id: uuid.UUID
    counts: tuple[ValueCount, ...]
    marks_count: int
    last_recorded_at: datetime | None


def summarize(group_id: uuid.UUID, tallies: Iterable[ValueTally]) -> GroupMarkSummary:
    """Build a group's summary from per-value tallies; a group the projection has not seen has zeros."""
    by_value: dict[str, int] = {}
    last: datetime | None = None
    for tally in tallies:
        if tally.count <= 0:
            continue
        by_value[tally.value] = by_value.get(tally.value, 0) + tally.count
        if tally.last_recorded_at is not None and (last is None or tally.last_recorded_at > last):
            last = tally.last_recorded_at
    return GroupMarkSummary(
        group_id=group_id,
        counts=tuple(ValueCount(value, by_value[value]) for value in sorted(by_value)),
        marks_count=sum(by_value.values()),
        last_recorded_at=last,
    )
