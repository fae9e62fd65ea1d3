"""Averages: the one place they are computed (only numeric marks that count, 2 decimals half-up)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from journal_service.domain import averages, model

# A college's dictionary: digits count; «н», «зач», «осв» do not; «5+» counts by mistake but is no number.
COUNTS = {"5": True, "4": True, "3": True, "2": True, "н": False, "зач": False, "осв": False, "5+": True}
DICTIONARY = model.MarkDictionary(
    kinds={v: model.MarkKind(v, v, counts, v == "н", True) for v, counts in COUNTS.items()}
)
MATH = uuid.uuid4()
PHYSICS = uuid.uuid4()


@dataclass(frozen=True)
class M:
    value: str
    weight: int = 1
    discipline_id: uuid.UUID = field(default=MATH)


def values(*items: str) -> list[M]:
    return [M(v) for v in items]


def test_nothing_to_average_is_none() -> None:
    assert averages.mean([], DICTIONARY) is None
    assert averages.weighted_mean([], DICTIONARY) is None
    # Only marks that do not count: still nothing to average.
    assert averages.mean(values("н", "зач", "осв"), DICTIONARY) is None
    assert averages.weighted_mean(values("н", "зач", "осв"), DICTIONARY) is None


def test_marks_that_do_not_count_are_left_out() -> None:
    assert averages.mean(values("5", "н", "4", "зач", "осв"), DICTIONARY) == Decimal("4.50")


def test_a_value_outside_the_dictionary_or_not_a_number_does_not_count() -> None:
    assert averages.mean(values("5", "5+", "unknown", "3"), DICTIONARY) == Decimal("4.00")


def test_rounded_to_two_decimals_half_up() -> None:
    assert averages.mean(values("5", "4", "4"), DICTIONARY) == Decimal("4.33")
    assert averages.mean(values("5", "5", "4"), DICTIONARY) == Decimal("4.67")
    # 4.125 → 4.13 (half-up, not banker's rounding to 4.12).
    assert averages.mean(values("5", "5", "5", "4", "4", "4", "4", "2"), DICTIONARY) == Decimal("4.13")
    assert str(averages.mean(values("4"), DICTIONARY)) == "4.00"


def test_weighted_mean_weighs_each_mark() -> None:
    marks = [M("5", 3), M("2", 1)]
    assert averages.mean(marks, DICTIONARY) == Decimal("3.50")
    assert averages.weighted_mean(marks, DICTIONARY) == Decimal("4.25")
    # Weights of marks that do not count do not count either.
    assert averages.weighted_mean([*marks, M("н", 5), M("зач", 5)], DICTIONARY) == Decimal("4.25")
    # 5*2 + 4*1 = 14 / 3 = 4.666… → 4.67.
    assert averages.weighted_mean([M("5", 2), M("4", 1)], DICTIONARY) == Decimal("4.67")


def test_weight_one_each_gives_the_mean() -> None:
    marks = values("5", "4", "3", "3")
    assert averages.weighted_mean(marks, DICTIONARY) == averages.mean(marks, DICTIONARY) == Decimal("3.75")


def test_by_discipline_in_order_of_first_appearance() -> None:
    marks = [M("5", 1, PHYSICS), M("4"), M("н", 1, PHYSICS), M("зач"), M("3", 2, PHYSICS)]
    assert averages.by_discipline(marks, DICTIONARY) == [
        averages.DisciplineAverages(PHYSICS, Decimal("4.00"), Decimal("3.67")),
        averages.DisciplineAverages(MATH, Decimal("4.00"), Decimal("4.00")),
    ]
    only_absences = averages.by_discipline([M("н")], DICTIONARY)
    assert only_absences == [averages.DisciplineAverages(MATH, None, None)]
