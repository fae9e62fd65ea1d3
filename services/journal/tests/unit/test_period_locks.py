"""Period locks and reopen requests (slice B; issue 7 item 5, R1.5) against in-memory fakes: the lock
window's arithmetic and its boundary, the decisions, who may close, ask, approve and reject, and the
lock check in every write path (each test fails when that path's ensure_open call is deleted)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from chassis.auth import Principal
from chassis.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import period_locks_pb2 as lpb
from journal_service.application import period_locks as locks_app
from journal_service.application.absences import CorrectAbsenceReasons
from journal_service.application.handlers import JournalHandlers
from journal_service.application.lessons import RecordAttendance
from journal_service.application.mark_changes import ChangeMark, RemoveMark
from journal_service.application.marks import RecordMark
from journal_service.application.period_locks import ClosePeriod, ListPeriodLocks
from journal_service.application.reopen_requests import (
    ApproveReopen,
    ListReopenRequests,
    RejectReopen,
    RequestReopen,
)
from journal_service.domain import lessons, model, period_locks, reopen_requests, year
from journal_service.domain.lessons import AbsenceReason, AttendanceEntry, AttendanceStatus, LessonKind
from journal_service.domain.read_models import ReasonCorrection

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2027, 2, 1)
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
IN_SEMESTER = date(2026, 12, 14)  # semester 1: 1 September .. 31 December
GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, OTHER_TEACHER, CLASS_TEACHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
DEPUTY, ADMIN, DIRECTOR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
STUDENTS = [uuid.uuid4() for _ in range(2)]
YEAR = year.AcademicYear(
    uuid.uuid4(),
    "2026/2027",
    year.DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
    year.DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
    year.DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
)


def who(person: uuid.UUID, *roles: str) -> Principal:
    return Principal(subject=str(person), roles=frozenset(roles), token="t")


AS_TEACHER = who(TEACHER, "teacher")
AS_OTHER_TEACHER = who(OTHER_TEACHER, "teacher")
AS_DEPUTY = who(DEPUTY, "deputy")
AS_ADMIN = who(ADMIN, "admin")
AS_CLASS_TEACHER = who(CLASS_TEACHER, "class_teacher")


class Clock:
    """The locks' clock, moved by the tests (no sleeping)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    moved = Clock()
    monkeypatch.setattr(locks_app, "clock", moved)
    yield moved


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    for student in STUDENTS:
        store.groups.enrollments.add((GROUP, student))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), OTHER_TEACHER, GROUP, ENGLISH))
    store.disciplines.add(model.Discipline(MATH, "ЕН.01", "Математика", model.DisciplineKind.DISCIPLINE))
    store.years.items[YEAR.id] = YEAR
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


def add_lesson(store: FakeStore, day: date = IN_SEMESTER) -> lessons.Lesson:
    lesson = lessons.Lesson(uuid.uuid4(), GROUP, None, MATH, TEACHER, day, 1, "Тема", LessonKind.LECTURE, "")
    store.lessons.items[lesson.id] = lesson
    return lesson


async def close(handlers: JournalHandlers, semester: int = 1) -> period_locks.PeriodLock:
    return await handlers.period_locks.close(ClosePeriod(GROUP, MATH, YEAR.id, semester), AS_DEPUTY)


async def a_mark(handlers: JournalHandlers, day: date = IN_SEMESTER) -> model.Mark:
    return await handlers.marks.record(RecordMark(STUDENTS[0], GROUP, MATH, day, "4"), AS_TEACHER)


async def reopen(handlers: JournalHandlers, hours: int = 0) -> reopen_requests.ReopenRequest:
    filed = await handlers.reopen_requests.request(
        RequestReopen(GROUP, MATH, YEAR.id, 1, "Ошибка в оценке Иванова"), AS_TEACHER
    )
    return await handlers.reopen_requests.approve(ApproveReopen(filed.id, hours=hours), AS_DEPUTY)


# --- the window's arithmetic --------------------------------------------------------------------


def a_lock(reopened_until: datetime | None = None) -> period_locks.PeriodLock:
    return period_locks.PeriodLock(
        uuid.uuid4(),
        GROUP,
        MATH,
        YEAR.id,
        1,
        YEAR.semester1,
        NOW,
        DEPUTY,
        period_locks.CloseCause.BY_ADMINISTRATION,
        reopened_until,
    )


