"""Academic debts («академическая задолженность», 273-ФЗ ст.58; issue 7 item 3): a final of record that
fails — «н/а», a numeric mark below 3, «незач» — is a debt; its retakes (domain/retakes.py) close it
when one passes. Debts are not stored: they are read from the finals and the retakes. Pure rules."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from journal_service.domain import finals
from journal_service.domain.model import MarkDictionary
from journal_service.domain.retakes import MAX_RETAKES, Retake, deadline_of

PASSING_MARK = 3


class NextStep(enum.StrEnum):
    """What comes next for a debt (mirrors the proto's DebtNextStep by name)."""

    FIRST_RETAKE = "first_retake"
    COMMISSION_RETAKE = "commission_retake"
    NO_RETAKES_LEFT = "no_retakes_left"
    DEADLINE_PASSED = "deadline_passed"
    CLOSED = "closed"


def fails(value: str, dictionary: MarkDictionary) -> bool:
    """Return True for a failing final or retake: «н/а», «незач», a number below 3."""
    if value in (finals.NOT_CERTIFIED, finals.CREDIT_FAILED):
        return True
    number = dictionary.numbers.get(value)
    return number is not None and number < PASSING_MARK


def passes(value: str, dictionary: MarkDictionary) -> bool:
    """Return True for a passing retake: «зач» or a number of 3 and above."""
    if value == finals.CREDIT_PASSED:
        return True
    number = dictionary.numbers.get(value)
    return number is not None and number >= PASSING_MARK


@dataclass(frozen=True)
class Debt:
    """A failing final of record, the day it was set and its retakes, first one first."""

    final: finals.Final
    final_date: date
    retakes: tuple[Retake, ...]

    @property
    def deadline(self) -> date:
        """The last day a retake may be held."""
        return deadline_of(self.final_date)

    @property
    def closing_retake(self) -> Retake | None:
        """The passing retake, if any."""
        return next((r for r in self.retakes if r.passed), None)

    @property
    def closed(self) -> bool:
        """True once a retake passed."""
        return self.closing_retake is not None

    @property
    def mark_of_record(self) -> str:
        """The passing retake's mark, the mark of record of the final now; empty while open."""
        closing = self.closing_retake
        return closing.value if closing is not None else ""

    def next_step(self, today: date) -> NextStep:
        """What comes next on `today`."""
        if self.closed:
            return NextStep.CLOSED
        if len(self.retakes) >= MAX_RETAKES:
            return NextStep.NO_RETAKES_LEFT
        if today > self.deadline:
            return NextStep.DEADLINE_PASSED
        return NextStep.COMMISSION_RETAKE if self.retakes else NextStep.FIRST_RETAKE


def is_debt(final: finals.Final, of_period: Iterable[finals.Final], dictionary: MarkDictionary) -> bool:
    """Return True when the final fails and is the mark of record among the finals of its period."""
    if not fails(final.value, dictionary):
        return False
    return any(record.id == final.id for record in finals.marks_of_record(of_period))


def debts_of(
    found: Sequence[finals.Final],
    retakes: Mapping[uuid.UUID, Sequence[Retake]],
    final_dates: Mapping[uuid.UUID, date],
    dictionary: MarkDictionary,
) -> list[Debt]:
    """Return the debts among the finals (every final of each period given): the failing finals of
    record with their retakes, open first, then by the day of the final."""
    debts = [
        Debt(final, final_dates[final.id], tuple(sorted(retakes.get(final.id, ()), key=lambda r: r.attempt)))
        for final in finals.marks_of_record(found)
        if fails(final.value, dictionary)
    ]
    return sorted(
        debts, key=lambda d: (d.closed, d.final_date, str(d.final.discipline_id), d.final.period.semester)
    )
