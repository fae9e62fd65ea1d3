"""The journal's model: groups, disciplines, teaching load, marks and the mark dictionary."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property

from journal_service.domain import errors
from journal_service.domain.year import GroupAttributes, StudyForm


class DisciplineKind(enum.StrEnum):
    """Kind of a curriculum unit (glossary: discipline)."""

    DISCIPLINE = "discipline"
    MDK = "mdk"
    PM = "pm"
    UP = "up"
    PP = "pp"


@dataclass
class Group:
    """A study group («учебная группа») and its attributes (set by UpdateGroup, R2.1)."""

    id: uuid.UUID
    name: str
    course_year: int | None = None
    specialty_code: str = ""
    specialty_name: str = ""
    study_form: StudyForm | None = None
    class_teacher_id: uuid.UUID | None = None

    def apply(self, attributes: GroupAttributes) -> None:
        """Set the attributes given (checked by `year.check_group_attributes`); leave the others."""
        if attributes.course_year is not None:
            self.course_year = attributes.course_year
        if attributes.specialty_code is not None:
            self.specialty_code = attributes.specialty_code
        if attributes.specialty_name is not None:
            self.specialty_name = attributes.specialty_name
        if attributes.study_form is not None:
            self.study_form = attributes.study_form
        if attributes.class_teacher_id is not None or attributes.clear_class_teacher:
            self.class_teacher_id = attributes.class_teacher_id


@dataclass
class Enrollment:
    """A student's membership of a group."""

    group_id: uuid.UUID
    student_id: uuid.UUID


@dataclass
class Discipline:
    """A discipline, MDK, professional module or practice."""

    id: uuid.UUID
    code: str
    name: str
    kind: DisciplineKind


@dataclass
class TeachingLoad:
    """A teacher teaches a discipline to a group or to one of its subgroups («нагрузка»)."""

    id: uuid.UUID
    teacher_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    subgroup_id: uuid.UUID | None = None

    def covers(
        self,
        teacher_id: uuid.UUID,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
        subgroup_id: uuid.UUID | None,
    ) -> bool:
        """Return True when this load lets the teacher teach the group (or the subgroup): the whole
        group's load covers every subgroup of the discipline, a subgroup's load that subgroup only."""
        return (self.teacher_id, self.group_id, self.discipline_id) == (
            teacher_id,
            group_id,
            discipline_id,
        ) and (self.subgroup_id is None or self.subgroup_id == subgroup_id)


@dataclass(frozen=True)
class MarkKind:
    """One entry of the college's mark dictionary (Приказ №762, п.30: the college's own rules)."""

    value: str
    title: str
    counts_in_average: bool
    is_absence: bool
    allowed_as_final: bool


class KindOfWork(enum.StrEnum):
    """What a mark is for («вид работы»; mirrors the proto by name; stored as checked text)."""

    ANSWER = "answer"  # ответ на занятии
    CONTROL_WORK = "control_work"  # контрольная работа
    INDEPENDENT_WORK = "independent_work"  # самостоятельная работа
    LABORATORY_WORK = "laboratory_work"  # лабораторная работа
    PRACTICAL_WORK = "practical_work"  # практическая работа
    HOMEWORK = "homework"  # домашнее задание
    TEST = "test"  # тест
    ESSAY = "essay"  # реферат, доклад


MIN_WEIGHT = 1
MAX_WEIGHT = 5


@dataclass
class Mark:
    """A mark given to a student on a lesson."""

    id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    teacher_id: uuid.UUID
    lesson_date: date
    value: str
    recorded_at: datetime | None = field(default=None)
    lesson_id: uuid.UUID | None = None
    kind_of_work: KindOfWork = KindOfWork.ANSWER
    weight: int = 1


@dataclass(frozen=True, slots=True)
class MarkView:
    """A mark as the diary shows it: a plain read model, cheap to build in bulk."""

    id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    teacher_id: uuid.UUID
    lesson_date: date
    value: str
    recorded_at: datetime | None
    lesson_id: uuid.UUID | None = None
    kind_of_work: KindOfWork = KindOfWork.ANSWER
    weight: int = 1


@dataclass(frozen=True, slots=True)
class DisciplineView:
    """A discipline as the diary names it: a plain read model, read along with the marks."""

    id: uuid.UUID
    code: str
    name: str
    kind: DisciplineKind


@dataclass(frozen=True)
class MarkDictionary:
    """The marks a college allows; a value outside it is rejected."""

    kinds: dict[str, MarkKind]

    @cached_property
    def numbers(self) -> dict[str, Decimal]:
        """The number of each value that counts in an average and is a finite number (read once per
        dictionary: averages look every mark's value up here)."""
        found: dict[str, Decimal] = {}
        for value, kind in self.kinds.items():
            if not kind.counts_in_average:
                continue
            try:
                number = Decimal(kind.value.replace(",", "."))
            except InvalidOperation:
                continue
            if number.is_finite():
                found[value] = number
        return found

    @cached_property
    def scaled(self) -> tuple[dict[str, int], int]:
        """The numbers of `numbers` as whole multiples of one scale (10, 100… or 1: «4,5» is 45 at 10),
        with that scale: averages add integers, exactly, and divide once (Decimal per mark cost a
        journal page of 30 students 0.18 ms of its 0.5)."""
        places = max((-int(n.as_tuple().exponent) for n in self.numbers.values()), default=0)
        scale = 10 ** max(places, 0)
        return {value: int(number * scale) for value, number in self.numbers.items()}, scale

    def require(self, value: str) -> MarkKind:
        """Return the kind of a value, or raise UnknownMarkValue."""
        kind = self.kinds.get(value.strip())
        if kind is None:
            raise errors.UnknownMarkValue(value, sorted(self.kinds))
        return kind


def new_mark(
    *,
    dictionary: MarkDictionary,
    today: date,
    teacher_loads: list[TeachingLoad],
    enrolled: bool,
    student_id: uuid.UUID,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    teacher_id: uuid.UUID,
    lesson_date: date,
    value: str,
    lesson_id: uuid.UUID | None = None,
    kind_of_work: KindOfWork = KindOfWork.ANSWER,
    weight: int = 1,
) -> Mark:
    """Create a mark after checking every rule of recording one."""
    kind = dictionary.require(value)
    if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
        raise errors.InvalidWeight(weight)
    if lesson_date > today:
        raise errors.LessonDateInFuture(lesson_date)
    if not any(
        load.group_id == group_id and load.discipline_id == discipline_id and load.teacher_id == teacher_id
        for load in teacher_loads
    ):
        raise errors.NotTeachingThisGroup()
    if not enrolled:
        raise errors.StudentNotInGroup()
    return Mark(
        id=uuid.uuid4(),
        student_id=student_id,
        group_id=group_id,
        discipline_id=discipline_id,
        teacher_id=teacher_id,
        lesson_date=lesson_date,
        value=kind.value,
        lesson_id=lesson_id,
        kind_of_work=kind_of_work,
        weight=weight,
    )
