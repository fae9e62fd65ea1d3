"""Finals, the final rule and the enough-marks rule: pure domain rules (R3.1, R3.2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from chassis.errors import FailedPrecondition, InvalidArgument
from journal_service.domain import averages, enough_marks, final_rules, finals, model
from journal_service.domain.curriculum import ControlForm, CurriculumRow
from journal_service.domain.finals import FinalKind, FinalPeriod

KINDS = [
    ("5", True, True),
    ("4", True, True),
    ("3", True, True),
    ("2", True, True),
    ("зач", False, True),
    ("незач", False, True),
    ("н/а", False, True),
    ("осв", False, True),
    ("н", False, False),
]
DICTIONARY = model.MarkDictionary(
    kinds={v: model.MarkKind(v, v, counts, v == "н", final) for v, counts, final in KINDS}
)
MATH = uuid.uuid4()
YEAR = uuid.uuid4()
STUDENT = uuid.uuid4()
TEACHER = uuid.uuid4()
GROUP = uuid.uuid4()


@dataclass(frozen=True)
class M:
    value: str
    weight: int = 1
    discipline_id: uuid.UUID = field(default=MATH)


def marks(*values: str) -> list[M]:
    return [M(v) for v in values]


def rule(kind: final_rules.FinalRuleKind, rounding: final_rules.FinalRounding) -> final_rules.FinalRule:
    return final_rules.FinalRule(2, kind, rounding, date(2026, 9, 1), TEACHER)


MEAN = final_rules.FinalRuleKind.MEAN
WEIGHTED = final_rules.FinalRuleKind.WEIGHTED_MEAN
HALF_UP = final_rules.FinalRounding.HALF_UP
FAVOUR = final_rules.FinalRounding.IN_FAVOUR_OF_STUDENT
DOWN = final_rules.FinalRounding.DOWN


# --- rounding modes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("average", "half_up", "favour", "down"),
    [
        ("3.50", 4, 4, 3),
        ("3.49", 3, 4, 3),
        ("3.01", 3, 4, 3),
        ("3.99", 4, 4, 3),
        ("4.00", 4, 4, 4),
        ("2.50", 3, 3, 2),
        ("1.00", 2, 2, 2),  # never below 2
        ("5.00", 5, 5, 5),
    ],
)
def test_rounding_modes(average: str, half_up: int, favour: int, down: int) -> None:
    value = Decimal(average)
    assert final_rules.round_mark(value, HALF_UP) == half_up
    assert final_rules.round_mark(value, FAVOUR) == favour
    assert final_rules.round_mark(value, DOWN) == down


def test_mean_and_weighted_mean_give_different_proposals() -> None:
    # 5 (weight 3) and 2 (weight 1): mean 3.50, weighted 4.25.
    items = [M("5", 3), M("2", 1)]
    mean, weighted = averages.both(items, DICTIONARY)
    found = enough_marks.verdict(items, DICTIONARY, 1)
    by_mean = finals.propose(STUDENT, found, mean, weighted, rule=rule(MEAN, DOWN), kind=FinalKind.SEMESTER)
    by_weight = finals.propose(
        STUDENT, found, mean, weighted, rule=rule(WEIGHTED, DOWN), kind=FinalKind.SEMESTER
    )
    assert (by_mean.value, by_weight.value) == ("3", "4")
    assert (by_mean.mean, by_mean.weighted_mean) == (Decimal("3.50"), Decimal("4.25"))


def test_a_credit_is_proposed_as_passed_or_failed_and_nothing_without_marks() -> None:
    found = enough_marks.verdict([], DICTIONARY, 1)
    nothing = finals.propose(STUDENT, found, None, None, rule=final_rules.DEFAULT_RULE, kind=FinalKind.CREDIT)
    assert nothing.value is None
    passed = finals.propose(
        STUDENT, found, Decimal("3.00"), Decimal("3.00"), rule=final_rules.DEFAULT_RULE, kind=FinalKind.CREDIT
    )
    failed = finals.propose(
        STUDENT, found, Decimal("2.49"), Decimal("2.49"), rule=final_rules.DEFAULT_RULE, kind=FinalKind.CREDIT
    )
    assert (passed.value, failed.value) == ("зач", "незач")


# --- rule versions --------------------------------------------------------------------------------


def test_the_rule_in_force_is_the_newest_effective_version() -> None:
    v1 = final_rules.DEFAULT_RULE
    v2 = final_rules.FinalRule(2, WEIGHTED, FAVOUR, date(2026, 9, 1), TEACHER)
    v3 = final_rules.FinalRule(3, MEAN, DOWN, date(2027, 1, 1), TEACHER)
    assert final_rules.in_force([v1, v2, v3], date(2026, 8, 31)) == v1
    assert final_rules.in_force([v1, v2, v3], date(2026, 12, 31)) == v2
    assert final_rules.in_force([v1, v2, v3], date(2027, 1, 1)) == v3
    assert final_rules.in_force([], date(2027, 1, 1)) == v1


def test_a_new_version_numbers_on_and_never_starts_before_the_latest() -> None:
    v2 = final_rules.FinalRule(2, WEIGHTED, FAVOUR, date(2026, 9, 1), TEACHER)
    made = final_rules.new_version(
        [final_rules.DEFAULT_RULE, v2],
        kind=MEAN,
        rounding=DOWN,
        effective_from=date(2026, 9, 1),
        author_id=TEACHER,
    )
    assert (made.version, made.kind, made.rounding, made.author_id) == (3, MEAN, DOWN, TEACHER)
    with pytest.raises(final_rules.FinalRuleEffectiveTooEarly) as refused:
        final_rules.new_version(
            [final_rules.DEFAULT_RULE, v2],
            kind=MEAN,
            rounding=DOWN,
            effective_from=date(2026, 8, 31),
            author_id=TEACHER,
        )
    assert refused.value.code == "final_rule_effective_too_early"
    with pytest.raises(final_rules.InvalidFinalRule):
        final_rules.new_version(
            [], kind=None, rounding=DOWN, effective_from=date(2026, 9, 1), author_id=TEACHER
        )


# --- enough marks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "weekly_hours", "enough"),
    [
        (2, 1, False),
        (3, 1, True),
        (4, 1, True),
        (2, 2, False),
        (3, 2, False),
        (4, 2, False),
        (5, 2, True),
        (4, 4, False),
        (5, 4, True),
        (2, 0, False),
        (3, 0, True),
    ],
)
def test_enough_marks_thresholds(count: int, weekly_hours: int, enough: bool) -> None:
    found = enough_marks.verdict(marks(*(["4"] * count)), DICTIONARY, weekly_hours)
    assert found.marks_count == count
    assert found.enough is enough
    assert found.required == (3 if weekly_hours < 2 else 5)


def test_only_numeric_marks_count_for_enough_marks_whatever_the_kind_of_work() -> None:
    # Tests, laboratory and practical work are marks like any other; «н», «зач», «н/а», «осв» are not.
    items = [M("5", 3), M("4", 2), M("3"), M("н"), M("зач"), M("н/а"), M("осв")]
    assert enough_marks.marks_count(items, DICTIONARY) == 3


# --- curriculum control forms ---------------------------------------------------------------------


def row(semester: int, form: ControlForm, weekly: int = 2, discipline: uuid.UUID = MATH) -> CurriculumRow:
    return CurriculumRow(discipline, semester, 72, weekly, form)


def period(kind: FinalKind, semester: int = 1) -> FinalPeriod:
    return FinalPeriod(YEAR, semester, kind)


@pytest.mark.parametrize(
    ("form", "allowed"),
    [
        (ControlForm.NONE, set()),
        (ControlForm.EXAM, {FinalKind.EXAM}),
        (ControlForm.COMPLEX_EXAM, {FinalKind.EXAM}),
        (ControlForm.DIFFERENTIATED_CREDIT, {FinalKind.DIFFERENTIATED_CREDIT}),
        (ControlForm.CREDIT, {FinalKind.CREDIT}),
        (ControlForm.MODULE_EXAM, {FinalKind.MODULE_EXAM}),
        (ControlForm.DEMONSTRATION_EXAM, {FinalKind.DEMONSTRATION_EXAM}),
        (ControlForm.COURSE_WORK, {FinalKind.OTHER_ATTESTATION}),
    ],
)
def test_attestations_follow_the_curriculum_control_form(form: ControlForm, allowed: set[FinalKind]) -> None:
    rows = finals.curriculum_rows_of(
        [row(1, form), row(2, ControlForm.EXAM)], MATH, period(FinalKind.SEMESTER)
    )
    finals.require_in_curriculum(rows, period(FinalKind.SEMESTER))  # the semester's mark always
    for kind in set(FinalKind) - {FinalKind.SEMESTER, FinalKind.YEAR}:
        if kind in allowed:
            finals.require_in_curriculum(rows, period(kind))
        else:
            with pytest.raises(finals.FinalKindNotInCurriculum) as refused:
                finals.require_in_curriculum(rows, period(kind))
            assert refused.value.code == "final_kind_not_in_curriculum"


def test_a_discipline_not_in_the_period_has_no_final_and_the_year_reads_both_semesters() -> None:
    rows = [row(2, ControlForm.EXAM, weekly=1), row(1, ControlForm.NONE, weekly=3)]
    in_first = finals.curriculum_rows_of(rows, uuid.uuid4(), period(FinalKind.SEMESTER))
    with pytest.raises(finals.FinalKindNotInCurriculum):
        finals.require_in_curriculum(in_first, period(FinalKind.SEMESTER))
    whole_year = finals.curriculum_rows_of(rows, MATH, FinalPeriod(YEAR, 0, FinalKind.YEAR))
    assert finals.weekly_hours_of(whole_year) == 3
    finals.require_in_curriculum(whole_year, FinalPeriod(YEAR, 0, FinalKind.YEAR))


def test_a_period_fits_its_kind() -> None:
    finals.check_period(FinalPeriod(YEAR, 0, FinalKind.YEAR))
    finals.check_period(FinalPeriod(YEAR, 2, FinalKind.EXAM))
    for bad in (
        FinalPeriod(YEAR, 1, FinalKind.YEAR),
        FinalPeriod(YEAR, 0, FinalKind.EXAM),
        FinalPeriod(YEAR, 3, FinalKind.SEMESTER),
    ):
        with pytest.raises(finals.InvalidFinalPeriod):
            finals.check_period(bad)


# --- values -----------------------------------------------------------------------------------------


def test_values_allowed_per_kind() -> None:
    assert finals.allowed_values(FinalKind.CREDIT, DICTIONARY) == ["зач", "незач", "н/а"]
    assert finals.allowed_values(FinalKind.EXAM, DICTIONARY) == ["5", "4", "3", "2", "н/а"]
    assert finals.check_value(" 4 ", FinalKind.SEMESTER, DICTIONARY) == "4"
    with pytest.raises(finals.InvalidFinalValue) as refused:
        finals.check_value("4", FinalKind.CREDIT, DICTIONARY)
    assert refused.value.code == "invalid_final_value"
    assert "зачёт" in refused.value.message
    with pytest.raises(finals.InvalidFinalValue):
        finals.check_value("зач", FinalKind.EXAM, DICTIONARY)
    with pytest.raises(finals.InvalidFinalValue):
        finals.check_value("н", FinalKind.SEMESTER, DICTIONARY)


# --- setting and changing -----------------------------------------------------------------------------


def proposal(count: int, weekly: int = 2, value: str | None = "4") -> finals.Proposal:
    return finals.Proposal(
        STUDENT, enough_marks.EnoughMarks(count, enough_marks.required_marks(weekly)), None, None, value
    )


def set_final(
    existing: finals.Final | None, value: str, *, count: int = 5, confirm: bool = False, reason: str = ""
) -> tuple[finals.Final, finals.FinalChange | None]:
    return finals.set_final(
        existing,
        student_id=STUDENT,
        group_id=GROUP,
        discipline_id=MATH,
        period=period(FinalKind.SEMESTER),
        value=value,
        reason=reason,
        proposal=proposal(count),
        rule=final_rules.DEFAULT_RULE,
        confirm_not_enough_marks=confirm,
        dictionary=DICTIONARY,
        set_by=TEACHER,
    )


def test_a_final_keeps_the_proposal_the_rule_version_and_the_author() -> None:
    final, change = set_final(None, "5", reason="отличная курсовая")
    assert change is None
    assert (final.value, final.proposed_value, final.rule_version, final.set_by) == ("5", "4", 1, TEACHER)
    assert (final.marks_count, final.required_marks, final.not_enough_marks_confirmed) == (5, 5, False)
    assert final.reason == "отличная курсовая"


def test_too_few_marks_need_the_confirmation_which_is_kept() -> None:
    with pytest.raises(enough_marks.NotEnoughMarks) as refused:
        set_final(None, "4", count=4)
    assert isinstance(refused.value, FailedPrecondition)
    assert refused.value.code == "not_enough_marks"
    assert "нужно не менее 5" in refused.value.message
    final, _ = set_final(None, "4", count=4, confirm=True)
    assert final.not_enough_marks_confirmed is True
    # «н/а» is a valid final too, with too few marks confirmed.
    final, _ = set_final(None, "н/а", count=0, confirm=True)
    assert final.value == "н/а"


def test_setting_again_is_a_change_with_old_and_new_and_the_same_value_is_no_change() -> None:
    first, _ = set_final(None, "4")
    same, none = set_final(first, "4")
    assert none is None
    assert same is first
    changed, change = set_final(first, "3", reason="пересчёт")
    assert change is not None
    assert (change.final_id, change.old_value, change.new_value, change.reason) == (
        first.id,
        "4",
        "3",
        "пересчёт",
    )
    assert (changed.id, changed.value) == (first.id, "3")


def test_a_long_reason_is_refused() -> None:
    with pytest.raises(InvalidArgument) as refused:
        set_final(None, "4", reason="x" * 501)
    assert refused.value.code == "invalid_final_reason"


# --- mark of record -----------------------------------------------------------------------------------


def final_of(kind: FinalKind, value: str, semester: int = 1, discipline: uuid.UUID = MATH) -> finals.Final:
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
    )


def test_an_exam_or_graded_credit_is_the_mark_of_record_over_the_semester_mark() -> None:
    semester = final_of(FinalKind.SEMESTER, "4")
    exam = final_of(FinalKind.EXAM, "5")
    other_semester = final_of(FinalKind.SEMESTER, "3", semester=2)
    credit = final_of(FinalKind.DIFFERENTIATED_CREDIT, "3", discipline=uuid.uuid4())
    year = final_of(FinalKind.YEAR, "4", semester=0)
    record = finals.marks_of_record([semester, exam, other_semester, credit, year])
    assert {f.id for f in record} == {exam.id, other_semester.id, credit.id, year.id}
    assert finals.marks_of_record([exam, semester]) == [exam]
