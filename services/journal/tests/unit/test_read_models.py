"""Read models (journal page, group view, diary) and «Пропуски» against in-memory fakes: the assembly,
the averages from domain/averages.py, who may read and correct, audits and the event."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from chassis.auth import Principal
from chassis.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb
from journal_service.application.absences import CorrectAbsenceReasons, ListGroupAbsences
from journal_service.application.handlers import JournalHandlers
from journal_service.application.read_models import GetGroupOverview, GetJournalPage, GetStudentDiary
from journal_service.domain import lessons, model, year
from journal_service.domain.lessons import AbsenceReason, AttendanceEntry, AttendanceStatus, LessonKind
from journal_service.domain.read_models import JournalPage, ReasonCorrection
from journal_service.domain.year import DateSpan

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

GROUP, OTHER_GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, COLLEAGUE, CLASS_TEACHER, PARENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
STUDENTS = sorted(uuid.uuid4() for _ in range(3))
OUTSIDER = uuid.uuid4()
SUBGROUP = uuid.uuid4()
MONDAY = date(2026, 10, 12)
WEEK = DateSpan(MONDAY, date(2026, 10, 18))


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


AS_TEACHER = person("teacher", subject=TEACHER)
AS_CLASS_TEACHER = person("class_teacher", subject=CLASS_TEACHER)
AS_ADMIN = person("admin")


def add_lesson(
    store: FakeStore,
    day: date,
    pair: int,
    *,
    discipline: uuid.UUID = MATH,
    group: uuid.UUID = GROUP,
    subgroup: uuid.UUID | None = None,
    homework: str = "",
) -> uuid.UUID:
    lesson = lessons.Lesson(
        uuid.uuid4(), group, subgroup, discipline, TEACHER, day, pair, "Тема", LessonKind.LECTURE, homework
    )
    store.lessons.items[lesson.id] = lesson
    return lesson.id


def add_mark(
    store: FakeStore,
    student: uuid.UUID,
    value: str,
    day: date,
    *,
    lesson: uuid.UUID | None = None,
    discipline: uuid.UUID = MATH,
    weight: int = 1,
) -> None:
    store.marks.items.append(
        model.Mark(
            uuid.uuid4(), student, GROUP, discipline, TEACHER, day, value, lesson_id=lesson, weight=weight
        )
    )


def attend(
    store: FakeStore, lesson: uuid.UUID, student: uuid.UUID, status: str, reason: str = "unspecified"
) -> None:
    store.lessons.attendance.setdefault(lesson, []).append(
        AttendanceEntry(student, AttendanceStatus(status), AbsenceReason(reason))
    )


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    store.groups.add(model.Group(OTHER_GROUP, "ИС-22"))
    for student in STUDENTS:
        store.groups.enrollments.add((GROUP, student))
    store.groups.enrollments.add((OTHER_GROUP, OUTSIDER))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), COLLEAGUE, OTHER_GROUP, MATH))
    store.disciplines.add(model.Discipline(MATH, "ОП.01", "Математика", model.DisciplineKind.DISCIPLINE))
    store.disciplines.add(
        model.Discipline(ENGLISH, "ОГСЭ.03", "Английский язык", model.DisciplineKind.DISCIPLINE)
    )
    store.subgroups.items.append(year.Subgroup(SUBGROUP, GROUP, ENGLISH, "подгруппа 1", (STUDENTS[0],)))
    return store


@pytest.fixture
def guardians() -> FakeGuardians:
    return FakeGuardians({(str(PARENT), str(STUDENTS[0]))})


@pytest.fixture
def handlers(store: FakeStore, guardians: FakeGuardians) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=guardians,
        today=lambda: date(2026, 10, 15),
        people=person_directory(FakePersonDirectory()),
    )


def page(subgroup: uuid.UUID | None = None, discipline: uuid.UUID = MATH) -> GetJournalPage:
    return GetJournalPage(GROUP, discipline, subgroup, WEEK)


def cells_of(got: JournalPage) -> list[tuple[uuid.UUID, uuid.UUID, list[str], str]]:
    """Return a page's cells row by row: student, lesson, the values of its marks in order, status."""
    values: dict[int, list[str]] = {}
    for position, mark in zip(got.mark_cell, got.marks, strict=True):
        values.setdefault(position, []).append(mark.value)
    cells = got.cells
    return [
        (got.student_ids[student], got.lessons[lesson].id, values.get(i, []), status)
        for i, (student, lesson, status) in enumerate(
            zip(cells.student, cells.lesson, cells.status, strict=True)
        )
    ]


