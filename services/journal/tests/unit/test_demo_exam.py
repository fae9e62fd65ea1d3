"""The demonstration exam (issue 7 item 4) against in-memory fakes: the table's checks with their codes,
the band edges, points → percent → mark, a new version leaving recorded results alone, who may."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from chassis.auth import Principal
from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from journal_service.application import ports
from journal_service.application.demo_exam import (
    DemoExamHandlers,
    ListDemoExamResults,
    RecordDemoExamResult,
    SetDemoExamScale,
)
from journal_service.application.finals import FinalHandlers
from journal_service.domain import curriculum, demo_exam, finals, model, year
from journal_service.domain.demo_exam import Band

from .fakes import FakeGuardians, FakeStore, fake_unit_of_work

TODAY = date(2027, 1, 20)
EXAM_DAY = date(2026, 12, 20)
GROUP, DISCIPLINE, OTHER_DISCIPLINE, YEAR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, OTHER_TEACHER, ADMIN, STUDENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
# A classmate without a result keeps the semester open (finals complete for all close it: slice B).
CLASSMATE = uuid.uuid4()


def person(subject: uuid.UUID, *roles: str) -> Principal:
    return Principal(subject=str(subject), roles=frozenset(roles), token="t")


AS_TEACHER, AS_ADMIN = person(TEACHER, "teacher"), person(ADMIN, "admin")


def bands(*rows: tuple[str, str, str]) -> list[Band]:
    return [Band(Decimal(low), Decimal(high), mark) for low, high, mark in rows]


DEFAULT = [("0", "19.99", "2"), ("20", "39.99", "3"), ("40", "69.99", "4"), ("70", "100", "5")]


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21"))
    store.groups.enrollments.add((GROUP, STUDENT))
    store.groups.enrollments.add((GROUP, CLASSMATE))
    for discipline in (DISCIPLINE, OTHER_DISCIPLINE):
        store.disciplines.items[discipline] = model.Discipline(
            discipline, f"МДК.{discipline.hex[:4]}", "Разработка", model.DisciplineKind.MDK
        )
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, DISCIPLINE))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, OTHER_DISCIPLINE))
    store.years.items[YEAR] = year.AcademicYear(
        YEAR,
        "2026/2027",
        year.DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
        year.DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
        year.DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
    )
    form = curriculum.ControlForm
    store.curricula.items[(GROUP, YEAR)] = [
        curriculum.CurriculumRow(DISCIPLINE, 1, 72, 4, form.DEMONSTRATION_EXAM),
        curriculum.CurriculumRow(OTHER_DISCIPLINE, 1, 72, 4, form.EXAM),
    ]
    return store


@pytest.fixture
def handlers(store: FakeStore) -> DemoExamHandlers:
    def uow() -> ports.JournalUnitOfWork:
        return fake_unit_of_work(store)

    return DemoExamHandlers(uow, lambda: TODAY, FinalHandlers(uow, FakeGuardians(), lambda: TODAY))


def record(points: str, maximum: str = "100", **changes: object) -> RecordDemoExamResult:
    fields: dict[str, object] = {
        "group_id": GROUP,
        "discipline_id": DISCIPLINE,
        "year_id": YEAR,
        "semester": 1,
        "student_id": STUDENT,
        "points": points,
        "maximum": maximum,
        "exam_date": EXAM_DAY,
    }
    fields.update(changes)
    return RecordDemoExamResult(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("percent", "mark"),
    [
        ("0", "2"),
        ("19.99", "2"),
        ("20", "3"),
        ("39.99", "3"),
        ("40", "4"),
        ("69.99", "4"),
        ("70", "5"),
        ("100", "5"),
    ],
)
def test_the_default_table_at_the_band_edges(percent: str, mark: str) -> None:
    scale = demo_exam.Scale(1, date(2000, 1, 1), None, demo_exam.check_bands(bands(*DEFAULT)))
    assert scale.mark_for(Decimal(percent)) == mark


def test_percent_is_rounded_half_up_to_two_decimals() -> None:
    assert demo_exam.percent_of(Decimal("1"), Decimal("3")) == Decimal("33.33")
    assert demo_exam.percent_of(Decimal("2"), Decimal("3")) == Decimal("66.67")
    assert demo_exam.percent_of(Decimal("19.995"), Decimal("100")) == Decimal("20.00")
    assert demo_exam.percent_of(Decimal("45"), Decimal("45")) == Decimal("100.00")


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([], "empty_scale"),
        ([("0", "100", "5")] * 11, "too_many_bands"),
        ([("0", "49.99", "2"), ("50", "100", "6")], "invalid_band_mark"),
        ([("0", "49.99", "2"), ("50", "100", "зач")], "invalid_band_mark"),
        ([("0", "49.99", "2"), ("60", "50", "5")], "band_bounds_reversed"),
        ([("0.01", "49.99", "2"), ("50", "100", "5")], "scale_not_from_zero"),
        ([("0", "49.99", "2"), ("50", "99.99", "5")], "scale_not_to_hundred"),
        ([("0", "19.99", "2"), ("20.5", "100", "5")], "scale_gap"),
        ([("0", "19.99", "2"), ("19.99", "100", "5")], "scale_overlap"),
        ([("0", "19.99", "3"), ("20", "100", "2")], "scale_not_monotone"),
    ],
)
def test_a_table_that_does_not_cover_0_to_100_in_order_is_refused(
    rows: list[tuple[str, str, str]], code: str
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        demo_exam.check_bands(bands(*rows))
    assert refused.value.code == code


@pytest.mark.parametrize("text", ["-1", "100.01", "abc", "12.345", "NaN", ""])
def test_a_band_bound_is_a_percent_with_two_decimals(text: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        demo_exam.parse_percent(text, 0, "from_percent")
    assert refused.value.code == "invalid_band_percent"


@pytest.mark.parametrize(
    ("points", "maximum", "code"),
    [
        ("-1", "100", "negative_points"),
        ("101", "100", "points_above_maximum"),
        ("10", "0", "maximum_not_positive"),
        ("10", "-5", "maximum_not_positive"),
        ("10", "10001", "invalid_maximum"),
        ("10", "сто", "invalid_maximum"),
        ("десять", "100", "invalid_points"),
        ("10.555", "100", "invalid_points"),
    ],
)
async def test_bad_points_are_refused_and_nothing_is_written(
    handlers: DemoExamHandlers, store: FakeStore, points: str, maximum: str, code: str
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await handlers.record(record(points, maximum), AS_TEACHER)
    assert refused.value.code == code
    assert store.demo_exams.results == [] and store.events_of(events.DemoExamResultRecorded) == []


async def test_a_result_keeps_points_percent_version_and_mark_with_its_event_and_audit(
    handlers: DemoExamHandlers, store: FakeStore
) -> None:
    result = await handlers.record(record("27", "45"), AS_TEACHER)
    assert (result.points, result.maximum, result.percent) == (Decimal("27"), Decimal("45"), Decimal("60.00"))
    assert (result.scale_version, result.mark, result.recorded_by) == (1, "4", TEACHER)
    assert store.demo_exams.results == [result]
    # The mark is the student's final of the demonstration exam, set in the same unit of work.
    (final,) = store.finals.items.values()
    assert (final.id, final.value, final.period.kind, final.set_by) == (
        result.final_id,
        "4",
        finals.FinalKind.DEMONSTRATION_EXAM,
        TEACHER,
    )
    assert "27 из 45 баллов (60.00 %), шкала версии 1" in final.reason
    assert len(store.events_of(events.FinalSet)) == 1
    (event,) = store.events_of(events.DemoExamResultRecorded)
    assert (event.student_id, event.mark, event.scale_version) == (str(STUDENT), "4", 1)
    audit = store.audits[-1]
    assert (audit.action, audit.actor_id, audit.subject_person_id) == (
        "demo_exam.recorded",
        str(TEACHER),
        str(STUDENT),
    )


async def test_a_new_table_never_changes_results_recorded_with_the_old_one(
    handlers: DemoExamHandlers, store: FakeStore
) -> None:
    before = await handlers.record(record("30"), AS_TEACHER)
    stricter = bands(("0", "49.99", "2"), ("50", "69.99", "3"), ("70", "89.99", "4"), ("90", "100", "5"))
    scale = await handlers.set_scale(SetDemoExamScale(stricter, date(2026, 12, 1)), AS_ADMIN)
    assert (scale.version, scale.author_id) == (2, ADMIN)
    assert store.events_of(events.DemoExamScaleSet)[0].version == 2
    other = CLASSMATE
    after = await handlers.record(record("30", student_id=other), AS_TEACHER)
    assert (after.scale_version, after.mark) == (2, "2")
    kept = await handlers.results(ListDemoExamResults(GROUP, DISCIPLINE, YEAR, 1), AS_TEACHER)
    assert {(r.student_id, r.scale_version, r.mark) for r in kept} == {(STUDENT, 1, "3"), (other, 2, "2")}
    assert before in kept
    assert (await handlers.get_scale(1, AS_TEACHER)).bands == demo_exam.DEFAULT_BANDS
    assert (await handlers.get_scale(None, AS_TEACHER)).version == 2


async def test_the_table_in_force_on_the_exam_date_converts(
    handlers: DemoExamHandlers, store: FakeStore
) -> None:
    later = bands(("0", "49.99", "2"), ("50", "100", "5"))
    await handlers.set_scale(SetDemoExamScale(later, date(2027, 1, 1)), AS_ADMIN)
    result = await handlers.record(record("30"), AS_TEACHER)
    assert (result.scale_version, result.mark) == (1, "3")


async def test_a_new_table_starts_no_earlier_than_the_previous_one(handlers: DemoExamHandlers) -> None:
    await handlers.set_scale(SetDemoExamScale(bands(*DEFAULT), date(2026, 12, 1)), AS_ADMIN)
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.set_scale(SetDemoExamScale(bands(*DEFAULT), date(2026, 11, 30)), AS_ADMIN)
    assert refused.value.code == "scale_effective_before_previous"


@pytest.mark.parametrize("roles", [("teacher",), ("deputy",), ("class_teacher",), ("student",), ()])
async def test_only_the_admin_sets_the_table(handlers: DemoExamHandlers, roles: tuple[str, ...]) -> None:
    with pytest.raises(PermissionDenied) as refused:
        await handlers.set_scale(SetDemoExamScale(bands(*DEFAULT)), person(uuid.uuid4(), *roles))
    assert refused.value.code == "role_required"


@pytest.mark.parametrize("roles", [("student",), ("parent",), ()])
async def test_students_and_parents_do_not_read_the_table(
    handlers: DemoExamHandlers, roles: tuple[str, ...]
) -> None:
    with pytest.raises(PermissionDenied):
        await handlers.get_scale(None, person(uuid.uuid4(), *roles))


async def test_an_unknown_version_is_not_found(handlers: DemoExamHandlers) -> None:
    with pytest.raises(NotFound) as refused:
        await handlers.get_scale(7, AS_TEACHER)
    assert refused.value.code == "demo_exam_scale_not_found"


@pytest.mark.parametrize(
    ("cmd", "error", "code"),
    [
        (record("50", discipline_id=OTHER_DISCIPLINE), FailedPrecondition, "not_a_demo_exam"),
        (record("50", semester=2, exam_date=date(2027, 1, 15)), FailedPrecondition, "not_a_demo_exam"),
        (record("50", exam_date=date(2027, 1, 15)), InvalidArgument, "exam_date_outside_semester"),
        (record("50", exam_date=date(2027, 1, 21)), InvalidArgument, "exam_date_in_future"),
        (record("50", student_id=uuid.uuid4()), FailedPrecondition, "student_not_in_group"),
        (record("50", year_id=uuid.uuid4()), NotFound, "academic_year_not_found"),
    ],
)
async def test_a_result_outside_the_plan_is_refused(
    handlers: DemoExamHandlers, store: FakeStore, cmd: RecordDemoExamResult, error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as refused:
        await handlers.record(cmd, AS_TEACHER)
    assert getattr(refused.value, "code", None) == code
    assert store.demo_exams.results == []


async def test_a_second_result_is_refused(handlers: DemoExamHandlers, store: FakeStore) -> None:
    await handlers.record(record("50"), AS_TEACHER)
    with pytest.raises(AlreadyExists) as refused:
        await handlers.record(record("90"), AS_TEACHER)
    assert refused.value.code == "demo_exam_result_exists"
    assert len(store.demo_exams.results) == 1


async def test_a_teacher_without_the_load_is_refused_and_the_refusal_audited(
    handlers: DemoExamHandlers, store: FakeStore
) -> None:
    with pytest.raises(PermissionDenied) as refused:
        await handlers.record(record("50"), person(OTHER_TEACHER, "teacher"))
    assert refused.value.code == "not_teaching_this_group"
    assert store.audits[-1].action == "demo_exam.record.refused:not_teaching_this_group"
    with pytest.raises(PermissionDenied) as refused:
        await handlers.record(record("50"), AS_ADMIN)
    assert refused.value.code == "role_required"
    assert store.demo_exams.results == []


async def test_the_last_result_closes_the_semester_and_a_closed_one_refuses_a_result(
    handlers: DemoExamHandlers, store: FakeStore
) -> None:
    await handlers.record(record("50"), AS_TEACHER)
    await handlers.record(record("10", student_id=CLASSMATE), AS_TEACHER)
    newcomer = uuid.uuid4()
    store.groups.enrollments.add((GROUP, newcomer))
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.record(record("70", student_id=newcomer), AS_TEACHER)
    assert refused.value.code == "period_closed"
    assert [r.student_id for r in store.demo_exams.results] == [STUDENT, CLASSMATE]
    assert len(store.finals.items) == 2
