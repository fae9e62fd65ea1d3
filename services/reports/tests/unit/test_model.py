"""Summary aggregation: counts by value in value order, the total and the newest recording time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from reports_service.domain import model

GROUP = uuid.uuid4()
T1, T2, T3 = (datetime(2026, 10, d, 9, 0, tzinfo=UTC) for d in (12, 13, 14))


def test_counts_are_ordered_by_value_and_summed() -> None:
    summary = model.summarize(
        GROUP,
        [
            model.ValueTally("5", 3, T1),
            model.ValueTally("2", 1, T3),
            model.ValueTally("зач", 2, T2),
            model.ValueTally("4", 4, T2),
        ],
    )
    assert summary.group_id == GROUP
    assert [(c.value, c.count) for c in summary.counts] == [("2", 1), ("4", 4), ("5", 3), ("зач", 2)]
    assert summary.marks_count == 10
    assert summary.last_recorded_at == T3


def test_a_group_the_projection_has_not_seen_has_zeros() -> None:
    summary = model.summarize(GROUP, [])
    assert (summary.counts, summary.marks_count, summary.last_recorded_at) == ((), 0, None)


def test_tallies_of_one_value_are_merged_and_empty_ones_dropped() -> None:
    summary = model.summarize(
        GROUP, [model.ValueTally("5", 1, T1), model.ValueTally("5", 2, T2), model.ValueTally("3", 0, T3)]
    )
    assert [(c.value, c.count) for c in summary.counts] == [("5", 3)]
    assert summary.last_recorded_at == T2