async def test_a_page_has_students_lessons_cells_and_averages(
    store: FakeStore, handlers: JournalHandlers
) -> None:
    first, second = add_lesson(store, MONDAY, 2), add_lesson(store, MONDAY, 1)
    add_mark(store, STUDENTS[0], "5", MONDAY, lesson=first, weight=2)
    add_mark(store, STUDENTS[0], "3", MONDAY, lesson=first)
    add_mark(store, STUDENTS[0], "4", MONDAY)  # by date only
    add_mark(store, STUDENTS[1], "н", MONDAY, lesson=second)
    attend(store, second, STUDENTS[1], "absent", "illness")
    attend(store, second, STUDENTS[2], "present")  # no cell: present at a lesson whose attendance was taken
    add_lesson(store, date(2026, 10, 19), 1)  # after the period

    got = await handlers.read_models.journal_page(page(), AS_TEACHER)

    assert got.student_ids == STUDENTS
    assert [lesson.id for lesson in got.lessons] == [second, first]  # by date and pair
    assert cells_of(got) == [
        (STUDENTS[0], first, ["5", "3"], ""),
        (STUDENTS[1], second, ["н"], "absent"),
    ]
    assert [m.value for m in got.marks_without_lesson] == ["4"]
    assert got.lessons_with_attendance == [second]
    # (5 + 3 + 4) / 3 and (5·2 + 3 + 4) / 4: the lesson's marks and the dated one, «н» never counts.
    assert (got.means[0], got.weighted_means[0]) == (Decimal("4.00"), Decimal("4.25"))
    assert (got.means[1], got.means[2]) == (None, None)
    assert [(a.action, a.actor_id, a.resource_id) for a in store.audits] == [
        ("journal_page.read", str(TEACHER), str(GROUP))
    ]


async def test_a_subgroup_page_has_its_students_and_its_lessons_and_the_whole_groups(
    store: FakeStore, handlers: JournalHandlers
) -> None:
    own = add_lesson(store, MONDAY, 1, discipline=ENGLISH, subgroup=SUBGROUP)
    other = add_lesson(store, MONDAY, 1, discipline=ENGLISH, subgroup=uuid.uuid4())
    whole = add_lesson(store, MONDAY, 2, discipline=ENGLISH)

    got = await handlers.read_models.journal_page(page(SUBGROUP, ENGLISH), person("admin"))

    assert got.student_ids == [STUDENTS[0]]
    assert [lesson.id for lesson in got.lessons] == [own, whole]
    assert other not in {lesson.id for lesson in got.lessons}
    with pytest.raises(NotFound) as refused:
        await handlers.read_models.journal_page(page(SUBGROUP, MATH), person("admin"))
    assert refused.value.code == "subgroup_not_found"


@pytest.mark.parametrize(
    "caller",
    [
        person("teacher", subject=COLLEAGUE),  # teaches the discipline to another group
        person("student", subject=STUDENTS[0]),
        person("parent", subject=PARENT),
        person("class_teacher"),  # of another group
    ],
)
async def test_a_page_is_not_found_for_anyone_outside_the_group(
    handlers: JournalHandlers, caller: Principal
) -> None:
    with pytest.raises(NotFound) as refused:
        await handlers.read_models.journal_page(page(), caller)
    assert refused.value.code == "group_not_found"


@pytest.mark.parametrize("caller", [AS_TEACHER, AS_CLASS_TEACHER, person("director"), person("curator")])
async def test_the_groups_readers_read_its_pages_in_any_discipline(
    handlers: JournalHandlers, caller: Principal
) -> None:
    got = await handlers.read_models.journal_page(page(discipline=ENGLISH), caller)
    assert got.student_ids == STUDENTS


async def test_a_period_longer_than_a_year_or_backwards_is_refused(handlers: JournalHandlers) -> None:
    for span in (DateSpan(MONDAY, date(2027, 10, 20)), DateSpan(MONDAY, date(2026, 10, 1))):
        with pytest.raises(InvalidArgument) as refused:
            await handlers.read_models.journal_page(GetJournalPage(GROUP, MATH, None, span), AS_TEACHER)
        assert refused.value.code == "invalid_lesson_range"


