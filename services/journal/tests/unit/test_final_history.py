"""The history of a final against the in-memory fakes (issue 7 item 6, slice K): the first setting is an
entry of its own ('' → value, by its setter), so the original setter survives a change; a change adds
an entry; the student, their parent and the student's teachers and class teacher read it (audited
unless the student's own); anyone else is told the final does not exist."""

from __future__ import annotations

import uuid

import pytest
from chassis.errors import NotFound
from journal_service.application.final_history import GetFinalHistory
from journal_service.application.handlers import JournalHandlers

from .fakes import FakeStore
from .test_finals_handlers import (
    ADMIN,
    AS_ADMIN,
    AS_TEACHER,
    CLASS_TEACHER,
    EXAM,
    MATH,
    STUDENTS,
    TEACHER,
    give,
    handlers,
    person,
    set_cmd,
    store,
)

__all__ = ["handlers", "store"]  # the fixtures, shared with the finals' tests
PARENT = uuid.UUID(int=7)  # the guardian of STUDENTS[0] in the handlers' fixture


async def test_the_first_setting_and_each_change_are_entries_of_the_history(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    give(store, STUDENTS[0], MATH, "5", "4", "4", "3", "5")
    first = await handlers.finals.set(set_cmd("5", period=EXAM, reason="ответ на экзамене"), AS_TEACHER)
    [entry] = store.finals.changes
    assert (entry.final_id, entry.old_value, entry.new_value, entry.changed_by, entry.reason) == (
        first.final.id,
        "",
        "5",
        TEACHER,
        "ответ на экзамене",
    )
    assert (entry.proposed_value, entry.rule_version, entry.changed_at is not None) == ("4", 1, True)
    await handlers.finals.set(set_cmd("5", period=EXAM), AS_TEACHER)  # the same value: no entry
    await handlers.finals.set(set_cmd("4", period=EXAM, reason="апелляция"), AS_ADMIN)

    got = await handlers.final_history.history(
        GetFinalHistory(first.final.id), person(STUDENTS[0], "student")
    )
    assert (got.final.value, got.final.set_by) == ("4", ADMIN)
    assert [(e.old_value, e.new_value, e.changed_by, e.reason) for e in got.entries] == [
        ("", "5", TEACHER, "ответ на экзамене"),
        ("5", "4", ADMIN, "апелляция"),
    ]
    assert store.audits[-1].action == "final.changed"  # the student's own read is not audited


@pytest.mark.parametrize(
    "reader",
    [
        person(PARENT, "parent"),
        person(TEACHER, "teacher"),
        person(CLASS_TEACHER, "class_teacher"),
        person(uuid.uuid4(), "curator"),
    ],
    ids=["parent", "teacher of the load", "class teacher", "curator"],
)
async def test_the_readers_of_the_students_finals_read_it_audited(
    handlers: JournalHandlers, store: FakeStore, reader: object
) -> None:
    give(store, STUDENTS[0], MATH, "5", "4", "4", "3", "5")
    final = (await handlers.finals.set(set_cmd("5", period=EXAM), AS_TEACHER)).final
    got = await handlers.final_history.history(GetFinalHistory(final.id), reader)  # type: ignore[arg-type]
    assert [e.new_value for e in got.entries] == ["5"]
    audit = store.audits[-1]
    assert (audit.action, audit.resource_id, audit.subject_person_id) == (
        "final_history.read",
        str(final.id),
        str(STUDENTS[0]),
    )


@pytest.mark.parametrize(
    "stranger",
    [
        person(STUDENTS[1], "student"),
        person(uuid.uuid4(), "parent"),
        person(uuid.uuid4(), "teacher"),
        person(STUDENTS[0]),  # the student's id without the student role
    ],
    ids=["another student", "another parent", "a teacher without a load", "no role"],
)
async def test_anyone_else_is_told_the_final_does_not_exist(
    handlers: JournalHandlers, store: FakeStore, stranger: object
) -> None:
    give(store, STUDENTS[0], MATH, "5", "4", "4", "3", "5")
    final = (await handlers.finals.set(set_cmd("5", period=EXAM), AS_TEACHER)).final
    audits = len(store.audits)
    for final_id in (final.id, uuid.uuid4()):
        with pytest.raises(NotFound) as refused:
            await handlers.final_history.history(GetFinalHistory(final_id), stranger)  # type: ignore[arg-type]
        assert refused.value.code == "final_not_found"
    assert len(store.audits) == audits
