"""Finals (issue 7 items 1-2; R3.1, R3.2): the college's final rule (admin), the proposals per student
with the enough-marks verdict, setting a final (the teacher of the load, or the admin) with every change
kept, the finals of a student and of a group with the mark of record, and «Мало оценок» for the class
teacher. Proposals and the enough-marks rule read the marks of the period through the journal page's
query and average them with `domain.averages` (the one place averages are computed)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application import period_locks
from journal_service.application.ports import GuardianDirectory, JournalUnitOfWork, Today, UnitOfWorkFactory
from journal_service.application.read_models import may_read_student, readable_group
from journal_service.application.refused_writes import refusal_audited
from journal_service.domain import (
    access,
    averages,
    enough_marks,
    errors,
    final_history,
    final_rules,
    finals,
    model,
    read_models,
    year,
    year_errors,
)
from journal_service.domain import period_locks as lock_model
from journal_service.domain.curriculum import CurriculumRow

STAFF_ROLES = (*access.READ_ALL_ROLES, access.TEACHER, access.CLASS_TEACHER)


@dataclass(frozen=True)
class SetFinalRule:
    """Set a new version of the college's final rule."""

    kind: final_rules.FinalRuleKind | None
    rounding: final_rules.FinalRounding | None
    effective_from: date


@dataclass(frozen=True)
class ProposeFinals:
    """Read the proposals for a group's students in a discipline and period."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    period: finals.FinalPeriod


@dataclass(frozen=True)
class SetFinal:
    """Set (or change) a student's final."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    student_id: uuid.UUID
    period: finals.FinalPeriod
    value: str
    reason: str = ""
    confirm_not_enough_marks: bool = False


@dataclass(frozen=True)
class GetStudentFinals:
    """Read a student's finals of a year (of every year when None: the 152-ФЗ export)."""

    student_id: uuid.UUID
    year_id: uuid.UUID | None


@dataclass(frozen=True)
class GetGroupFinals:
    """Read a group's finals of a year (of one semester when given; 0 for the year's finals)."""

    group_id: uuid.UUID
    year_id: uuid.UUID
    semester: int | None = None


@dataclass(frozen=True)
class ListStudentsWithTooFewMarks:
    """Read «Мало оценок» of a group in a semester."""

    group_id: uuid.UUID
    year_id: uuid.UUID
    semester: int


@dataclass(frozen=True)
class RuleVersions:
    """The version in force and every version."""

    current: final_rules.FinalRule
    versions: list[final_rules.FinalRule]


@dataclass(frozen=True)
class StudentProposal:
    """One student's proposal and the final already set, if any."""

    proposal: finals.Proposal
    final: finals.Final | None


@dataclass(frozen=True)
class Proposals:
    """The proposals of a group × discipline × period with the rule used."""

    rule: final_rules.FinalRule
    students: list[StudentProposal]
    allowed_values: list[str]
    weekly_hours: int


@dataclass(frozen=True)
class SetFinalResult:
    """The final as it is now and whether an earlier value was changed."""

    final: finals.Final
    changed: bool


@dataclass(frozen=True)
class FinalsRead:
    """Finals as read, with the ids of those of record."""

    finals: list[finals.Final]
    of_record: set[uuid.UUID]
    # The academic years of the finals, newest first (GetStudentFinals names them to the student).
    years: list[year.AcademicYear] = field(default_factory=list)


@dataclass(frozen=True)
class DisciplineTooFewMarks:
    """A discipline with the students below the enough-marks threshold."""

    discipline_id: uuid.UUID
    weekly_hours: int
    required: int
    students: list[tuple[uuid.UUID, int]]


@dataclass(frozen=True)
class _Context:
    """What a proposal reads: the year, the period's days, the curriculum rows, rule and dictionary."""

    academic_year: year.AcademicYear
    semester: int
    span: year.DateSpan
    rows: list[CurriculumRow]
    rule: final_rules.FinalRule
    dictionary: model.MarkDictionary

    @property
    def last_day(self) -> date:
        """The day a student must be in the group on to have the final: the semester's last day, or
        the second semester's for the year (not the summer's end: graduates leave in June)."""
        if self.semester == finals.YEAR_SEMESTER:
            return self.academic_year.semester2.ends_on
        return self.span.ends_on


async def _year(uow: JournalUnitOfWork, year_id: uuid.UUID) -> year.AcademicYear:
    academic_year = await uow.years.get(year_id)
    if academic_year is None:
        raise year_errors.AcademicYearNotFound()
    return academic_year


