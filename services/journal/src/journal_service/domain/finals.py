"""Finals («итоговые оценки», R3.1): a student's mark for a semester, the year or an attestation of the
curriculum's control form, proposed by the college's rule and set by the teacher; both kept, with the
rule's version and the author; a change keeps old → new, who, when and why. Pure rules, no I/O."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from chassis.errors import Conflict, FailedPrecondition, InvalidArgument

from journal_service.domain import final_rules
from journal_service.domain.curriculum import ControlForm, CurriculumRow
from journal_service.domain.enough_marks import EnoughMarks, NotEnoughMarks
from journal_service.domain.model import MarkDictionary

MAX_REASON = 500
YEAR_SEMESTER = 0  # a FinalPeriod's semester for the year's final
NOT_CERTIFIED = "н/а"  # «не аттестован»: a valid final of every kind
CREDIT_PASSED = "зач"
CREDIT_FAILED = "незач"


class FinalKind(enum.StrEnum):
    """Kind of a final (mirrors the proto by name; stored as checked text)."""

    SEMESTER = "semester"
    YEAR = "year"
    EXAM = "exam"
    DIFFERENTIATED_CREDIT = "differentiated_credit"
    CREDIT = "credit"
    MODULE_EXAM = "module_exam"
    DEMONSTRATION_EXAM = "demonstration_exam"
    OTHER_ATTESTATION = "other_attestation"


# The attestation a control form of the curriculum calls for in its semester.
ATTESTATION_OF: dict[ControlForm, FinalKind] = {
    ControlForm.EXAM: FinalKind.EXAM,
    ControlForm.COMPLEX_EXAM: FinalKind.EXAM,
    ControlForm.DIFFERENTIATED_CREDIT: FinalKind.DIFFERENTIATED_CREDIT,
    ControlForm.CREDIT: FinalKind.CREDIT,
    ControlForm.MODULE_EXAM: FinalKind.MODULE_EXAM,
    ControlForm.DEMONSTRATION_EXAM: FinalKind.DEMONSTRATION_EXAM,
    ControlForm.COURSE_WORK: FinalKind.OTHER_ATTESTATION,
}

# Which final is the mark of record of a discipline in a semester: the first kind present wins.
RECORD_ORDER = (
    FinalKind.EXAM,
    FinalKind.DIFFERENTIATED_CREDIT,
    FinalKind.MODULE_EXAM,
    FinalKind.DEMONSTRATION_EXAM,
    FinalKind.CREDIT,
    FinalKind.OTHER_ATTESTATION,
    FinalKind.SEMESTER,
)

KIND_TITLES = {
    FinalKind.SEMESTER: "за семестр",
    FinalKind.YEAR: "за год",
    FinalKind.EXAM: "экзамен",
    FinalKind.DIFFERENTIATED_CREDIT: "дифференцированный зачёт",
    FinalKind.CREDIT: "зачёт",
    FinalKind.MODULE_EXAM: "экзамен по модулю",
    FinalKind.DEMONSTRATION_EXAM: "демонстрационный экзамен",
    FinalKind.OTHER_ATTESTATION: "другая аттестация",
}


@dataclass(frozen=True)
class FinalPeriod:
    """A semester (1, 2) of an academic year, or the year (0), and the kind of final."""

    year_id: uuid.UUID
    semester: int
    kind: FinalKind


@dataclass(frozen=True)
class Final:
    """A final as set: the value, what the rule proposed, the rule version, who and when (set last)."""

    id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    period: FinalPeriod
    value: str
    proposed_value: str | None
    rule_version: int
    set_by: uuid.UUID
    marks_count: int
    required_marks: int
    not_enough_marks_confirmed: bool = False
    reason: str = ""
    set_at: datetime | None = field(default=None)


@dataclass(frozen=True)
class FinalChange:
    """One change of a final: old → new, the proposal then, the rule version, who, when (database), why."""

    id: uuid.UUID
    final_id: uuid.UUID
    changed_by: uuid.UUID
    old_value: str
    new_value: str
    proposed_value: str | None
    rule_version: int
    reason: str = ""
    changed_at: datetime | None = field(default=None)


@dataclass(frozen=True)
class Proposal:
    """What the rule proposes for one student from their marks in the period."""

    student_id: uuid.UUID
    enough: EnoughMarks
    mean: Decimal | None
    weighted_mean: Decimal | None
    value: str | None


class InvalidFinalPeriod(InvalidArgument):
    """A semester's final names semester 1 or 2; the year's final semester 0."""

    def __init__(self) -> None:
        super().__init__(
            "Период итоговой оценки: семестр 1 или 2; для годовой оценки — весь год (0)",
            code="invalid_final_period",
        )


class FinalKindNotInCurriculum(FailedPrecondition):
    """An attestation is set only where the curriculum has its control form for the discipline."""

    def __init__(self, kind: FinalKind) -> None:
        super().__init__(
            f"В учебном плане группы нет формы контроля «{KIND_TITLES[kind]}» по этой дисциплине "
            "в этом периоде",
            code="final_kind_not_in_curriculum",
        )


class InvalidFinalValue(InvalidArgument):
    """The value is not one a final of this kind may take (e.g. «4» for «зачёт»)."""

    def __init__(self, value: str, kind: FinalKind, allowed: Sequence[str]) -> None:
        super().__init__(
            f"Итоговая оценка «{value}» недопустима для вида «{KIND_TITLES[kind]}»; "
            f"допустимые: {', '.join(allowed)}",
            code="invalid_final_value",
        )


class FinalReasonTooLong(InvalidArgument):
    """The reason of a final is at most 500 characters."""

    def __init__(self) -> None:
        super().__init__(
            f"Причина итоговой оценки длиннее {MAX_REASON} символов", code="invalid_final_reason"
        )


class FinalSetMeanwhile(Conflict):
    """Two finals of one student, period and kind were set at once; the other one won."""

    def __init__(self) -> None:
        super().__init__(
            "Итоговую оценку только что выставил другой пользователь; обновите страницу",
            code="final_set_meanwhile",
        )


def check_period(period: FinalPeriod) -> FinalPeriod:
    """Return the period after checking its semester fits its kind."""
    if period.kind is FinalKind.YEAR:
        if period.semester != YEAR_SEMESTER:
            raise InvalidFinalPeriod()
    elif period.semester not in (1, 2):
        raise InvalidFinalPeriod()
    return period


def curriculum_rows_of(
    rows: Iterable[CurriculumRow], discipline_id: uuid.UUID, period: FinalPeriod
) -> list[CurriculumRow]:
    """The discipline's curriculum rows the period covers (one semester, or both for the year)."""
    return [
        row
        for row in rows
        if row.discipline_id == discipline_id and period.semester in (YEAR_SEMESTER, row.semester)
    ]


