"""Who may issue credentials to whom (issue 8 item 2, R1.2), judged on identity's projection of the
journal's groups: the administrator issues to anyone but themself; the class teacher of a group to
its current students and to those students' linked parents; nobody else to anybody. Pure rules."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from chassis.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from chassis.principal import Principal

from identity_service.domain.model import Role

MAX_PEOPLE_PER_ISSUE = 100


@dataclass(frozen=True)
class Membership:
    """A student's stay in a group from one day to the day they left (None: still there)."""

    group_id: uuid.UUID
    student_id: uuid.UUID
    from_date: date
    to_date: date | None = None

    def current(self, today: date) -> bool:
        """Return True while the student has not left the group by `today` (a stay that starts
        later already counts: the class teacher prepares the accounts of the coming year)."""
        return self.to_date is None or self.to_date > today


@dataclass(frozen=True)
class GroupLead:
    """A group identity knows of from the journal, with its class teacher (None: none yet)."""

    group_id: uuid.UUID
    class_teacher_id: uuid.UUID | None


@dataclass(frozen=True)
class MembershipChange:
    """What a journal movement does to the projection: the group left and the group joined."""

    leave_group_id: uuid.UUID | None
    join_group_id: uuid.UUID | None


def membership_change(from_group_id: uuid.UUID | None, to_group_id: uuid.UUID | None) -> MembershipChange:
    """Return the change of a journal movement by its groups: a transfer leaves one group and joins
    another; academic leave, expulsion and graduation only leave (no group joined); enrolment and
    return only join."""
    return MembershipChange(leave_group_id=from_group_id, join_group_id=to_group_id)


def is_admin(actor: Principal) -> bool:
    """Return True for the journal administrator."""
    return actor.has_any(Role.ADMIN)


def leads(actor_id: uuid.UUID | None, class_teacher_id: uuid.UUID | None) -> bool:
    """Return True when the actor is the group's class teacher."""
    return actor_id is not None and class_teacher_id == actor_id


def in_led_group(student_groups: Iterable[uuid.UUID], led_groups: set[uuid.UUID]) -> bool:
    """Return True when one of the student's groups (as given: current ones, or every stay) is among
    the actor's (led, or led and taught)."""
    return any(group in led_groups for group in student_groups)


class GroupNotFound(NotFound):
    """Identity has not heard of the group from the journal."""

    def __init__(self) -> None:
        super().__init__("Группа не найдена", code="group_not_found")


class NotClassTeacherOfGroup(PermissionDenied):
    """Only the administrator and the group's class teacher manage its accounts."""

    def __init__(self) -> None:
        super().__init__(
            "Учётными записями группы занимается её классный руководитель или администратор",
            code="not_class_teacher_of_group",
        )


class PersonNotInYourGroup(PermissionDenied):
    """A class teacher issues only to their group's students and those students' parents."""

    def __init__(self) -> None:
        super().__init__(
            "Классный руководитель выдаёт пароли только обучающимся своей группы и их родителям",
            code="person_not_in_your_group",
        )


class OwnCredentials(PermissionDenied):
    """Nobody resets their own password here (they change it themself or ask another admin)."""

    def __init__(self) -> None:
        super().__init__(
            "Свой пароль здесь не выдаётся: смените его в личном кабинете "
            "или обратитесь к другому администратору",
            code="own_credentials",
        )


class NoPeopleGiven(InvalidArgument):
    """An issue names at least one person."""

    def __init__(self) -> None:
        super().__init__("Выберите хотя бы одного человека", code="no_person_ids")


class TooManyPeople(InvalidArgument):
    """One issue names at most MAX_PEOPLE_PER_ISSUE people."""

    def __init__(self) -> None:
        super().__init__(
            f"За один раз можно выдать не больше {MAX_PEOPLE_PER_ISSUE} паролей", code="too_many_person_ids"
        )


class ParentAlreadyLinked(AlreadyExists):
    """The student already has a linked parent of the same full name."""

    def __init__(self) -> None:
        super().__init__(
            "У этого обучающегося уже есть родитель с такими фамилией, именем и отчеством",
            code="parent_already_linked",
        )


def same_name(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    """Compare two full names case-insensitively, «ё» as «е»."""

    def fold(name: tuple[str, str, str]) -> tuple[str, ...]:
        return tuple(part.strip().lower().replace("ё", "е") for part in name)

    return fold(a) == fold(b)
