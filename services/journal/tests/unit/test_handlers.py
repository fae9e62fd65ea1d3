"""Journal use cases against in-memory fakes: rules, access and what gets committed."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from chassis.auth import Principal
from chassis.errors import InvalidArgument, NotFound, PermissionDenied
from chassis.events import Delivery
from ejournal.journal.v1 import events_pb2 as events
from journal_service.application.disciplines import CreateDiscipline, ListDisciplines
from journal_service.application.groups import CreateGroup, EnrollStudent, ListGroupStudents
from journal_service.application.handlers import JournalHandlers
from journal_service.application.marks import ListStudentMarks, RecordMark
from journal_service.application.people import ProjectPersonCreated
from journal_service.application.teaching_load import AssignTeachingLoad
from journal_service.domain import errors, model

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)


def person(*roles: str, subject: str | None = None) -> Principal:
    return Principal(subject=subject or str(uuid.uuid4()), roles=frozenset(roles), token="t")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def guardians() -> FakeGuardians:
    return FakeGuardians()


@pytest.fixture
def handlers(store: FakeStore, guardians: FakeGuardians) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=guardians,
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


ADMIN = person("admin")


async def known(handlers: JournalHandlers, role: str) -> uuid.UUID:
    """A person identity created, as its event reached the journal's projection."""
    person_id = uuid.uuid4()
    delivery = Delivery(str(uuid.uuid4()), "journal-people", "identity.person.created.v1")
    await handlers.people.project_person_created(ProjectPersonCreated(person_id, role), delivery)
    return person_id


async def setup_class(handlers: JournalHandlers) -> dict[str, Any]:
    teacher = person("teacher", subject=str(await known(handlers, "teacher")))
    student = await known(handlers, "student")
    group = await handlers.groups.create(CreateGroup(name="ИС-21"), ADMIN)
    discipline = await handlers.disciplines.create(
        CreateDiscipline(code="ОП.01", name="Математика", kind=model.DisciplineKind.DISCIPLINE),
        ADMIN,
    )
    await handlers.groups.enroll_student(EnrollStudent(group_id=group.id, student_id=student), ADMIN)
    await handlers.loads.assign(
        AssignTeachingLoad(
            teacher_id=uuid.UUID(teacher.subject), group_id=group.id, discipline_id=discipline.id
        ),
        ADMIN,
    )
    return {"teacher": teacher, "student": student, "group": group, "discipline": discipline}


def mark_cmd(ctx: dict[str, Any], value: str = "5", lesson_date: date = TODAY) -> RecordMark:
    return RecordMark(
        student_id=ctx["student"],
        group_id=ctx["group"].id,
        discipline_id=ctx["discipline"].id,
        lesson_date=lesson_date,
        value=value,
    )


