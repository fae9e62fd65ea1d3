"""History and correction requests (issue 7 item 6; R3.3) over real gRPC and PostgreSQL: a request
goes round (filed, listed, answered «changed» through ChangeMark's path, linked) and the whole trail
reads back in the mark's history; attendance changes kept by RecordAttendance and CorrectAbsenceReasons;
the events (ids only) and audits in the outbox; bad input refused with its code and nothing written;
two requests about one mark at once make one. Who may call what: test_access_matrix.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import grpc
import pytest
from chassis.grpc_client import error_code_of
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm
from sqlalchemy import func, select

from .test_lessons_grpc import College, college, journal, lesson_request
from .test_year_structure_grpc import INVALID, Journal

__all__ = ["journal"]  # the fixture, shared with the lessons' tests

pytestmark = pytest.mark.integration
AUDIT = "audit.journal.recorded.v1"
FAILED = grpc.StatusCode.FAILED_PRECONDITION
H = pb.HistoryAction


async def a_mark(journal: Journal, c: College) -> tuple[pb.Lesson, jpb.Mark]:
    as_teacher = journal.md(c.teacher, "teacher")
    lesson = (await journal.stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    mark = await journal.stub.RecordMark(
        pb.RecordMarkRequest(student_id=c.students[0], lesson_id=lesson.lesson_id, value="3"),
        metadata=as_teacher,
    )
    return lesson, mark.mark


async def refused(call: Awaitable[object], status: grpc.StatusCode, code: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    assert (error.value.code(), error_code_of(error.value)) == (status, code)


async def test_a_correction_request_goes_round_and_its_trail_is_the_marks_history(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher, as_student = journal.md(c.teacher, "teacher"), journal.md(c.students[0], "student")
    _, mark = await a_mark(journal, c)
    before = len(await journal.outbox())

    filed = (
        await stub.FileCorrectionRequest(
            pb.FileCorrectionRequestRequest(mark_id=mark.mark_id, text="  Я отвечал у доски на пять  "),
            metadata=as_student,
        )
    ).request
    assert (filed.mark_id, filed.student_id, filed.mark_value, filed.text, filed.status) == (
        mark.mark_id,
        c.students[0],
        "3",
        "Я отвечал у доски на пять",
        pb.CORRECTION_REQUEST_STATUS_OPEN,
    )
    assert filed.filed_at.seconds > 0 and filed.lesson_date == mark.lesson_date
    await refused(
        stub.FileCorrectionRequest(
            pb.FileCorrectionRequestRequest(mark_id=mark.mark_id, text="Ещё раз"), metadata=as_student
        ),
        FAILED,
        "correction_request_open",
    )
    listed = await stub.ListCorrectionRequests(pb.ListCorrectionRequestsRequest(), metadata=as_teacher)
    assert [r.request_id for r in listed.requests] == [filed.request_id]
    own = await stub.ListCorrectionRequests(pb.ListCorrectionRequestsRequest(), metadata=as_student)
    assert [r.request_id for r in own.requests] == [filed.request_id]

    answered = await stub.AnswerCorrectionRequest(
        pb.AnswerCorrectionRequestRequest(
            request_id=filed.request_id,
            decision=jpb.CORRECTION_DECISION_CHANGED,
            text="Проверил журнал ответов: вы правы",
            new_value="5",
        ),
        metadata=as_teacher,
    )
    assert (answered.mark.value, answered.request.status, answered.request.decision) == (
        "5",
        pb.CORRECTION_REQUEST_STATUS_ANSWERED,
        jpb.CORRECTION_DECISION_CHANGED,
    )
    assert (answered.request.answered_by, answered.request.new_value) == (c.teacher, "5")
    await refused(
        stub.AnswerCorrectionRequest(
            pb.AnswerCorrectionRequestRequest(
                request_id=filed.request_id, decision=jpb.CORRECTION_DECISION_EXPLAINED, text="Ещё раз"
            ),
            metadata=as_teacher,
        ),
        FAILED,
        "correction_request_answered",
    )

    async with journal.sessions() as s:
        [change] = (
            await s.execute(select(orm.mark_changes).where(orm.mark_changes.c.mark_id == mark.mark_id))
        ).all()
        [row] = (
            await s.execute(
                select(orm.correction_requests).where(orm.correction_requests.c.id == filed.request_id)
            )
        ).all()
    assert (change.old_value, change.new_value, str(change.changed_by)) == ("3", "5", c.teacher)
    assert (row.status, row.decision, row.change_id, row.new_value) == ("answered", "changed", change.id, "5")

    rows = (await journal.outbox())[before:]
    assert [subject for subject, _ in rows] == [
        "journal.correction.requested.v1",
        AUDIT,
        AUDIT,  # the teacher's list is a read of students' requests
        "journal.mark.changed.v1",
        AUDIT,
        "journal.correction.answered.v1",
        AUDIT,
    ]
    requested = events_pb2.CorrectionRequested.FromString(rows[0][1])
    assert (requested.request_id, requested.mark_id, requested.teacher_id) == (
        filed.request_id,
        mark.mark_id,
        c.teacher,
    )
    done = events_pb2.CorrectionAnswered.FromString(rows[5][1])
    assert (done.decision, done.change_id) == (jpb.CORRECTION_DECISION_CHANGED, str(change.id))
    assert "пять" not in str(requested) + str(done)  # texts stay in the journal
    audits = [AuditRecorded.FromString(rows[i][1]) for i in (1, 4, 6)]
    assert [(a.action, a.actor_id, a.subject_person_id) for a in audits] == [
        ("correction.requested", c.students[0], c.students[0]),
        ("mark.changed", c.teacher, c.students[0]),
        ("correction.answered", c.teacher, c.students[0]),
    ]

    history = await stub.GetMarkHistory(pb.GetMarkHistoryRequest(mark_id=mark.mark_id), metadata=as_student)
    assert [(e.action, e.actor_id, e.old_value, e.new_value) for e in history.entries] == [
        (H.HISTORY_ACTION_RECORDED, c.teacher, "", "3"),
        (H.HISTORY_ACTION_CORRECTION_REQUESTED, c.students[0], "3", ""),
        (H.HISTORY_ACTION_CHANGED, c.teacher, "3", "5"),
        (H.HISTORY_ACTION_CORRECTION_ANSWERED, c.teacher, "", "5"),
    ]
    assert [e.correction_request_id for e in history.entries[1:]] == [filed.request_id] * 3
    assert history.entries[3].text == "Проверил журнал ответов: вы правы"
    assert all(e.at.seconds > 0 for e in history.entries)
    # The student's own read is not audited; the class teacher's is.
    marker = len(await journal.outbox())
    await stub.GetMarkHistory(
        pb.GetMarkHistoryRequest(mark_id=mark.mark_id), metadata=journal.md(c.class_teacher, "class_teacher")
    )
    [(subject, payload)] = (await journal.outbox())[marker:]
    read = AuditRecorded.FromString(payload)
    assert (subject, read.action, read.actor_id, read.subject_person_id) == (
        AUDIT,
        "mark_history.read",
        c.class_teacher,
        c.students[0],
    )


async def test_a_removed_mark_keeps_its_history_and_explained_keeps_the_mark(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher, as_student = journal.md(c.teacher, "teacher"), journal.md(c.students[0], "student")
    _, mark = await a_mark(journal, c)
    filed = await stub.FileCorrectionRequest(
        pb.FileCorrectionRequestRequest(mark_id=mark.mark_id, text="Почему 3?"), metadata=as_student
    )
    kept = await stub.AnswerCorrectionRequest(
        pb.AnswerCorrectionRequestRequest(
            request_id=filed.request.request_id, decision=jpb.CORRECTION_DECISION_EXPLAINED, text="Нет работы"
        ),
        metadata=as_teacher,
    )
    assert (kept.mark.value, kept.request.new_value) == ("3", "")
    await stub.RemoveMark(pb.RemoveMarkRequest(mark_id=mark.mark_id, reason="Не тому"), metadata=as_teacher)
    history = await stub.GetMarkHistory(pb.GetMarkHistoryRequest(mark_id=mark.mark_id), metadata=as_student)
    assert history.removed
    assert [(e.action, e.decision, e.text) for e in history.entries] == [
        (H.HISTORY_ACTION_RECORDED, jpb.CORRECTION_DECISION_UNSPECIFIED, ""),
        (H.HISTORY_ACTION_CORRECTION_REQUESTED, jpb.CORRECTION_DECISION_UNSPECIFIED, "Почему 3?"),
        (H.HISTORY_ACTION_CORRECTION_ANSWERED, jpb.CORRECTION_DECISION_EXPLAINED, "Нет работы"),
        (H.HISTORY_ACTION_REMOVED, jpb.CORRECTION_DECISION_UNSPECIFIED, "Не тому"),
    ]
    await refused(
        stub.FileCorrectionRequest(
            pb.FileCorrectionRequestRequest(mark_id=mark.mark_id, text="А теперь?"), metadata=as_student
        ),
        grpc.StatusCode.NOT_FOUND,
        "mark_not_found",
    )


async def test_attendance_changes_are_kept_and_read_back(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher, as_class_teacher = (
        journal.md(c.teacher, "teacher"),
        journal.md(c.class_teacher, "class_teacher"),
    )
    lesson = (await stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    first, second = c.students[0], c.students[1]

    def record(*entries: jpb.AttendanceEntry) -> Awaitable[object]:
        return stub.RecordAttendance(
            pb.RecordAttendanceRequest(lesson_id=lesson.lesson_id, entries=entries), metadata=as_teacher
        )

    absent = jpb.AttendanceEntry(student_id=first, status=jpb.ATTENDANCE_STATUS_ABSENT)
    await record(absent, jpb.AttendanceEntry(student_id=second, status=jpb.ATTENDANCE_STATUS_LATE))
    async with journal.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(orm.attendance_changes))).scalar_one() == 0
    await record(absent)  # the second one's lateness dropped
    await record(absent)  # the same list again: no change
    await stub.CorrectAbsenceReasons(
        pb.CorrectAbsenceReasonsRequest(
            group_id=c.group_id,
            corrections=[
                pb.AbsenceCorrection(
                    lesson_id=lesson.lesson_id, student_id=first, reason=jpb.ABSENCE_REASON_DOCUMENTED
                )
            ],
        ),
        metadata=as_class_teacher,
    )
    got = await stub.GetAttendanceHistory(
        pb.GetAttendanceHistoryRequest(lesson_id=lesson.lesson_id, student_id=first),
        metadata=as_class_teacher,
    )
    assert (got.current.status, got.current.reason) == (
        jpb.ATTENDANCE_STATUS_ABSENT,
        jpb.ABSENCE_REASON_DOCUMENTED,
    )
    assert [(e.action, e.actor_id, e.old_reason, e.new_reason, e.text) for e in got.entries] == [
        (
            H.HISTORY_ACTION_CHANGED,
            c.class_teacher,
            jpb.ABSENCE_REASON_UNSPECIFIED,
            jpb.ABSENCE_REASON_DOCUMENTED,
            "Причина пропуска исправлена",
        )
    ]
    dropped = await stub.GetAttendanceHistory(
        pb.GetAttendanceHistoryRequest(lesson_id=lesson.lesson_id, student_id=second),
        metadata=journal.md(second, "student"),
    )
    assert not dropped.HasField("current")
    assert [(e.action, e.actor_id, e.old_status, e.new_status) for e in dropped.entries] == [
        (H.HISTORY_ACTION_REMOVED, c.teacher, jpb.ATTENDANCE_STATUS_LATE, jpb.ATTENDANCE_STATUS_UNSPECIFIED)
    ]


async def test_bad_input_is_refused_with_its_code_and_writes_nothing(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher, as_student = journal.md(c.teacher, "teacher"), journal.md(c.students[0], "student")
    _, mark = await a_mark(journal, c)
    before = len(await journal.outbox())
    for call, status, code in [
        (
            stub.FileCorrectionRequest(
                pb.FileCorrectionRequestRequest(mark_id=mark.mark_id, text="  "), metadata=as_student
            ),
            INVALID,
            "invalid_correction_text",
        ),
        (
            stub.FileCorrectionRequest(
                pb.FileCorrectionRequestRequest(mark_id=mark.mark_id, text="ы" * 1001), metadata=as_student
            ),
            INVALID,
            "invalid_correction_text",
        ),
        (
            stub.FileCorrectionRequest(
                pb.FileCorrectionRequestRequest(mark_id="не-ид", text="Да"), metadata=as_student
            ),
            INVALID,
            "invalid_mark_id",
        ),
        (
            stub.GetMarkHistory(pb.GetMarkHistoryRequest(mark_id="не-ид"), metadata=as_student),
            INVALID,
            "invalid_mark_id",
        ),
        (
            stub.AnswerCorrectionRequest(
                pb.AnswerCorrectionRequestRequest(
                    request_id="00000000-0000-4000-8000-000000000000", text="Да"
                ),
                metadata=as_teacher,
            ),
            INVALID,
            "invalid_correction_answer",
        ),
        (
            stub.AnswerCorrectionRequest(
                pb.AnswerCorrectionRequestRequest(
                    request_id="00000000-0000-4000-8000-000000000000",
                    decision=jpb.CORRECTION_DECISION_EXPLAINED,
                    text="Да",
                ),
                metadata=as_teacher,
            ),
            grpc.StatusCode.NOT_FOUND,
            "correction_request_not_found",
        ),
    ]:
        await refused(call, status, code)
    filed = await stub.FileCorrectionRequest(
        pb.FileCorrectionRequestRequest(mark_id=mark.mark_id, text="Исправьте"), metadata=as_student
    )
    after_filing = len(await journal.outbox())
    for decision, value, code in [
        (jpb.CORRECTION_DECISION_CHANGED, "", "invalid_correction_answer"),
        (jpb.CORRECTION_DECISION_EXPLAINED, "5", "invalid_correction_answer"),
        (jpb.CORRECTION_DECISION_CHANGED, "7", "unknown_mark_value"),
        (jpb.CORRECTION_DECISION_CHANGED, "3", "invalid_correction_answer"),  # the same value: no change
    ]:
        await refused(
            stub.AnswerCorrectionRequest(
                pb.AnswerCorrectionRequestRequest(
                    request_id=filed.request.request_id, decision=decision, text="Ответ", new_value=value
                ),
                metadata=as_teacher,
            ),
            INVALID,
            code,
        )
    assert len(await journal.outbox()) == after_filing == before + 2
    async with journal.sessions() as s:
        status = (
            await s.execute(
                select(orm.correction_requests.c.status).where(
                    orm.correction_requests.c.id == filed.request.request_id
                )
            )
        ).scalar_one()
        changes = (
            await s.execute(
                select(func.count())
                .select_from(orm.mark_changes)
                .where(orm.mark_changes.c.mark_id == mark.mark_id)
            )
        ).scalar_one()
    assert (status, changes) == ("open", 0)


async def test_two_requests_about_one_mark_at_once_make_one(journal: Journal) -> None:
    c = await college(journal)
    as_student = journal.md(c.students[0], "student")
    _, mark = await a_mark(journal, c)
    results = await asyncio.gather(
        *[
            journal.stub.FileCorrectionRequest(
                pb.FileCorrectionRequestRequest(mark_id=mark.mark_id, text=f"Запрос {i}"), metadata=as_student
            )
            for i in range(4)
        ],
        return_exceptions=True,
    )
    made = [r for r in results if not isinstance(r, BaseException)]
    codes = [error_code_of(r) for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert (len(made), codes) == (1, ["correction_request_open"] * 3)
