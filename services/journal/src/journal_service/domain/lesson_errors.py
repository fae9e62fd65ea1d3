"""Errors of lessons and attendance (R2.3), each naming the state that forbids the action."""

from __future__ import annotations

from datetime import date

from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound


class InvalidLessonKind(InvalidArgument):
    """Every lesson has a kind."""

    def __init__(self) -> None:
        super().__init__("Укажите вид занятия", code="invalid_lesson_kind")


class SubgroupNotFound(NotFound):
    """No subgroup with this id in the group for the discipline."""

    def __init__(self) -> None:
        super().__init__("Подгруппа не найдена в этой группе по этой дисциплине", code="subgroup_not_found")


class PairNotInSchedule(InvalidArgument):
    """The pair is not in the college's bell schedule."""

    def __init__(self, number: int) -> None:
        super().__init__(f"В расписании звонков нет {number}-й пары", code="pair_not_in_schedule")


class NotATeachingDay(FailedPrecondition):
    """The group's calendar has no theory or practice on that day (holidays, session, ГИА, a gap)."""

    def __init__(self, day: date) -> None:
        super().__init__(
            f"{day:%d.%m.%Y} — не учебный день по календарному учебному графику группы",
            code="not_a_teaching_day",
        )


class HomeworkDeadlineInvalid(InvalidArgument):
    """A homework deadline comes with homework, on or after the lesson."""

    def __init__(self) -> None:
        super().__init__(
            "Срок домашнего задания указывают вместе с заданием, не раньше дня занятия",
            code="invalid_homework_deadline",
        )


class LessonSlotTaken(AlreadyExists):
    """One lesson per group (or subgroup), date and pair."""

    def __init__(self, day: date, pair: int) -> None:
        super().__init__(
            f"На {day:%d.%m.%Y}, {pair}-ю пару у группы уже записано другое занятие",
            code="lesson_slot_taken",
        )


class InvalidLessonRange(InvalidArgument):
    """A list of lessons spans at most a year, the last day not before the first."""

    def __init__(self) -> None:
        super().__init__(
            "Период должен начинаться не позже, чем заканчивается, и быть не длиннее года",
            code="invalid_lesson_range",
        )


class LessonNotFound(NotFound):
    """No lesson with this id, or the caller may not see it (existence is not revealed)."""

    def __init__(self) -> None:
        super().__init__("Занятие не найдено", code="lesson_not_found")


class InvalidAttendanceStatus(InvalidArgument):
    """Every entry says present, absent or late."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: укажите, был ли обучающийся на занятии", code="invalid_attendance_status"
        )


class ReasonWithoutAbsence(InvalidArgument):
    """A reason category belongs to an absence or lateness only."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: причина указывается только для пропуска или опоздания",
            code="reason_without_absence",
        )


class DuplicateAttendanceStudent(InvalidArgument):
    """Each student appears once per lesson."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: обучающийся указан дважды", code="duplicate_attendance_student"
        )


class TooManyAttendanceEntries(InvalidArgument):
    """A lesson's attendance has a bounded number of entries."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Не больше {limit} обучающихся за раз", code="too_many_attendance_entries")


class StudentNotInSubgroup(FailedPrecondition):
    """The lesson is a subgroup's and the student is not in it."""

    def __init__(self) -> None:
        super().__init__("Обучающийся не входит в подгруппу этого занятия", code="student_not_in_subgroup")


class HomeworkDetailsWithoutHomework(InvalidArgument):
    """The kind of the homework and its students come with the homework's text."""

    def __init__(self) -> None:
        super().__init__(
            "Вид задания и список обучающихся указывают вместе с текстом задания",
            code="homework_details_without_homework",
        )


class TooManyHomeworkStudents(InvalidArgument):
    """An individual task names a bounded number of students."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Задание — не больше чем для {limit} обучающихся", code="too_many_homework_students"
        )
