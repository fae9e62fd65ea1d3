"""Finals against the in-memory fakes (issue 7 items 1-2; R3.1, R3.2): proposals by the rule in force,
the enough-marks warning, who may set a final, bad input refused with nothing written, every change
kept with its event and audit, the mark of record, «Мало оценок», and the period closed when complete."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from chassis.auth import Principal
from chassis.errors import DomainError, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from journal_service.application.finals import (
    GetGroupFinals,
    GetStudentFinals,
    ListStudentsWithTooFewMarks,
    ProposeFinals,
    SetFinal,
    SetFinalRule,
)
from journal_service.application.handlers import JournalHandlers
from journal_service.domain import final_rules, model, movement, year
from journal_service.domain.curriculum import ControlForm, CurriculumRow
from journal_service.domain.finals import FinalKind, FinalPeriod
from journal_service.domain.subgroup_membership import SubgroupMembership

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 12, 20)
GROUP, MATH, HISTORY, PE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, OTHER_TEACHER, CLASS_TEACHER, ADMIN = (uuid.uuid4() for _ in range(4))
STUDENTS = [uuid.uuid4() for _ in range(3)]
LEFT = uuid.uuid4()  # left the group in November
YEAR = year.AcademicYear(
    uuid.uuid4(),
    "2026/2027",
    year.DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
    year.DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
    year.DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
)
SEMESTER = FinalPeriod(YEAR.id, 1, FinalKind.SEMESTER)
EXAM = FinalPeriod(YEAR.id, 1, FinalKind.EXAM)


def person(subject: uuid.UUID, *roles: str) -> Principal:
    return Principal(subject=str(subject), roles=frozenset(roles), token="t")


AS_TEACHER = person(TEACHER, "teacher")
AS_ADMIN = person(ADMIN, "admin")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    for discipline, code in ((MATH, "ЕН.01"), (HISTORY, "ОГСЭ.02"), (PE, "ОГСЭ.04")):
        store.disciplines.add(model.Discipline(discipline, code, code, model.DisciplineKind.DISCIPLINE))
    for student in STUDENTS:
        store.groups.enrollments.add((GROUP, student))
    store.groups.enrollments.add((GROUP, LEFT))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, HISTORY))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), OTHER_TEACHER, GROUP, PE))
    store.years.items[YEAR.id] = YEAR
    store.curricula.items[(GROUP, YEAR.id)] = [
        CurriculumRow(MATH, 1, 72, 2, ControlForm.EXAM),
        CurriculumRow(HISTORY, 1, 36, 1, ControlForm.NONE),
        CurriculumRow(PE, 1, 36, 2, ControlForm.CREDIT),
        CurriculumRow(MATH, 2, 72, 2, ControlForm.DIFFERENTIATED_CREDIT),
    ]
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians({(str(uuid.UUID(int=7)), str(STUDENTS[0]))}),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


def give(store: FakeStore, student: uuid.UUID, discipline: uuid.UUID, *values: str, weight: int = 1) -> None:
    for index, value in enumerate(values):
        store.marks.items.append(
            model.Mark(
                uuid.uuid4(),
                student,
                GROUP,
                discipline,
                TEACHER,
                date(2026, 10, 1 + index),
                value,
                kind_of_work=model.KindOfWork.TEST,
                weight=weight,
            )
        )


def set_cmd(value: str, *, period: FinalPeriod = SEMESTER, **kwargs: object) -> SetFinal:
    student = kwargs.pop("student", STUDENTS[0])
    discipline = kwargs.pop("discipline", MATH)
    return SetFinal(GROUP, discipline, student, period, value, **kwargs)  # type: ignore[arg-type]


async def test_proposals_use_the_rule_in_force_and_show_the_enough_marks_verdict(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    give(store, STUDENTS[0], MATH, "5", "4", "4", "3", "5")  # 5 marks: 4.20 → 4
    give(store, STUDENTS[1], MATH, "5", "4", "н", "зач")  # 2 marks count
    proposals = await handlers.finals.propose(ProposeFinals(GROUP, MATH, SEMESTER), AS_TEACHER)
    assert proposals.rule.version == 1
    assert proposals.weekly_hours == 2
    assert proposals.allowed_values == ["5", "4", "3", "2", "н/а"]
    by_student = {p.proposal.student_id: p.proposal for p in proposals.students}
    assert set(by_student) == {*STUDENTS, LEFT}
    first, second, third = (by_student[s] for s in STUDENTS)
    assert (first.value, str(first.mean), first.enough.marks_count, first.enough.enough) == (
        "4",
        "4.20",
        5,
        True,
    )
    assert (second.value, second.enough.marks_count, second.enough.required, second.enough.enough) == (
        "5",
        2,
        5,
        False,
    )
    assert (third.value, third.mean, third.enough.enough) == (None, None, False)
    assert [a.action for a in store.audits] == ["finals.proposed.read"]


async def test_a_new_rule_version_changes_proposals_and_old_finals_keep_theirs(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    give(store, STUDENTS[0], MATH, "5", "3", "3", "3", "3", "3")  # 3.33: half up → 3, in favour → 4
    first = await handlers.finals.set(set_cmd("3"), AS_TEACHER)
    assert first.final.rule_version == 1
    rule = await handlers.finals.set_rule(
        SetFinalRule(final_rules.FinalRuleKind.MEAN, final_rules.FinalRounding.IN_FAVOUR_OF_STUDENT, TODAY),
        AS_ADMIN,
    )
    assert (rule.version, rule.author_id) == (2, ADMIN)
    assert store.audits[-1].action == "final_rule.set"
    proposals = await handlers.finals.propose(ProposeFinals(GROUP, MATH, SEMESTER), AS_TEACHER)
    assert proposals.rule.version == 2
    mine = next(p for p in proposals.students if p.proposal.student_id == STUDENTS[0])
    assert mine.proposal.value == "4"
    assert mine.final is not None
    assert (mine.final.value, mine.final.rule_version) == ("3", 1)
    versions = await handlers.finals.rule(AS_TEACHER)
    assert (versions.current.version, [v.version for v in versions.versions]) == (2, [1, 2])


async def test_only_the_admin_sets_the_rule_and_never_before_the_latest(handlers: JournalHandlers) -> None:
    rule = SetFinalRule(final_rules.FinalRuleKind.WEIGHTED_MEAN, final_rules.FinalRounding.DOWN, TODAY)
    with pytest.raises(PermissionDenied):
        await handlers.finals.set_rule(rule, AS_TEACHER)
    await handlers.finals.set_rule(rule, AS_ADMIN)
    with pytest.raises(InvalidArgument) as refused:
        await handlers.finals.set_rule(
            SetFinalRule(final_rules.FinalRuleKind.MEAN, final_rules.FinalRounding.DOWN, date(2026, 1, 1)),
            AS_ADMIN,
        )
    assert refused.value.code == "final_rule_effective_too_early"
    with pytest.raises(PermissionDenied):
        await handlers.finals.rule(person(STUDENTS[0], "student"))


async def test_a_final_is_set_with_its_event_and_audit_and_setting_again_is_a_kept_change(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    give(store, STUDENTS[0], MATH, "5", "4", "4", "3", "5")
    result = await handlers.finals.set(
        set_cmd("5", period=EXAM, reason="отличный ответ на экзамене"), AS_TEACHER
    )
    final = result.final
    assert (result.changed, final.value, final.proposed_value, final.set_by, final.reason) == (
        False,
        "5",
        "4",
        TEACHER,
        "отличный ответ на экзамене",
    )
    [event] = store.events_of(events.FinalSet)
    assert (event.final_id, event.value, event.proposed_value, event.rule_version, event.semester) == (
        str(final.id),
        "5",
        "4",
        1,
        1,
    )
    assert (store.audits[-1].action, store.audits[-1].actor_id, store.audits[-1].subject_person_id) == (
        "final.set",
        str(TEACHER),
        str(STUDENTS[0]),
    )
    again = await handlers.finals.set(set_cmd("5", period=EXAM), AS_TEACHER)
    assert again.changed is False
    assert [(c.old_value, c.new_value) for c in store.finals.changes] == [("", "5")]  # the first setting
    changed = await handlers.finals.set(set_cmd("4", period=EXAM, reason="апелляция"), AS_ADMIN)
    assert (changed.changed, changed.final.id, changed.final.value, changed.final.set_by) == (
        True,
        final.id,
        "4",
        ADMIN,
    )
    [_, change] = store.finals.changes
    assert (change.old_value, change.new_value, change.changed_by, change.reason) == (
        "5",
        "4",
        ADMIN,
        "апелляция",
    )
    [event_changed] = store.events_of(events.FinalChanged)
    assert (event_changed.old_value, event_changed.value, event_changed.change_id) == (
        "5",
        "4",
        str(change.id),
    )
    assert store.audits[-1].action == "final.changed"


async def test_too_few_marks_are_refused_unless_confirmed_and_the_confirmation_is_kept(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    give(store, STUDENTS[1], MATH, "4", "4", "4", "4")  # 4 of the 5 needed for 2 hours a week
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.finals.set(set_cmd("4", student=STUDENTS[1]), AS_TEACHER)
    assert refused.value.code == "not_enough_marks"
    assert "нужно не менее 5" in refused.value.message
    assert store.finals.items == {}
    result = await handlers.finals.set(
        set_cmd("н/а", student=STUDENTS[1], confirm_not_enough_marks=True), AS_TEACHER
    )
    assert (result.final.value, result.final.not_enough_marks_confirmed, result.final.marks_count) == (
        "н/а",
        True,
        4,
    )
    # 1 hour a week: 3 marks are enough.
    give(store, STUDENTS[1], HISTORY, "4", "5", "4")
    history = await handlers.finals.set(set_cmd("4", student=STUDENTS[1], discipline=HISTORY), AS_TEACHER)
    assert (history.final.required_marks, history.final.not_enough_marks_confirmed) == (3, False)


@pytest.mark.parametrize(
    ("cmd", "error", "code"),
    [
        (
            set_cmd("5", period=FinalPeriod(YEAR.id, 1, FinalKind.CREDIT)),
            FailedPrecondition,
            "final_kind_not_in_curriculum",
        ),
        (set_cmd("зач", discipline=HISTORY, period=EXAM), FailedPrecondition, "final_kind_not_in_curriculum"),
        (set_cmd("4", student=LEFT), FailedPrecondition, "student_not_in_group"),
        (set_cmd("4", student=uuid.uuid4()), FailedPrecondition, "student_not_in_group"),
        (set_cmd("зач"), InvalidArgument, "invalid_final_value"),
        (set_cmd("н"), InvalidArgument, "invalid_final_value"),
        (set_cmd("4", discipline=uuid.uuid4()), NotFound, "discipline_not_found"),
        (
            set_cmd("4", period=FinalPeriod(uuid.uuid4(), 1, FinalKind.SEMESTER)),
            NotFound,
            "academic_year_not_found",
        ),
        (
            set_cmd("4", period=FinalPeriod(YEAR.id, 0, FinalKind.SEMESTER)),
            InvalidArgument,
            "invalid_final_period",
        ),
        (set_cmd("4", reason="x" * 501), InvalidArgument, "invalid_final_reason"),
    ],
)
async def test_bad_input_is_refused_with_nothing_written(
    handlers: JournalHandlers, store: FakeStore, cmd: SetFinal, error: type[DomainError], code: str
) -> None:
    give(store, STUDENTS[0], MATH, "5", "5", "5", "5", "5")
    store.groups.enrollments.discard((GROUP, LEFT))
    with pytest.raises(error) as refused:
        await handlers.finals.set(cmd, AS_TEACHER)
    assert refused.value.code == code
    assert store.finals.items == {}
    assert store.events_of(events.FinalSet) == []


async def test_a_value_the_credit_does_not_allow_is_refused(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    credit = FinalPeriod(YEAR.id, 1, FinalKind.CREDIT)
    give(store, STUDENTS[0], PE, "5", "5", "5", "5", "5")
    teacher = person(OTHER_TEACHER, "teacher")
    with pytest.raises(InvalidArgument) as refused:
        await handlers.finals.set(set_cmd("4", discipline=PE, period=credit), teacher)
    assert "зачёт" in refused.value.message
    result = await handlers.finals.set(set_cmd("зач", discipline=PE, period=credit), teacher)
    assert (result.final.value, result.final.proposed_value) == ("зач", "зач")


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        (person(OTHER_TEACHER, "teacher"), "not_teaching_this_group"),
        (person(CLASS_TEACHER, "class_teacher"), "role_required"),
        (person(STUDENTS[0], "student"), "role_required"),
        (person(uuid.uuid4(), "deputy"), "role_required"),
    ],
)
async def test_only_the_teacher_of_the_load_or_the_admin_sets_a_final_and_a_refusal_is_audited(
    handlers: JournalHandlers, store: FakeStore, actor: Principal, code: str
) -> None:
    give(store, STUDENTS[0], MATH, "5", "5", "5", "5", "5")
    with pytest.raises(PermissionDenied) as refused:
        await handlers.finals.set(set_cmd("5"), actor)
    assert refused.value.code == code
    assert store.finals.items == {}
    if code == "not_teaching_this_group":
        assert store.audits[-1].action == "final.set.refused:not_teaching_this_group"
        assert store.audits[-1].actor_id == actor.subject


async def test_a_subgroup_teacher_sets_finals_of_their_subgroup_only(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    subgroup = year.Subgroup(uuid.uuid4(), GROUP, MATH, "подгруппа 1", (STUDENTS[0],))
    store.subgroups.items.append(subgroup)
    sub_teacher = uuid.uuid4()
    store.loads.add(model.TeachingLoad(uuid.uuid4(), sub_teacher, GROUP, MATH, subgroup.id))
    for student in STUDENTS[:2]:
        give(store, student, MATH, "4", "4", "4", "4", "4")
    await handlers.finals.set(set_cmd("4"), person(sub_teacher, "teacher"))
    with pytest.raises(PermissionDenied):
        await handlers.finals.set(set_cmd("4", student=STUDENTS[1]), person(sub_teacher, "teacher"))


async def test_a_move_to_another_subgroup_after_the_period_leaves_its_finals_to_the_first_teacher(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    """Subgroups are dated (slice J): a student in subgroup A until the semester's end and in B from
    the next day has the semester's final set by A's teacher, not by B's (who teaches them now)."""
    first, second = (year.Subgroup(uuid.uuid4(), GROUP, MATH, f"подгруппа {n}", ()) for n in (1, 2))
    store.subgroups.items.extend([first, second])
    moved_on = YEAR.semester1.ends_on + timedelta(days=1)
    store.subgroup_memberships.items.extend(
        [
            SubgroupMembership(first.id, STUDENTS[0], date(2026, 9, 1), moved_on),
            SubgroupMembership(second.id, STUDENTS[0], moved_on),
        ]
    )
    teacher_of = {}
    for subgroup in (first, second):
        teacher_of[subgroup.id] = uuid.uuid4()
        store.loads.add(model.TeachingLoad(uuid.uuid4(), teacher_of[subgroup.id], GROUP, MATH, subgroup.id))
    give(store, STUDENTS[0], MATH, "4", "4", "4", "4", "4")
    with pytest.raises(PermissionDenied):
        await handlers.finals.set(set_cmd("4"), person(teacher_of[second.id], "teacher"))
    await handlers.finals.set(set_cmd("4"), person(teacher_of[first.id], "teacher"))


