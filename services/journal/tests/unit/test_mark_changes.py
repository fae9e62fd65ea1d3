"""Changing and removing a mark (issue 6, item 8; R3.3) against in-memory fakes: who may, the
dictionary's say, the change kept old → new, the events and audits, and reads that skip a removed mark."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb
from journal_service.application.handlers import JournalHandlers
from journal_service.application.lessons import RecordLesson
from journal_service.application.mark_changes import ChangeMark, RemoveMark
from journal_service.application.marks import ListStudentMarks, RecordMark
from journal_service.domain import mark_changes, model, year
from journal_service.domain.lessons import LessonKind
from journal_service.domain.year import BellPair

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, OTHER_TEACHER, SUBGROUP_TEACHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
STUDENTS = [uuid.uuid4() for _ in range(2)]
SUBGROUP, OTHER_SUBGROUP = uuid.uuid4(), uuid.uuid4()


def teacher(person: uuid.UUID) -> Principal:
    return Principal(subject=str(person), roles=frozenset({"teacher"}), token="t")


AS_TEACHER = teacher(TEACHER)


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21"))
    for student in STUDENTS:
        store.groups.enrollments.add((GROUP, student))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, ENGLISH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), OTHER_TEACHER, GROUP, ENGLISH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), SUBGROUP_TEACHER, GROUP, ENGLISH, OTHER_SUBGROUP))
    store.bells.items = [BellPair(1, 510, 600), BellPair(2, 610, 700)]
    store.subgroups.items.append(year.Subgroup(SUBGROUP, GROUP, ENGLISH, "подгруппа 1", (STUDENTS[0],)))
    store.subgroups.items.append(year.Subgroup(OTHER_SUBGROUP, GROUP, ENGLISH, "подгруппа 2", (STUDENTS[1],)))
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


async def a_mark(handlers: JournalHandlers, value: str = "4") -> model.Mark:
    return await handlers.marks.record(
        RecordMark(
            student_id=STUDENTS[0], group_id=GROUP, discipline_id=MATH, lesson_date=TODAY, value=value
        ),
        AS_TEACHER,
    )


async def test_a_change_keeps_old_and_new_and_emits_and_audits(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    mark = await a_mark(handlers)
    changed = await handlers.mark_changes.change(
        ChangeMark(mark.id, " 5 ", model.KindOfWork.CONTROL_WORK, weight=3, reason="Пересдал контрольную"),
        AS_TEACHER,
    )
    assert (changed.value, changed.kind_of_work, changed.weight) == ("5", model.KindOfWork.CONTROL_WORK, 3)
    [change] = await store.mark_changes.history(mark.id)
    assert (change.action, change.changed_by, change.reason) == (
        mark_changes.MarkChangeAction.CHANGED,
        TEACHER,
        "Пересдал контрольную",
    )
    assert (change.old_value, change.old_kind_of_work, change.old_weight) == ("4", model.KindOfWork.ANSWER, 1)
    assert (change.new_value, change.new_kind_of_work, change.new_weight) == (
        "5",
        model.KindOfWork.CONTROL_WORK,
        3,
    )
    [event] = store.events_of(events.MarkChanged)
    assert (event.mark_id, event.student_id, event.teacher_id, event.change_id) == (
        str(mark.id),
        str(STUDENTS[0]),
        str(TEACHER),
        str(change.id),
    )
    assert (event.old_value, event.value, event.old_weight, event.weight) == ("4", "5", 1, 3)
    assert (event.old_kind_of_work, event.kind_of_work) == (
        jpb.KIND_OF_WORK_ANSWER,
        jpb.KIND_OF_WORK_CONTROL_WORK,
    )
    audit = store.audits[-1]
    assert (audit.action, audit.actor_id, audit.resource_id, audit.subject_person_id) == (
        "mark.changed",
        str(TEACHER),
        str(mark.id),
        str(STUDENTS[0]),
    )
    diary = await handlers.marks.diary(ListStudentMarks(STUDENTS[0]), AS_TEACHER)
    assert [(m.value, m.weight) for m in diary.marks] == [("5", 3)]


async def test_kind_and_weight_left_out_are_kept(handlers: JournalHandlers, store: FakeStore) -> None:
    mark = await handlers.marks.record(
        RecordMark(
            student_id=STUDENTS[0],
            group_id=GROUP,
            discipline_id=MATH,
            lesson_date=TODAY,
            value="3",
            kind_of_work=model.KindOfWork.TEST,
            weight=2,
        ),
        AS_TEACHER,
    )
    changed = await handlers.mark_changes.change(ChangeMark(mark.id, "4"), AS_TEACHER)
    assert (changed.value, changed.kind_of_work, changed.weight) == ("4", model.KindOfWork.TEST, 2)


async def test_the_same_value_again_changes_nothing(handlers: JournalHandlers, store: FakeStore) -> None:
    mark = await a_mark(handlers)
    events_before = len(store.events)
    unchanged = await handlers.mark_changes.change(ChangeMark(mark.id, "4"), AS_TEACHER)
    assert unchanged.value == "4"
    assert await store.mark_changes.history(mark.id) == []
    assert len(store.events) == events_before


@pytest.mark.parametrize(
    ("cmd", "code"),
    [
        (lambda m: ChangeMark(m, "7"), "unknown_mark_value"),
        (lambda m: ChangeMark(m, "5", weight=6), "invalid_weight"),
        (lambda m: ChangeMark(m, "5", reason="я" * 501), "invalid_change_reason"),
        (lambda m: RemoveMark(m, reason="я" * 501), "invalid_change_reason"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    handlers: JournalHandlers, store: FakeStore, cmd: object, code: str
) -> None:
    mark = await a_mark(handlers)
    events_before, audits_before = len(store.events), len(store.audits)
    command = cmd(mark.id)  # type: ignore[operator]
    with pytest.raises(InvalidArgument) as refused:
        if isinstance(command, ChangeMark):
            await handlers.mark_changes.change(command, AS_TEACHER)
        else:
            await handlers.mark_changes.remove(command, AS_TEACHER)
    assert refused.value.code == code
    assert refused.value.message
    assert (len(store.events), len(store.audits)) == (events_before, audits_before)
    assert [m.value for m in store.marks.items] == ["4"]


async def test_a_removal_is_kept_and_hidden_from_reads(handlers: JournalHandlers, store: FakeStore) -> None:
    mark = await a_mark(handlers)
    await handlers.mark_changes.remove(RemoveMark(mark.id, reason="Поставлена не тому"), AS_TEACHER)
    assert (store.audits[-1].action, store.audits[-1].actor_id) == ("mark.removed", str(TEACHER))
    diary = await handlers.marks.diary(ListStudentMarks(STUDENTS[0]), AS_TEACHER)
    assert diary.marks == []
    assert store.mark_changes.removed[mark.id].value == "4"
    [removal] = await store.mark_changes.history(mark.id)
    assert (removal.action, removal.old_value, removal.new_value, removal.reason) == (
        mark_changes.MarkChangeAction.REMOVED,
        "4",
        None,
        "Поставлена не тому",
    )
    [event] = store.events_of(events.MarkRemoved)
    assert (event.mark_id, event.old_value, event.teacher_id, event.change_id) == (
        str(mark.id),
        "4",
        str(TEACHER),
        str(removal.id),
    )
    # Removed is gone for every later write: neither changed nor removed again.
    with pytest.raises(NotFound) as gone:
        await handlers.mark_changes.change(ChangeMark(mark.id, "5"), AS_TEACHER)
    assert gone.value.code == "mark_not_found"
    with pytest.raises(NotFound):
        await handlers.mark_changes.remove(RemoveMark(mark.id), AS_TEACHER)


async def test_an_unknown_mark_is_not_found(handlers: JournalHandlers) -> None:
    with pytest.raises(NotFound) as refused:
        await handlers.mark_changes.change(ChangeMark(uuid.uuid4(), "5"), AS_TEACHER)
    assert refused.value.code == "mark_not_found"


@pytest.mark.parametrize("write", ["change", "remove"])
async def test_another_teachers_mark_is_refused_and_the_refusal_audited(
    handlers: JournalHandlers, store: FakeStore, write: str
) -> None:
    mark = await a_mark(handlers)
    stranger = teacher(OTHER_TEACHER)  # teaches English to the group, not mathematics
    with pytest.raises(PermissionDenied) as refused:
        if write == "change":
            await handlers.mark_changes.change(ChangeMark(mark.id, "2"), stranger)
        else:
            await handlers.mark_changes.remove(RemoveMark(mark.id), stranger)
    assert refused.value.code == "not_teaching_this_group"
    assert [m.value for m in store.marks.items] == ["4"]
    assert store.events_of(events.MarkChanged) == store.events_of(events.MarkRemoved) == []
    audit = store.audits[-1]
    assert (audit.action, audit.actor_id, audit.resource_type, audit.resource_id) == (
        f"mark.{write}.refused:not_teaching_this_group",
        str(OTHER_TEACHER),
        "mark",
        str(mark.id),
    )


async def test_a_subgroups_teacher_changes_marks_of_their_subgroups_lessons_only(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    lessons = []
    for subgroup, pair in ((SUBGROUP, 1), (OTHER_SUBGROUP, 2)):
        recorded = await handlers.lessons.record(
            RecordLesson(
                group_id=GROUP,
                subgroup_id=subgroup,
                discipline_id=ENGLISH,
                lesson_date=TODAY,
                pair_number=pair,
                topic="Тема",
                kind=LessonKind.PRACTICAL,
            ),
            AS_TEACHER,
        )
        lessons.append(recorded.lesson.id)
    marks = [
        await handlers.marks.record(
            RecordMark(
                student_id=student,
                group_id=None,
                discipline_id=None,
                lesson_date=None,
                value="4",
                lesson_id=lesson,
            ),
            AS_TEACHER,
        )
        for student, lesson in zip(STUDENTS, lessons, strict=True)
    ]
    by_subgroup_teacher = teacher(SUBGROUP_TEACHER)
    changed = await handlers.mark_changes.change(ChangeMark(marks[1].id, "5"), by_subgroup_teacher)
    assert changed.value == "5"
    with pytest.raises(PermissionDenied):
        await handlers.mark_changes.change(ChangeMark(marks[0].id, "5"), by_subgroup_teacher)


@pytest.mark.parametrize("role", ["admin", "class_teacher", "student", "parent", "director"])
async def test_only_a_teacher_changes_or_removes_a_mark(handlers: JournalHandlers, role: str) -> None:
    mark = await a_mark(handlers)
    caller = Principal(subject=str(uuid.uuid4()), roles=frozenset({role}), token="t")
    with pytest.raises(PermissionDenied) as refused:
        await handlers.mark_changes.change(ChangeMark(mark.id, "5"), caller)
    assert refused.value.code == "role_required"
    with pytest.raises(PermissionDenied):
        await handlers.mark_changes.remove(RemoveMark(mark.id), caller)