async def test_record_mark_stages_event_and_audit_in_one_commit(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    ctx = await setup_class(handlers)
    commits_before = store.commits
    mark = await handlers.marks.record(mark_cmd(ctx), ctx["teacher"])
    assert store.commits == commits_before + 1
    assert store.subjects[-1] == "journal.mark.recorded.v1"
    event = store.events_of(events.MarkRecorded)[-1]
    assert event.mark_id == str(mark.id) and event.value == "5" and event.student_id == str(ctx["student"])
    assert event.event_id and event.HasField("occurred_at")
    audit = store.audits[-1]
    assert (audit.action, audit.actor_id) == ("mark.recorded", ctx["teacher"].subject)
    assert audit.subject_person_id == str(ctx["student"])


@pytest.mark.parametrize(
    ("value", "lesson_date", "error"),
    [
        ("6", TODAY, errors.UnknownMarkValue),
        ("5", date(2026, 10, 16), errors.LessonDateInFuture),
    ],
)
async def test_record_mark_rejects_bad_input(
    handlers: JournalHandlers, store: FakeStore, value: str, lesson_date: date, error: type[Exception]
) -> None:
    ctx = await setup_class(handlers)
    with pytest.raises(error) as caught:
        await handlers.marks.record(mark_cmd(ctx, value, lesson_date), ctx["teacher"])
    assert isinstance(caught.value, InvalidArgument)
    assert store.marks.items == []


async def test_only_the_teacher_with_the_load_records(handlers: JournalHandlers, store: FakeStore) -> None:
    ctx = await setup_class(handlers)
    with pytest.raises(errors.NotTeachingThisGroup):
        await handlers.marks.record(mark_cmd(ctx), person("teacher"))
    with pytest.raises(PermissionDenied):
        await handlers.marks.record(mark_cmd(ctx), ADMIN)
    assert store.marks.items == []


async def test_student_must_be_enrolled(handlers: JournalHandlers) -> None:
    ctx = await setup_class(handlers)
    ctx["student"] = uuid.uuid4()
    with pytest.raises(errors.StudentNotInGroup):
        await handlers.marks.record(mark_cmd(ctx), ctx["teacher"])


async def test_diary_access(handlers: JournalHandlers, store: FakeStore, guardians: FakeGuardians) -> None:
    ctx = await setup_class(handlers)
    await handlers.marks.record(mark_cmd(ctx), ctx["teacher"])
    query = ListStudentMarks(student_id=ctx["student"])
    own = await handlers.marks.diary(query, person("student", subject=str(ctx["student"])))
    assert [m.value for m in own.marks] == ["5"]
    audits_before = len(store.audits)

    parent = person("parent")
    guardians.links.add((parent.subject, str(ctx["student"])))
    assert len((await handlers.marks.diary(query, parent)).marks) == 1
    assert (store.audits[audits_before].action, store.audits[audits_before].actor_id) == (
        "diary.read",
        parent.subject,
    )

    assert len((await handlers.marks.diary(query, ctx["teacher"])).marks) == 1
    assert len((await handlers.marks.diary(query, person("director"))).marks) == 1
    for stranger in (person("parent"), person("student"), person("teacher"), person("class_teacher")):
        with pytest.raises(NotFound):
            await handlers.marks.diary(query, stranger)


async def test_diary_names_the_disciplines_of_its_marks_once(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    ctx = await setup_class(handlers)
    physics = await handlers.disciplines.create(
        CreateDiscipline(code="ОП.02", name="Физика", kind=model.DisciplineKind.DISCIPLINE), ADMIN
    )
    await handlers.disciplines.create(
        CreateDiscipline(code="ОП.03", name="Химия", kind=model.DisciplineKind.DISCIPLINE), ADMIN
    )
    await handlers.loads.assign(
        AssignTeachingLoad(
            teacher_id=uuid.UUID(ctx["teacher"].subject), group_id=ctx["group"].id, discipline_id=physics.id
        ),
        ADMIN,
    )
    await handlers.marks.record(mark_cmd(ctx, "5"), ctx["teacher"])
    await handlers.marks.record(mark_cmd(ctx, "4"), ctx["teacher"])
    await handlers.marks.record(
        RecordMark(
            student_id=ctx["student"],
            group_id=ctx["group"].id,
            discipline_id=physics.id,
            lesson_date=TODAY,
            value="3",
        ),
        ctx["teacher"],
    )
    store.disciplines.view_queries.clear()

    diary = await handlers.marks.diary(
        ListStudentMarks(student_id=ctx["student"]), person("student", subject=str(ctx["student"]))
    )

    assert len(diary.marks) == 3
    assert [(d.code, d.name, d.kind) for d in diary.disciplines] == [
        ("ОП.01", "Математика", model.DisciplineKind.DISCIPLINE),
        ("ОП.02", "Физика", model.DisciplineKind.DISCIPLINE),
    ]
    assert store.disciplines.view_queries == [{ctx["discipline"].id, physics.id}]
    # Each discipline's averages, computed by the domain's one function (5 and 4 → 4.50; 3 alone → 3.00).
    assert [(a.discipline_id, str(a.mean), str(a.weighted_mean)) for a in diary.averages] == [
        (ctx["discipline"].id, "4.50", "4.50"),
        (physics.id, "3.00", "3.00"),
    ]


async def test_an_empty_diary_names_no_disciplines(handlers: JournalHandlers) -> None:
    ctx = await setup_class(handlers)
    diary = await handlers.marks.diary(
        ListStudentMarks(student_id=ctx["student"]), person("student", subject=str(ctx["student"]))
    )
    assert (diary.marks, diary.disciplines, diary.averages) == ([], [], [])


async def test_list_disciplines_by_id_leaves_unknown_ids_out(handlers: JournalHandlers) -> None:
    ctx = await setup_class(handlers)
    found = await handlers.disciplines.lookup(
        ListDisciplines(discipline_ids=(uuid.uuid4(), ctx["discipline"].id))
    )
    assert [(d.id, d.code, d.name) for d in found] == [(ctx["discipline"].id, "ОП.01", "Математика")]
    assert await handlers.disciplines.lookup(ListDisciplines(discipline_ids=())) == []


async def test_admin_only_setup_and_unique_group_names(handlers: JournalHandlers) -> None:
    with pytest.raises(PermissionDenied):
        await handlers.groups.create(CreateGroup(name="ИС-22"), person("teacher"))
    await handlers.groups.create(CreateGroup(name="ИС-22"), ADMIN)
    with pytest.raises(errors.GroupNameTaken):
        await handlers.groups.create(CreateGroup(name="ИС-22"), ADMIN)
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.enroll_student(
            EnrollStudent(group_id=uuid.uuid4(), student_id=uuid.uuid4()), ADMIN
        )


async def test_enrolment_and_load_are_idempotent(handlers: JournalHandlers, store: FakeStore) -> None:
    ctx = await setup_class(handlers)
    again = await handlers.groups.enroll_student(
        EnrollStudent(group_id=ctx["group"].id, student_id=ctx["student"]), ADMIN
    )
    assert again is False
    load_cmd = AssignTeachingLoad(
        teacher_id=uuid.UUID(ctx["teacher"].subject),
        group_id=ctx["group"].id,
        discipline_id=ctx["discipline"].id,
    )
    first = store.loads.items[0]
    assert (await handlers.loads.assign(load_cmd, ADMIN)).id == first.id
    assert len(store.loads.items) == 1


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator"])
async def test_the_administration_reads_a_groups_students(handlers: JournalHandlers, role: str) -> None:
    ctx = await setup_class(handlers)
    students = await handlers.groups.students(ListGroupStudents(ctx["group"].id), person(role))
    assert students == [ctx["student"]]


async def test_a_teacher_reads_the_students_of_a_group_they_teach_only(handlers: JournalHandlers) -> None:
    ctx = await setup_class(handlers)
    assert await handlers.groups.students(ListGroupStudents(ctx["group"].id), ctx["teacher"]) == [
        ctx["student"]
    ]
    other = await handlers.groups.create(CreateGroup(name="ИС-22"), ADMIN)
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.students(ListGroupStudents(other.id), ctx["teacher"])


@pytest.mark.parametrize("role", ["teacher", "class_teacher", "student", "parent", "service"])
async def test_others_do_not_learn_a_groups_students(handlers: JournalHandlers, role: str) -> None:
    ctx = await setup_class(handlers)
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.students(ListGroupStudents(ctx["group"].id), person(role))


async def test_an_unknown_group_is_not_found_even_for_the_administration(handlers: JournalHandlers) -> None:
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.students(ListGroupStudents(uuid.uuid4()), ADMIN)