def test_a_lock_is_open_strictly_before_its_reopened_until_and_closed_from_that_instant() -> None:
    until = NOW + timedelta(hours=48)
    lock = a_lock(until)
    assert not lock.is_closed(until - timedelta(microseconds=1))
    assert lock.is_closed(until)
    assert lock.is_closed(until + timedelta(seconds=1))
    assert a_lock().is_closed(NOW)


def test_a_lock_covers_its_days_only_and_blocks_only_while_closed() -> None:
    lock = a_lock()
    assert period_locks.blocking([lock], date(2026, 12, 31), NOW) is lock
    assert period_locks.blocking([lock], date(2027, 1, 1), NOW) is None
    assert period_locks.blocking([lock], date(2026, 9, 1), NOW) is lock
    assert period_locks.blocking([a_lock(NOW + timedelta(hours=1))], IN_SEMESTER, NOW) is None


def test_the_periods_span_a_semester_or_the_year() -> None:
    assert period_locks.span_of(YEAR, 1) == YEAR.semester1
    assert period_locks.span_of(YEAR, 2) == YEAR.semester2
    assert period_locks.span_of(YEAR, 0) == YEAR.span
    with pytest.raises(InvalidArgument) as bad:
        period_locks.check_semester(3)
    assert bad.value.code == "invalid_semester"


@pytest.mark.parametrize(
    ("hours", "until", "expected"),
    [
        (0, None, NOW + timedelta(hours=48)),
        (1, None, NOW + timedelta(hours=1)),
        (168, None, NOW + timedelta(days=7)),
        (5, NOW + timedelta(days=7), NOW + timedelta(days=7)),
        (0, NOW + timedelta(seconds=1), NOW + timedelta(seconds=1)),
    ],
)
def test_a_reopen_lasts_48_hours_by_default_and_at_most_7_days(
    hours: int, until: datetime | None, expected: datetime
) -> None:
    assert reopen_requests.reopen_until(NOW, hours=hours, until=until) == expected


@pytest.mark.parametrize(
    ("hours", "until"),
    [
        (-1, None),
        (169, None),
        (0, NOW),
        (0, NOW - timedelta(hours=1)),
        (0, NOW + timedelta(days=7, seconds=1)),
    ],
)
def test_a_reopen_outside_1_hour_to_7_days_is_refused(hours: int, until: datetime | None) -> None:
    with pytest.raises(InvalidArgument) as bad:
        reopen_requests.reopen_until(NOW, hours=hours, until=until)
    assert bad.value.code == "invalid_reopen_time"


@pytest.mark.parametrize("reason", ["", "   ", "я" * 1001])
def test_a_reason_is_1_to_1000_characters(reason: str) -> None:
    with pytest.raises(InvalidArgument) as bad:
        reopen_requests.check_reason(reason)
    assert bad.value.code == "invalid_reopen_reason"
    assert reopen_requests.check_reason(" " + "я" * 1000 + " ") == "я" * 1000


def test_decisions_are_taken_once() -> None:
    request = reopen_requests.new_request(
        a_lock(), teacher_id=TEACHER, reason="нужно", now=NOW, pending=False
    )
    approved, lock = reopen_requests.approve(request, deputy_id=DEPUTY, now=NOW)
    assert (approved.status, lock.reopened_until, lock.reopen_request_id) == (
        reopen_requests.ReopenStatus.APPROVED,
        NOW + timedelta(hours=48),
        request.id,
    )
    for decide in (
        lambda: reopen_requests.approve(approved, deputy_id=DEPUTY, now=NOW),
        lambda: reopen_requests.reject(approved, deputy_id=DEPUTY, now=NOW, reason="нет"),
    ):
        with pytest.raises(FailedPrecondition) as twice:
            decide()
        assert twice.value.code == "reopen_already_decided"
    with pytest.raises(FailedPrecondition) as open_now:
        reopen_requests.new_request(lock, teacher_id=TEACHER, reason="ещё", now=NOW, pending=False)
    assert open_now.value.code == "period_not_closed"
    with pytest.raises(FailedPrecondition) as pending:
        reopen_requests.new_request(a_lock(), teacher_id=TEACHER, reason="ещё", now=NOW, pending=True)
    assert pending.value.code == "reopen_already_requested"