async def _context(
    uow: JournalUnitOfWork,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    period: finals.FinalPeriod,
    today: date,
) -> _Context:
    """Check the group, discipline, year and period and that the curriculum calls for this final."""
    finals.check_period(period)
    if await uow.groups.get(group_id) is None:
        raise errors.GroupNotFound()
    if await uow.disciplines.get(discipline_id) is None:
        raise errors.DisciplineNotFound()
    academic_year = await _year(uow, period.year_id)
    rows = finals.curriculum_rows_of(
        await uow.curricula.of_group(group_id, academic_year.id), discipline_id, period
    )
    finals.require_in_curriculum(rows, period)
    return _Context(
        academic_year,
        period.semester,
        lock_model.span_of(academic_year, period.semester),
        rows,
        final_rules.in_force(await uow.finals.rules(), today),
        await uow.marks.dictionary(),
    )


def _proposals(
    context: _Context,
    period: finals.FinalPeriod,
    students: Sequence[uuid.UUID],
    marks: list[read_models.MarkRow],
) -> list[finals.Proposal]:
    """Each student's proposal from their marks of the period (the weekly hours of the curriculum rows)."""
    by_student: dict[uuid.UUID, list[read_models.MarkRow]] = defaultdict(list)
    for mark in marks:
        by_student[mark.student_id].append(mark)
    weekly = finals.weekly_hours_of(context.rows)
    found = []
    for student in students:
        own = by_student.get(student, [])
        mean, weighted = averages.both(own, context.dictionary)
        found.append(
            finals.propose(
                student,
                enough_marks.verdict(own, context.dictionary, weekly),
                mean,
                weighted,
                rule=context.rule,
                kind=period.kind,
            )
        )
    return found


def _kind(kind: finals.FinalKind) -> jpb.FinalKind.ValueType:
    return jpb.FinalKind.Value(f"FINAL_KIND_{kind.name}")


def required_kinds(rows: Sequence[CurriculumRow], semester: int) -> set[finals.FinalKind]:
    """The finals that complete a period for a student: the attestation of the semester's control form
    (its mark of record), or the semester's mark where there is none; the year's mark for the year."""
    if semester == finals.YEAR_SEMESTER:
        return {finals.FinalKind.YEAR}
    attestations = {
        finals.ATTESTATION_OF[row.control_form] for row in rows if row.control_form in finals.ATTESTATION_OF
    }
    return attestations or {finals.FinalKind.SEMESTER}


def _event_ids(final: finals.Final) -> dict[str, Any]:
    """The ids and the period every event of a final carries."""
    return {
        "final_id": str(final.id),
        "student_id": str(final.student_id),
        "group_id": str(final.group_id),
        "discipline_id": str(final.discipline_id),
        "year_id": str(final.period.year_id),
        "semester": final.period.semester,
        "kind": _kind(final.period.kind),
    }


