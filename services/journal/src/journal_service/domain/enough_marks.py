"""The enough-marks rule (R3.2, §4.5.2): to certify a student for a semester there must be at least 3
marks for 1 hour a week of load and at least 5 for 2 hours or more, counting every kind of work
(answers, written tests, laboratory and practical work…). Pure rules, no I/O.

A mark counts when its value is a number of the college's dictionary («5»…«2»): «н», «зач», «н/а» and
«осв» are not marks of the student's work. Removed marks are never read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chassis.errors import FailedPrecondition

from journal_service.domain.averages import Averaged, counts
from journal_service.domain.model import MarkDictionary

FEW_HOURS_MARKS = 3  # 1 hour a week (or less)
MANY_HOURS_MARKS = 5  # 2 hours a week or more


def required_marks(weekly_hours: int) -> int:
    """Marks needed for the weekly hours of the curriculum row."""
    return MANY_HOURS_MARKS if weekly_hours >= 2 else FEW_HOURS_MARKS


def marks_count(marks: Iterable[Averaged], dictionary: MarkDictionary) -> int:
    """How many of the marks count for the rule."""
    return sum(1 for mark in marks if counts(mark, dictionary))


@dataclass(frozen=True)
class EnoughMarks:
    """The verdict for one student."""

    marks_count: int
    required: int

    @property
    def enough(self) -> bool:
        """True when the student has at least the required number of marks."""
        return self.marks_count >= self.required


def verdict(marks: Iterable[Averaged], dictionary: MarkDictionary, weekly_hours: int) -> EnoughMarks:
    """The enough-marks verdict for a student's marks in a discipline and period."""
    return EnoughMarks(marks_count(marks, dictionary), required_marks(weekly_hours))


class NotEnoughMarks(FailedPrecondition):
    """A final for a student with too few marks needs the teacher's explicit confirmation."""

    def __init__(self, found: EnoughMarks) -> None:
        super().__init__(
            f"Недостаточно оценок (нужно не менее {found.required}, есть {found.marks_count}); "
            "подтвердите выставление итоговой оценки",
            code="not_enough_marks",
        )
