"""Averages of marks: the one place they are computed (issue 6, item 4: identical in every view and report).

Only marks whose value `counts_in_average` in the college's mark dictionary and is a number count
(«н», «зач», «осв» never do); the result is rounded to 2 decimals half-up, None when nothing counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from journal_service.domain.model import MarkDictionary

_CENTS = Decimal("0.01")


class Weighed(Protocol):
    """What an average reads of a mark: its value and its weight (1..5)."""

    @property
    def value(self) -> str:
        """The value from the college's mark dictionary."""
        ...

    @property
    def weight(self) -> int:
        """The weight of the mark's kind of work."""
        ...


class Averaged(Weighed, Protocol):
    """A mark averaged per discipline (`by_discipline`): its value, its weight and its discipline."""

    @property
    def discipline_id(self) -> uuid.UUID:
        """The discipline the mark is in."""
        ...


def counts(mark: Weighed, dictionary: MarkDictionary) -> bool:
    """Whether the mark counts in an average (its value is a number that counts)."""
    return mark.value.strip() in dictionary.numbers


def _round(total: int, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return (Decimal(total) / count).quantize(_CENTS, rounding=ROUND_HALF_UP)


def mean(marks: Iterable[Weighed], dictionary: MarkDictionary) -> Decimal | None:
    """The arithmetic mean of the marks that count, 2 decimals half-up; None when none counts."""
    return both(marks, dictionary)[0]


def weighted_mean(marks: Iterable[Weighed], dictionary: MarkDictionary) -> Decimal | None:
    """The mean weighted by each mark's weight, 2 decimals half-up; None when none counts."""
    return both(marks, dictionary)[1]


def both(marks: Iterable[Weighed], dictionary: MarkDictionary) -> tuple[Decimal | None, Decimal | None]:
    """The mean and the weighted mean of the marks in one pass (a mark of weight ≤ 0 counts in the mean
    only). The sums are integers at the dictionary's scale (`MarkDictionary.scaled`), so exact; the
    quotient is the same number the Decimal sums would give, rounded once."""
    numbers, scale = dictionary.scaled
    total = weighted = count = weights = 0
    for mark in marks:
        value = mark.value
        number = numbers.get(value)
        if number is None:
            number = numbers.get(value.strip())
            if number is None:
                continue
        total += number
        count += 1
        weight = mark.weight
        if weight > 0:
            weighted += number * weight
            weights += weight
    return _round(total, count * scale), _round(weighted, weights * scale)


@dataclass(frozen=True)
class DisciplineAverages:
    """A discipline's averages over a student's marks in it."""

    discipline_id: uuid.UUID
    mean: Decimal | None
    weighted_mean: Decimal | None


def by_discipline(marks: Sequence[Averaged], dictionary: MarkDictionary) -> list[DisciplineAverages]:
    """Each discipline of the marks once, in order of first appearance, with its averages."""
    groups: dict[uuid.UUID, list[Averaged]] = {}
    for mark in marks:
        groups.setdefault(mark.discipline_id, []).append(mark)
    return [DisciplineAverages(key, *both(items, dictionary)) for key, items in groups.items()]