def test_closing_a_closed_period_is_refused_but_a_reopened_one_closes_again_early() -> None:
    with pytest.raises(FailedPrecondition) as twice:
        period_locks.close(
            a_lock(),
            group_id=GROUP,
            discipline_id=MATH,
            academic_year=YEAR,
            semester=1,
            now=NOW,
            by=DEPUTY,
            cause=period_locks.CloseCause.BY_ADMINISTRATION,
        )
    assert twice.value.code == "period_already_closed"
    reopened = a_lock(NOW + timedelta(hours=2))
    closed, history = period_locks.close(
        reopened,
        group_id=GROUP,
        discipline_id=MATH,
        academic_year=YEAR,
        semester=1,
        now=NOW,
        by=ADMIN,
        cause=period_locks.CloseCause.BY_ADMINISTRATION,
    )
    assert (closed.id, closed.reopened_until, closed.closed_by, history.action) == (
        reopened.id,
        None,
        ADMIN,
        "closed",
    )


# --- the handlers -------------------------------------------------------------------------------


async def test_closing_keeps_the_lock_its_history_event_and_audit(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    lock = await close(handlers)
    assert (lock.span, lock.closed_by, lock.cause, lock.is_closed(NOW)) == (
        YEAR.semester1,
        DEPUTY,
        period_locks.CloseCause.BY_ADMINISTRATION,
        True,
    )
    assert [h.action for h in await store.period_locks.history(lock.id)] == ["closed"]
    [event] = store.events_of(events.PeriodClosed)
    assert (event.lock_id, event.group_id, event.semester, event.closed_by) == (
        str(lock.id),
        str(GROUP),
        1,
        str(DEPUTY),
    )
    assert [(a.action, a.actor_id, a.resource_id) for a in store.audits] == [
        ("period.closed", str(DEPUTY), str(lock.id))
    ]
    assert (GROUP, MATH, True) in store.period_locks.held
    with pytest.raises(FailedPrecondition) as twice:
        await close(handlers)
    assert twice.value.code == "period_already_closed"


@pytest.mark.parametrize(
    ("caller", "error", "code"),
    [
        (AS_TEACHER, PermissionDenied, "role_required"),
        (who(DIRECTOR, "director"), PermissionDenied, "role_required"),
        (AS_CLASS_TEACHER, PermissionDenied, "role_required"),
    ],
)
async def test_only_the_admin_and_a_deputy_close_a_period(
    handlers: JournalHandlers, store: FakeStore, caller: Principal, error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as refused:
        await handlers.period_locks.close(ClosePeriod(GROUP, MATH, YEAR.id, 1), caller)
    assert getattr(refused.value, "code", None) == code
    assert not store.period_locks.items
    await handlers.period_locks.close(ClosePeriod(GROUP, MATH, YEAR.id, 0), AS_ADMIN)
    assert [lock.span for lock in store.period_locks.items.values()] == [YEAR.span]


@pytest.mark.parametrize(
    ("cmd", "code"),
    [
        (ClosePeriod(uuid.uuid4(), MATH, YEAR.id, 1), "group_not_found"),
        (ClosePeriod(GROUP, uuid.uuid4(), YEAR.id, 1), "discipline_not_found"),
        (ClosePeriod(GROUP, MATH, uuid.uuid4(), 1), "academic_year_not_found"),
    ],
)
async def test_closing_an_unknown_period_writes_nothing(
    handlers: JournalHandlers, store: FakeStore, cmd: ClosePeriod, code: str
) -> None:
    with pytest.raises(NotFound) as unknown:
        await handlers.period_locks.close(cmd, AS_DEPUTY)
    assert unknown.value.code == code
    assert not store.period_locks.items
    assert not store.events_of(events.PeriodClosed)


async def test_request_approve_write_then_the_window_runs_out(
    handlers: JournalHandlers, store: FakeStore, clock: Clock
) -> None:
    await close(handlers)
    with pytest.raises(FailedPrecondition) as closed:
        await a_mark(handlers)
    assert closed.value.code == "period_closed"
    assert "подайте заявку на открытие" in str(closed.value)
    filed = await handlers.reopen_requests.request(
        RequestReopen(GROUP, MATH, YEAR.id, 1, "  Ошибка в оценке  "), AS_TEACHER
    )
    assert (filed.reason, filed.status) == ("Ошибка в оценке", reopen_requests.ReopenStatus.PENDING)
    [asked] = store.events_of(events.ReopenRequested)
    assert (asked.request_id, asked.requested_by) == (str(filed.id), str(TEACHER))
    assert [r.id for r in await handlers.reopen_requests.listed(ListReopenRequests(), AS_DEPUTY)] == [
        filed.id
    ]

    approved = await handlers.reopen_requests.approve(ApproveReopen(filed.id, hours=2), AS_DEPUTY)
    assert approved.reopened_until == NOW + timedelta(hours=2)
    [reopened] = store.events_of(events.PeriodReopened)
    assert (reopened.request_id, reopened.approved_by, reopened.reopened_until.ToDatetime(tzinfo=UTC)) == (
        str(filed.id),
        str(DEPUTY),
        NOW + timedelta(hours=2),
    )
    assert ("period.reopened", str(DEPUTY)) in [(a.action, a.actor_id) for a in store.audits]
    lock = approved.lock
    assert [h.action for h in await store.period_locks.history(lock.id)] == ["closed", "reopened"]
    mark = await a_mark(handlers)  # open now
    assert not await handlers.reopen_requests.listed(ListReopenRequests(), AS_DEPUTY)

    clock.now = NOW + timedelta(hours=2)  # the instant it closes again by itself
    with pytest.raises(FailedPrecondition) as again:
        await handlers.mark_changes.change(ChangeMark(mark.id, "5"), AS_TEACHER)
    assert again.value.code == "period_closed"
    [page_lock] = await handlers.period_locks.of_group(ListPeriodLocks(GROUP, MATH), AS_TEACHER)
    assert page_lock.is_closed(clock.now)


async def test_a_closed_period_refusal_is_audited_with_the_writer(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await close(handlers)
    with pytest.raises(FailedPrecondition):
        await a_mark(handlers)
    assert [(a.action, a.actor_id) for a in store.audits][-1] == (
        "mark.record.refused:period_closed",
        str(TEACHER),
    )
    assert not store.marks.items


async def test_a_year_lock_closes_both_semesters_and_other_disciplines_stay_open(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await close(handlers, semester=2)
    await a_mark(handlers)  # semester 1 is open
    await close(handlers, semester=0)
    with pytest.raises(FailedPrecondition):
        await a_mark(handlers)
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, ENGLISH))
    await handlers.marks.record(RecordMark(STUDENTS[0], GROUP, ENGLISH, IN_SEMESTER, "5"), AS_TEACHER)


@pytest.mark.parametrize(
    ("caller", "code"),
    [
        (AS_OTHER_TEACHER, "not_load_teacher"),
        (AS_DEPUTY, "not_load_teacher"),
        (AS_CLASS_TEACHER, "not_load_teacher"),
    ],
)
async def test_only_the_teacher_of_the_load_asks_to_reopen(
    handlers: JournalHandlers, store: FakeStore, caller: Principal, code: str
) -> None:
    await close(handlers)
    with pytest.raises(PermissionDenied) as refused:
        await handlers.reopen_requests.request(RequestReopen(GROUP, MATH, YEAR.id, 1, "причина"), caller)
    assert refused.value.code == code
    assert not store.reopen_requests.items
    assert store.audits[-1].action == f"reopen.request.refused:{code}"


async def test_a_request_for_an_open_period_or_twice_is_refused(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    with pytest.raises(FailedPrecondition) as not_closed:
        await handlers.reopen_requests.request(RequestReopen(GROUP, MATH, YEAR.id, 1, "причина"), AS_TEACHER)
    assert not_closed.value.code == "period_not_closed"
    await close(handlers)
    await handlers.reopen_requests.request(RequestReopen(GROUP, MATH, YEAR.id, 1, "причина"), AS_TEACHER)
    with pytest.raises(FailedPrecondition) as twice:
        await handlers.reopen_requests.request(RequestReopen(GROUP, MATH, YEAR.id, 1, "ещё раз"), AS_TEACHER)
    assert twice.value.code == "reopen_already_requested"
    assert len(store.reopen_requests.items) == 1
    with pytest.raises(InvalidArgument) as empty:
        await handlers.reopen_requests.request(RequestReopen(GROUP, MATH, YEAR.id, 1, " "), AS_TEACHER)
    assert empty.value.code == "invalid_reopen_reason"


@pytest.mark.parametrize("caller", [AS_TEACHER, AS_ADMIN, who(DIRECTOR, "director"), AS_CLASS_TEACHER])
async def test_only_a_deputy_approves_or_rejects(
    handlers: JournalHandlers, store: FakeStore, caller: Principal
) -> None:
    await close(handlers)
    filed = await handlers.reopen_requests.request(
        RequestReopen(GROUP, MATH, YEAR.id, 1, "причина"), AS_TEACHER
    )
    for decide in (
        handlers.reopen_requests.approve(ApproveReopen(filed.id), caller),
        handlers.reopen_requests.reject(RejectReopen(filed.id, "нет"), caller),
    ):
        with pytest.raises(PermissionDenied) as refused:
            await decide
        assert refused.value.code == "deputy_required"
    assert store.reopen_requests.items[filed.id].status is reopen_requests.ReopenStatus.PENDING
    assert not store.events_of(events.PeriodReopened)
    assert [a.action for a in store.audits][-2:] == [
        "reopen.approve.refused:deputy_required",
        "reopen.reject.refused:deputy_required",
    ]


async def test_a_rejection_keeps_the_period_closed_and_decides_once(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await close(handlers)
    filed = await handlers.reopen_requests.request(
        RequestReopen(GROUP, MATH, YEAR.id, 1, "причина"), AS_TEACHER
    )
    rejected = await handlers.reopen_requests.reject(
        RejectReopen(filed.id, "Оценки выставлены верно"), AS_DEPUTY
    )
    assert (rejected.status, rejected.decision_reason, rejected.decided_by) == (
        reopen_requests.ReopenStatus.REJECTED,
        "Оценки выставлены верно",
        DEPUTY,
    )
    with pytest.raises(FailedPrecondition) as decided:
        await handlers.reopen_requests.approve(ApproveReopen(filed.id), AS_DEPUTY)
    assert decided.value.code == "reopen_already_decided"
    with pytest.raises(FailedPrecondition):
        await a_mark(handlers)
    with pytest.raises(NotFound) as unknown:
        await handlers.reopen_requests.approve(ApproveReopen(uuid.uuid4()), AS_DEPUTY)
    assert unknown.value.code == "reopen_request_not_found"
    mine = await handlers.reopen_requests.listed(ListReopenRequests(), AS_TEACHER)
    assert [(r.id, r.status) for r in mine] == [(filed.id, reopen_requests.ReopenStatus.REJECTED)]
    assert not await handlers.reopen_requests.listed(ListReopenRequests(), AS_OTHER_TEACHER)
    with pytest.raises(PermissionDenied) as role:
        await handlers.reopen_requests.listed(ListReopenRequests(), AS_ADMIN)
    assert role.value.code == "role_required"


async def test_closing_again_during_a_reopen_ends_it(handlers: JournalHandlers, store: FakeStore) -> None:
    await close(handlers)
    await reopen(handlers)
    await a_mark(handlers)
    await close(handlers)
    with pytest.raises(FailedPrecondition):
        await a_mark(handlers)


async def test_finals_completing_a_period_close_it_once_and_leave_a_reopen_running(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    async def finals_complete() -> period_locks.PeriodLock:
        uow = fake_unit_of_work(store)
        async with uow:
            lock = await locks_app.close_period(
                uow,
                group_id=GROUP,
                discipline_id=MATH,
                academic_year=YEAR,
                semester=1,
                by=None,
                cause=period_locks.CloseCause.FINALS_SET,
            )
            await uow.commit()
        return lock

    closed = await finals_complete()
    assert (closed.cause, closed.closed_by, closed.is_closed(NOW)) == (
        period_locks.CloseCause.FINALS_SET,
        None,
        True,
    )
    assert [e.cause for e in store.events_of(events.PeriodClosed)] == [lpb.PERIOD_CLOSE_CAUSE_FINALS_SET]
    await reopen(handlers)
    still = await finals_complete()  # a final corrected during the reopen
    assert not still.is_closed(NOW)
    assert len(store.events_of(events.PeriodClosed)) == 1
    await a_mark(handlers)


# --- one test per write path: each fails when that path's ensure_open call is deleted ----------


async def test_record_mark_is_refused_in_a_closed_period(handlers: JournalHandlers, store: FakeStore) -> None:
    await close(handlers)
    with pytest.raises(FailedPrecondition) as refused:
        await a_mark(handlers)
    assert refused.value.code == "period_closed"
    assert not store.marks.items
    await a_mark(handlers, date(2027, 1, 12))  # semester 2 is open


async def test_change_mark_is_refused_in_a_closed_period(handlers: JournalHandlers, store: FakeStore) -> None:
    mark = await a_mark(handlers)
    await close(handlers)
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.mark_changes.change(ChangeMark(mark.id, "5"), AS_TEACHER)
    assert refused.value.code == "period_closed"
    assert [m.value for m in store.marks.items] == ["4"]
    assert store.audits[-1].action == "mark.change.refused:period_closed"


async def test_remove_mark_is_refused_in_a_closed_period(handlers: JournalHandlers, store: FakeStore) -> None:
    mark = await a_mark(handlers)
    await close(handlers)
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.mark_changes.remove(RemoveMark(mark.id), AS_TEACHER)
    assert refused.value.code == "period_closed"
    assert not store.events_of(events.MarkRemoved)
    assert store.audits[-1].action == "mark.remove.refused:period_closed"


async def test_record_attendance_is_refused_in_a_closed_period(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    lesson = add_lesson(store)
    await close(handlers)
    absent = AttendanceEntry(STUDENTS[0], AttendanceStatus.ABSENT, AbsenceReason.UNSPECIFIED)
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.lessons.record_attendance(RecordAttendance(lesson.id, (absent,)), AS_TEACHER)
    assert refused.value.code == "period_closed"
    assert lesson.id not in store.lessons.attendance
    assert store.audits[-1].action == "attendance.record.refused:period_closed"


async def test_correct_absence_reasons_is_refused_in_a_closed_period(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    lesson = add_lesson(store)
    store.lessons.attendance[lesson.id] = [
        AttendanceEntry(STUDENTS[0], AttendanceStatus.ABSENT, AbsenceReason.UNSPECIFIED)
    ]
    await close(handlers)
    cmd = CorrectAbsenceReasons(GROUP, (ReasonCorrection(lesson.id, STUDENTS[0], AbsenceReason.ILLNESS),))
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.absences.correct(cmd, AS_CLASS_TEACHER)
    assert refused.value.code == "period_closed"
    assert store.lessons.attendance[lesson.id][0].reason is AbsenceReason.UNSPECIFIED
    assert (store.audits[-1].action, store.audits[-1].actor_id) == (
        "attendance.correct.refused:period_closed",
        str(CLASS_TEACHER),
    )


# --- slice S: a reopen that ran out is put on record by the sweep -------------------------------


def test_the_domain_causes_are_the_protos_by_name() -> None:
    named = {name.removeprefix("PERIOD_CLOSE_CAUSE_") for name, n in lpb.PeriodCloseCause.items() if n}
    assert {cause.name for cause in period_locks.CloseCause} == named


def test_a_reopen_is_ended_from_its_instant_on_and_a_lock_not_reopened_never() -> None:
    until = NOW + timedelta(hours=2)
    request_id = uuid.uuid4()
    lock = dataclasses.replace(a_lock(until), reopen_request_id=request_id)
    assert period_locks.reopen_ended(lock, until - timedelta(microseconds=1)) is None
    assert period_locks.reopen_ended(a_lock(), until) is None
    ended = period_locks.reopen_ended(lock, until)
    assert ended is not None
    closed, history = ended
    assert closed == dataclasses.replace(lock, reopened_until=None)  # who closed it and why stay
    assert (closed.reopen_request_id, closed.is_closed(until)) == (request_id, True)
    assert (history.lock_id, history.action, history.at, history.by, history.cause) == (
        lock.id,
        "closed",
        until,
        None,
        period_locks.CloseCause.REOPEN_ENDED,
    )
    assert period_locks.reopen_ended(lock, until + timedelta(days=3)) is not None


async def test_the_sweep_closes_an_ended_reopen_once_with_its_event_and_leaves_an_open_one(
    handlers: JournalHandlers, store: FakeStore, clock: Clock
) -> None:
    lock = await close(handlers)
    await reopen(handlers, hours=2)
    later = await close(handlers, semester=2)
    filed = await handlers.reopen_requests.request(
        RequestReopen(GROUP, MATH, YEAR.id, 2, "Пересдача"), AS_TEACHER
    )
    await handlers.reopen_requests.approve(ApproveReopen(filed.id, hours=48), AS_DEPUTY)
    audits = len(store.audits)

    clock.now = NOW + timedelta(hours=2) - timedelta(microseconds=1)
    assert await handlers.period_locks.close_ended_reopens() == 0
    clock.now = NOW + timedelta(hours=3)
    assert await handlers.period_locks.close_ended_reopens() == 1

    [ended] = [
        e for e in store.events_of(events.PeriodClosed) if e.cause == lpb.PERIOD_CLOSE_CAUSE_REOPEN_ENDED
    ]
    assert (ended.lock_id, ended.semester, ended.closed_by, ended.group_id, ended.discipline_id) == (
        str(lock.id),
        1,
        "",
        str(GROUP),
        str(MATH),
    )
    assert store.subjects[-1] == "journal.period.closed.v1"
    assert (GROUP, MATH, True) in store.period_locks.held
    kept = await store.period_locks.history(lock.id)
    assert [(h.action, h.at, h.by, h.cause) for h in kept[-2:]] == [
        ("reopened", NOW, DEPUTY, None),
        ("closed", NOW + timedelta(hours=2), None, period_locks.CloseCause.REOPEN_ENDED),
    ]
    now_lock = store.period_locks.items[lock.id]
    assert (now_lock.reopened_until, now_lock.cause, now_lock.closed_by) == (
        None,
        period_locks.CloseCause.BY_ADMINISTRATION,
        DEPUTY,
    )
    assert store.period_locks.items[later.id].reopened_until == NOW + timedelta(hours=48)
    assert len(store.audits) == audits  # nobody acted: the history row and the event are the record

    assert await handlers.period_locks.close_ended_reopens() == 0  # once
    assert len(store.events_of(events.PeriodClosed)) == 3
    with pytest.raises(FailedPrecondition) as refused:
        await a_mark(handlers)
    assert refused.value.code == "period_closed"


@pytest.mark.parametrize("meanwhile", ["reopened_again", "closed_by_hand"])
async def test_the_sweep_leaves_a_lock_changed_after_it_was_read(
    handlers: JournalHandlers, store: FakeStore, clock: Clock, monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    lock = await close(handlers)
    await reopen(handlers, hours=2)
    read = store.period_locks.ended_reopens

    async def read_then_changed(now: datetime, limit: int) -> list[period_locks.PeriodLock]:
        candidates = await read(now, limit)
        current = store.period_locks.items[lock.id]
        store.period_locks.items[lock.id] = (
            dataclasses.replace(current, reopened_until=now + timedelta(hours=5))
            if meanwhile == "reopened_again"
            else dataclasses.replace(current, reopened_until=None, closed_at=now)
        )
        return candidates

    monkeypatch.setattr(store.period_locks, "ended_reopens", read_then_changed)
    clock.now = NOW + timedelta(hours=3)
    closed_before = len(store.events_of(events.PeriodClosed))
    assert await handlers.period_locks.close_ended_reopens() == 0
    assert len(store.events_of(events.PeriodClosed)) == closed_before
    assert [h.action for h in await store.period_locks.history(lock.id)] == ["closed", "reopened"]


async def test_approving_a_new_reopen_records_the_ended_one_first(
    handlers: JournalHandlers, store: FakeStore, clock: Clock
) -> None:
    lock = await close(handlers)
    await reopen(handlers, hours=2)
    clock.now = NOW + timedelta(hours=5)  # ended, and the sweep has not run yet
    await reopen(handlers, hours=1)
    assert [(s, getattr(e, "cause", None)) for s, e in store.events if s.startswith("journal.period.")] == [
        ("journal.period.closed.v1", lpb.PERIOD_CLOSE_CAUSE_BY_ADMINISTRATION),
        ("journal.period.reopened.v1", None),
        ("journal.period.closed.v1", lpb.PERIOD_CLOSE_CAUSE_REOPEN_ENDED),
        ("journal.period.reopened.v1", None),
    ]
    kept = await store.period_locks.history(lock.id)
    assert [(h.action, h.at) for h in kept] == [
        ("closed", NOW),
        ("reopened", NOW),
        ("closed", NOW + timedelta(hours=2)),
        ("reopened", NOW + timedelta(hours=5)),
    ]
    assert store.period_locks.items[lock.id].reopened_until == NOW + timedelta(hours=6)
    assert await handlers.period_locks.close_ended_reopens() == 0
