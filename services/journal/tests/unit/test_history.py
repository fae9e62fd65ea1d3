"""The history of a mark and of an attendance entry (issue 7 item 6; R3.3) against in-memory fakes:
what a change of attendance is, the trail's time order, who may read it (and that a read of another
person's history is audited), and the rows RecordAttendance and CorrectAbsenceReasons keep."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from chassis.auth import Principal
from chassis.errors import NotFound
from journal_service.application.absences import CorrectAbsenceReasons
from journal_service.application.correction_requests import (
    AnswerCorrectionRequest,
    CorrectionRequestHandlers,
    FileCorrectionRequest,
)
from journal_service.application.handlers import JournalHandlers
from journal_service.application.history import GetAttendanceHistory, GetMarkHistory, HistoryHandlers
from journal_service.application.lessons import RecordAttendance
from journal_service.application.mark_changes import ChangeMark, RemoveMark
from journal_service.application.marks import RecordMark
from journal_service.domain import correction_requests as cr
from journal_service.domain import history, lessons, mark_changes, model
from journal_service.domain.lessons import AbsenceReason, AttendanceEntry, AttendanceStatus
from journal_service.domain.read_models import ReasonCorrection

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, COLLEAGUE, CLASS_TEACHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
STUDENT, OTHER_STUDENT, PARENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def person(subject: uuid.UUID, *roles: str) -> Principal:
    return Principal(subject=str(subject), roles=frozenset(roles), token="t")


AS_TEACHER = person(TEACHER, "teacher")
AS_STUDENT = person(STUDENT, "student")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    for student in (STUDENT, OTHER_STUDENT):
        store.groups.enrollments.add((GROUP, student))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), COLLEAGUE, GROUP, ENGLISH))
    return store


@pytest.fixture
def guardians() -> FakeGuardians:
    return FakeGuardians({(str(PARENT), str(STUDENT))})


@pytest.fixture
def handlers(store: FakeStore, guardians: FakeGuardians) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=guardians,
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


@pytest.fixture
def reads(store: FakeStore, guardians: FakeGuardians) -> HistoryHandlers:
    return HistoryHandlers(lambda: fake_unit_of_work(store), guardians)


@pytest.fixture
def requests(store: FakeStore) -> CorrectionRequestHandlers:
    return CorrectionRequestHandlers(lambda: fake_unit_of_work(store))


def entry(student: uuid.UUID, status: str, reason: str = "unspecified") -> AttendanceEntry:
    return AttendanceEntry(student, AttendanceStatus(status), AbsenceReason(reason))


# --- what a change of attendance is ----------------------------------------------------------------


def test_the_first_recording_of_a_lesson_is_no_change() -> None:
    assert history.attendance_changes(uuid.uuid4(), [], [entry(STUDENT, "absent")], changed_by=TEACHER) == []


def test_a_new_list_keeps_each_changed_added_and_dropped_entry_and_nothing_else() -> None:
    lesson, third = uuid.uuid4(), uuid.uuid4()
    before = [entry(STUDENT, "absent"), entry(OTHER_STUDENT, "present")]
    after = [entry(STUDENT, "late", "illness"), entry(third, "absent")]
    changes = {c.student_id: c for c in history.attendance_changes(lesson, before, after, changed_by=TEACHER)}
    assert set(changes) == {STUDENT, OTHER_STUDENT, third}
    assert (changes[STUDENT].old, changes[STUDENT].new) == (
        history.AttendanceState(AttendanceStatus.ABSENT, AbsenceReason.UNSPECIFIED),
        history.AttendanceState(AttendanceStatus.LATE, AbsenceReason.ILLNESS),
    )
    assert changes[OTHER_STUDENT].action is history.HistoryAction.REMOVED
    assert changes[third].old is None and changes[third].action is history.HistoryAction.CHANGED
    assert all(c.changed_by == TEACHER and c.lesson_id == lesson for c in changes.values())
    assert history.attendance_changes(lesson, before, list(before), changed_by=TEACHER) == []


# --- the trail's order -----------------------------------------------------------------------------


def test_a_mark_trail_runs_in_time_order_with_an_answer_after_the_change_it_made() -> None:
    t0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
    mark = model.Mark(uuid.uuid4(), STUDENT, GROUP, MATH, TEACHER, TODAY, "5", recorded_at=t0)
    request = cr.CorrectionRequest(
        uuid.uuid4(),
        mark.id,
        STUDENT,
        GROUP,
        MATH,
        TEACHER,
        "3",
        "Я сдал работу",
        filed_at=t0 + timedelta(hours=2),
    )
    change = mark_changes.MarkChange(
        uuid.uuid4(),
        mark.id,
        mark_changes.MarkChangeAction.CHANGED,
        TEACHER,
        "3",
        model.KindOfWork.ANSWER,
        1,
        "5",
        model.KindOfWork.ANSWER,
        1,
        "по запросу",
        changed_at=t0 + timedelta(hours=3),
    )
    answered = cr.answer(
        request,
        decision=cr.CorrectionDecision.CHANGED,
        text="Исправил",
        teacher_id=TEACHER,
        new_value="5",
        change_id=change.id,
    )
    # The answer and its change share one transaction: one instant.
    answered = answered.__class__(
        **{
            **answered.__dict__,
            "answer": cr.CorrectionAnswer(
                cr.CorrectionDecision.CHANGED, "Исправил", TEACHER, t0 + timedelta(hours=3), "5", change.id
            ),
        }
    )
    early = mark_changes.MarkChange(
        uuid.uuid4(),
        mark.id,
        mark_changes.MarkChangeAction.CHANGED,
        TEACHER,
        "4",
        model.KindOfWork.ANSWER,
        1,
        "3",
        model.KindOfWork.ANSWER,
        1,
        "описка",
        changed_at=t0 + timedelta(hours=1),
    )
    trail = history.mark_trail(mark, [early, change], [answered])
    assert [(e.action, e.old_value, e.new_value) for e in trail] == [
        (history.HistoryAction.RECORDED, "", "4"),
        (history.HistoryAction.CHANGED, "4", "3"),
        (history.HistoryAction.CORRECTION_REQUESTED, "3", ""),
        (history.HistoryAction.CHANGED, "3", "5"),
        (history.HistoryAction.CORRECTION_ANSWERED, "", "5"),
    ]
    assert trail[3].correction_request_id == request.id and trail[1].correction_request_id is None
    assert trail[4].decision is cr.CorrectionDecision.CHANGED and trail[2].actor_id == STUDENT


def test_a_mark_never_changed_shows_its_recording_only() -> None:
    mark = model.Mark(uuid.uuid4(), STUDENT, GROUP, MATH, TEACHER, TODAY, "4", recorded_at=datetime.now(UTC))
    [recorded] = history.mark_trail(mark, [], [])
    assert (recorded.action, recorded.new_value, recorded.actor_id) == (
        history.HistoryAction.RECORDED,
        "4",
        TEACHER,
    )


# --- who reads a mark's history ----------------------------------------------------------------------


async def a_mark(
    handlers: JournalHandlers, discipline: uuid.UUID = MATH, teacher: Principal = AS_TEACHER
) -> model.Mark:
    return await handlers.marks.record(
        RecordMark(
            student_id=STUDENT, group_id=GROUP, discipline_id=discipline, lesson_date=TODAY, value="4"
        ),
        teacher,
    )


READERS = {
    "the student's parent": person(PARENT, "parent"),
    "the teacher of the load": AS_TEACHER,
    "the group's class teacher": person(CLASS_TEACHER, "class_teacher"),
    "the admin": person(uuid.uuid4(), "admin"),
    "the deputy": person(uuid.uuid4(), "deputy"),
}
STRANGERS = {
    "another student": person(OTHER_STUDENT, "student"),
    "another parent": person(uuid.uuid4(), "parent"),
    "a teacher of another discipline of the group": person(COLLEAGUE, "teacher"),
    "a teacher without a load": person(uuid.uuid4(), "teacher"),
    "a class teacher of another group": person(uuid.uuid4(), "class_teacher"),
    "the student's id without the student role": person(STUDENT),
}


async def test_the_student_reads_their_mark_history_unaudited(
    handlers: JournalHandlers, reads: HistoryHandlers, store: FakeStore
) -> None:
    mark = await a_mark(handlers)
    audits = len(store.audits)
    got = await reads.mark(GetMarkHistory(mark.id), AS_STUDENT)
    assert [e.action for e in got.entries] == [history.HistoryAction.RECORDED] and not got.removed
    assert len(store.audits) == audits


@pytest.mark.parametrize("reader", READERS, ids=list(READERS))
async def test_the_readers_of_a_mark_history_are_audited(
    handlers: JournalHandlers, reads: HistoryHandlers, store: FakeStore, reader: str
) -> None:
    mark = await a_mark(handlers)
    await reads.mark(GetMarkHistory(mark.id), READERS[reader])
    last = store.audits[-1]
    assert (last.action, last.actor_id, last.resource_id, last.subject_person_id) == (
        "mark_history.read",
        READERS[reader].subject,
        str(mark.id),
        str(STUDENT),
    )


@pytest.mark.parametrize("stranger", STRANGERS, ids=list(STRANGERS))
async def test_anyone_else_is_told_the_mark_does_not_exist(
    handlers: JournalHandlers, reads: HistoryHandlers, stranger: str
) -> None:
    mark = await a_mark(handlers)
    with pytest.raises(NotFound) as refused:
        await reads.mark(GetMarkHistory(mark.id), STRANGERS[stranger])
    assert refused.value.code == "mark_not_found"
    with pytest.raises(NotFound):
        await reads.mark(GetMarkHistory(uuid.uuid4()), READERS["the admin"])


async def test_a_removed_mark_keeps_its_history_with_every_change(
    handlers: JournalHandlers, reads: HistoryHandlers
) -> None:
    mark = await a_mark(handlers)
    await handlers.mark_changes.change(ChangeMark(mark.id, "5", reason="пересдал"), AS_TEACHER)
    await handlers.mark_changes.remove(RemoveMark(mark.id, reason="ошибочно"), AS_TEACHER)
    got = await reads.mark(GetMarkHistory(mark.id), AS_STUDENT)
    assert got.removed
    assert [(e.action, e.old_value, e.new_value, e.text) for e in got.entries] == [
        (history.HistoryAction.RECORDED, "", "4", ""),
        (history.HistoryAction.CHANGED, "4", "5", "пересдал"),
        (history.HistoryAction.REMOVED, "5", "", "ошибочно"),
    ]


async def test_a_correction_request_and_its_answer_are_in_the_mark_history(
    handlers: JournalHandlers, reads: HistoryHandlers, requests: CorrectionRequestHandlers
) -> None:
    mark = await a_mark(handlers)
    filed = await requests.file(FileCorrectionRequest(mark.id, "Я отвечал на 5"), AS_STUDENT)
    await requests.answer(
        AnswerCorrectionRequest(filed.id, cr.CorrectionDecision.CHANGED, "Исправлено", "5"), AS_TEACHER
    )
    got = await reads.mark(GetMarkHistory(mark.id), person(PARENT, "parent"))
    assert [(e.action, e.correction_request_id) for e in got.entries] == [
        (history.HistoryAction.RECORDED, None),
        (history.HistoryAction.CORRECTION_REQUESTED, filed.id),
        (history.HistoryAction.CHANGED, filed.id),
        (history.HistoryAction.CORRECTION_ANSWERED, filed.id),
    ]
    assert got.mark.value == "5"


# --- attendance ------------------------------------------------------------------------------------


def a_lesson(store: FakeStore, discipline: uuid.UUID = MATH, teacher: uuid.UUID = TEACHER) -> uuid.UUID:
    lesson = lessons.Lesson(
        uuid.uuid4(), GROUP, None, discipline, teacher, TODAY, 1, "Тема", lessons.LessonKind.LECTURE
    )
    store.lessons.items[lesson.id] = lesson
    return lesson.id


async def test_recording_attendance_again_keeps_each_change_and_the_first_recording_none(
    handlers: JournalHandlers, reads: HistoryHandlers, store: FakeStore
) -> None:
    lesson = a_lesson(store)
    record = handlers.lessons.record_attendance
    await record(
        RecordAttendance(lesson, (entry(STUDENT, "absent"), entry(OTHER_STUDENT, "present"))), AS_TEACHER
    )
    assert store.history.attendance == []
    await record(RecordAttendance(lesson, (entry(STUDENT, "late", "illness"),)), AS_TEACHER)
    got = await reads.attendance(GetAttendanceHistory(lesson, STUDENT), AS_STUDENT)
    assert got.current == entry(STUDENT, "late", "illness")
    [change] = got.changes
    assert (change.changed_by, change.old, change.source) == (
        TEACHER,
        history.AttendanceState(AttendanceStatus.ABSENT, AbsenceReason.UNSPECIFIED),
        history.AttendanceChangeSource.ATTENDANCE,
    )
    dropped = await reads.attendance(GetAttendanceHistory(lesson, OTHER_STUDENT), READERS["the admin"])
    assert dropped.current is None and [c.action for c in dropped.changes] == [history.HistoryAction.REMOVED]


async def test_a_corrected_reason_is_kept_in_the_entry_history(
    handlers: JournalHandlers, reads: HistoryHandlers, store: FakeStore
) -> None:
    lesson = a_lesson(store)
    store.lessons.attendance[lesson] = [entry(STUDENT, "absent")]
    await handlers.absences.correct(
        CorrectAbsenceReasons(GROUP, (ReasonCorrection(lesson, STUDENT, AbsenceReason.DOCUMENTED),)),
        person(CLASS_TEACHER, "class_teacher"),
    )
    got = await reads.attendance(GetAttendanceHistory(lesson, STUDENT), person(PARENT, "parent"))
    [change] = got.changes
    assert (change.changed_by, change.source, change.old, change.new) == (
        CLASS_TEACHER,
        history.AttendanceChangeSource.REASON_CORRECTION,
        history.AttendanceState(AttendanceStatus.ABSENT, AbsenceReason.UNSPECIFIED),
        history.AttendanceState(AttendanceStatus.ABSENT, AbsenceReason.DOCUMENTED),
    )
    assert store.audits[-1].action == "attendance_history.read"


@pytest.mark.parametrize("stranger", STRANGERS, ids=list(STRANGERS))
async def test_anyone_else_is_told_the_lesson_does_not_exist(
    reads: HistoryHandlers, store: FakeStore, stranger: str
) -> None:
    lesson = a_lesson(store)
    store.lessons.attendance[lesson] = [entry(STUDENT, "absent")]
    with pytest.raises(NotFound) as refused:
        await reads.attendance(GetAttendanceHistory(lesson, STUDENT), STRANGERS[stranger])
    assert refused.value.code == "lesson_not_found"


async def test_a_student_who_was_not_in_the_group_is_not_found_at_its_lesson(
    reads: HistoryHandlers, store: FakeStore
) -> None:
    lesson = a_lesson(store)
    stranger = uuid.uuid4()
    with pytest.raises(NotFound):
        await reads.attendance(GetAttendanceHistory(lesson, stranger), READERS["the admin"])
    got = await reads.attendance(GetAttendanceHistory(lesson, OTHER_STUDENT), READERS["the admin"])
    assert (got.current, got.changes) == (None, [])
