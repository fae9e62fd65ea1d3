"""Errors of the academic year's structure (R2.1), each naming the state that forbids the action."""

from __future__ import annotations

from datetime import date

from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound


class InvalidYearName(InvalidArgument):
    """An academic year is named «YYYY/YYYY» with consecutive calendar years."""

    def __init__(self) -> None:
        super().__init__(
            "Учебный год называется «ГГГГ/ГГГГ» с соседними годами, например «2026/2027»",
            code="invalid_year_name",
        )


class AcademicYearExists(AlreadyExists):
    """Academic years are unique by name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Учебный год «{name}» уже открыт", code="academic_year_exists")


class InvalidYearSpan(InvalidArgument):
    """The year starts in the first year of its name, ends after it starts and lasts at most a year."""

    def __init__(self) -> None:
        super().__init__(
            "Учебный год начинается в первом году своего названия и длится не больше года",
            code="invalid_year_span",
        )


class SemestersOutOfOrder(InvalidArgument):
    """Semester 1 and 2 lie inside the year, each ending on or after its start, 2 after 1."""

    def __init__(self) -> None:
        super().__init__(
            "Семестры должны лежать внутри учебного года, второй — после первого",
            code="semesters_out_of_order",
        )


class AcademicYearNotFound(NotFound):
    """No academic year with this id."""

    def __init__(self) -> None:
        super().__init__("Учебный год не найден", code="academic_year_not_found")


class InvalidSpanDates(InvalidArgument):
    """A span ends on or after the day it starts."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Период №{index + 1} графика заканчивается раньше, чем начинается", code="invalid_span_dates"
        )


class SpanOutsideYear(InvalidArgument):
    """Every span of a group's calendar falls inside the academic year."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Период №{index + 1} графика выходит за пределы учебного года", code="span_outside_year"
        )


class SpansOverlap(InvalidArgument):
    """The spans of one group's calendar do not overlap."""

    def __init__(self, day: date) -> None:
        super().__init__(f"Периоды графика пересекаются: {day:%d.%m.%Y}", code="spans_overlap")


class TooManySpans(InvalidArgument):
    """A calendar has a bounded number of spans."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"В графике не больше {limit} периодов", code="too_many_spans")


class InvalidBellSchedule(InvalidArgument):
    """Pairs are numbered 1..8, each once, each starting before it ends, inside the day."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Расписание звонков: {detail}", code="invalid_bell_schedule")


class PairsOverlap(InvalidArgument):
    """Each pair ends before the next one starts."""

    def __init__(self, number: int) -> None:
        super().__init__(
            f"Пара №{number} начинается раньше, чем закончилась предыдущая", code="pairs_overlap"
        )


class InvalidSpecialtyCode(InvalidArgument):
    """A specialty code is «NN.NN.NN» (ФГОС СПО), e.g. «09.02.07»."""

    def __init__(self) -> None:
        super().__init__(
            "Код специальности записывается как «NN.NN.NN», например «09.02.07»",
            code="invalid_specialty_code",
        )


class InvalidCourseYear(InvalidArgument):
    """A college's course year is 1..5."""

    def __init__(self) -> None:
        super().__init__("Курс — число от 1 до 5", code="invalid_course_year")


class SubgroupNameTaken(AlreadyExists):
    """Subgroup names are unique in a group for a discipline."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Подгруппа «{name}» по этой дисциплине уже есть", code="subgroup_name_taken")


class StudentInAnotherSubgroup(FailedPrecondition):
    """A student is in at most one subgroup of a group for a discipline."""

    def __init__(self) -> None:
        super().__init__(
            "Обучающийся уже состоит в другой подгруппе по этой дисциплине",
            code="student_in_another_subgroup",
        )


class TooManySubgroupStudents(InvalidArgument):
    """A subgroup has a bounded number of students."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"В подгруппе не больше {limit} обучающихся", code="too_many_students")