class FinalHandlers:
    """Use cases of finals and the final rule."""

    def __init__(self, uow: UnitOfWorkFactory, guardians: GuardianDirectory, today: Today) -> None:
        self._uow = uow
        self._guardians = guardians
        self._today = today

    async def rule(self, actor: Principal) -> RuleVersions:
        """Return the rule in force and every version (staff)."""
        if not actor.has_any(*STAFF_ROLES):
            raise errors.RoleRequired("правило итоговых оценок видят сотрудники колледжа")
        async with self._uow() as uow:
            versions = await uow.finals.rules()
        return RuleVersions(final_rules.in_force(versions, self._today()), versions)

    async def set_rule(self, cmd: SetFinalRule, actor: Principal) -> final_rules.FinalRule:
        """Add a version of the rule (admin); finals set before keep theirs. Audited."""
        access.require_admin(actor, "правило итоговых оценок задаёт администратор")
        author = access.person_id(actor)
        async with self._uow() as uow:
            rule = final_rules.new_version(
                await uow.finals.rules(),
                kind=cmd.kind,
                rounding=cmd.rounding,
                effective_from=cmd.effective_from,
                author_id=author,
            )
            if not await uow.finals.add_rule(rule):
                raise final_rules.FinalRuleChangedMeanwhile()
            await uow.audit(
                "final_rule.set", actor=actor, resource_type="final_rule", resource_id=str(rule.version)
            )
            await uow.commit()
            return rule

    async def propose(self, query: ProposeFinals, actor: Principal) -> Proposals:
        """Return each student's proposal to the group's readers (administration, a teacher of the
        group, its class teacher); audited as a read of the students' marks."""
        async with self._uow() as uow:
            finals.check_period(query.period)
            academic_year = await _year(uow, query.period.year_id)
            span = lock_model.span_of(academic_year, query.period.semester)
            await readable_group(uow, actor, query.group_id, span)
            context = await _context(uow, query.group_id, query.discipline_id, query.period, self._today())
            students = await uow.groups.students_of(query.group_id, on=context.last_day)
            marks = await uow.read_models.page_marks(query.group_id, query.discipline_id, context.span)
            set_finals = {
                f.student_id: f
                for f in await uow.finals.in_period(query.group_id, query.discipline_id, query.period)
            }
            proposals = _proposals(context, query.period, students, marks)
            await uow.audit(
                "finals.proposed.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
            )
            await uow.commit()
            return Proposals(
                context.rule,
                [StudentProposal(p, set_finals.get(p.student_id)) for p in proposals],
                finals.allowed_values(query.period.kind, context.dictionary),
                finals.weekly_hours_of(context.rows),
            )

    async def set(
        self, cmd: SetFinal, actor: Principal, *, within: JournalUnitOfWork | None = None
    ) -> SetFinalResult:
        """Set or change a final (the teacher whose load covers the student, or the admin): refused for
        too few marks unless confirmed, outside the curriculum, for a student not in the group at the
        period's end, in a closed period; the proposal, rule version and author kept; a change kept in
        final_changes; its event and audit at once. Completing the period's finals closes it. `within`:
        staged in the caller's unit of work, which commits (and audits a refusal) itself — the
        demonstration exam's result writes its final this way (slice F)."""
        admin = actor.has_any(access.ADMIN)
        if not admin:
            access.require_teacher(actor)
        setter = access.person_id(actor)
        async with (
            refusal_audited(
                self._uow, actor, action="final.set", resource_type="student", resource_id=str(cmd.student_id)
            )
            if within is None
            else nullcontext(),
            self._uow() if within is None else nullcontext(within) as uow,
        ):
            context = await _context(uow, cmd.group_id, cmd.discipline_id, cmd.period, self._today())
            if not admin:
                await _require_load(
                    uow, setter, cmd.group_id, cmd.discipline_id, cmd.student_id, on=context.last_day
                )
            if not await uow.groups.is_enrolled(cmd.group_id, cmd.student_id, context.last_day):
                raise errors.StudentNotInGroup()
            await period_locks.ensure_open(
                uow,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                on_date=context.span.ends_on,
                actor=actor,
            )
            marks = [
                m
                for m in await uow.read_models.page_marks(cmd.group_id, cmd.discipline_id, context.span)
                if m.student_id == cmd.student_id
            ]
            [proposal] = _proposals(context, cmd.period, [cmd.student_id], marks)
            existing = await uow.finals.get_for_update(
                cmd.student_id, cmd.group_id, cmd.discipline_id, cmd.period
            )
            final, change = finals.set_final(
                existing,
                student_id=cmd.student_id,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                period=cmd.period,
                value=cmd.value,
                reason=cmd.reason,
                proposal=proposal,
                rule=context.rule,
                confirm_not_enough_marks=cmd.confirm_not_enough_marks,
                dictionary=context.dictionary,
                set_by=setter,
            )
            if existing is not None and change is None:
                return SetFinalResult(existing, changed=False)
            event: events.FinalSet | events.FinalChanged
            if change is None:
                found = await uow.finals.add(final)
                if found is None:
                    raise finals.FinalSetMeanwhile()
                stored, event, action = found, self._set_event(found), "final.set"
                await uow.finals.add_change(final_history.first_setting(found))  # slice K: the full trail
            else:
                stored = await uow.finals.change(final, change)
                event, action = self._changed_event(stored, change), "final.changed"
            await uow.emit(event)
            await uow.audit(
                action,
                actor=actor,
                resource_type="final",
                resource_id=str(stored.id),
                subject_person_id=str(cmd.student_id),
            )
            await self._close_when_complete(uow, cmd, context)
            if within is None:
                await uow.commit()
            return SetFinalResult(stored, changed=change is not None)

    @staticmethod
    def _set_event(final: finals.Final) -> events.FinalSet:
        return events.FinalSet(
            **_event_ids(final),
            value=final.value,
            proposed_value=final.proposed_value or "",
            rule_version=final.rule_version,
            set_by=str(final.set_by),
            not_enough_marks_confirmed=final.not_enough_marks_confirmed,
        )

    @staticmethod
    def _changed_event(final: finals.Final, change: finals.FinalChange) -> events.FinalChanged:
        return events.FinalChanged(
            **_event_ids(final),
            old_value=change.old_value,
            value=change.new_value,
            rule_version=change.rule_version,
            changed_by=str(change.changed_by),
            change_id=str(change.id),
        )

    @staticmethod
    async def _close_when_complete(uow: JournalUnitOfWork, cmd: SetFinal, context: _Context) -> None:
        """Close the period (slice B's hook) once every student in the group at its end has the finals
        that complete it (`required_kinds`); a period closed already is left as it is."""
        needed = required_kinds(context.rows, cmd.period.semester)
        if cmd.period.kind not in needed:
            return
        students = set(await uow.groups.students_of(cmd.group_id, on=context.last_day))
        have: dict[finals.FinalKind, set[uuid.UUID]] = defaultdict(set)
        for final in await uow.finals.of_group(cmd.group_id, cmd.period.year_id, cmd.period.semester):
            if final.discipline_id == cmd.discipline_id:
                have[final.period.kind].add(final.student_id)
        if not students or any(not students <= have[kind] for kind in needed):
            return
        await period_locks.close_period(
            uow,
            group_id=cmd.group_id,
            discipline_id=cmd.discipline_id,
            academic_year=context.academic_year,
            semester=cmd.period.semester,
            by=None,
            cause=lock_model.CloseCause.FINALS_SET,
        )

    async def of_student(self, query: GetStudentFinals, actor: Principal) -> FinalsRead:
        """Return a student's finals of a year with the marks of record to whoever may read the
        student's diary; a read by anyone but the student is audited."""
        student = str(query.student_id)
        async with self._uow() as uow:
            own = actor.subject == student and actor.has_any(access.STUDENT)
            if not own and not await may_read_student(uow, self._guardians, actor, query.student_id):
                raise errors.StudentNotVisible()
            if query.year_id is not None:
                await _year(uow, query.year_id)
            found = await uow.finals.of_student(query.student_id, query.year_id)
            wanted = {f.period.year_id for f in found}
            years = [y for y in await uow.years.all() if y.id in wanted] if wanted else []
            if not own:
                await uow.audit(
                    "finals.read",
                    actor=actor,
                    resource_type="student",
                    resource_id=student,
                    subject_person_id=student,
                )
                await uow.commit()
            return FinalsRead(found, {f.id for f in finals.marks_of_record(found)}, years)

    async def of_group(self, query: GetGroupFinals, actor: Principal) -> FinalsRead:
        """Return a group's finals of a year (or semester) to the group's readers; audited."""
        if query.semester is not None and query.semester not in (0, 1, 2):
            raise finals.InvalidFinalPeriod()
        async with self._uow() as uow:
            academic_year = await _year(uow, query.year_id)
            await readable_group(
                uow, actor, query.group_id, lock_model.span_of(academic_year, query.semester or 0)
            )
            found = await uow.finals.of_group(query.group_id, query.year_id, query.semester)
            await uow.audit(
                "group_finals.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
            )
            await uow.commit()
            return FinalsRead(found, {f.id for f in finals.marks_of_record(found)})

    async def too_few_marks(
        self, query: ListStudentsWithTooFewMarks, actor: Principal
    ) -> list[DisciplineTooFewMarks]:
        """«Мало оценок»: per discipline of the group's curriculum in the semester, the students in the
        group at its end below the threshold (the class teacher of the group, the curator, the
        administration; anyone else: group_not_found). Audited."""
        if query.semester not in (1, 2):
            raise finals.InvalidFinalPeriod()
        async with self._uow() as uow:
            academic_year = await _year(uow, query.year_id)
            span = lock_model.span_of(academic_year, query.semester)
            readers = await readable_group(uow, actor, query.group_id, span)
            if not actor.has_any(*access.READ_ALL_ROLES) and readers.class_teacher_id != access.person_id(
                actor
            ):
                raise errors.GroupNotFound()
            rows = [
                r
                for r in await uow.curricula.of_group(query.group_id, query.year_id)
                if r.semester == query.semester
            ]
            students = await uow.groups.students_of(query.group_id, on=span.ends_on)
            dictionary = await uow.marks.dictionary()
            counts: dict[tuple[uuid.UUID, uuid.UUID], int] = defaultdict(int)
            for mark in await uow.read_models.group_marks(query.group_id, span):
                if averages.counts(mark, dictionary):
                    counts[mark.discipline_id, mark.student_id] += 1
            found = []
            for row in rows:
                required = enough_marks.required_marks(row.weekly_hours)
                below = [
                    (student, counts[row.discipline_id, student])
                    for student in students
                    if counts[row.discipline_id, student] < required
                ]
                if below:
                    found.append(DisciplineTooFewMarks(row.discipline_id, row.weekly_hours, required, below))
            await uow.audit(
                "too_few_marks.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
            )
            await uow.commit()
            return found


async def _require_load(
    uow: JournalUnitOfWork,
    teacher_id: uuid.UUID,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    student_id: uuid.UUID,
    *,
    on: date,
) -> None:
    """Refuse a teacher whose loads do not cover the student: the whole group's load, or the load of
    the subgroup of the discipline the student is in on `on` — the period's last day, as for the
    group (dated membership: a move to another subgroup after the period leaves its finals to the
    teacher who taught the student in it)."""
    stays = await uow.subgroup_memberships.of_student(group_id, discipline_id, student_id)
    subgroup_id = next((stay.subgroup_id for stay in stays if stay.covers(on)), None)
    loads = await uow.loads.of_teacher(teacher_id)
    if not any(load.covers(teacher_id, group_id, discipline_id, subgroup_id) for load in loads):
        raise errors.NotTeachingThisGroup()
