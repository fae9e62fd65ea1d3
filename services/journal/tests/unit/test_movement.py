"""Student movement by date against in-memory fakes: the rules of a movement, who is in a group on a
date, the admin-only RPC with its event and audit, and marks, attendance and homework refused for a
student outside their enrolment on the lesson's date."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import DomainError, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb
from journal_service.application.groups import EnrollStudent, ListGroupStudents, students_on
from journal_service.application.handlers import JournalHandlers
from journal_service.application.lessons import RecordAttendance, RecordLesson
from journal_service.application.marks import RecordMark
from journal_service.application.movement import MoveStudent
from journal_service.domain import errors, model, movement, year
from journal_service.domain.lessons import AttendanceEntry, AttendanceStatus, LessonKind
from journal_service.domain.movement import Enrolment, MovementKind, plan_movement

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 11, 30)
SEPT_1 = date(2026, 9, 1)
MOVED_ON = date(2026, 11, 2)
GROUP, OTHER_GROUP, MATH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, STUDENT, CLASSMATE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
AS_TEACHER = Principal(subject=str(TEACHER), roles=frozenset({"teacher"}), token="t")


def enrolment(group: uuid.UUID, start: date, end: date | None = None) -> Enrolment:
    return Enrolment(uuid.uuid4(), group, STUDENT, start, end)


# -- the rules ------------------------------------------------------------------------------------


def test_the_academic_year_starts_on_1_september() -> None:
    assert movement.academic_year_start(date(2026, 11, 30)) == date(2026, 9, 1)
    assert movement.academic_year_start(date(2027, 8, 31)) == date(2026, 9, 1)
    assert movement.academic_year_start(date(2026, 9, 1)) == date(2026, 9, 1)


def test_an_enrolment_covers_its_first_day_and_not_the_day_it_ends() -> None:
    stay = enrolment(GROUP, SEPT_1, MOVED_ON)
    assert stay.covers(SEPT_1) and stay.covers(date(2026, 11, 1))
    assert not stay.covers(MOVED_ON) and not stay.covers(date(2026, 8, 31))
    assert movement.members_on([stay], GROUP, date(2026, 10, 1)) == [STUDENT]
    assert movement.members_on([stay], GROUP, MOVED_ON) == []


def test_a_transfer_closes_the_current_enrolment_and_opens_the_other_group() -> None:
    current = enrolment(GROUP, SEPT_1)
    plan = plan_movement(
        MovementKind.TRANSFER, [current], from_group_id=None, to_group_id=OTHER_GROUP, on_date=MOVED_ON
    )
    assert (plan.close, plan.open_group_id) == (current, OTHER_GROUP)


@pytest.mark.parametrize(
    ("kind", "stays", "from_group", "to_group", "code"),
    [
        (MovementKind.TRANSFER, [], None, OTHER_GROUP, "student_not_in_group"),
        (MovementKind.EXPULSION, [(GROUP, SEPT_1, date(2026, 10, 1))], None, None, "student_not_in_group"),
        (MovementKind.EXPULSION, [(GROUP, SEPT_1, None)], OTHER_GROUP, None, "student_not_in_group"),
        (MovementKind.TRANSFER, [(GROUP, SEPT_1, None)], None, None, "missing_to_group_id"),
        (MovementKind.EXPULSION, [(GROUP, SEPT_1, None)], None, OTHER_GROUP, "unexpected_to_group_id"),
        (MovementKind.RETURN, [], GROUP, OTHER_GROUP, "unexpected_from_group_id"),
        (MovementKind.TRANSFER, [(GROUP, SEPT_1, None)], None, GROUP, "transfer_to_same_group"),
        (MovementKind.ACADEMIC_LEAVE, [(GROUP, MOVED_ON, None)], None, None, "movement_before_enrolment"),
        (
            MovementKind.ACADEMIC_LEAVE,
            [(GROUP, SEPT_1, date(2026, 12, 1))],
            None,
            None,
            "movement_out_of_order",
        ),
        (MovementKind.RETURN, [(GROUP, SEPT_1, None)], None, OTHER_GROUP, "student_still_enrolled"),
        (MovementKind.RETURN, [(GROUP, SEPT_1, date(2026, 12, 1))], None, GROUP, "student_still_enrolled"),
        (MovementKind.ENROLMENT, [(GROUP, SEPT_1, None)], None, OTHER_GROUP, "student_still_enrolled"),
        (MovementKind.GRADUATION, [], None, None, "student_not_in_group"),
        (MovementKind.ENROLMENT, [], None, None, "missing_to_group_id"),
        (MovementKind.GRADUATION, [(GROUP, SEPT_1, None)], None, OTHER_GROUP, "unexpected_to_group_id"),
        (
            MovementKind.ACADEMIC_LEAVE,
            [(GROUP, SEPT_1, None), (OTHER_GROUP, SEPT_1, None)],
            None,
            None,
            "missing_from_group_id",
        ),
        (
            MovementKind.TRANSFER,
            [(GROUP, SEPT_1, None), (OTHER_GROUP, SEPT_1, None)],
            GROUP,
            OTHER_GROUP,
            "student_already_in_group",
        ),
    ],
)
def test_each_rule_refuses_with_its_code(
    kind: MovementKind,
    stays: list[tuple[uuid.UUID, date, date | None]],
    from_group: uuid.UUID | None,
    to_group: uuid.UUID | None,
    code: str,
) -> None:
    # A return is checked against an earlier leave (else it is refused as return_without_leave first).
    history = [moved(MovementKind.ACADEMIC_LEAVE, date(2026, 10, 1))] if kind is MovementKind.RETURN else []
    with pytest.raises(DomainError) as refused:
        plan_movement(
            kind,
            [enrolment(*stay) for stay in stays],
            from_group_id=from_group,
            to_group_id=to_group,
            on_date=MOVED_ON,
            history=history,
        )
    assert refused.value.code == code


def moved(kind: MovementKind, on: date) -> movement.Movement:
    return movement.Movement(uuid.uuid4(), STUDENT, kind, None, None, on, "№ 1")


def test_a_return_after_leave_opens_the_group_again() -> None:
    left = enrolment(GROUP, SEPT_1, date(2026, 10, 1))
    plan = plan_movement(
        MovementKind.RETURN,
        [left],
        from_group_id=None,
        to_group_id=GROUP,
        on_date=MOVED_ON,
        history=[moved(MovementKind.ACADEMIC_LEAVE, date(2026, 10, 1))],
    )
    assert (plan.close, plan.open_group_id) == (None, GROUP)


LEAVE, EXPELLED, GRADUATED = (
    moved(MovementKind.ACADEMIC_LEAVE, date(2026, 10, 1)),
    moved(MovementKind.EXPULSION, date(2026, 10, 1)),
    moved(MovementKind.GRADUATION, date(2026, 10, 1)),
)
TRANSFERRED = moved(MovementKind.TRANSFER, date(2026, 10, 1))


@pytest.mark.parametrize(
    ("kind", "history", "on", "to_group", "code"),
    [
        # A movement dated before the student's last one, or on the same day.
        (MovementKind.EXPULSION, [TRANSFERRED], date(2026, 9, 20), None, "movement_out_of_order"),
        (MovementKind.EXPULSION, [TRANSFERRED], date(2026, 10, 1), None, "movement_same_day"),
        # A return without a leave (or an expulsion) before it.
        (MovementKind.RETURN, [], MOVED_ON, GROUP, "return_without_leave"),
        (MovementKind.RETURN, [TRANSFERRED], MOVED_ON, GROUP, "return_without_leave"),
        # Nothing but a return after an expulsion; nothing at all after a graduation.
        (MovementKind.EXPULSION, [EXPELLED], MOVED_ON, None, "student_expelled"),
        (MovementKind.GRADUATION, [EXPELLED], MOVED_ON, None, "student_expelled"),
        (MovementKind.ENROLMENT, [EXPELLED], MOVED_ON, GROUP, "student_expelled"),
        (MovementKind.EXPULSION, [GRADUATED], MOVED_ON, None, "student_graduated"),
        (MovementKind.RETURN, [GRADUATED], MOVED_ON, GROUP, "student_graduated"),
        # On academic leave: a return (or an expulsion) comes next.
        (MovementKind.TRANSFER, [LEAVE], MOVED_ON, OTHER_GROUP, "student_on_leave"),
        (MovementKind.ACADEMIC_LEAVE, [LEAVE], MOVED_ON, None, "student_on_leave"),
        (MovementKind.GRADUATION, [LEAVE], MOVED_ON, None, "student_on_leave"),
        (MovementKind.ENROLMENT, [LEAVE], MOVED_ON, GROUP, "student_on_leave"),
    ],
)
def test_each_rule_of_the_history_refuses_with_its_code(
    kind: MovementKind, history: list[movement.Movement], on: date, to_group: uuid.UUID | None, code: str
) -> None:
    stays = [] if history and history[-1].kind is not MovementKind.TRANSFER else [enrolment(GROUP, SEPT_1)]
    with pytest.raises(DomainError) as refused:
        plan_movement(kind, stays, from_group_id=None, to_group_id=to_group, on_date=on, history=history)
    assert refused.value.code == code


def test_an_expulsion_may_follow_an_academic_leave() -> None:
    left = enrolment(GROUP, SEPT_1, date(2026, 10, 1))
    plan = plan_movement(
        MovementKind.EXPULSION,
        [left],
        from_group_id=None,
        to_group_id=None,
        on_date=MOVED_ON,
        history=[LEAVE],
    )
    assert (plan.close, plan.open_group_id) == (None, None)


def test_a_return_after_an_expulsion_and_an_enrolment_open_a_group() -> None:
    left = enrolment(GROUP, SEPT_1, date(2026, 10, 1))
    back = plan_movement(
        MovementKind.RETURN,
        [left],
        from_group_id=None,
        to_group_id=OTHER_GROUP,
        on_date=MOVED_ON,
        history=[EXPELLED],
    )
    new = plan_movement(MovementKind.ENROLMENT, [], from_group_id=None, to_group_id=GROUP, on_date=MOVED_ON)
    assert (back.open_group_id, new.open_group_id) == (OTHER_GROUP, GROUP)


def test_a_transfer_stays_within_the_course_year() -> None:
    movement.check_transfer_year(2, 2)
    movement.check_transfer_year(None, 3)
    with pytest.raises(movement.TransferAcrossYears) as refused:
        movement.check_transfer_year(2, 3)
    assert refused.value.code == "transfer_across_years"


@pytest.mark.parametrize("number", ["", "   ", "1" * 33])
def test_an_order_number_is_required_and_short(number: str) -> None:
    with pytest.raises(movement.OrderNumberInvalid):
        movement.check_order_number(number)
    assert movement.check_order_number("  № 12-к  ") == "№ 12-к"


# -- the handlers ---------------------------------------------------------------------------------


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21"))
    store.groups.add(model.Group(OTHER_GROUP, "ИС-22"))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, OTHER_GROUP, MATH))
    store.bells.items = [year.BellPair(1, 510, 600)]
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    people = FakePersonDirectory({STUDENT: "student", CLASSMATE: "student", TEACHER: "teacher"})
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(people),
    )


def move(kind: MovementKind, to_group: uuid.UUID | None = None, on: date = MOVED_ON) -> MoveStudent:
    return MoveStudent(STUDENT, kind, None, to_group, on, "№ 12-к")


async def test_enrolment_starts_on_the_date_given_or_on_1_september(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await handlers.groups.enroll_student(EnrollStudent(GROUP, STUDENT), ADMIN)
    await handlers.groups.enroll_student(EnrollStudent(GROUP, CLASSMATE, date(2026, 10, 1)), ADMIN)

    assert [(e.student_id, e.enrolled_on) for e in store.groups.dated] == [
        (STUDENT, SEPT_1),
        (CLASSMATE, date(2026, 10, 1)),
    ]
    on = await handlers.groups.students(ListGroupStudents(GROUP, date(2026, 9, 15)), ADMIN)
    assert on == [STUDENT]
    assert set(await handlers.groups.students(ListGroupStudents(GROUP), ADMIN)) == {STUDENT, CLASSMATE}
    assert not await handlers.groups.enroll_student(EnrollStudent(GROUP, STUDENT), ADMIN)
    enrolled = store.events_of(events.StudentEnrolled)
    assert [(e.student_id, e.enrolled_on.month, e.enrolled_on.day) for e in enrolled] == [
        (str(STUDENT), 9, 1),
        (str(CLASSMATE), 10, 1),
    ]


async def test_a_transfer_moves_the_student_on_the_date_with_event_audit_and_history(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await handlers.groups.enroll_student(EnrollStudent(GROUP, STUDENT), ADMIN)

    moved = await handlers.movement.move_student(move(MovementKind.TRANSFER, OTHER_GROUP), ADMIN)

    assert (moved.from_group_id, moved.to_group_id, moved.on_date) == (GROUP, OTHER_GROUP, MOVED_ON)
    before, after = date(2026, 11, 1), MOVED_ON
    assert await handlers.groups.students(ListGroupStudents(GROUP, before), ADMIN) == [STUDENT]
    assert await handlers.groups.students(ListGroupStudents(GROUP, after), ADMIN) == []
    assert await handlers.groups.students(ListGroupStudents(OTHER_GROUP, before), ADMIN) == []
    assert await handlers.groups.students(ListGroupStudents(OTHER_GROUP, after), ADMIN) == [STUDENT]
    # History: the old enrolment is kept, closed on the date.
    assert sorted((e.group_id == GROUP, e.left_on) for e in store.groups.dated) == [
        (False, None),
        (True, MOVED_ON),
    ]
    [event] = store.events_of(events.StudentMoved)
    assert (event.student_id, event.kind, event.from_group_id, event.to_group_id) == (
        str(STUDENT),
        jpb.MOVEMENT_KIND_TRANSFER,
        str(GROUP),
        str(OTHER_GROUP),
    )
    assert (event.on_date.year, event.on_date.month, event.on_date.day) == (2026, 11, 2)
    # Ids, dates and the kind only: no order number, no names.
    assert {f.name for f, _ in event.ListFields()} <= {
        "event_id",
        "occurred_at",
        "movement_id",
        "student_id",
        "kind",
        "from_group_id",
        "to_group_id",
        "on_date",
    }
    assert [(a.action, a.actor_id, a.subject_person_id) for a in store.audits] == [
        ("student.moved:transfer", ADMIN.subject, str(STUDENT))
    ]
    assert store.groups.movements[0][1] == uuid.UUID(ADMIN.subject)
    assert store.groups.locked == [STUDENT]


async def test_leave_then_return_leaves_a_gap_in_the_group(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await handlers.groups.enroll_student(EnrollStudent(GROUP, STUDENT), ADMIN)
    await handlers.movement.move_student(move(MovementKind.ACADEMIC_LEAVE, on=date(2026, 10, 1)), ADMIN)
    await handlers.movement.move_student(move(MovementKind.RETURN, GROUP, on=MOVED_ON), ADMIN)

    for day, members in ((date(2026, 9, 30), [STUDENT]), (date(2026, 10, 15), []), (MOVED_ON, [STUDENT])):
        assert await handlers.groups.students(ListGroupStudents(GROUP, day), ADMIN) == members
    assert [e.kind for e, _ in store.groups.movements] == [MovementKind.ACADEMIC_LEAVE, MovementKind.RETURN]


@pytest.mark.parametrize("role", ["director", "deputy", "curator", "class_teacher", "teacher", "student"])
async def test_only_the_admin_moves_students(handlers: JournalHandlers, store: FakeStore, role: str) -> None:
    await handlers.groups.enroll_student(EnrollStudent(GROUP, STUDENT), ADMIN)
    actor = Principal(subject=str(uuid.uuid4()), roles=frozenset({role}), token="t")
    with pytest.raises(PermissionDenied):
        await handlers.movement.move_student(move(MovementKind.EXPULSION), actor)
    assert not store.groups.movements and not store.events_of(events.StudentMoved)


async def test_a_refused_movement_writes_nothing(handlers: JournalHandlers, store: FakeStore) -> None:
    with pytest.raises(movement.StudentNotInGroupOnDate):
        await handlers.movement.move_student(move(MovementKind.EXPULSION), ADMIN)
    with pytest.raises(errors.GroupNotFound):
        await handlers.movement.move_student(move(MovementKind.RETURN, uuid.uuid4()), ADMIN)
    with pytest.raises(errors.PersonNotStudent):
        await handlers.movement.move_student(
            MoveStudent(TEACHER, MovementKind.RETURN, None, GROUP, MOVED_ON, "1"), ADMIN
        )
    assert not store.groups.movements and not store.groups.dated and not store.events_of(events.StudentMoved)


# -- the lesson's date decides --------------------------------------------------------------------


async def transferred(handlers: JournalHandlers) -> None:
    await handlers.groups.enroll_student(EnrollStudent(GROUP, STUDENT), ADMIN)
    await handlers.movement.move_student(move(MovementKind.TRANSFER, OTHER_GROUP), ADMIN)


def mark(group: uuid.UUID, day: date) -> RecordMark:
    return RecordMark(
        student_id=STUDENT, group_id=group, discipline_id=MATH, lesson_date=day, value="5", lesson_id=None
    )


async def test_a_mark_is_refused_outside_the_enrolment_on_the_lesson_date(handlers: JournalHandlers) -> None:
    await transferred(handlers)

    await handlers.marks.record(mark(GROUP, date(2026, 11, 1)), AS_TEACHER)
    await handlers.marks.record(mark(OTHER_GROUP, MOVED_ON), AS_TEACHER)
    for group, day in ((GROUP, MOVED_ON), (OTHER_GROUP, date(2026, 11, 1)), (GROUP, date(2026, 8, 31))):
        with pytest.raises(errors.StudentNotInGroup) as refused:
            await handlers.marks.record(mark(group, day), AS_TEACHER)
        assert refused.value.code == "student_not_in_group"


async def test_attendance_and_homework_follow_the_lesson_date(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await transferred(handlers)
    store.groups.enrollments.add((GROUP, CLASSMATE))

    def lesson(day: date, recipients: tuple[uuid.UUID, ...] = ()) -> RecordLesson:
        return RecordLesson(
            group_id=GROUP,
            subgroup_id=None,
            discipline_id=MATH,
            lesson_date=day,
            pair_number=1,
            topic="Тема",
            kind=LessonKind.PRACTICAL,
            homework="Упражнение 1",
            homework_student_ids=recipients,
        )

    before = (await handlers.lessons.record(lesson(date(2026, 11, 1), (STUDENT,)), AS_TEACHER)).lesson
    with pytest.raises(DomainError):
        await handlers.lessons.record(lesson(MOVED_ON, (STUDENT,)), AS_TEACHER)
    after = (await handlers.lessons.record(lesson(MOVED_ON), AS_TEACHER)).lesson
    present = (AttendanceEntry(STUDENT, AttendanceStatus.PRESENT),)
    await handlers.lessons.record_attendance(RecordAttendance(before.id, present), AS_TEACHER)
    with pytest.raises(DomainError):
        await handlers.lessons.record_attendance(RecordAttendance(after.id, present), AS_TEACHER)


async def test_students_on_narrows_to_a_subgroup(handlers: JournalHandlers, store: FakeStore) -> None:
    await transferred(handlers)
    store.groups.enrollments.add((GROUP, CLASSMATE))
    subgroup = uuid.uuid4()
    store.subgroups.items.append(year.Subgroup(subgroup, GROUP, MATH, "подгруппа 1", (STUDENT, CLASSMATE)))
    uow = fake_unit_of_work(store)
    async with uow:
        assert await students_on(uow, GROUP, date(2026, 11, 1), subgroup) == sorted([STUDENT, CLASSMATE])
        assert await students_on(uow, GROUP, MOVED_ON, subgroup) == [CLASSMATE]
        assert await students_on(uow, GROUP, MOVED_ON) == [CLASSMATE]
