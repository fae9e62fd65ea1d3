"""Removing a teaching load (issue 6 item 9) against in-memory fakes: the admin only; a load with its
teacher's lessons or marks keeps its history; one in the timetable waits for its entries to go; the
event and the audit name ids only."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import FailedPrecondition, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from journal_service.application.handlers import JournalHandlers
from journal_service.application.teaching_load import RemoveTeachingLoad
from journal_service.domain import lessons, model, timetable

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
GROUP, MATH = uuid.uuid4(), uuid.uuid4()
TEACHER, ADMIN, SUBGROUP = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
AS_ADMIN = Principal(subject=str(ADMIN), roles=frozenset({"admin"}), token="t")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21"))
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


def a_load(store: FakeStore, subgroup: uuid.UUID | None = None) -> model.TeachingLoad:
    load = model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH, subgroup)
    store.loads.add(load)
    return load


def a_lesson(store: FakeStore, teacher: uuid.UUID = TEACHER, subgroup: uuid.UUID | None = None) -> None:
    lesson = lessons.Lesson(
        uuid.uuid4(), GROUP, subgroup, MATH, teacher, TODAY, 1, "Пределы", lessons.LessonKind.LECTURE
    )
    store.lessons.items[lesson.id] = lesson


def an_entry(store: FakeStore, subgroup: uuid.UUID | None = None) -> None:
    entry = timetable.TimetableEntry(
        uuid.uuid4(), GROUP, uuid.uuid4(), 1, 1, 1, timetable.WeekParity.EVERY, MATH, subgroup, TEACHER
    )
    store.timetables.items[entry.id] = entry


async def test_the_admin_removes_a_load_without_history_with_its_event_and_audit(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    load = a_load(store)
    removed = await handlers.loads.remove(RemoveTeachingLoad(load.id), AS_ADMIN)
    assert removed == load
    assert store.loads.items == []
    [event] = store.events_of(events.TeachingLoadRemoved)
    assert (event.load_id, event.teacher_id, event.group_id, event.discipline_id, event.subgroup_id) == (
        str(load.id),
        str(TEACHER),
        str(GROUP),
        str(MATH),
        "",
    )
    assert event.removed_by == str(ADMIN)
    [audit] = store.audits
    assert (audit.action, audit.actor_id, audit.resource_type, audit.resource_id) == (
        "load.removed",
        str(ADMIN),
        "teaching_load",
        str(load.id),
    )


@pytest.mark.parametrize("roles", [{"teacher"}, {"director"}, {"deputy"}, {"curator"}, {"class_teacher"}])
async def test_only_the_admin_removes_a_load(
    handlers: JournalHandlers, store: FakeStore, roles: set[str]
) -> None:
    load = a_load(store)
    with pytest.raises(PermissionDenied) as refused:
        await handlers.loads.remove(
            RemoveTeachingLoad(load.id), Principal(str(TEACHER), frozenset(roles), "t")
        )
    assert refused.value.code == "role_required"
    assert store.loads.items == [load]


async def test_an_unknown_load_is_not_found(handlers: JournalHandlers) -> None:
    with pytest.raises(NotFound) as refused:
        await handlers.loads.remove(RemoveTeachingLoad(uuid.uuid4()), AS_ADMIN)
    assert refused.value.code == "load_not_found"


async def test_a_load_with_its_teachers_lessons_keeps_its_history(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    load = a_load(store)
    a_lesson(store)
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.loads.remove(RemoveTeachingLoad(load.id), AS_ADMIN)
    assert refused.value.code == "load_has_lessons"
    assert "замена" in refused.value.message
    assert store.loads.items == [load]
    assert store.events_of(events.TeachingLoadRemoved) == [] and store.audits == []


async def test_a_load_with_its_teachers_marks_keeps_its_history(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    load = a_load(store)
    store.marks.items.append(model.Mark(uuid.uuid4(), uuid.uuid4(), GROUP, MATH, TEACHER, TODAY, "5"))
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.loads.remove(RemoveTeachingLoad(load.id), AS_ADMIN)
    assert refused.value.code == "load_has_lessons"


async def test_another_teachers_lessons_or_another_subgroups_do_not_hold_a_load(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    a_lesson(store, teacher=uuid.uuid4())
    a_lesson(store, subgroup=uuid.uuid4())
    load = a_load(store, SUBGROUP)
    await handlers.loads.remove(RemoveTeachingLoad(load.id), AS_ADMIN)
    assert store.loads.items == []


async def test_a_subgroups_lesson_holds_the_whole_groups_load_and_that_subgroups(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    whole, sub = a_load(store), a_load(store, SUBGROUP)
    a_lesson(store, subgroup=SUBGROUP)
    for load in (whole, sub):
        with pytest.raises(FailedPrecondition) as refused:
            await handlers.loads.remove(RemoveTeachingLoad(load.id), AS_ADMIN)
        assert refused.value.code == "load_has_lessons"


async def test_a_load_in_the_timetable_waits_for_its_entries(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    load = a_load(store)
    an_entry(store)
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.loads.remove(RemoveTeachingLoad(load.id), AS_ADMIN)
    assert refused.value.code == "load_in_timetable"
    assert "расписани" in refused.value.message
    store.timetables.items.clear()
    await handlers.loads.remove(RemoveTeachingLoad(load.id), AS_ADMIN)
    assert store.loads.items == []


async def test_a_subgroups_load_is_held_only_by_that_subgroups_entries(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    load = a_load(store, SUBGROUP)
    an_entry(store, subgroup=uuid.uuid4())
    await handlers.loads.remove(RemoveTeachingLoad(load.id), AS_ADMIN)
    assert store.loads.items == []