async def test_the_group_view_counts_per_student_and_discipline(
    store: FakeStore, handlers: JournalHandlers
) -> None:
    math, english = add_lesson(store, MONDAY, 1), add_lesson(store, MONDAY, 2, discipline=ENGLISH)
    third = add_lesson(store, date(2026, 10, 13), 1)
    add_mark(store, STUDENTS[0], "5", MONDAY, lesson=math)
    add_mark(store, STUDENTS[0], "4", MONDAY, weight=3)
    add_mark(store, STUDENTS[0], "зач", MONDAY)
    attend(store, math, STUDENTS[1], "absent")  # no reason yet
    attend(store, third, STUDENTS[1], "absent", "illness")
    attend(store, english, STUDENTS[1], "late", "unexcused")
    attend(store, english, STUDENTS[2], "present")

    got = await handlers.read_models.group_overview(GetGroupOverview(GROUP, WEEK), AS_CLASS_TEACHER)

    assert [d.code for d in got.disciplines] == ["ОГСЭ.03", "ОП.01"]
    cells = {(c.student_id, c.discipline_id): c for c in got.cells}
    assert set(cells) == {(STUDENTS[0], MATH), (STUDENTS[1], MATH), (STUDENTS[1], ENGLISH)}
    marks = cells[(STUDENTS[0], MATH)]
    assert (marks.mean, marks.weighted_mean, marks.mark_count) == (Decimal("4.50"), Decimal("4.25"), 2)
    absent = cells[(STUDENTS[1], MATH)]
    assert (absent.absences, absent.without_valid_reason, absent.lateness, absent.mean) == (2, 1, 0, None)
    assert (cells[(STUDENTS[1], ENGLISH)].lateness, cells[(STUDENTS[1], ENGLISH)].absences) == (1, 0)
    assert [a.action for a in store.audits] == ["group_overview.read"]


async def test_the_diary_shows_the_students_lessons_homework_marks_and_averages(
    store: FakeStore, handlers: JournalHandlers
) -> None:
    math = add_lesson(store, MONDAY, 1, homework="№ 1–5")
    mine = add_lesson(store, MONDAY, 2, discipline=ENGLISH, subgroup=SUBGROUP, homework="Текст 3")
    others = add_lesson(store, MONDAY, 2, discipline=ENGLISH, subgroup=uuid.uuid4())
    chosen = add_lesson(store, date(2026, 10, 13), 1, homework="Доклад")
    store.read_models.recipients[chosen] = {STUDENTS[1]}
    add_lesson(store, MONDAY, 3, group=OTHER_GROUP)
    add_mark(store, STUDENTS[0], "5", MONDAY, lesson=math, weight=2)
    add_mark(store, STUDENTS[0], "3", MONDAY, lesson=math)
    add_mark(store, STUDENTS[0], "4", date(2026, 10, 14), discipline=ENGLISH)
    attend(store, mine, STUDENTS[0], "late", "documented")

    got = await handlers.read_models.diary(
        GetStudentDiary(STUDENTS[0], WEEK), person("student", subject=STUDENTS[0])
    )

    assert [d.day for d in got.days] == [MONDAY, date(2026, 10, 13), date(2026, 10, 14)]
    monday = got.days[0]
    assert [(i.lesson.id, i.lesson.homework) for i in monday.lessons] == [(math, "№ 1–5"), (mine, "Текст 3")]
    assert others not in {i.lesson.id for d in got.days for i in d.lessons}
    assert [m.value for m in monday.lessons[0].marks] == ["5", "3"]
    assert (monday.lessons[1].status, monday.lessons[1].reason) == ("late", "documented")
    assert got.days[1].lessons[0].lesson.homework == ""  # set for another student
    assert [m.value for m in got.days[2].marks_without_lesson] == ["4"]
    assert {a.discipline_id: (a.mean, a.weighted_mean) for a in got.averages} == {
        MATH: (Decimal("4.00"), Decimal("4.33")),
        ENGLISH: (Decimal("4.00"), Decimal("4.00")),
    }
    assert store.audits == []  # the student's own diary


