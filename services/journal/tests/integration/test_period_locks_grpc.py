"""Period locks and reopen requests (slice B; issue 7 item 5, R1.5) over real gRPC and PostgreSQL:
a closed semester refuses marks, their changes, attendance and absence reasons (audited refusals); the
teacher asks, a deputy approves for two hours, the edit goes through, the clock moves past the window
and the period is closed again by itself; the events, the history and the audit in the outbox; a write
racing a close waits on the lock and is refused; bad input writes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import grpc
import pytest
from chassis.grpc_client import error_code_of
from chassis.periodic import run_every
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import period_locks_pb2 as lpb
from journal_service.adapters import orm
from journal_service.adapters.repositories.period_locks import lock_key
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.application import period_locks as locks_app
from journal_service.application.period_locks import PeriodLockHandlers
from sqlalchemy import select, text

from .test_lessons_grpc import College, college, journal, lesson_request
from .test_year_structure_grpc import Journal, day

__all__ = ["journal"]  # the fixture, shared with the lessons' tests

pytestmark = pytest.mark.integration
NOW = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)
FAILED, DENIED = grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.PERMISSION_DENIED


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    moved = Clock()
    monkeypatch.setattr(locks_app, "clock", moved)
    yield moved


async def year_id(journal: Journal) -> str:
    years = await journal.stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin)
    return years.years[0].year_id


async def test_closed_refused_requested_approved_used_and_closed_again_by_itself(
    journal: Journal, clock: Clock
) -> None:
    c: College = await college(journal)
    stub, year = journal.stub, await year_id(journal)
    as_teacher, deputy = journal.md(c.teacher, "teacher"), journal.people.new("deputy")
    as_deputy = journal.md(deputy, "deputy")
    lesson = (await stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    mark = (
        await stub.RecordMark(
            pb.RecordMarkRequest(student_id=c.students[0], lesson_id=lesson.lesson_id, value="4"),
            metadata=as_teacher,
        )
    ).mark
    before = len(await journal.outbox())

    closed = (
        await stub.ClosePeriod(
            lpb.ClosePeriodRequest(group_id=c.group_id, discipline_id=c.math, year_id=year, semester=1),
            metadata=as_deputy,
        )
    ).lock
    assert (closed.closed, closed.closed_by, closed.cause, closed.span.ends_on) == (
        True,
        deputy,
        lpb.PERIOD_CLOSE_CAUSE_BY_ADMINISTRATION,
        day("2026-12-31"),
    )
    rows = dict((await journal.outbox())[before:])
    assert sorted(rows) == ["audit.journal.recorded.v1", "journal.period.closed.v1"]
    event = events_pb2.PeriodClosed.FromString(rows["journal.period.closed.v1"])
    assert (event.lock_id, event.group_id, event.discipline_id, event.year_id, event.semester) == (
        closed.lock_id,
        c.group_id,
        c.math,
        year,
        1,
    )

    # Every write path on a day of the period is refused, audited with the teacher, nothing written.
    writes = [
        stub.RecordMark(
            pb.RecordMarkRequest(student_id=c.students[1], lesson_id=lesson.lesson_id, value="5"),
            metadata=as_teacher,
        ),
        stub.ChangeMark(pb.ChangeMarkRequest(mark_id=mark.mark_id, value="5"), metadata=as_teacher),
        stub.RemoveMark(pb.RemoveMarkRequest(mark_id=mark.mark_id), metadata=as_teacher),
        stub.RecordAttendance(
            pb.RecordAttendanceRequest(
                lesson_id=lesson.lesson_id,
                entries=[jpb.AttendanceEntry(student_id=c.students[0], status=jpb.ATTENDANCE_STATUS_ABSENT)],
            ),
            metadata=as_teacher,
        ),
    ]
    for write in writes:
        await journal.refused(write, FAILED, "period_closed")
    assert sorted((a.action, a.actor_id) for a in await journal.refusal_audits()) == [
        ("attendance.record.refused:period_closed", c.teacher),
        ("mark.change.refused:period_closed", c.teacher),
        ("mark.record.refused:period_closed", c.teacher),
        ("mark.remove.refused:period_closed", c.teacher),
    ]
    page = await stub.GetJournalPage(
        pb.GetJournalPageRequest(
            group_id=c.group_id, discipline_id=c.math, date_from=day("2026-10-01"), date_to=day("2026-10-31")
        ),
        metadata=as_teacher,
    )
    assert [(lock.lock_id, lock.closed) for lock in page.period_locks] == [(closed.lock_id, True)]

    # Only the teacher of the load asks; only a deputy decides.
    ask = lpb.RequestReopenRequest(
        group_id=c.group_id, discipline_id=c.math, year_id=year, semester=1, reason="Ошибка в оценке"
    )
    await journal.refused(
        stub.RequestReopen(ask, metadata=journal.md(c.english_teacher, "teacher")), DENIED, "not_load_teacher"
    )
    before = len(await journal.outbox())
    filed = (await stub.RequestReopen(ask, metadata=as_teacher)).request
    assert (filed.status, filed.requested_by, filed.reason) == (
        lpb.REOPEN_REQUEST_STATUS_PENDING,
        c.teacher,
        "Ошибка в оценке",
    )
    assert [s for s, _ in (await journal.outbox())[before:]] == ["journal.reopen.requested.v1"]
    await journal.refused(stub.RequestReopen(ask, metadata=as_teacher), FAILED, "reopen_already_requested")
    pending = await stub.ListReopenRequests(lpb.ListReopenRequestsRequest(), metadata=as_deputy)
    assert [r.request_id for r in pending.requests] == [filed.request_id]
    approve = lpb.ApproveReopenRequest(request_id=filed.request_id, hours=2)
    for caller in (as_teacher, journal.admin, journal.md(c.class_teacher, "class_teacher")):
        await journal.refused(stub.ApproveReopen(approve, metadata=caller), DENIED, "deputy_required")
    await journal.refused(
        stub.ApproveReopen(
            lpb.ApproveReopenRequest(request_id=filed.request_id, hours=169), metadata=as_deputy
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "invalid_reopen_time",
    )

    before = len(await journal.outbox())
    approved = await stub.ApproveReopen(approve, metadata=as_deputy)
    until = NOW + timedelta(hours=2)
    assert approved.request.status == lpb.REOPEN_REQUEST_STATUS_APPROVED
    assert (approved.lock.closed, approved.lock.reopened_until.ToDatetime(tzinfo=UTC)) == (False, until)
    rows = dict((await journal.outbox())[before:])
    assert sorted(rows) == ["audit.journal.recorded.v1", "journal.period.reopened.v1"]
    reopened = events_pb2.PeriodReopened.FromString(rows["journal.period.reopened.v1"])
    assert (reopened.request_id, reopened.approved_by, reopened.requested_by) == (
        filed.request_id,
        deputy,
        c.teacher,
    )
    assert reopened.reopened_until.ToDatetime(tzinfo=UTC) == until
    await journal.refused(stub.ApproveReopen(approve, metadata=as_deputy), FAILED, "reopen_already_decided")

    # Open: the edit goes through.
    changed = await stub.ChangeMark(
        pb.ChangeMarkRequest(mark_id=mark.mark_id, value="5", reason="Ошибка"), metadata=as_teacher
    )
    assert changed.mark.value == "5"

    # Time passes (the clock, not a sleep): at the window's end it is closed again by itself.
    clock.now = until
    await journal.refused(
        stub.ChangeMark(pb.ChangeMarkRequest(mark_id=mark.mark_id, value="4"), metadata=as_teacher),
        FAILED,
        "period_closed",
    )
    locks = await stub.ListPeriodLocks(lpb.ListPeriodLocksRequest(group_id=c.group_id), metadata=as_teacher)
    assert [(lock.closed, lock.reopen_request_id) for lock in locks.locks] == [(True, filed.request_id)]

    # A second request is rejected with a reason; the teacher sees both, newest first.
    second = (await stub.RequestReopen(ask, metadata=as_teacher)).request
    rejected = await stub.RejectReopen(
        lpb.RejectReopenRequest(request_id=second.request_id, reason="Оценки верны"), metadata=as_deputy
    )
    assert (rejected.request.status, rejected.request.decision_reason) == (
        lpb.REOPEN_REQUEST_STATUS_REJECTED,
        "Оценки верны",
    )
    mine = await stub.ListReopenRequests(lpb.ListReopenRequestsRequest(), metadata=as_teacher)
    assert {r.request_id for r in mine.requests} == {second.request_id, filed.request_id}
    async with journal.sessions() as s:
        history = (
            await s.execute(
                select(orm.period_lock_history.c.action, orm.period_lock_history.c.by).order_by(
                    orm.period_lock_history.c.at
                )
            )
        ).all()
    assert [(h.action, str(h.by)) for h in history] == [("closed", deputy), ("reopened", deputy)]


async def test_absence_reasons_of_a_closed_period_are_not_corrected(journal: Journal, clock: Clock) -> None:
    c = await college(journal)
    stub, year = journal.stub, await year_id(journal)
    as_teacher = journal.md(c.teacher, "teacher")
    lesson = (await stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    await stub.RecordAttendance(
        pb.RecordAttendanceRequest(
            lesson_id=lesson.lesson_id,
            entries=[jpb.AttendanceEntry(student_id=c.students[0], status=jpb.ATTENDANCE_STATUS_ABSENT)],
        ),
        metadata=as_teacher,
    )
    await stub.ClosePeriod(
        lpb.ClosePeriodRequest(group_id=c.group_id, discipline_id=c.math, year_id=year, semester=0),
        metadata=journal.admin,
    )
    correct = pb.CorrectAbsenceReasonsRequest(
        group_id=c.group_id,
        corrections=[
            pb.AbsenceCorrection(
                lesson_id=lesson.lesson_id, student_id=c.students[0], reason=jpb.ABSENCE_REASON_ILLNESS
            )
        ],
    )
    await journal.refused(
        stub.CorrectAbsenceReasons(correct, metadata=journal.md(c.class_teacher, "class_teacher")),
        FAILED,
        "period_closed",
    )
    async with journal.sessions() as s:
        reason = await s.scalar(select(orm.attendance.c.reason))
    assert reason == "unspecified"


async def test_bad_input_is_refused_with_its_code_and_writes_nothing(journal: Journal, clock: Clock) -> None:
    c = await college(journal)
    stub, year = journal.stub, await year_id(journal)
    as_teacher, as_deputy = (
        journal.md(c.teacher, "teacher"),
        journal.md(journal.people.new("deputy"), "deputy"),
    )
    ask = lpb.RequestReopenRequest(
        group_id=c.group_id, discipline_id=c.math, year_id=year, semester=1, reason="x"
    )
    await journal.refused(stub.RequestReopen(ask, metadata=as_teacher), FAILED, "period_not_closed")
    close = lpb.ClosePeriodRequest(group_id=c.group_id, discipline_id=c.math, year_id=year, semester=1)
    await journal.refused(
        stub.ClosePeriod(close, metadata=as_teacher), grpc.StatusCode.PERMISSION_DENIED, "role_required"
    )
    await stub.ClosePeriod(close, metadata=as_deputy)
    await journal.refused(stub.ClosePeriod(close, metadata=as_deputy), FAILED, "period_already_closed")
    invalid = grpc.StatusCode.INVALID_ARGUMENT
    for bad, code in (
        (lpb.RequestReopenRequest(**{**_fields(ask), "reason": ""}), "invalid_reopen_reason"),
        (lpb.RequestReopenRequest(**{**_fields(ask), "reason": "я" * 1001}), "invalid_reopen_reason"),
        (lpb.RequestReopenRequest(**{**_fields(ask), "semester": 3}), "invalid_semester"),
        (lpb.RequestReopenRequest(**{**_fields(ask), "group_id": "x"}), "invalid_group_id"),
    ):
        await journal.refused(stub.RequestReopen(bad, metadata=as_teacher), invalid, code)
    await journal.refused(
        stub.ApproveReopen(lpb.ApproveReopenRequest(request_id=str(NOW.timestamp())), metadata=as_deputy),
        invalid,
        "invalid_request_id",
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    await journal.refused(
        stub.RejectReopen(lpb.RejectReopenRequest(request_id=unknown, reason="нет"), metadata=as_deputy),
        grpc.StatusCode.NOT_FOUND,
        "reopen_request_not_found",
    )
    await journal.refused(
        stub.RejectReopen(lpb.RejectReopenRequest(request_id=unknown, reason=""), metadata=as_deputy),
        invalid,
        "invalid_reopen_reason",
    )
    async with journal.sessions() as s:
        assert await s.scalar(select(text("count(*)")).select_from(orm.reopen_requests)) == 0


def _fields(message: lpb.RequestReopenRequest) -> dict[str, object]:
    return {f.name: v for f, v in message.ListFields()}


async def test_a_write_racing_a_close_waits_for_it_and_is_refused(journal: Journal, clock: Clock) -> None:
    """A close in flight holds the group × discipline's lock: a mark sent meanwhile waits (seen waiting
    in pg_locks), and once the close commits it is refused — it never lands in a closed period."""
    c = await college(journal)
    stub, year = journal.stub, await year_id(journal)
    as_teacher = journal.md(c.teacher, "teacher")
    async with journal.sessions() as closing:
        await closing.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _key(c.group_id, c.math)})
        write = asyncio.ensure_future(
            stub.RecordMark(
                pb.RecordMarkRequest(
                    student_id=c.students[0],
                    group_id=c.group_id,
                    discipline_id=c.math,
                    lesson_date=day("2026-10-14"),
                    value="5",
                ),
                metadata=as_teacher,
            )
        )
        async with journal.sessions() as watch:
            for _ in range(500):
                waiting = await watch.scalar(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                )
                if waiting:
                    break
                await asyncio.sleep(0.01)
        assert waiting == 1
        assert not write.done()
        await closing.execute(
            orm.period_locks.insert().values(
                id=uuid.uuid4(),
                group_id=c.group_id,
                discipline_id=c.math,
                year_id=year,
                semester=1,
                starts_on=datetime(2026, 9, 1).date(),
                ends_on=datetime(2026, 12, 31).date(),
                closed_at=NOW,
                cause="by_administration",
            )
        )
        await closing.commit()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await write
    assert error_code_of(caught.value) == "period_closed"
    async with journal.sessions() as s:
        assert await s.scalar(select(text("count(*)")).select_from(orm.marks)) == 0


def _key(group_id: str, discipline_id: str) -> int:
    return lock_key(uuid.UUID(group_id), uuid.UUID(discipline_id))


async def test_the_reopen_sweep_closes_an_ended_window_on_record_once(journal: Journal, clock: Clock) -> None:
    """Slice S: the real background loop (`run_every` over `close_ended_reopens`, as main.py wires it,
    with a short interval) puts a reopen that ran out on record — journal.period.closed.v1 with cause
    REOPEN_ENDED in the outbox, the history reopened → closed at the window's end, no reopened_until in
    ListPeriodLocks — and a later sweep adds nothing; writes stay refused."""
    c = await college(journal)
    stub, year = journal.stub, await year_id(journal)
    as_teacher, as_deputy = (
        journal.md(c.teacher, "teacher"),
        journal.md(journal.people.new("deputy"), "deputy"),
    )
    lesson = (await stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    mark = (
        await stub.RecordMark(
            pb.RecordMarkRequest(student_id=c.students[0], lesson_id=lesson.lesson_id, value="4"),
            metadata=as_teacher,
        )
    ).mark
    closed = (
        await stub.ClosePeriod(
            lpb.ClosePeriodRequest(group_id=c.group_id, discipline_id=c.math, year_id=year, semester=1),
            metadata=as_deputy,
        )
    ).lock
    ask = lpb.RequestReopenRequest(
        group_id=c.group_id, discipline_id=c.math, year_id=year, semester=1, reason="Ошибка в оценке"
    )
    filed = (await stub.RequestReopen(ask, metadata=as_teacher)).request
    await stub.ApproveReopen(
        lpb.ApproveReopenRequest(request_id=filed.request_id, hours=1), metadata=as_deputy
    )
    until = NOW + timedelta(hours=1)
    sweeps = PeriodLockHandlers(lambda: JournalUnitOfWork(journal.sessions, service="journal"), date.today)
    assert await sweeps.close_ended_reopens() == 0  # still open
    before = len(await journal.outbox())

    clock.now = until + timedelta(seconds=5)
    loop = asyncio.ensure_future(run_every(0.01, sweeps.close_ended_reopens, task="reopen sweep"))
    try:
        for _ in range(500):
            added = (await journal.outbox())[before:]
            if added:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # a few more runs of the loop: they must add nothing
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    added = (await journal.outbox())[before:]
    assert [s for s, _ in added] == ["journal.period.closed.v1"]  # no audit: nobody acted
    event = events_pb2.PeriodClosed.FromString(added[0][1])
    assert (event.lock_id, event.cause, event.closed_by, event.semester, event.year_id) == (
        closed.lock_id,
        lpb.PERIOD_CLOSE_CAUSE_REOPEN_ENDED,
        "",
        1,
        year,
    )
    async with journal.sessions() as s:
        h = orm.period_lock_history.c
        history = (await s.execute(select(h.action, h.at, h.by, h.cause).order_by(h.at, h.action))).all()
    assert [(r.action, r.at, r.cause) for r in history[-2:]] == [
        ("reopened", NOW, None),
        ("closed", until, "reopen_ended"),
    ]
    assert history[-1].by is None
    locks = await stub.ListPeriodLocks(lpb.ListPeriodLocksRequest(group_id=c.group_id), metadata=as_teacher)
    [lock] = locks.locks
    assert (lock.closed, lock.HasField("reopened_until"), lock.reopen_request_id, lock.cause) == (
        True,
        False,
        filed.request_id,
        lpb.PERIOD_CLOSE_CAUSE_BY_ADMINISTRATION,
    )
    await journal.refused(
        stub.ChangeMark(pb.ChangeMarkRequest(mark_id=mark.mark_id, value="5"), metadata=as_teacher),
        FAILED,
        "period_closed",
    )
    assert await sweeps.close_ended_reopens() == 0
    assert [s for s, _ in (await journal.outbox())[before:]] == ["journal.period.closed.v1"]
