"""The curriculum («учебный план», R2.1, §2.12): a group's disciplines per semester of a year with
their hours and form of control. Pure rules and their errors, no I/O."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from chassis.errors import InvalidArgument, NotFound

MAX_CURRICULUM_ROWS = 300
MAX_TOTAL_HOURS = 2000
# A week holds at most 54 academic hours of study in all (classes and independent work).
MAX_WEEKLY_HOURS = 54


class ControlForm(enum.StrEnum):
    """Form of control of a discipline in a semester (mirrors the proto by name; stored as checked text)."""

    NONE = "none"
    EXAM = "exam"
    DIFFERENTIATED_CREDIT = "differentiated_credit"
    CREDIT = "credit"
    COURSE_WORK = "course_work"
    MODULE_EXAM = "module_exam"
    DEMONSTRATION_EXAM = "demonstration_exam"
    COMPLEX_EXAM = "complex_exam"


@dataclass(frozen=True)
class CurriculumRow:
    """One discipline in one semester of a group's year."""

    discipline_id: uuid.UUID
    semester: int
    total_hours: int
    weekly_hours: int
    control_form: ControlForm


class TooManyCurriculumRows(InvalidArgument):
    """A group's plan for a year has a bounded number of rows."""

    def __init__(self) -> None:
        super().__init__(
            f"В учебном плане группы на год не больше {MAX_CURRICULUM_ROWS} строк",
            code="too_many_curriculum_rows",
        )


class InvalidSemester(InvalidArgument):
    """A year has semesters 1 and 2."""

    def __init__(self, index: int) -> None:
        super().__init__(f"Строка №{index + 1}: семестр — 1 или 2", code="invalid_semester")


class InvalidTotalHours(InvalidArgument):
    """Hours of a discipline in a semester are a positive number within reason."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: всего часов — число от 1 до {MAX_TOTAL_HOURS}", code="invalid_total_hours"
        )


class InvalidWeeklyHours(InvalidArgument):
    """Weekly hours fit in a study week."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: часов в неделю — число от 0 до {MAX_WEEKLY_HOURS}",
            code="invalid_weekly_hours",
        )


class InvalidControlForm(InvalidArgument):
    """Every row names its form of control (or «нет»)."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: укажите форму контроля (или «нет»)", code="invalid_control_form"
        )


class DuplicateCurriculumRow(InvalidArgument):
    """A discipline appears once per semester."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: эта дисциплина в этом семестре уже есть в плане",
            code="duplicate_curriculum_row",
        )


class CurriculumDisciplineNotFound(NotFound):
    """A row names a discipline the journal does not have."""

    def __init__(self, index: int) -> None:
        super().__init__(f"Строка №{index + 1}: дисциплина не найдена", code="discipline_not_found")


def check_curriculum(
    rows: Sequence[CurriculumRow], *, known_disciplines: Collection[uuid.UUID]
) -> list[CurriculumRow]:
    """Return the rows after checking each one (semester, hours, a known discipline, once per semester)."""
    if len(rows) > MAX_CURRICULUM_ROWS:
        raise TooManyCurriculumRows()
    seen: set[tuple[uuid.UUID, int]] = set()
    for index, row in enumerate(rows):
        if row.semester not in (1, 2):
            raise InvalidSemester(index)
        if not 1 <= row.total_hours <= MAX_TOTAL_HOURS:
            raise InvalidTotalHours(index)
        if not 0 <= row.weekly_hours <= MAX_WEEKLY_HOURS:
            raise InvalidWeeklyHours(index)
        if row.discipline_id not in known_disciplines:
            raise CurriculumDisciplineNotFound(index)
        key = (row.discipline_id, row.semester)
        if key in seen:
            raise DuplicateCurriculumRow(index)
        seen.add(key)
    return list(rows)