async def test_homework_for_chosen_students_is_in_their_diary(
    store: FakeStore, handlers: JournalHandlers
) -> None:
    chosen = add_lesson(store, MONDAY, 1, homework="Доклад")
    store.read_models.recipients[chosen] = {STUDENTS[1]}
    got = await handlers.read_models.diary(GetStudentDiary(STUDENTS[1], WEEK), AS_CLASS_TEACHER)
    assert got.days[0].lessons[0].lesson.homework == "Доклад"
    assert [(a.action, a.subject_person_id) for a in store.audits] == [("diary.read", str(STUDENTS[1]))]


@pytest.mark.parametrize(
    "caller",
    [
        AS_CLASS_TEACHER,
        AS_TEACHER,
        person("parent", subject=PARENT),
        person("deputy"),
    ],
)
async def test_the_diary_readers(handlers: JournalHandlers, caller: Principal) -> None:
    await handlers.read_models.diary(GetStudentDiary(STUDENTS[0], WEEK), caller)


@pytest.mark.parametrize(
    "caller",
    [
        person("student", subject=STUDENTS[1]),  # a classmate
        person("parent"),  # someone else's parent
        person("teacher", subject=COLLEAGUE),
        person("class_teacher"),
    ],
)
async def test_the_diary_is_not_found_for_others(handlers: JournalHandlers, caller: Principal) -> None:
    with pytest.raises(NotFound) as refused:
        await handlers.read_models.diary(GetStudentDiary(STUDENTS[0], WEEK), caller)
    assert refused.value.code == "student_not_found"


async def test_a_week_of_absences_by_student_date_and_pair(
    store: FakeStore, handlers: JournalHandlers
) -> None:
    late = add_lesson(store, date(2026, 10, 13), 1)
    first = add_lesson(store, MONDAY, 2, discipline=ENGLISH)
    attend(store, late, STUDENTS[1], "late")
    attend(store, first, STUDENTS[1], "absent", "illness")
    attend(store, first, STUDENTS[0], "absent")
    attend(store, first, STUDENTS[2], "present")
    attend(store, add_lesson(store, date(2026, 10, 19), 1), STUDENTS[0], "absent")  # next week

    got = await handlers.absences.week(ListGroupAbsences(GROUP, MONDAY), AS_CLASS_TEACHER)

    assert [(r.student_id, r.lesson_id, r.status) for r in got.absences] == [
        (STUDENTS[0], first, "absent"),
        (STUDENTS[1], first, "absent"),
        (STUDENTS[1], late, "late"),
    ]
    assert [d.id for d in got.disciplines] == [ENGLISH, MATH]
    with pytest.raises(InvalidArgument) as refused:
        await handlers.absences.week(ListGroupAbsences(GROUP, date(2026, 10, 13)), AS_CLASS_TEACHER)
    assert refused.value.code == "invalid_week_start"


async def test_the_class_teacher_corrects_reasons_all_at_once_evented_and_audited(
    store: FakeStore, handlers: JournalHandlers
) -> None:
    lesson = add_lesson(store, MONDAY, 1)
    attend(store, lesson, STUDENTS[0], "absent")
    attend(store, lesson, STUDENTS[1], "late", "unexcused")
    attend(store, lesson, STUDENTS[2], "absent", "illness")

    got = await handlers.absences.correct(
        CorrectAbsenceReasons(
            GROUP,
            (
                ReasonCorrection(lesson, STUDENTS[0], AbsenceReason.DOCUMENTED),
                ReasonCorrection(lesson, STUDENTS[1], AbsenceReason.COLLEGE_BUSINESS),
                ReasonCorrection(lesson, STUDENTS[2], AbsenceReason.ILLNESS),  # unchanged
            ),
        ),
        AS_CLASS_TEACHER,
    )

    assert [(c.old_reason, c.reason) for c in got] == [
        (AbsenceReason.UNSPECIFIED, AbsenceReason.DOCUMENTED),
        (AbsenceReason.UNEXCUSED, AbsenceReason.COLLEGE_BUSINESS),
        (AbsenceReason.ILLNESS, AbsenceReason.ILLNESS),
    ]
    assert [e.reason for e in store.lessons.attendance[lesson]] == [
        AbsenceReason.DOCUMENTED,
        AbsenceReason.COLLEGE_BUSINESS,
        AbsenceReason.ILLNESS,
    ]
    [event] = store.events_of(events.AttendanceCorrected)
    assert (event.group_id, event.corrected_by) == (str(GROUP), str(CLASS_TEACHER))
    assert [(c.student_id, c.old_reason, c.reason) for c in event.changes] == [
        (str(STUDENTS[0]), jpb.ABSENCE_REASON_UNSPECIFIED, jpb.ABSENCE_REASON_DOCUMENTED),
        (str(STUDENTS[1]), jpb.ABSENCE_REASON_UNEXCUSED, jpb.ABSENCE_REASON_COLLEGE_BUSINESS),
    ]
    assert [(a.action, a.actor_id, a.resource_id, a.subject_person_id) for a in store.audits] == [
        (
            "attendance.reason_corrected:unspecified->documented",
            str(CLASS_TEACHER),
            str(lesson),
            str(STUDENTS[0]),
        ),
        (
            "attendance.reason_corrected:unexcused->college_business",
            str(CLASS_TEACHER),
            str(lesson),
            str(STUDENTS[1]),
        ),
    ]


