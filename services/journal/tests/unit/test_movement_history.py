"""Student movement completed (issue 7 item 8) against in-memory fakes: enrolment and graduation as
dated movements, a whole group graduated by one order, the refusals that need the journal's state
(course year, records left behind), and who reads a student's history and a group's list."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import DomainError, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb
from journal_service.application.handlers import JournalHandlers
from journal_service.application.movement import (
    GetStudentMovements,
    GraduateGroup,
    ListGroupMovements,
    MoveStudent,
)
from journal_service.domain import errors, model, movement
from journal_service.domain.movement import MovementKind

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 11, 30)
SEPT_1 = date(2026, 9, 1)
MOVED_ON = date(2026, 11, 2)
GROUP, OTHER_GROUP, SENIOR_GROUP = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
STUDENT, CLASSMATE, PARENT, KLASSRUK, OTHER_KLASSRUK = (uuid.uuid4() for _ in range(5))
ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")


def who(person: uuid.UUID, role: str) -> Principal:
    return Principal(subject=str(person), roles=frozenset({role}), token="t")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", course_year=2, class_teacher_id=KLASSRUK))
    store.groups.add(model.Group(OTHER_GROUP, "ИС-22", course_year=2, class_teacher_id=OTHER_KLASSRUK))
    store.groups.add(model.Group(SENIOR_GROUP, "ИС-31", course_year=3))
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    people = FakePersonDirectory({STUDENT: "student", CLASSMATE: "student", KLASSRUK: "class_teacher"})
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians({(str(PARENT), str(STUDENT))}),
        today=lambda: TODAY,
        people=person_directory(people),
    )


def move(
    kind: MovementKind, on: date, to_group: uuid.UUID | None = None, student: uuid.UUID = STUDENT
) -> MoveStudent:
    return MoveStudent(student, kind, None, to_group, on, "№ 12-к")


async def enrolled(handlers: JournalHandlers, student: uuid.UUID = STUDENT) -> None:
    await handlers.movement.move_student(move(MovementKind.ENROLMENT, SEPT_1, GROUP, student), ADMIN)


async def test_an_enrolment_is_a_dated_movement_by_order(handlers: JournalHandlers, store: FakeStore) -> None:
    await enrolled(handlers)

    assert await store.groups.students_of(GROUP, on=SEPT_1) == [STUDENT]
    assert await store.groups.students_of(GROUP, on=date(2026, 8, 31)) == []
    [event] = store.events_of(events.StudentMoved)
    assert (event.kind, event.from_group_id, event.to_group_id) == (
        jpb.MOVEMENT_KIND_ENROLMENT,
        "",
        str(GROUP),
    )
    assert [a.action for a in store.audits] == ["student.moved:enrolment"]


async def test_a_group_graduates_at_once_by_one_order(handlers: JournalHandlers, store: FakeStore) -> None:
    await enrolled(handlers)
    await enrolled(handlers, CLASSMATE)
    graduation = date(2027, 7, 1)

    moved = await handlers.movement.graduate_group(GraduateGroup(GROUP, graduation, "№ 300-к"), ADMIN)

    assert sorted(m.student_id for m in moved) == sorted([STUDENT, CLASSMATE])
    assert {(m.kind, m.from_group_id, m.order_number) for m in moved} == {
        (MovementKind.GRADUATION, GROUP, "№ 300-к")
    }
    assert await store.groups.students_of(GROUP, on=graduation) == []
    assert len(await store.groups.students_of(GROUP, on=date(2027, 6, 30))) == 2
    graduated = [e for e in store.events_of(events.StudentMoved) if e.kind == jpb.MOVEMENT_KIND_GRADUATION]
    assert len(graduated) == 2
    # Nothing may follow a graduation.
    with pytest.raises(movement.StudentGraduated):
        await handlers.movement.move_student(move(MovementKind.RETURN, date(2027, 9, 1), GROUP), ADMIN)


async def test_a_graduation_is_refused_as_a_whole(handlers: JournalHandlers, store: FakeStore) -> None:
    await enrolled(handlers)
    await enrolled(handlers, CLASSMATE)
    store.movements.records[(CLASSMATE, GROUP)] = [date(2027, 7, 2)]
    before = (store.commits, len(store.events_of(events.StudentMoved)), len(store.audits))

    with pytest.raises(movement.MarksAfterMovement) as refused:
        await handlers.movement.graduate_group(GraduateGroup(GROUP, date(2027, 7, 1), "№ 300-к"), ADMIN)

    assert refused.value.code == "records_after_movement"
    # Nothing committed: no event, no audit (the database's rollback is proven over real gRPC).
    assert (store.commits, len(store.events_of(events.StudentMoved)), len(store.audits)) == before


async def test_a_graduation_needs_students_and_the_admin(handlers: JournalHandlers) -> None:
    with pytest.raises(movement.GroupHasNoStudents):
        await handlers.movement.graduate_group(GraduateGroup(OTHER_GROUP, date(2027, 7, 1), "1"), ADMIN)
    with pytest.raises(errors.GroupNotFound):
        await handlers.movement.graduate_group(GraduateGroup(uuid.uuid4(), date(2027, 7, 1), "1"), ADMIN)
    with pytest.raises(PermissionDenied):
        await handlers.movement.graduate_group(
            GraduateGroup(GROUP, date(2027, 7, 1), "1"), who(KLASSRUK, "class_teacher")
        )


async def test_a_transfer_into_another_course_year_is_refused(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await enrolled(handlers)
    with pytest.raises(movement.TransferAcrossYears):
        await handlers.movement.move_student(move(MovementKind.TRANSFER, MOVED_ON, SENIOR_GROUP), ADMIN)
    await handlers.movement.move_student(move(MovementKind.TRANSFER, MOVED_ON, OTHER_GROUP), ADMIN)
    assert await store.groups.students_of(OTHER_GROUP, on=MOVED_ON) == [STUDENT]


async def test_a_movement_leaving_marks_or_absences_behind_is_refused(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await enrolled(handlers)
    store.movements.records[(STUDENT, GROUP)] = [date(2026, 10, 30), date(2026, 11, 5)]

    with pytest.raises(DomainError) as refused:
        await handlers.movement.move_student(move(MovementKind.TRANSFER, MOVED_ON, OTHER_GROUP), ADMIN)

    assert refused.value.code == "records_after_movement"
    assert "05.11.2026" in refused.value.message
    await handlers.movement.move_student(move(MovementKind.TRANSFER, date(2026, 11, 6), OTHER_GROUP), ADMIN)


async def test_two_movements_on_one_day_and_one_before_the_last_are_refused(
    handlers: JournalHandlers,
) -> None:
    await enrolled(handlers)
    await handlers.movement.move_student(move(MovementKind.ACADEMIC_LEAVE, MOVED_ON), ADMIN)
    for day, code in ((MOVED_ON, "movement_same_day"), (date(2026, 10, 1), "movement_out_of_order")):
        with pytest.raises(DomainError) as refused:
            await handlers.movement.move_student(move(MovementKind.RETURN, day, GROUP), ADMIN)
        assert refused.value.code == code


# -- who reads the history ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "audited"),
    [
        (ADMIN, True),
        (who(uuid.uuid4(), "director"), True),
        (who(KLASSRUK, "class_teacher"), True),
        (who(PARENT, "parent"), True),
        (who(STUDENT, "student"), False),
    ],
)
async def test_a_students_history_is_read_by_its_readers(
    handlers: JournalHandlers, store: FakeStore, reader: Principal, audited: bool
) -> None:
    await enrolled(handlers)
    await handlers.movement.move_student(move(MovementKind.TRANSFER, MOVED_ON, OTHER_GROUP), ADMIN)
    store.audits.clear()

    found = await handlers.movement.student_movements(GetStudentMovements(STUDENT), reader)

    assert [m.kind for m in found] == [MovementKind.ENROLMENT, MovementKind.TRANSFER]
    reads = [(a.action, a.actor_id, a.subject_person_id) for a in store.audits]
    assert reads == ([("student_movements.read", reader.subject, str(STUDENT))] if audited else [])


@pytest.mark.parametrize(
    "reader",
    [
        who(uuid.uuid4(), "parent"),
        who(CLASSMATE, "student"),
        who(OTHER_KLASSRUK, "class_teacher"),
        who(uuid.uuid4(), "teacher"),
    ],
)
async def test_anyone_else_does_not_learn_the_history(
    handlers: JournalHandlers, store: FakeStore, reader: Principal
) -> None:
    await enrolled(handlers)
    with pytest.raises(movement.StudentNotFound):
        await handlers.movement.student_movements(GetStudentMovements(STUDENT), reader)


async def test_a_groups_movements_are_read_by_the_administration_and_its_class_teacher(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await enrolled(handlers)
    await handlers.movement.move_student(move(MovementKind.TRANSFER, MOVED_ON, OTHER_GROUP), ADMIN)
    store.audits.clear()

    for reader in (ADMIN, who(uuid.uuid4(), "deputy"), who(KLASSRUK, "class_teacher")):
        found = await handlers.movement.group_movements(ListGroupMovements(GROUP), reader)
        assert [m.kind for m in found] == [MovementKind.ENROLMENT, MovementKind.TRANSFER]
    assert [
        m.kind for m in await handlers.movement.group_movements(ListGroupMovements(OTHER_GROUP), ADMIN)
    ] == [MovementKind.TRANSFER]
    assert {a.action for a in store.audits} == {"group_movements.read"}
    for reader in (
        who(OTHER_KLASSRUK, "class_teacher"),
        who(uuid.uuid4(), "teacher"),
        who(STUDENT, "student"),
    ):
        with pytest.raises(errors.GroupNotFound):
            await handlers.movement.group_movements(ListGroupMovements(GROUP), reader)
