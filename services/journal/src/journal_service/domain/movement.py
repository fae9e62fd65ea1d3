"""Student movement «движение обучающихся» (§4.2.2, R2.6): who is in which group on which date.

A student belongs to a group for a set of date ranges: each enrolment runs from `enrolled_on` (the
first day in the group) up to `left_on` (the first day no longer in it; None while it lasts). A
transfer, an academic leave, an expulsion or a return is dated and based on an order; it closes the
enrolment it ends and opens the one it starts, and never deletes one: the history stays. Every view
and every write of the journal uses the membership on the lesson's date.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date

from chassis.errors import FailedPrecondition, InvalidArgument

ORDER_NUMBER_MAX = 32


class MovementKind(enum.StrEnum):
    """What happens to the student (mirrors the proto's MovementKind by name)."""

    TRANSFER = "transfer"
    ACADEMIC_LEAVE = "academic_leave"
    EXPULSION = "expulsion"
    RETURN = "return"


# The kinds that end an enrolment, and those that start one.
LEAVING = frozenset({MovementKind.TRANSFER, MovementKind.ACADEMIC_LEAVE, MovementKind.EXPULSION})
JOINING = frozenset({MovementKind.TRANSFER, MovementKind.RETURN})


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
) -> MovementPlan:
    """Check a movement against the student's enrolments and return what it changes, or raise the
    error naming what forbids it."""
    if kind in JOINING and to_group_id is None:
        raise TargetGroupMissing()
    if kind not in JOINING and to_group_id is not None:
        raise TargetGroupNotExpected()
    if kind not in LEAVING and from_group_id is not None:
        raise SourceGroupNotExpected()
    close: Enrolment | None = None
    if kind in LEAVING:
        current = [
            e
            for e in enrolments
            if e.covers(on_date) and (from_group_id is None or e.group_id == from_group_id)
        ]
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
    if kind is MovementKind.RETURN and any(e.lasts_past(on_date) for e in enrolments):
        raise StudentStillEnrolled()
    if to_group_id is not None and any(
        e.group_id == to_group_id and e.lasts_past(on_date) and e is not close for e in enrolments
    ):
        raise StudentAlreadyInGroup()
    return MovementPlan(close=close, open_group_id=to_group_id)


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
