"""Academic debts and retakes (issue 7 item 3) against in-memory fakes: which finals are debts, the
rules of ст.58 with their codes (a third retake, the second without a commission, beyond a year,
before the final), the commission's checks, the closing retake as the mark of record, who may."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from chassis.auth import Principal
from chassis.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from journal_service.application.debts import DebtHandlers, ListGroupDebts, RecordRetake
from journal_service.application.people import PeopleHandlers
from journal_service.domain import debts, finals, model, retakes, year
from journal_service.domain.finals import FinalKind, FinalPeriod

from .fakes import (
    DEFAULT_DICTIONARY,
    FakeGuardians,
    FakePersonDirectory,
    FakeStore,
    fake_unit_of_work,
    person_directory,
)

TODAY = date(2027, 3, 1)
FINAL_DAY = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)
GROUP, MATH, HISTORY, YEAR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, OTHER_TEACHER, CLASS_TEACHER, STUDENT, PARENT = (uuid.uuid4() for _ in range(5))
MEMBERS = [uuid.uuid4() for _ in range(3)]
NOT_A_TEACHER = uuid.uuid4()


def person(subject: uuid.UUID, *roles: str) -> Principal:
    return Principal(subject=str(subject), roles=frozenset(roles), token="t")


AS_TEACHER = person(TEACHER, "teacher")


def final(
    value: str, kind: FinalKind = FinalKind.EXAM, discipline: uuid.UUID = MATH, semester: int = 1
) -> finals.Final:
    return finals.Final(
        id=uuid.uuid4(),
        student_id=STUDENT,
        group_id=GROUP,
        discipline_id=discipline,
        period=FinalPeriod(YEAR, semester, kind),
        value=value,
        proposed_value=None,
        rule_version=1,
        set_by=TEACHER,
        marks_count=5,
        required_marks=5,
        set_at=FINAL_DAY,
    )


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    store.groups.enrollments.add((GROUP, STUDENT))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), OTHER_TEACHER, GROUP, HISTORY))
    store.years.items[YEAR] = year.AcademicYear(
        YEAR,
        "2026/2027",
        year.DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
        year.DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
        year.DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
    )
    return store


@pytest.fixture
def handlers(store: FakeStore) -> DebtHandlers:
    roles = {m: "teacher" for m in MEMBERS} | {NOT_A_TEACHER: "student"}
    people = PeopleHandlers(lambda: fake_unit_of_work(store), person_directory(FakePersonDirectory(roles)))
    return DebtHandlers(
        lambda: fake_unit_of_work(store), FakeGuardians({(str(PARENT), str(STUDENT))}), lambda: TODAY, people
    )


def add(store: FakeStore, *found: finals.Final) -> finals.Final:
    for f in found:
        store.finals.items[f.id] = f
    return found[0]


def retake(final_id: uuid.UUID, on: date, value: str = "4", **changes: object) -> RecordRetake:
    fields: dict[str, object] = {"final_id": final_id, "retake_date": on, "value": value}
    fields.update(changes)
    return RecordRetake(**fields)  # type: ignore[arg-type]


def commission() -> dict[str, object]:
    return {"commission_member_ids": MEMBERS, "commission_chairman_id": MEMBERS[0]}


@pytest.mark.parametrize(
    ("value", "failing"),
    [("н/а", True), ("2", True), ("незач", True), ("3", False), ("5", False), ("зач", False)],
)
def test_a_failing_final_is_a_debt(value: str, failing: bool) -> None:
    assert debts.fails(value, DEFAULT_DICTIONARY) is failing


def test_only_the_mark_of_record_makes_a_debt() -> None:
    semester = final("2", FinalKind.SEMESTER)
    exam = final("4")
    assert debts.debts_of([semester, exam], {}, {semester.id: date(2026, 12, 25)}, DEFAULT_DICTIONARY) == []
    failed_exam = final("н/а")
    found = debts.debts_of(
        [semester, failed_exam], {}, {failed_exam.id: date(2026, 12, 25)}, DEFAULT_DICTIONARY
    )
    assert [d.final.id for d in found] == [failed_exam.id]


@pytest.mark.parametrize(
    ("final_day", "deadline"),
    [(date(2026, 12, 25), date(2027, 12, 25)), (date(2028, 2, 29), date(2029, 2, 28))],
)
def test_the_deadline_is_a_year_after_the_final(final_day: date, deadline: date) -> None:
    assert retakes.deadline_of(final_day) == deadline


def test_the_next_step_of_a_debt() -> None:
    failed = final("2")
    debt = debts.Debt(failed, date(2026, 12, 25), ())
    assert debt.next_step(TODAY) is debts.NextStep.FIRST_RETAKE
    assert debt.next_step(date(2027, 12, 26)) is debts.NextStep.DEADLINE_PASSED
    first = retakes.Retake(uuid.uuid4(), failed.id, 1, date(2027, 1, 20), "2", False, None, TEACHER)
    assert (
        debts.Debt(failed, date(2026, 12, 25), (first,)).next_step(TODAY) is debts.NextStep.COMMISSION_RETAKE
    )
    second = retakes.Retake(uuid.uuid4(), failed.id, 2, date(2027, 2, 20), "н/а", False, None, TEACHER)
    both = debts.Debt(failed, date(2026, 12, 25), (first, second))
    assert (both.next_step(TODAY), both.closed, both.mark_of_record) == (
        debts.NextStep.NO_RETAKES_LEFT,
        False,
        "",
    )
    passed = retakes.Retake(uuid.uuid4(), failed.id, 2, date(2027, 2, 20), "3", True, None, TEACHER)
    closed = debts.Debt(failed, date(2026, 12, 25), (first, passed))
    assert (closed.next_step(TODAY), closed.closed, closed.mark_of_record) == (
        debts.NextStep.CLOSED,
        True,
        "3",
    )


@pytest.mark.parametrize(
    ("members", "chairman", "code"),
    [
        (MEMBERS[:2], MEMBERS[0], "commission_too_small"),
        ([*MEMBERS, MEMBERS[0]], MEMBERS[0], "duplicate_commission_member"),
        ([uuid.uuid4() for _ in range(10)], None, "too_many_commission_members"),
        (MEMBERS, None, "commission_chairman_required"),
        (MEMBERS, uuid.uuid4(), "commission_chairman_not_member"),
        ([], MEMBERS[0], "commission_too_small"),
    ],
)
def test_a_commission_has_three_teachers_and_a_chairman_among_them(
    members: list[uuid.UUID], chairman: uuid.UUID | None, code: str
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        retakes.check_commission(members, chairman)
    assert refused.value.code == code


async def test_two_failed_retakes_then_a_third_is_refused(handlers: DebtHandlers, store: FakeStore) -> None:
    failed = add(store, final("2"))
    first = await handlers.record_retake(retake(failed.id, date(2027, 1, 20), "2"), AS_TEACHER)
    assert (first.retakes[-1].attempt, first.closed, first.next_step(TODAY)) == (
        1,
        False,
        debts.NextStep.COMMISSION_RETAKE,
    )
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.record_retake(retake(failed.id, date(2027, 2, 10), "3"), AS_TEACHER)
    assert refused.value.code == "commission_required"
    second = await handlers.record_retake(
        retake(failed.id, date(2027, 2, 10), "н/а", **commission()), AS_TEACHER
    )
    assert (second.retakes[-1].attempt, second.retakes[-1].commission) == (
        2,
        retakes.Commission(MEMBERS[0], tuple(MEMBERS)),
    )
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.record_retake(retake(failed.id, date(2027, 2, 20), "5", **commission()), AS_TEACHER)
    assert refused.value.code == "retake_limit_reached"
    assert len(store.debts.retakes) == 2
    recorded = store.events_of(events.RetakeRecorded)
    assert [(e.attempt, e.passed, e.before_commission) for e in recorded] == [
        (1, False, False),
        (2, False, True),
    ]
    assert store.events_of(events.DebtClosed) == []


async def test_a_passing_retake_closes_the_debt_and_is_the_mark_of_record(
    handlers: DebtHandlers, store: FakeStore
) -> None:
    failed = add(store, final("незач", FinalKind.CREDIT))
    debt = await handlers.record_retake(retake(failed.id, date(2027, 1, 20), "зач"), AS_TEACHER)
    assert (debt.closed, debt.mark_of_record, debt.next_step(TODAY)) == (True, "зач", debts.NextStep.CLOSED)
    (closed,) = store.events_of(events.DebtClosed)
    assert (closed.final_id, closed.mark_of_record, closed.student_id) == (
        str(failed.id),
        "зач",
        str(STUDENT),
    )
    audit = store.audits[-1]
    assert (audit.action, audit.actor_id, audit.subject_person_id) == (
        "retake.recorded",
        str(TEACHER),
        str(STUDENT),
    )
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.record_retake(retake(failed.id, date(2027, 2, 1), "зач", **commission()), AS_TEACHER)
    assert refused.value.code == "debt_already_closed"
    (listed,) = await handlers.of_student(STUDENT, person(STUDENT, "student"))
    assert (listed.closed, listed.mark_of_record) == (True, "зач")


@pytest.mark.parametrize(
    ("cmd_changes", "error", "code"),
    [
        ({"retake_date": date(2026, 12, 24)}, InvalidArgument, "retake_before_final"),
        ({"retake_date": date(2027, 3, 2)}, InvalidArgument, "retake_date_in_future"),
        ({"value": "зач"}, InvalidArgument, "invalid_final_value"),
    ],
)
async def test_a_retake_out_of_rule_is_refused(
    handlers: DebtHandlers,
    store: FakeStore,
    cmd_changes: dict[str, object],
    error: type[Exception],
    code: str,
) -> None:
    failed = add(store, final("2"))
    with pytest.raises(error) as refused:
        await handlers.record_retake(retake(failed.id, date(2027, 1, 20), **cmd_changes), AS_TEACHER)
    assert getattr(refused.value, "code", None) == code
    assert store.debts.retakes == [] and store.events_of(events.RetakeRecorded) == []


async def test_a_retake_beyond_a_year_is_refused(store: FakeStore) -> None:
    failed = add(store, final("2"))
    people = PeopleHandlers(lambda: fake_unit_of_work(store), person_directory(FakePersonDirectory()))
    late = DebtHandlers(lambda: fake_unit_of_work(store), FakeGuardians(), lambda: date(2028, 1, 10), people)
    with pytest.raises(FailedPrecondition) as refused:
        await late.record_retake(retake(failed.id, date(2027, 12, 26)), AS_TEACHER)
    assert refused.value.code == "retake_deadline_passed"
    assert (await late.record_retake(retake(failed.id, date(2027, 12, 25)), AS_TEACHER)).closed


async def test_a_passing_final_or_an_unknown_one_has_no_retake(
    handlers: DebtHandlers, store: FakeStore
) -> None:
    passed = add(store, final("4"))
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.record_retake(retake(passed.id, date(2027, 1, 20)), AS_TEACHER)
    assert refused.value.code == "not_a_debt"
    with pytest.raises(NotFound) as missing:
        await handlers.record_retake(retake(uuid.uuid4(), date(2027, 1, 20)), AS_TEACHER)
    assert missing.value.code == "final_not_found"


@pytest.mark.parametrize(
    ("members", "error", "code"),
    [
        ([MEMBERS[0], MEMBERS[1], NOT_A_TEACHER], FailedPrecondition, "commission_member_not_teacher"),
        ([MEMBERS[0], MEMBERS[1], uuid.uuid4()], NotFound, "person_not_found"),
    ],
)
async def test_commission_members_are_teachers_identity_knows(
    handlers: DebtHandlers, store: FakeStore, members: list[uuid.UUID], error: type[Exception], code: str
) -> None:
    failed = add(store, final("2"))
    cmd = retake(
        failed.id, date(2027, 1, 20), commission_member_ids=members, commission_chairman_id=members[0]
    )
    with pytest.raises(error) as refused:
        await handlers.record_retake(cmd, AS_TEACHER)
    assert getattr(refused.value, "code", None) == code
    assert store.debts.retakes == []


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        (person(OTHER_TEACHER, "teacher"), "not_teaching_this_group"),
        (person(CLASS_TEACHER, "class_teacher"), "role_required"),
        (person(STUDENT, "student"), "role_required"),
        (person(uuid.uuid4(), "deputy"), "role_required"),
    ],
)
async def test_who_may_not_record_a_retake(
    handlers: DebtHandlers, store: FakeStore, actor: Principal, code: str
) -> None:
    failed = add(store, final("2"))
    with pytest.raises(PermissionDenied) as refused:
        await handlers.record_retake(retake(failed.id, date(2027, 1, 20)), actor)
    assert refused.value.code == code
    assert store.debts.retakes == []


@pytest.mark.parametrize("roles", [("curator",), ("admin",)])
async def test_the_curator_and_the_admin_record_a_commission_retake(
    handlers: DebtHandlers, store: FakeStore, roles: tuple[str, ...]
) -> None:
    failed = add(store, final("2"))
    debt = await handlers.record_retake(
        retake(failed.id, date(2027, 1, 20), "3", **commission()), person(uuid.uuid4(), *roles)
    )
    assert debt.closed


async def test_debts_of_a_student_and_of_a_group(handlers: DebtHandlers, store: FakeStore) -> None:
    failed = add(store, final("н/а"), final("5", discipline=HISTORY))
    own = await handlers.of_student(STUDENT, person(STUDENT, "student"))
    assert [d.final.id for d in own] == [failed.id]
    assert store.audits == []
    assert [d.final.id for d in await handlers.of_student(STUDENT, person(PARENT, "parent"))] == [failed.id]
    assert store.audits[-1].action == "debts.read"
    with pytest.raises(NotFound):
        await handlers.of_student(STUDENT, person(uuid.uuid4(), "parent"))
    group = await handlers.of_group(ListGroupDebts(GROUP, YEAR), person(CLASS_TEACHER, "class_teacher"))
    assert [d.final.id for d in group] == [failed.id]
    assert (store.audits[-1].action, store.audits[-1].resource_id) == ("debts.read", str(GROUP))
    with pytest.raises(NotFound) as refused:
        await handlers.of_group(ListGroupDebts(GROUP, YEAR), person(uuid.uuid4(), "class_teacher"))
    assert refused.value.code == "group_not_found"