def require_in_curriculum(rows: Sequence[CurriculumRow], period: FinalPeriod) -> None:
    """Refuse a final the curriculum does not call for: the discipline is not studied in the period, or
    the attestation's control form is not the period's."""
    if not rows:
        raise FinalKindNotInCurriculum(period.kind)
    if period.kind in (FinalKind.SEMESTER, FinalKind.YEAR):
        return
    if not any(ATTESTATION_OF.get(row.control_form) is period.kind for row in rows):
        raise FinalKindNotInCurriculum(period.kind)


def weekly_hours_of(rows: Sequence[CurriculumRow]) -> int:
    """The weekly hours the enough-marks rule reads (the largest of the rows)."""
    return max((row.weekly_hours for row in rows), default=0)


def allowed_values(kind: FinalKind, dictionary: MarkDictionary) -> list[str]:
    """The values a final of the kind may take, from the dictionary: «зач»/«незач» for a credit, the
    numeric marks allowed as finals otherwise, and «н/а» always."""
    if kind is FinalKind.CREDIT:
        values = [CREDIT_PASSED, CREDIT_FAILED]
    else:
        values = sorted(
            (
                value
                for value, kind_ in dictionary.kinds.items()
                if kind_.allowed_as_final and value in dictionary.numbers
            ),
            key=lambda value: -dictionary.numbers[value],
        )
    return [value for value in [*values, NOT_CERTIFIED] if value in dictionary.kinds]