async def test_the_mark_of_record_and_the_reads_of_finals(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    give(store, STUDENTS[0], MATH, "5", "4", "4", "3", "5")
    give(store, STUDENTS[0], HISTORY, "5", "4", "4")
    exam = (await handlers.finals.set(set_cmd("5", period=EXAM), AS_TEACHER)).final
    semester = (await handlers.finals.set(set_cmd("4"), AS_TEACHER)).final
    history = (await handlers.finals.set(set_cmd("4", discipline=HISTORY), AS_TEACHER)).final
    own = await handlers.finals.of_student(
        GetStudentFinals(STUDENTS[0], YEAR.id), person(STUDENTS[0], "student")
    )
    assert {f.id for f in own.finals} == {exam.id, semester.id, history.id}
    assert own.of_record == {exam.id, history.id}
    audits = len(store.audits)
    parent = await handlers.finals.of_student(
        GetStudentFinals(STUDENTS[0], YEAR.id), person(uuid.UUID(int=7), "parent")
    )
    assert parent.of_record == own.of_record
    assert store.audits[audits].action == "finals.read"
    assert store.audits[audits].subject_person_id == str(STUDENTS[0])
    with pytest.raises(NotFound):
        await handlers.finals.of_student(
            GetStudentFinals(STUDENTS[0], YEAR.id), person(STUDENTS[1], "student")
        )
    group = await handlers.finals.of_group(
        GetGroupFinals(GROUP, YEAR.id, 1), person(CLASS_TEACHER, "class_teacher")
    )
    assert group.of_record == {exam.id, history.id}
    with pytest.raises(NotFound):
        await handlers.finals.of_group(GetGroupFinals(GROUP, YEAR.id, 1), person(uuid.uuid4(), "teacher"))


async def test_too_few_marks_per_discipline_for_the_class_teacher(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    store.groups.enrollments.discard((GROUP, LEFT))
    give(store, STUDENTS[0], MATH, "5", "4", "4", "3", "5")
    give(store, STUDENTS[1], MATH, "5", "4")
    give(store, STUDENTS[0], HISTORY, "5", "4", "4")
    give(store, STUDENTS[1], HISTORY, "5", "4", "4")
    give(store, STUDENTS[2], HISTORY, "5", "4", "4")
    found = await handlers.finals.too_few_marks(
        ListStudentsWithTooFewMarks(GROUP, YEAR.id, 1), person(CLASS_TEACHER, "class_teacher")
    )
    by_discipline = {d.discipline_id: d for d in found}
    assert set(by_discipline) == {MATH, PE}
    assert (by_discipline[MATH].required, by_discipline[MATH].students) == (
        5,
        [(s, c) for s, c in sorted([(STUDENTS[1], 2), (STUDENTS[2], 0)])],
    )
    assert store.audits[-1].action == "too_few_marks.read"
    for refused in (AS_TEACHER, person(STUDENTS[0], "student")):
        with pytest.raises(NotFound):
            await handlers.finals.too_few_marks(ListStudentsWithTooFewMarks(GROUP, YEAR.id, 1), refused)
    await handlers.finals.too_few_marks(
        ListStudentsWithTooFewMarks(GROUP, YEAR.id, 1), person(uuid.uuid4(), "curator")
    )


async def test_the_last_final_of_the_period_closes_it(handlers: JournalHandlers, store: FakeStore) -> None:
    store.groups.enrollments.discard((GROUP, LEFT))
    for student in STUDENTS[:2]:
        give(store, student, HISTORY, "5", "4", "4")
    store.groups.enrollments.discard((GROUP, STUDENTS[2]))
    await handlers.finals.set(set_cmd("4", discipline=HISTORY), AS_TEACHER)
    assert store.period_locks.items == {}
    await handlers.finals.set(set_cmd("4", discipline=HISTORY, student=STUDENTS[1]), AS_TEACHER)
    [lock] = store.period_locks.items.values()
    assert (lock.group_id, lock.discipline_id, lock.semester) == (GROUP, HISTORY, 1)
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.finals.set(set_cmd("5", discipline=HISTORY), AS_TEACHER)
    assert refused.value.code == "period_closed"
    assert [(c.old_value, c.new_value) for c in store.finals.changes] == [("", "4"), ("", "4")]


async def test_the_years_final_needs_the_student_in_the_group_at_the_second_semesters_end(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    year_final = FinalPeriod(YEAR.id, 0, FinalKind.YEAR)
    graduate, expelled = uuid.uuid4(), uuid.uuid4()
    store.groups.dated.append(
        movement.Enrolment(uuid.uuid4(), GROUP, graduate, date(2026, 9, 1), date(2027, 7, 1))
    )
    store.groups.dated.append(
        movement.Enrolment(uuid.uuid4(), GROUP, expelled, date(2026, 9, 1), date(2027, 6, 1))
    )
    give(store, graduate, MATH, "5", "5", "5", "5", "5")
    result = await handlers.finals.set(set_cmd("5", student=graduate, period=year_final), AS_TEACHER)
    assert result.final.period == year_final
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.finals.set(
            set_cmd("н/а", student=expelled, period=year_final, confirm_not_enough_marks=True), AS_TEACHER
        )
    assert refused.value.code == "student_not_in_group"
