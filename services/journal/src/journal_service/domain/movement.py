"""Student movement «движение обучающихся» (§4.2.2, R2.6): who is in which group on which date.

A student belongs to a group for a set of date ranges: each enrolment runs from `enrolled_on` (the
first day in the group) up to `left_on` (the first day no longer in it; None while it lasts). An
enrolment, a transfer, an academic leave, a return, an expulsion or a graduation is dated and based
on an order; it closes the enrolment it ends and opens the one it starts, and never deletes one: the
history stays. Movements are written in date order, one a day: a movement dated on or before the
student's last one is refused. Every view and every write of the journal uses the membership on the
lesson's date.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date

from chassis.errors import FailedPrecondition, InvalidArgument, NotFound

ORDER_NUMBER_MAX = 32


class MovementKind(enum.StrEnum):
    """What happens to the student (mirrors the proto's MovementKind by name)."""

    TRANSFER = "transfer"
    ACADEMIC_LEAVE = "academic_leave"
    EXPULSION = "expulsion"
    RETURN = "return"
    ENROLMENT = "enrolment"
    GRADUATION = "graduation"


# The kinds that end an enrolment, and those that start one.
LEAVING = frozenset(
    {MovementKind.TRANSFER, MovementKind.ACADEMIC_LEAVE, MovementKind.EXPULSION, MovementKind.GRADUATION}
)
JOINING = frozenset({MovementKind.TRANSFER, MovementKind.RETURN, MovementKind.ENROLMENT})
# The kinds after which the student is out of the college (their account is disabled), and those a
# return may follow.
LEAVES_COLLEGE = frozenset({MovementKind.EXPULSION, MovementKind.GRADUATION})
RETURNABLE = frozenset({MovementKind.ACADEMIC_LEAVE, MovementKind.EXPULSION})


@dataclass(frozen=True)
class Enrolment:
    """A student's membership of a group from `enrolled_on` up to (not including) `left_on`."""

    id: uuid.UUID
    group_id: uuid.UUID
    student_id: uuid.UUID
    enrolled_on: date
    left_on: date | None = None

    def covers(self, day: date) -> bool:
        """Tell whether the student is in the group on `day`."""
        return self.enrolled_on <= day and (self.left_on is None or day < self.left_on)

    def lasts_past(self, day: date) -> bool:
        """Tell whether the enrolment is still in force on or after `day`."""
        return self.left_on is None or self.left_on > day


@dataclass(frozen=True)
class Movement:
    """A dated movement of a student, by an order."""

    id: uuid.UUID
    student_id: uuid.UUID
    kind: MovementKind
    from_group_id: uuid.UUID | None
    to_group_id: uuid.UUID | None
    on_date: date
    order_number: str

    @property
    def leaves_college(self) -> bool:
        """Tell whether the student is out of the college after it (expulsion, graduation)."""
        return self.kind in LEAVES_COLLEGE


@dataclass(frozen=True)
class MovementPlan:
    """What a movement changes: the enrolment it closes on its date, the group it enrols into."""

    close: Enrolment | None
    open_group_id: uuid.UUID | None


def academic_year_start(day: date) -> date:
    """Return 1 September of the academic year `day` falls in (the year starts on 1 September)."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def members_on(enrolments: list[Enrolment], group_id: uuid.UUID, day: date) -> list[uuid.UUID]:
    """Return the students in the group on `day`, in a stable order (the one rule every view uses)."""
    return sorted({e.student_id for e in enrolments if e.group_id == group_id and e.covers(day)})


def plan_movement(
    kind: MovementKind,
    enrolments: list[Enrolment],
    *,
    from_group_id: uuid.UUID | None,
    to_group_id: uuid.UUID | None,
    on_date: date,
    history: list[Movement] | None = None,
) -> MovementPlan:
    """Check a movement against the student's enrolments and earlier movements and return what it
    changes, or raise the error naming what forbids it."""
    if kind in JOINING and to_group_id is None:
        raise TargetGroupMissing()
    if kind not in JOINING and to_group_id is not None:
        raise TargetGroupNotExpected()
    if kind not in LEAVING and from_group_id is not None:
        raise SourceGroupNotExpected()
    last = max(history or [], key=lambda m: m.on_date, default=None)
    if last is not None:
        _check_after(last, kind, on_date)
    elif kind is MovementKind.RETURN:
        raise ReturnWithoutLeave()
    on_leave = last is not None and last.kind is MovementKind.ACADEMIC_LEAVE
    close: Enrolment | None = None
    if kind in LEAVING:
        current = [
            e
            for e in enrolments
            if e.covers(on_date) and (from_group_id is None or e.group_id == from_group_id)
        ]
        if not current and on_leave and from_group_id is None:
            # On academic leave the student is in no group: only an expulsion may follow it.
            if kind is not MovementKind.EXPULSION:
                raise StudentOnLeave()
            return MovementPlan(close=None, open_group_id=None)
        if not current:
            raise StudentNotInGroupOnDate(on_date)
        if len(current) > 1:
            raise SourceGroupAmbiguous()
        close = current[0]
        if close.left_on is not None:
            # The history is written in order: a later movement of this enrolment already stands.
            raise MovementOutOfOrder()
        if close.enrolled_on >= on_date:
            raise MovementOnEnrolmentDay()
        if close.group_id == to_group_id:
            raise TransferToSameGroup()
    if kind is MovementKind.ENROLMENT and on_leave:
        raise StudentOnLeave()
    if kind in (MovementKind.RETURN, MovementKind.ENROLMENT) and any(
        e.lasts_past(on_date) for e in enrolments
    ):
        raise StudentStillEnrolled()
    if to_group_id is not None and any(
        e.group_id == to_group_id and e.lasts_past(on_date) and e is not close for e in enrolments
    ):
        raise StudentAlreadyInGroup()
    return MovementPlan(close=close, open_group_id=to_group_id)


def _check_after(last: Movement, kind: MovementKind, on_date: date) -> None:
    """A movement comes after the student's last one, on another day, and fits what that one left."""
    if on_date < last.on_date:
        raise MovementOutOfOrder()
    if on_date == last.on_date:
        raise MovementSameDay()
    if last.kind is MovementKind.GRADUATION:
        raise StudentGraduated()
    if last.kind is MovementKind.EXPULSION and kind is not MovementKind.RETURN:
        raise StudentExpelled()
    if kind is MovementKind.RETURN and last.kind not in RETURNABLE:
        raise ReturnWithoutLeave()


def check_transfer_year(from_course: int | None, to_course: int | None) -> None:
    """A transfer stays within the course year (a group of another year needs its own decision)."""
    if from_course is not None and to_course is not None and from_course != to_course:
        raise TransferAcrossYears()


def history_order(movements: list[Movement]) -> list[Movement]:
    """Return movements oldest first (by date; the same student has one a day)."""
    return sorted(movements, key=lambda m: (m.on_date, str(m.student_id), str(m.id)))


def check_order_number(value: str) -> str:
    """Return the order's number, stripped, or raise OrderNumberInvalid."""
    text = " ".join((value or "").split())
    if not text or len(text) > ORDER_NUMBER_MAX:
        raise OrderNumberInvalid()
    return text


class StudentNotInGroupOnDate(FailedPrecondition):
    """On the date the student is not in the group (or in no group) the request names."""

    def __init__(self, day: date) -> None:
        super().__init__(f"Обучающийся не числится в группе на {day:%d.%m.%Y}", code="student_not_in_group")


class SourceGroupAmbiguous(InvalidArgument):
    """The student is in several groups on the date: say which one they leave."""

    def __init__(self) -> None:
        super().__init__(
            "Обучающийся на эту дату числится в нескольких группах; укажите, из какой группы",
            code="missing_from_group_id",
        )


class TargetGroupMissing(InvalidArgument):
    """A transfer or a return needs the group the student joins."""

    def __init__(self) -> None:
        super().__init__("Укажите группу, в которую переходит обучающийся", code="missing_to_group_id")


class TargetGroupNotExpected(InvalidArgument):
    """An academic leave or an expulsion joins no group."""

    def __init__(self) -> None:
        super().__init__(
            "При академическом отпуске и отчислении группа назначения не указывается",
            code="unexpected_to_group_id",
        )


class SourceGroupNotExpected(InvalidArgument):
    """A return leaves no group."""

    def __init__(self) -> None:
        super().__init__(
            "При восстановлении указывается только группа назначения", code="unexpected_from_group_id"
        )


class MovementOutOfOrder(FailedPrecondition):
    """A later movement of the student already stands; movements are recorded in date order."""

    def __init__(self) -> None:
        super().__init__(
            "У обучающегося уже есть движение после этой даты; движения вносятся по порядку дат",
            code="movement_out_of_order",
        )


class MovementOnEnrolmentDay(FailedPrecondition):
    """A movement takes effect after the first day in the group."""

    def __init__(self) -> None:
        super().__init__(
            "Дата движения должна быть позже даты зачисления в группу", code="movement_before_enrolment"
        )


class TransferToSameGroup(InvalidArgument):
    """A transfer goes to another group."""

    def __init__(self) -> None:
        super().__init__("Перевести можно только в другую группу", code="transfer_to_same_group")


class StudentStillEnrolled(FailedPrecondition):
    """A return is for a student in no group on that date and after it."""

    def __init__(self) -> None:
        super().__init__(
            "Обучающийся на эту дату уже числится в группе; восстановить можно только выбывшего",
            code="student_still_enrolled",
        )


class StudentAlreadyInGroup(FailedPrecondition):
    """The student is already in the group they would join."""

    def __init__(self) -> None:
        super().__init__("Обучающийся уже числится в этой группе", code="student_already_in_group")


class OrderNumberInvalid(InvalidArgument):
    """Every movement is based on an order with a number."""

    def __init__(self) -> None:
        super().__init__(
            f"Укажите номер приказа (не длиннее {ORDER_NUMBER_MAX} символов)", code="invalid_order_number"
        )


class MovementSameDay(FailedPrecondition):
    """One movement a day: two on the same date would leave the order between them unknown."""

    def __init__(self) -> None:
        super().__init__(
            "У обучающегося уже есть движение на эту дату; в один день вносится одно движение",
            code="movement_same_day",
        )


class ReturnWithoutLeave(FailedPrecondition):
    """A return follows an academic leave or an expulsion."""

    def __init__(self) -> None:
        super().__init__(
            "Восстановить можно только после академического отпуска или отчисления",
            code="return_without_leave",
        )


class StudentExpelled(FailedPrecondition):
    """After an expulsion only a return (re-admission) may follow."""

    def __init__(self) -> None:
        super().__init__(
            "Обучающийся отчислен; после отчисления возможно только восстановление",
            code="student_expelled",
        )


class StudentGraduated(FailedPrecondition):
    """A graduate's record is closed."""

    def __init__(self) -> None:
        super().__init__(
            "Обучающийся уже выпущен; движения после выпуска не вносятся", code="student_graduated"
        )


class StudentOnLeave(FailedPrecondition):
    """On academic leave the student is in no group: a return (or an expulsion) comes next."""

    def __init__(self) -> None:
        super().__init__(
            "Обучающийся в академическом отпуске; сначала оформите восстановление",
            code="student_on_leave",
        )


class TransferAcrossYears(FailedPrecondition):
    """A transfer goes to a group of the same course year."""

    def __init__(self) -> None:
        super().__init__("Перевести можно только в группу того же курса", code="transfer_across_years")


class MarksAfterMovement(FailedPrecondition):
    """Marks or absences in the group left stand on or after the movement's date."""

    def __init__(self, day: date) -> None:
        super().__init__(
            f"В группе, которую покидает обучающийся, у него есть оценки или пропуски с {day:%d.%m.%Y}; "
            "перенесите дату движения или исправьте записи журнала",
            code="records_after_movement",
        )


class GroupHasNoStudents(FailedPrecondition):
    """A graduation of a group needs students in it on the day before."""

    def __init__(self) -> None:
        super().__init__("В группе нет обучающихся, которых можно выпустить", code="group_has_no_students")


class StudentNotFound(NotFound):
    """The caller may not read this student's movements, or there is no such student."""

    def __init__(self) -> None:
        super().__init__("Обучающийся не найден", code="student_not_found")