def propose(
    student_id: uuid.UUID,
    enough: EnoughMarks,
    mean: Decimal | None,
    weighted_mean: Decimal | None,
    *,
    rule: final_rules.FinalRule,
    kind: FinalKind,
) -> Proposal:
    """The proposal for a student: the rule's average rounded to a mark («зач»/«незач» for a credit:
    passed at 3 or above); nothing when no mark counts."""
    average = final_rules.average_of(rule, mean, weighted_mean)
    value: str | None = None
    if average is not None:
        mark = final_rules.round_mark(average, rule.rounding)
        passed = CREDIT_PASSED if mark >= 3 else CREDIT_FAILED
        value = passed if kind is FinalKind.CREDIT else str(mark)
    return Proposal(student_id, enough, mean, weighted_mean, value)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise FinalReasonTooLong()
    return reason


def check_value(value: str, kind: FinalKind, dictionary: MarkDictionary) -> str:
    """Return the value as the dictionary spells it after checking the kind allows it."""
    allowed = allowed_values(kind, dictionary)
    if value.strip() not in allowed:
        raise InvalidFinalValue(value.strip(), kind, allowed)
    return value.strip()


def set_final(
    existing: Final | None,
    *,
    student_id: uuid.UUID,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    period: FinalPeriod,
    value: str,
    reason: str,
    proposal: Proposal,
    rule: final_rules.FinalRule,
    confirm_not_enough_marks: bool,
    dictionary: MarkDictionary,
    set_by: uuid.UUID,
) -> tuple[Final, FinalChange | None]:
    """The final after setting it, and the change when it replaces an earlier value (None when new).
    A student with too few marks needs the confirmation (kept on the final); setting the same value
    again changes nothing and is returned as it is, with no change."""
    value = check_value(value, period.kind, dictionary)
    reason = _reason(reason)
    if not proposal.enough.enough and not confirm_not_enough_marks:
        raise NotEnoughMarks(proposal.enough)
    confirmed = not proposal.enough.enough
    if existing is None:
        final = Final(
            id=uuid.uuid4(),
            student_id=student_id,
            group_id=group_id,
            discipline_id=discipline_id,
            period=period,
            value=value,
            proposed_value=proposal.value,
            rule_version=rule.version,
            set_by=set_by,
            marks_count=proposal.enough.marks_count,
            required_marks=proposal.enough.required,
            not_enough_marks_confirmed=confirmed,
            reason=reason,
        )
        return final, None
    if existing.value == value:
        return existing, None
    change = FinalChange(
        id=uuid.uuid4(),
        final_id=existing.id,
        changed_by=set_by,
        old_value=existing.value,
        new_value=value,
        proposed_value=proposal.value,
        rule_version=rule.version,
        reason=reason,
    )
    changed = replace(
        existing,
        value=value,
        proposed_value=proposal.value,
        rule_version=rule.version,
        set_by=set_by,
        marks_count=proposal.enough.marks_count,
        required_marks=proposal.enough.required,
        not_enough_marks_confirmed=confirmed,
        reason=reason,
        set_at=None,
    )
    return changed, change


def marks_of_record(finals: Iterable[Final]) -> list[Final]:
    """Per student, discipline and semester, the final of record: an exam or graded credit outranks
    the other attestations, which outrank the semester's mark (RECORD_ORDER); the year's final is its
    own record."""
    rank = {kind: index for index, kind in enumerate(RECORD_ORDER)}
    best: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID, int], Final] = {}
    for final in finals:
        key = (final.student_id, final.discipline_id, final.period.year_id, final.period.semester)
        if final.period.kind is FinalKind.YEAR:
            best[key] = final
            continue
        current = best.get(key)
        if current is None or rank[final.period.kind] < rank[current.period.kind]:
            best[key] = final
    return list(best.values())


def of_record_by_kind(final: Final) -> bool:
    """Tell whether the final is the mark of record whatever else the period holds (slice J): an exam or
    a graded credit (R3.1: «an exam or graded credit of the period is the mark of record»), or the
    year's final. Where one final is shown alone (proposals, SetFinal, its history)."""
    return final.period.kind in (FinalKind.EXAM, FinalKind.DIFFERENTIATED_CREDIT, FinalKind.YEAR)


def period_end(semester_ends: dict[int, date], semester: int) -> date:
    """The last day of the period: the semester's, or the second semester's for the year."""
    return semester_ends[2 if semester == YEAR_SEMESTER else semester]
