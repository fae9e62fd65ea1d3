"""Averages: the one place they are computed (only numeric marks that count, 2 decimals half-up)."""

from __future__ import annotations

import random
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


# A dictionary with halves and a value with hundredths: the sums are whole numbers at the finest scale.
FRACTIONS = model.MarkDictionary(
    kinds={v: model.MarkKind(v, v, True, False, True) for v in ("5", "4,5", "4", "3.75", "2")}
)


def reference(marks: list[M], dictionary: model.MarkDictionary) -> tuple[Decimal | None, Decimal | None]:
    """The averages by the regulation's arithmetic on Decimal, mark by mark."""
    numbers = dictionary.numbers
    counted = [(numbers[m.value.strip()], m.weight) for m in marks if m.value.strip() in numbers]
    weighted = [(n, w) for n, w in counted if w > 0]

    def rounded(total: Decimal, count: int) -> Decimal | None:
        return (total / count).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") if count else None

    return (
        rounded(sum((n for n, _ in counted), Decimal(0)), len(counted)),
        rounded(sum((n * w for n, w in weighted), Decimal(0)), sum(w for _, w in weighted)),
    )


def test_fractional_values_are_exact_at_the_dictionary_scale() -> None:
    assert FRACTIONS.scaled == ({"5": 500, "4,5": 450, "4": 400, "3.75": 375, "2": 200}, 100)
    assert DICTIONARY.scaled == ({"5": 5, "4": 4, "3": 3, "2": 2}, 1)
    # (4.5 + 3.75 + 2) / 3 = 3.41666… → 3.42; weighted (4.5·2 + 3.75 + 2·3) / 6 = 3.125 → 3.13 (half-up).
    marks = [M("4,5", 2), M("3.75"), M("2", 3)]
    assert averages.both(marks, FRACTIONS) == (Decimal("3.42"), Decimal("3.13"))
    # A value with spaces around it counts as the value (an old row, an import).
    assert averages.both([M(" 4,5 "), M("5")], FRACTIONS) == (Decimal("4.75"), Decimal("4.75"))


def test_the_scaled_sums_agree_with_decimal_arithmetic() -> None:
    rng = random.Random(6)
    for dictionary in (DICTIONARY, FRACTIONS):
        pool = [*dictionary.kinds, " 4 ", "unknown"]
        for _ in range(300):
            marks = [M(rng.choice(pool), rng.randint(-1, 5)) for _ in range(rng.randint(0, 25))]
            assert averages.both(marks, dictionary) == reference(marks, dictionary), marks
