"""Students' correction requests (issue 7 item 6; R3.3) against in-memory fakes: the state machine
(open → answered once), who files and who answers, «changed» through ChangeMark's path with the change
linked, «explained» keeping the mark, the lists, the events (ids only) and the audits."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb
from journal_service.application.correction_requests import (
    AnswerCorrectionRequest,
    CorrectionRequestHandlers,
    FileCorrectionRequest,
    ListCorrectionRequests,
)
from journal_service.application.handlers import JournalHandlers
from journal_service.application.mark_changes import RemoveMark
from journal_service.application.marks import RecordMark
from journal_service.domain import correction_requests as cr
from journal_service.domain import model

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, COLLEAGUE = uuid.uuid4(), uuid.uuid4()
STUDENT, OTHER_STUDENT, PARENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def person(subject: uuid.UUID, *roles: str) -> Principal:
    return Principal(subject=str(subject), roles=frozenset(roles), token="t")


AS_TEACHER, AS_COLLEAGUE = person(TEACHER, "teacher"), person(COLLEAGUE, "teacher")
AS_STUDENT, AS_OTHER_STUDENT = person(STUDENT, "student"), person(OTHER_STUDENT, "student")
CHANGED, EXPLAINED = cr.CorrectionDecision.CHANGED, cr.CorrectionDecision.EXPLAINED


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21"))
    for student in (STUDENT, OTHER_STUDENT):
        store.groups.enrollments.add((GROUP, student))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), COLLEAGUE, GROUP, ENGLISH))
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians({(str(PARENT), str(STUDENT))}),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


@pytest.fixture
def requests(store: FakeStore) -> CorrectionRequestHandlers:
    return CorrectionRequestHandlers(lambda: fake_unit_of_work(store))


async def a_mark(
    handlers: JournalHandlers, student: uuid.UUID = STUDENT, discipline: uuid.UUID = MATH, value: str = "3"
) -> model.Mark:
    teacher = AS_TEACHER if discipline == MATH else AS_COLLEAGUE
    return await handlers.marks.record(
        RecordMark(
            student_id=student, group_id=GROUP, discipline_id=discipline, lesson_date=TODAY, value=value
        ),
        teacher,
    )


# --- the state machine -----------------------------------------------------------------------------


def a_request() -> cr.CorrectionRequest:
    mark = model.Mark(uuid.uuid4(), STUDENT, GROUP, MATH, TEACHER, TODAY, "3")
    return cr.file(mark, student_id=STUDENT, text="  Я отвечал на пять  ")


def test_a_request_is_open_until_answered_once() -> None:
    request = a_request()
    assert (request.status, request.text, request.mark_value) == (
        cr.CorrectionRequestStatus.OPEN,
        "Я отвечал на пять",
        "3",
    )
    answered = cr.answer(request, decision=EXPLAINED, text="Ответ был неполным", teacher_id=TEACHER)
    assert answered.status is cr.CorrectionRequestStatus.ANSWERED and answered.answer is not None
    assert (answered.answer.decision, answered.answer.new_value, answered.answer.change_id) == (
        EXPLAINED,
        "",
        None,
    )
    with pytest.raises(cr.CorrectionRequestAnswered):
        cr.answer(answered, decision=EXPLAINED, text="ещё раз", teacher_id=TEACHER)


@pytest.mark.parametrize("text", ["", "   ", "ы" * 1001])
def test_a_text_is_1_to_1000_characters(text: str) -> None:
    mark = model.Mark(uuid.uuid4(), STUDENT, GROUP, MATH, TEACHER, TODAY, "3")
    with pytest.raises(cr.InvalidCorrectionText) as refused:
        cr.file(mark, student_id=STUDENT, text=text)
    assert refused.value.code == "invalid_correction_text"
    with pytest.raises(cr.InvalidCorrectionText):
        cr.answer(a_request(), decision=EXPLAINED, text=text, teacher_id=TEACHER)
    cr.file(mark, student_id=STUDENT, text="ы" * 1000)


@pytest.mark.parametrize(
    ("decision", "new_value"), [(None, ""), (CHANGED, ""), (CHANGED, "  "), (EXPLAINED, "5")]
)
def test_an_answer_needs_a_decision_and_a_new_value_with_changed_only(
    decision: cr.CorrectionDecision | None, new_value: str
) -> None:
    with pytest.raises(cr.InvalidCorrectionDecision) as refused:
        cr.check_answer(decision, "Ответ", new_value)
    assert refused.value.code == "invalid_correction_answer"


def test_changed_needs_the_change_it_made() -> None:
    with pytest.raises(cr.InvalidCorrectionDecision):
        cr.answer(a_request(), decision=CHANGED, text="Исправил", teacher_id=TEACHER, new_value="3")


def test_someone_elses_mark_is_not_found() -> None:
    mark = model.Mark(uuid.uuid4(), OTHER_STUDENT, GROUP, MATH, TEACHER, TODAY, "3")
    with pytest.raises(NotFound) as refused:
        cr.file(mark, student_id=STUDENT, text="Это не моя")
    assert refused.value.code == "mark_not_found"


# --- filing ----------------------------------------------------------------------------------------


async def test_the_student_files_about_their_mark_evented_with_ids_and_audited(
    handlers: JournalHandlers, requests: CorrectionRequestHandlers, store: FakeStore
) -> None:
    mark = await a_mark(handlers)
    filed = await requests.file(FileCorrectionRequest(mark.id, "Я отвечал на пять"), AS_STUDENT)
    assert (filed.mark_id, filed.student_id, filed.teacher_id, filed.status) == (
        mark.id,
        STUDENT,
        TEACHER,
        cr.CorrectionRequestStatus.OPEN,
    )
    [event] = store.events_of(events.CorrectionRequested)
    assert (event.request_id, event.mark_id, event.student_id, event.teacher_id) == (
        str(filed.id),
        str(mark.id),
        str(STUDENT),
        str(TEACHER),
    )
    assert "пять" not in str(event)  # the text stays in the journal
    audit = store.audits[-1]
    assert (audit.action, audit.actor_id, audit.subject_person_id) == (
        "correction.requested",
        str(STUDENT),
        str(STUDENT),
    )


async def test_one_open_request_per_mark(
    handlers: JournalHandlers, requests: CorrectionRequestHandlers
) -> None:
    mark = await a_mark(handlers)
    filed = await requests.file(FileCorrectionRequest(mark.id, "Первый"), AS_STUDENT)
    with pytest.raises(FailedPrecondition) as refused:
        await requests.file(FileCorrectionRequest(mark.id, "Второй"), AS_STUDENT)
    assert refused.value.code == "correction_request_open"
    await requests.answer(AnswerCorrectionRequest(filed.id, EXPLAINED, "Оценка верна"), AS_TEACHER)
    await requests.file(FileCorrectionRequest(mark.id, "Ещё раз"), AS_STUDENT)


@pytest.mark.parametrize(
    ("caller", "error", "code"),
    [
        (AS_OTHER_STUDENT, NotFound, "mark_not_found"),
        (person(PARENT, "parent"), PermissionDenied, "role_required"),
        (AS_TEACHER, PermissionDenied, "role_required"),
        (person(STUDENT), PermissionDenied, "role_required"),
    ],
    ids=["another student", "the parent", "the teacher", "the student's id without the role"],
)
async def test_only_the_marks_student_files(
    handlers: JournalHandlers,
    requests: CorrectionRequestHandlers,
    store: FakeStore,
    caller: Principal,
    error: type[Exception],
    code: str,
) -> None:
    mark = await a_mark(handlers)
    with pytest.raises(error) as refused:
        await requests.file(FileCorrectionRequest(mark.id, "Исправьте"), caller)
    assert getattr(refused.value, "code", None) == code
    assert store.events_of(events.CorrectionRequested) == []


async def test_a_removed_mark_takes_no_request(
    handlers: JournalHandlers, requests: CorrectionRequestHandlers
) -> None:
    mark = await a_mark(handlers)
    await handlers.mark_changes.remove(RemoveMark(mark.id), AS_TEACHER)
    with pytest.raises(NotFound):
        await requests.file(FileCorrectionRequest(mark.id, "Исправьте"), AS_STUDENT)


# --- answering -------------------------------------------------------------------------------------


async def test_changed_goes_through_change_mark_linked_in_one_transaction(
    handlers: JournalHandlers, requests: CorrectionRequestHandlers, store: FakeStore
) -> None:
    mark = await a_mark(handlers)
    filed = await requests.file(FileCorrectionRequest(mark.id, "Я отвечал на пять"), AS_STUDENT)
    done = await requests.answer(AnswerCorrectionRequest(filed.id, CHANGED, "Вы правы", " 5 "), AS_TEACHER)
    assert done.mark.value == "5"
    [change] = await store.mark_changes.history(mark.id)
    assert done.request.answer is not None
    assert (
        done.request.answer.change_id,
        done.request.answer.new_value,
        done.request.answer.answered_by,
    ) == (change.id, "5", TEACHER)
    [changed] = store.events_of(events.MarkChanged)
    assert (changed.old_value, changed.value, changed.change_id) == ("3", "5", str(change.id))
    [answered] = store.events_of(events.CorrectionAnswered)
    assert (answered.decision, answered.change_id, answered.teacher_id) == (
        jpb.CORRECTION_DECISION_CHANGED,
        str(change.id),
        str(TEACHER),
    )
    assert [a.action for a in store.audits[-2:]] == ["mark.changed", "correction.answered"]


async def test_explained_keeps_the_mark(
    handlers: JournalHandlers, requests: CorrectionRequestHandlers, store: FakeStore
) -> None:
    mark = await a_mark(handlers)
    filed = await requests.file(FileCorrectionRequest(mark.id, "Почему 3?"), AS_STUDENT)
    done = await requests.answer(AnswerCorrectionRequest(filed.id, EXPLAINED, "Не сдана работа"), AS_TEACHER)
    assert done.mark.value == "3" and await store.mark_changes.history(mark.id) == []
    [answered] = store.events_of(events.CorrectionAnswered)
    assert (answered.decision, answered.change_id) == (jpb.CORRECTION_DECISION_EXPLAINED, "")


@pytest.mark.parametrize(
    ("caller", "error", "code"),
    [
        (AS_COLLEAGUE, PermissionDenied, "not_teaching_this_group"),
        (person(uuid.uuid4(), "teacher"), PermissionDenied, "not_teaching_this_group"),
        (AS_STUDENT, PermissionDenied, "role_required"),
        (person(uuid.uuid4(), "admin"), PermissionDenied, "role_required"),
    ],
    ids=["a teacher of another discipline", "a teacher without a load", "the student", "the admin"],
)
async def test_only_the_teacher_of_the_load_answers(
    handlers: JournalHandlers,
    requests: CorrectionRequestHandlers,
    store: FakeStore,
    caller: Principal,
    error: type[Exception],
    code: str,
) -> None:
    mark = await a_mark(handlers)
    filed = await requests.file(FileCorrectionRequest(mark.id, "Исправьте"), AS_STUDENT)
    with pytest.raises(error) as refused:
        await requests.answer(AnswerCorrectionRequest(filed.id, CHANGED, "Исправил", "5"), caller)
    assert getattr(refused.value, "code", None) == code
    assert store.events_of(events.CorrectionAnswered) == [] and store.events_of(events.MarkChanged) == []


async def test_answering_twice_is_refused_and_nothing_changes(
    handlers: JournalHandlers, requests: CorrectionRequestHandlers, store: FakeStore
) -> None:
    mark = await a_mark(handlers)
    filed = await requests.file(FileCorrectionRequest(mark.id, "Исправьте"), AS_STUDENT)
    await requests.answer(AnswerCorrectionRequest(filed.id, EXPLAINED, "Оценка верна"), AS_TEACHER)
    with pytest.raises(FailedPrecondition) as refused:
        await requests.answer(AnswerCorrectionRequest(filed.id, CHANGED, "Передумал", "5"), AS_TEACHER)
    assert refused.value.code == "correction_request_answered"
    assert await store.mark_changes.history(mark.id) == []


async def test_a_refused_change_leaves_the_request_open(
    handlers: JournalHandlers, requests: CorrectionRequestHandlers, store: FakeStore
) -> None:
    mark = await a_mark(handlers)
    filed = await requests.file(FileCorrectionRequest(mark.id, "Исправьте"), AS_STUDENT)
    with pytest.raises(InvalidArgument) as refused:
        await requests.answer(AnswerCorrectionRequest(filed.id, CHANGED, "Исправил", "7"), AS_TEACHER)
    assert refused.value.code == "unknown_mark_value"
    with pytest.raises(InvalidArgument) as same:
        await requests.answer(AnswerCorrectionRequest(filed.id, CHANGED, "Исправил", "3"), AS_TEACHER)
    assert same.value.code == "invalid_correction_answer"
    assert (await store.correction_requests.open_of_mark(mark.id)) is not None
    with pytest.raises(NotFound) as unknown:
        await requests.answer(AnswerCorrectionRequest(uuid.uuid4(), EXPLAINED, "Ответ"), AS_TEACHER)
    assert unknown.value.code == "correction_request_not_found"


# --- lists -----------------------------------------------------------------------------------------


async def test_the_teacher_lists_requests_of_their_loads_open_first_and_the_student_their_own(
    handlers: JournalHandlers, requests: CorrectionRequestHandlers, store: FakeStore
) -> None:
    first, second = await a_mark(handlers), await a_mark(handlers, value="4")
    english = await a_mark(handlers, discipline=ENGLISH)
    others = await a_mark(handlers, student=OTHER_STUDENT)
    r1 = await requests.file(FileCorrectionRequest(first.id, "Первый"), AS_STUDENT)
    r2 = await requests.file(FileCorrectionRequest(second.id, "Второй"), AS_STUDENT)
    r3 = await requests.file(FileCorrectionRequest(english.id, "Английский"), AS_STUDENT)
    r4 = await requests.file(FileCorrectionRequest(others.id, "Чужой"), AS_OTHER_STUDENT)
    await requests.answer(AnswerCorrectionRequest(r1.id, EXPLAINED, "Верно"), AS_TEACHER)

    teachers = await requests.list(ListCorrectionRequests(), AS_TEACHER)
    assert [r.id for r in teachers] == [r2.id, r4.id, r1.id]
    assert store.audits[-1].action == "correction_requests.read"
    open_only = await requests.list(ListCorrectionRequests(cr.CorrectionRequestStatus.OPEN), AS_TEACHER)
    assert [r.id for r in open_only] == [r2.id, r4.id]
    assert [r.id for r in await requests.list(ListCorrectionRequests(), AS_COLLEAGUE)] == [r3.id]
    own = await requests.list(ListCorrectionRequests(), AS_STUDENT)
    assert {r.id for r in own} == {r1.id, r2.id, r3.id} and own[-1].id == r1.id
    with pytest.raises(PermissionDenied):
        await requests.list(ListCorrectionRequests(), person(PARENT, "parent"))
