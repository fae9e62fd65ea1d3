"""Substitutions as reports projects them, and the report of a period built from them (slice L)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reports_service.domain import errors

MAX_PERIOD_DAYS = 366
"""The longest period one report covers (an academic year with its summer)."""


@dataclass(frozen=True)
class SubstitutionFact:
    """One substitution: a pair of a group taught by a substitute instead of its teacher. Ids only."""

    substitution_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    lesson_date: date
    pair_number: int
    teacher_id: uuid.UUID
    substitute_teacher_id: uuid.UUID
    cancelled: bool = False


@dataclass(frozen=True)
class TeacherSubstitutions:
    """One teacher's line: pairs taught as a substitute and pairs of theirs taught by a substitute."""

    teacher_id: uuid.UUID
    pairs_substituted: int
    pairs_replaced: int


@dataclass(frozen=True)
class SubstitutionReport:
    """The substitutions of a period (not cancelled) and each teacher's counts."""

    date_from: date
    date_to: date
    teachers: tuple[TeacherSubstitutions, ...]
    substitutions: tuple[SubstitutionFact, ...]


def check_period(date_from: date, date_to: date) -> None:
    """Refuse a period that ends before it starts or is longer than MAX_PERIOD_DAYS."""
    if date_to < date_from:
        raise errors.InvalidPeriod("Дата окончания периода раньше даты начала")
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise errors.InvalidPeriod(f"Период отчёта — не длиннее {MAX_PERIOD_DAYS} дней")


def build_report(date_from: date, date_to: date, facts: Iterable[SubstitutionFact]) -> SubstitutionReport:
    """Count the period's substitutions per teacher; cancelled ones and those outside it are left out."""
    kept = sorted(
        (f for f in facts if not f.cancelled and date_from <= f.lesson_date <= date_to),
        key=lambda f: (f.lesson_date, f.pair_number, str(f.group_id), str(f.substitution_id)),
    )
    substituted: dict[uuid.UUID, int] = {}
    replaced: dict[uuid.UUID, int] = {}
    for fact in kept:
        substituted[fact.substitute_teacher_id] = substituted.get(fact.substitute_teacher_id, 0) + 1
        replaced[fact.teacher_id] = replaced.get(fact.teacher_id, 0) + 1
    teachers = tuple(
        TeacherSubstitutions(t, substituted.get(t, 0), replaced.get(t, 0))
        for t in sorted({*substituted, *replaced}, key=str)
    )
    return SubstitutionReport(date_from, date_to, teachers, tuple(kept))
