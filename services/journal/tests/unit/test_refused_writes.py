"""A teacher writing into another teacher's load is refused and audited (issue 6, bad input): each
write path — a mark recorded, changed, removed, a lesson, attendance — leaves `<write>.refused:<code>`
with the actor and the resource in the audit log, and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import NotFound, PermissionDenied
from journal_service.application.handlers import JournalHandlers
from journal_service.application.lessons import RecordAttendance, RecordLesson
from journal_service.application.mark_changes import ChangeMark, RemoveMark
from journal_service.application.marks import RecordMark
from journal_service.domain import lessons, model
from journal_service.domain.year import BellPair

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
GROUP, MATH = uuid.uuid4(), uuid.uuid4()
TEACHER, STRANGER = uuid.uuid4(), uuid.uuid4()
STUDENT = uuid.uuid4()
AS_TEACHER = Principal(subject=str(TEACHER), roles=frozenset({"teacher"}), token="t")
AS_STRANGER = Principal(subject=str(STRANGER), roles=frozenset({"teacher"}), token="t")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21"))
    store.groups.enrollments.add((GROUP, STUDENT))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.bells.items = [BellPair(1, 510, 600), BellPair(2, 610, 700)]
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


def lesson(pair: int = 1) -> RecordLesson:
    return RecordLesson(
        group_id=GROUP,
        subgroup_id=None,
        discipline_id=MATH,
        lesson_date=TODAY,
        pair_number=pair,
        topic="Пределы",
        kind=lessons.LessonKind.LECTURE,
    )


Write = Callable[[JournalHandlers, uuid.UUID, uuid.UUID], Awaitable[object]]
WRITES: dict[str, tuple[Write, str, str]] = {
    # name: (the stranger's write given the lesson and a mark, the audited action, the resource type)
    "RecordMark on a lesson": (
        lambda h, lesson_id, mark_id: h.marks.record(
            RecordMark(STUDENT, None, None, None, "5", lesson_id=lesson_id), AS_STRANGER
        ),
        "mark.record",
        "lesson",
    ),
    "RecordMark by date": (
        lambda h, lesson_id, mark_id: h.marks.record(
            RecordMark(STUDENT, GROUP, MATH, TODAY, "5"), AS_STRANGER
        ),
        "mark.record",
        "group",
    ),
    "ChangeMark": (
        lambda h, lesson_id, mark_id: h.mark_changes.change(ChangeMark(mark_id, "2"), AS_STRANGER),
        "mark.change",
        "mark",
    ),
    "RemoveMark": (
        lambda h, lesson_id, mark_id: h.mark_changes.remove(RemoveMark(mark_id), AS_STRANGER),
        "mark.remove",
        "mark",
    ),
    "RecordLesson": (
        lambda h, lesson_id, mark_id: h.lessons.record(lesson(pair=2), AS_STRANGER),
        "lesson.record",
        "group",
    ),
    "RecordAttendance": (
        lambda h, lesson_id, mark_id: h.lessons.record_attendance(
            RecordAttendance(lesson_id, (lessons.AttendanceEntry(STUDENT, lessons.AttendanceStatus.ABSENT),)),
            AS_STRANGER,
        ),
        "attendance.record",
        "lesson",
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
async def test_a_write_into_another_teachers_load_is_refused_and_audited(
    handlers: JournalHandlers, store: FakeStore, write: str
) -> None:
    lesson_id = (await handlers.lessons.record(lesson(), AS_TEACHER)).lesson.id
    mark = await handlers.marks.record(
        RecordMark(STUDENT, None, None, None, "4", lesson_id=lesson_id), AS_TEACHER
    )
    events_before, audits_before = len(store.events), len(store.audits)
    call, action, resource_type = WRITES[write]

    with pytest.raises(PermissionDenied) as refused:
        await call(handlers, lesson_id, mark.id)

    assert refused.value.code == "not_teaching_this_group"
    assert len(store.events) == events_before  # the audit record is the only thing written
    [audit] = store.audits[audits_before:]
    resource = {"lesson": lesson_id, "group": GROUP, "mark": mark.id}[resource_type]
    assert (audit.action, audit.actor_id, audit.resource_type, audit.resource_id) == (
        f"{action}.refused:not_teaching_this_group",
        str(STRANGER),
        resource_type,
        str(resource),
    )
    assert [m.value for m in store.marks.items] == ["4"]
    assert len(store.lessons.items) == 1


async def test_other_refusals_are_not_audited_as_refused_writes(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    audits_before = len(store.audits)
    with pytest.raises(NotFound):
        await handlers.mark_changes.change(ChangeMark(uuid.uuid4(), "5"), AS_TEACHER)
    not_a_teacher = Principal(subject=str(uuid.uuid4()), roles=frozenset({"student"}), token="t")
    with pytest.raises(PermissionDenied):
        await handlers.marks.record(RecordMark(STUDENT, GROUP, MATH, TODAY, "5"), not_a_teacher)
    assert store.audits[audits_before:] == []
