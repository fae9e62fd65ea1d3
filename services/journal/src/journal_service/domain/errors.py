"""Errors of the journal, each naming the state that forbids the action."""

from __future__ import annotations

from datetime import date

from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied


class UnknownMarkValue(InvalidArgument):
    """The value is not in the college's mark dictionary."""

    def __init__(self, value: str, allowed: list[str]) -> None:
        super().__init__(
            f"Отметка «{value}» не предусмотрена; допустимые: {', '.join(allowed)}",
            code="unknown_mark_value",
        )


class InvalidWeight(InvalidArgument):
    """A mark's weight is 1..5."""

    def __init__(self, weight: int) -> None:
        super().__init__(f"Вес оценки {weight} вне диапазона 1–5", code="invalid_weight")


class MarkLessonMismatch(InvalidArgument):
    """A mark on a lesson names a group, discipline or date other than the lesson's."""

    def __init__(self) -> None:
        super().__init__(
            "Группа, дисциплина или дата оценки не совпадают с занятием; укажите только занятие",
            code="mark_lesson_mismatch",
        )


class LessonDateInFuture(InvalidArgument):
    """Marks are recorded on or after the day of the lesson, never before it."""

    def __init__(self, lesson_date: date) -> None:
        super().__init__(
            f"Дата занятия {lesson_date:%d.%m.%Y} ещё не наступила", code="lesson_date_in_future"
        )


class NotTeachingThisGroup(PermissionDenied):
    """The teacher has no teaching load for this discipline in this group."""

    def __init__(self) -> None:
        super().__init__("Вы не ведёте эту дисциплину в этой группе", code="not_teaching_this_group")


class StudentNotInGroup(FailedPrecondition):
    """The student is not enrolled in the group."""

    def __init__(self) -> None:
        super().__init__("Обучающийся не числится в этой группе", code="student_not_in_group")


class GroupNameTaken(AlreadyExists):
    """Group names are unique in the college."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Группа «{name}» уже существует", code="group_name_taken")


class GroupNotFound(NotFound):
    """No group with this id."""

    def __init__(self) -> None:
        super().__init__("Группа не найдена", code="group_not_found")


class DisciplineNotFound(NotFound):
    """No discipline with this id."""

    def __init__(self) -> None:
        super().__init__("Дисциплина не найдена", code="discipline_not_found")


class StudentNotVisible(NotFound):
    """The caller may not see this student; we do not reveal whether the student exists."""

    def __init__(self) -> None:
        super().__init__("Обучающийся не найден", code="student_not_found")


class PersonNotFound(NotFound):
    """The journal does not know this person, nor does identity."""

    def __init__(self) -> None:
        super().__init__("Человек с таким идентификатором не найден", code="person_not_found")


class PersonNotStudent(FailedPrecondition):
    """Only a person with the role «обучающийся» is enrolled into a group."""

    def __init__(self) -> None:
        super().__init__(
            "Зачислить в группу можно только обучающегося; у этого человека другая роль",
            code="person_not_student",
        )


class PersonNotTeacher(FailedPrecondition):
    """Only a teacher or a class teacher is given a teaching load."""

    def __init__(self) -> None:
        super().__init__(
            "Нагрузку можно назначить только преподавателю или классному руководителю; "
            "у этого человека другая роль",
            code="person_not_teacher",
        )


class RoleRequired(PermissionDenied):
    """The caller lacks the role the action needs."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Недостаточно прав: {what}", code="role_required")
