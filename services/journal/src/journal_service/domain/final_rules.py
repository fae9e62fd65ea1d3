"""The college's rule for proposing a final from current marks (R3.1; §2.8 «объективность»): versioned,
so a final keeps the version it was set with. Pure rules, no I/O.

A proposal starts from the average the journal shows (`averages.both`: 2 decimals, half up), the mean
or the weighted mean by kind of work, and rounds it to a whole mark by the rule's rounding mode.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from chassis.errors import Conflict, InvalidArgument

LOWEST_MARK = 2
HIGHEST_MARK = 5
# The version the migration creates: the plain mean, half up, in force from the start.
DEFAULT_VERSION = 1
DEFAULT_EFFECTIVE_FROM = date(2000, 1, 1)


class FinalRuleKind(enum.StrEnum):
    """Which average a proposal starts from (mirrors the proto by name; stored as checked text)."""

    MEAN = "mean"
    WEIGHTED_MEAN = "weighted_mean"


class FinalRounding(enum.StrEnum):
    """How an average becomes a whole mark (mirrors the proto by name; stored as checked text)."""

    HALF_UP = "half_up"  # 3.50 → 4, 3.49 → 3
    IN_FAVOUR_OF_STUDENT = "in_favour_of_student"  # any fraction up: 3.01 → 4
    DOWN = "down"  # the fraction dropped: 3.99 → 3


_ROUNDING = {
    FinalRounding.HALF_UP: ROUND_HALF_UP,
    FinalRounding.IN_FAVOUR_OF_STUDENT: ROUND_CEILING,
    FinalRounding.DOWN: ROUND_FLOOR,
}


@dataclass(frozen=True)
class FinalRule:
    """One version of the rule; `author_id` is None for the default version."""

    version: int
    kind: FinalRuleKind
    rounding: FinalRounding
    effective_from: date
    author_id: uuid.UUID | None = None


DEFAULT_RULE = FinalRule(DEFAULT_VERSION, FinalRuleKind.MEAN, FinalRounding.HALF_UP, DEFAULT_EFFECTIVE_FROM)


class FinalRuleEffectiveTooEarly(InvalidArgument):
    """A new version applies from the latest version's first day or later (versions never interleave)."""

    def __init__(self, latest: date) -> None:
        super().__init__(
            f"Новое правило может действовать не раньше {latest:%d.%m.%Y} (начала действующей версии)",
            code="final_rule_effective_too_early",
        )


class InvalidFinalRule(InvalidArgument):
    """The rule names its kind of average and its rounding mode."""

    def __init__(self) -> None:
        super().__init__(
            "Укажите способ расчёта (среднее или средневзвешенное) и способ округления",
            code="invalid_final_rule",
        )


class FinalRuleChangedMeanwhile(Conflict):
    """Two versions of the rule were set at once; the other one won."""

    def __init__(self) -> None:
        super().__init__(
            "Правило итоговых оценок только что изменил другой пользователь; обновите страницу",
            code="final_rule_changed_meanwhile",
        )


def in_force(versions: list[FinalRule], today: date) -> FinalRule:
    """The version in force on the day: the newest one already effective (the default when none)."""
    effective = [rule for rule in versions if rule.effective_from <= today]
    if not effective:
        return min(versions, key=lambda rule: rule.version) if versions else DEFAULT_RULE
    return max(effective, key=lambda rule: (rule.effective_from, rule.version))


def new_version(
    versions: list[FinalRule],
    *,
    kind: FinalRuleKind | None,
    rounding: FinalRounding | None,
    effective_from: date,
    author_id: uuid.UUID,
) -> FinalRule:
    """The next version after checking it names both settings and does not start before the latest."""
    if kind is None or rounding is None:
        raise InvalidFinalRule()
    latest = max(versions, key=lambda rule: rule.version) if versions else DEFAULT_RULE
    if effective_from < latest.effective_from:
        raise FinalRuleEffectiveTooEarly(latest.effective_from)
    return FinalRule(latest.version + 1, kind, rounding, effective_from, author_id)


def average_of(rule: FinalRule, mean: Decimal | None, weighted_mean: Decimal | None) -> Decimal | None:
    """The average the rule starts from."""
    return weighted_mean if rule.kind is FinalRuleKind.WEIGHTED_MEAN else mean


def round_mark(average: Decimal, rounding: FinalRounding) -> int:
    """The whole mark for an average, 2..5."""
    whole = int(average.quantize(Decimal(1), rounding=_ROUNDING[rounding]))
    return max(LOWEST_MARK, min(HIGHEST_MARK, whole))