@pytest.mark.parametrize(
    "problem", ["present", "not recorded", "another group", "no lesson", "twice", "none"]
)
async def test_a_bad_correction_refuses_the_whole_batch(
    store: FakeStore, handlers: JournalHandlers, problem: str
) -> None:
    lesson, elsewhere = add_lesson(store, MONDAY, 1), add_lesson(store, MONDAY, 1, group=OTHER_GROUP)
    attend(store, lesson, STUDENTS[0], "absent")
    attend(store, lesson, STUDENTS[1], "present")
    attend(store, elsewhere, OUTSIDER, "absent")
    good = ReasonCorrection(lesson, STUDENTS[0], AbsenceReason.ILLNESS)
    bad = {
        "present": (
            ReasonCorrection(lesson, STUDENTS[1], AbsenceReason.ILLNESS),
            FailedPrecondition,
            "not_an_absence",
        ),
        "not recorded": (
            ReasonCorrection(lesson, STUDENTS[2], AbsenceReason.ILLNESS),
            FailedPrecondition,
            "not_an_absence",
        ),
        "another group": (
            ReasonCorrection(elsewhere, OUTSIDER, AbsenceReason.ILLNESS),
            FailedPrecondition,
            "lesson_of_another_group",
        ),
        "no lesson": (
            ReasonCorrection(uuid.uuid4(), STUDENTS[0], AbsenceReason.ILLNESS),
            NotFound,
            "lesson_not_found",
        ),
        "twice": (good, InvalidArgument, "duplicate_correction"),
    }
    corrections: tuple[ReasonCorrection, ...]
    if problem == "none":
        corrections, error, code = (), InvalidArgument, "missing_corrections"
    else:
        item, error, code = bad[problem]
        corrections = (good, item)
    with pytest.raises(error) as refused:
        await handlers.absences.correct(CorrectAbsenceReasons(GROUP, corrections), AS_CLASS_TEACHER)
    assert refused.value.code == code
    assert store.lessons.attendance[lesson][0].reason == AbsenceReason.UNSPECIFIED
    assert store.events_of(events.AttendanceCorrected) == []
    assert store.audits == []


@pytest.mark.parametrize(
    ("caller", "error", "code"),
    [
        (AS_TEACHER, PermissionDenied, "not_class_teacher"),
        (person("director"), PermissionDenied, "role_required"),
        (person("class_teacher"), NotFound, "group_not_found"),
        (person("student", subject=STUDENTS[0]), NotFound, "group_not_found"),
    ],
)
async def test_only_the_class_teacher_and_the_admin_correct_reasons(
    store: FakeStore, handlers: JournalHandlers, caller: Principal, error: type[Exception], code: str
) -> None:
    lesson = add_lesson(store, MONDAY, 1)
    attend(store, lesson, STUDENTS[0], "absent")
    cmd = CorrectAbsenceReasons(GROUP, (ReasonCorrection(lesson, STUDENTS[0], AbsenceReason.ILLNESS),))
    with pytest.raises(error) as refused:
        await handlers.absences.correct(cmd, caller)
    assert getattr(refused.value, "code", None) == code
    await handlers.absences.correct(cmd, AS_ADMIN)
    assert store.lessons.attendance[lesson][0].reason == AbsenceReason.ILLNESS
