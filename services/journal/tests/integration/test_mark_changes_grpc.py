"""Changing and removing a mark (issue 6, item 8; R3.3) over real gRPC and PostgreSQL: the change kept
old → new in mark_changes, the removed row kept and hidden from every read model, the events and
audits in the outbox, refusals with their codes (a stranger's refusal audited, nothing else written)."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from chassis.grpc_client import error_code_of
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm
from sqlalchemy import select

from .pages import cells_of
from .test_lessons_grpc import College, college, journal, lesson_request
from .test_year_structure_grpc import INVALID, Journal, day

__all__ = ["journal"]  # the fixture, shared with the lessons' tests

pytestmark = pytest.mark.integration
WEEK = (day("2026-10-12"), day("2026-10-18"))
AUDIT = "audit.journal.recorded.v1"


async def two_marks(journal: Journal, c: College) -> tuple[pb.Lesson, jpb.Mark, jpb.Mark]:
    """A lesson with a 4 for the first student, and a 3 for them by date only the day before."""
    as_teacher = journal.md(c.teacher, "teacher")
    lesson = (await journal.stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    on_lesson = await journal.stub.RecordMark(
        pb.RecordMarkRequest(student_id=c.students[0], lesson_id=lesson.lesson_id, value="4"),
        metadata=as_teacher,
    )
    by_date = await journal.stub.RecordMark(
        pb.RecordMarkRequest(
            student_id=c.students[0],
            group_id=c.group_id,
            discipline_id=c.math,
            lesson_date=day("2026-10-13"),
            value="3",
        ),
        metadata=as_teacher,
    )
    return lesson, on_lesson.mark, by_date.mark


async def test_a_changed_and_a_removed_mark_are_kept_evented_audited_and_read_as_such(
    journal: Journal,
) -> None:
    c = await college(journal)
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    lesson, on_lesson, by_date = await two_marks(journal, c)
    before = len(await journal.outbox())

    changed = (
        await stub.ChangeMark(
            pb.ChangeMarkRequest(
                mark_id=on_lesson.mark_id,
                value="5",
                kind_of_work=jpb.KIND_OF_WORK_CONTROL_WORK,
                weight=2,
                reason="Исправил ошибку",
            ),
            metadata=as_teacher,
        )
    ).mark
    assert (changed.mark_id, changed.value, changed.kind_of_work, changed.weight) == (
        on_lesson.mark_id,
        "5",
        jpb.KIND_OF_WORK_CONTROL_WORK,
        2,
    )
    removed = await stub.RemoveMark(
        pb.RemoveMarkRequest(mark_id=by_date.mark_id, reason="Не тому"), metadata=as_teacher
    )
    assert removed.mark_id == by_date.mark_id

    async with journal.sessions() as s:
        history = (await s.execute(select(orm.mark_changes).order_by(orm.mark_changes.c.changed_at))).all()
        marks = {
            str(r.id): r
            for r in await s.execute(select(orm.marks.c.id, orm.marks.c.value, orm.marks.c.removed_by))
        }
    assert [
        (str(h.mark_id), h.action, h.old_value, h.old_kind_of_work, h.old_weight, h.new_value)
        for h in history
    ] == [
        (on_lesson.mark_id, "changed", "4", "answer", 1, "5"),
        (by_date.mark_id, "removed", "3", "answer", 1, None),
    ]
    assert [(h.new_kind_of_work, h.new_weight, h.reason, str(h.changed_by)) for h in history] == [
        ("control_work", 2, "Исправил ошибку", c.teacher),
        (None, None, "Не тому", c.teacher),
    ]
    # The removed mark's row stays, with who removed it; the changed one holds its new value.
    assert (marks[by_date.mark_id].value, str(marks[by_date.mark_id].removed_by)) == ("3", c.teacher)
    assert (marks[on_lesson.mark_id].value, marks[on_lesson.mark_id].removed_by) == ("5", None)

    rows = (await journal.outbox())[before:]
    assert [s for s, _ in rows] == [
        "journal.mark.changed.v1",
        AUDIT,
        "journal.mark.removed.v1",
        AUDIT,
    ]
    change_event = events_pb2.MarkChanged.FromString(rows[0][1])
    assert (change_event.old_value, change_event.value, change_event.lesson_id, change_event.weight) == (
        "4",
        "5",
        lesson.lesson_id,
        2,
    )
    assert change_event.change_id == str(history[0].id)
    removal_event = events_pb2.MarkRemoved.FromString(rows[2][1])
    assert (removal_event.mark_id, removal_event.old_value, removal_event.lesson_date) == (
        by_date.mark_id,
        "3",
        day("2026-10-13"),
    )
    audits = [AuditRecorded.FromString(rows[i][1]) for i in (1, 3)]
    assert [(a.action, a.actor_id, a.resource_id, a.subject_person_id) for a in audits] == [
        ("mark.changed", c.teacher, on_lesson.mark_id, c.students[0]),
        ("mark.removed", c.teacher, by_date.mark_id, c.students[0]),
    ]

    # Every read model: the 5 (control work, weight 2) is there, the removed 3 nowhere.
    as_student = journal.md(c.students[0], "student")
    diary = await stub.ListStudentMarks(
        pb.ListStudentMarksRequest(student_id=c.students[0]), metadata=as_student
    )
    assert [(m.mark_id, m.value, m.weight) for m in diary.marks] == [(on_lesson.mark_id, "5", 2)]
    assert [(a.mean, a.weighted_mean) for a in diary.averages] == [("5.00", "5.00")]
    page = await stub.GetJournalPage(
        pb.GetJournalPageRequest(
            group_id=c.group_id, discipline_id=c.math, date_from=WEEK[0], date_to=WEEK[1]
        ),
        metadata=as_teacher,
    )
    assert [(x.student_id, [m.value for m in x.marks]) for x in cells_of(page) if x.marks] == [
        (c.students[0], ["5"])
    ]
    assert list(page.marks_without_lesson) == []
    overview = await stub.GetGroupOverview(
        pb.GetGroupOverviewRequest(group_id=c.group_id, date_from=WEEK[0], date_to=WEEK[1]),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    counts = {x.student_id: (x.mark_count, x.mean) for x in overview.cells if x.discipline_id == c.math}
    assert counts[c.students[0]] == (1, "5.00")
    week = await stub.GetStudentDiary(
        pb.GetStudentDiaryRequest(student_id=c.students[0], date_from=WEEK[0], date_to=WEEK[1]),
        metadata=as_student,
    )
    assert [m.value for d in week.days for x in d.lessons for m in x.marks] == ["5"]
    assert [m.mark.value for d in week.days for m in d.marks_without_lesson] == []


async def test_refusals_have_their_codes_and_a_strangers_is_audited_alone(journal: Journal) -> None:
    c = await college(journal)
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    _, mark, _ = await two_marks(journal, c)
    missing = "00000000-0000-4000-8000-000000000000"
    for call, status, code in [
        (
            stub.ChangeMark(pb.ChangeMarkRequest(mark_id=missing, value="5"), metadata=as_teacher),
            grpc.StatusCode.NOT_FOUND,
            "mark_not_found",
        ),
        (
            stub.RemoveMark(pb.RemoveMarkRequest(mark_id=missing), metadata=as_teacher),
            grpc.StatusCode.NOT_FOUND,
            "mark_not_found",
        ),
        (
            stub.ChangeMark(pb.ChangeMarkRequest(mark_id="не-ид", value="5"), metadata=as_teacher),
            INVALID,
            "invalid_mark_id",
        ),
        (
            stub.ChangeMark(pb.ChangeMarkRequest(mark_id=mark.mark_id, value="7"), metadata=as_teacher),
            INVALID,
            "unknown_mark_value",
        ),
        (
            stub.ChangeMark(pb.ChangeMarkRequest(mark_id=mark.mark_id, value=""), metadata=as_teacher),
            INVALID,
            "missing_value",
        ),
        (
            stub.ChangeMark(
                pb.ChangeMarkRequest(mark_id=mark.mark_id, value="5", weight=9), metadata=as_teacher
            ),
            INVALID,
            "invalid_weight",
        ),
        (
            stub.ChangeMark(
                pb.ChangeMarkRequest(mark_id=mark.mark_id, value="5", kind_of_work=99), metadata=as_teacher
            ),
            INVALID,
            "invalid_kind_of_work",
        ),
        (
            stub.RemoveMark(
                pb.RemoveMarkRequest(mark_id=mark.mark_id, reason="я" * 501), metadata=as_teacher
            ),
            INVALID,
            "invalid_change_reason",
        ),
    ]:
        await journal.refused(call, status, code)

    stranger = journal.people.new("teacher")
    before = len(await journal.outbox())
    # Each call is made in turn (a grpc.aio call starts when created).
    for call, actor in (
        (
            lambda: stub.ChangeMark(
                pb.ChangeMarkRequest(mark_id=mark.mark_id, value="2"),
                metadata=journal.md(stranger, "teacher"),
            ),
            stranger,
        ),
        (
            lambda: stub.RemoveMark(
                pb.RemoveMarkRequest(mark_id=mark.mark_id), metadata=journal.md(c.english_teacher, "teacher")
            ),
            c.english_teacher,
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call()
        assert (refused.value.code(), error_code_of(refused.value)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "not_teaching_this_group",
        )
        audit = (await journal.refusal_audits())[-1]
        assert (audit.actor_id, audit.resource_type, audit.resource_id) == (actor, "mark", mark.mark_id)
    # The refusals' audits are all they wrote (in their own transactions).
    assert [a.action for a in await journal.refusal_audits()] == [
        "mark.change.refused:not_teaching_this_group",
        "mark.remove.refused:not_teaching_this_group",
    ]
    assert len(await journal.outbox()) == before
    async with journal.sessions() as s:
        assert (await s.scalar(select(orm.marks.c.value).where(orm.marks.c.id == mark.mark_id))) == "4"
        assert (await s.execute(select(orm.mark_changes))).all() == []


async def test_two_removals_at_once_remove_once(journal: Journal) -> None:
    c = await college(journal)
    as_teacher = journal.md(c.teacher, "teacher")
    _, mark, _ = await two_marks(journal, c)
    results = await asyncio.gather(
        *[
            journal.stub.RemoveMark(pb.RemoveMarkRequest(mark_id=mark.mark_id), metadata=as_teacher)
            for _ in range(2)
        ],
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(refused) == 1 and error_code_of(refused[0]) == "mark_not_found"
    async with journal.sessions() as s:
        assert len((await s.execute(select(orm.mark_changes))).all()) == 1


async def test_a_strangers_lesson_attendance_and_mark_are_refused_and_audited(journal: Journal) -> None:
    c = await college(journal)
    lesson, _, _ = await two_marks(journal, c)
    stranger = journal.people.new("teacher")
    as_stranger = journal.md(stranger, "teacher")
    before = len(await journal.outbox())
    present = jpb.AttendanceEntry(student_id=c.students[0], status=jpb.ATTENDANCE_STATUS_PRESENT)
    for call in (
        lambda: journal.stub.RecordLesson(lesson_request(c, pair_number=2), metadata=as_stranger),
        lambda: journal.stub.RecordAttendance(
            pb.RecordAttendanceRequest(lesson_id=lesson.lesson_id, entries=[present]), metadata=as_stranger
        ),
        lambda: journal.stub.RecordMark(
            pb.RecordMarkRequest(student_id=c.students[0], lesson_id=lesson.lesson_id, value="5"),
            metadata=as_stranger,
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call()
        assert error_code_of(refused.value) == "not_teaching_this_group"
    audits = await journal.refusal_audits()
    assert [(a.action, a.actor_id, a.resource_type, a.resource_id) for a in audits] == [
        ("lesson.record.refused:not_teaching_this_group", stranger, "group", c.group_id),
        ("attendance.record.refused:not_teaching_this_group", stranger, "lesson", lesson.lesson_id),
        ("mark.record.refused:not_teaching_this_group", stranger, "lesson", lesson.lesson_id),
    ]
    assert len(await journal.outbox()) == before
