"""Academic debts and their retakes (issue 7 item 3; 273-ФЗ ст.58): a retake recorded by the teacher
of the discipline, the curator or the admin — at most two within a year of the final, the second
before a commission of the college's teachers —; a student's debts and a group's debts in a year.
A debt is read from the finals (slice A's repository) and the retakes, never stored twice."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.marks import local_date
from journal_service.application.people import PeopleHandlers
from journal_service.application.ports import GuardianDirectory, JournalUnitOfWork, Today, UnitOfWorkFactory
from journal_service.application.read_models import may_read_student, readable_group
from journal_service.application.refused_writes import refusal_audited
from journal_service.domain import access, debts, errors, finals, retakes, year_errors
from journal_service.domain.people import TEACHING_ROLES

# Who records a retake besides the teacher of the discipline: the curator (the department organises
# retakes and commissions) and the admin.
RETAKE_RECORDERS = ("admin", "curator")


@dataclass(frozen=True)
class RecordRetake:
    """Record a retake of a failing final."""

    final_id: uuid.UUID
    retake_date: date
    value: str
    commission_member_ids: Sequence[uuid.UUID] = ()
    commission_chairman_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ListGroupDebts:
    """Read a group's debts in an academic year."""

    group_id: uuid.UUID
    year_id: uuid.UUID


def final_date(final: finals.Final, today: date) -> date:
    """Return the day the final was set (its row's time, UTC), never after the journal's today (the
    journal judges every date by the college's calendar)."""
    if final.set_at is None:
        raise ValueError("a stored final has its time")
    return min(final.set_at.date(), today)


async def _debts(uow: JournalUnitOfWork, found: Sequence[finals.Final], today: date) -> list[debts.Debt]:
    dictionary = await uow.marks.dictionary()
    failing = [f for f in found if debts.fails(f.value, dictionary)]
    taken = await uow.debts.retakes_of([f.id for f in failing])
    return debts.debts_of(found, taken, {f.id: final_date(f, today) for f in failing}, dictionary)


class DebtHandlers:
    """Use cases of academic debts."""

    def __init__(
        self, uow: UnitOfWorkFactory, guardians: GuardianDirectory, today: Today, people: PeopleHandlers
    ) -> None:
        self._uow = uow
        self._guardians = guardians
        self._today = today
        self._people = people

    def today(self) -> date:
        """Return the college's today (a debt's next step depends on it)."""
        return self._today()

    async def record_retake(self, cmd: RecordRetake, actor: Principal) -> debts.Debt:
        """Record a retake: the rules of ст.58 checked under the final's row lock, the retake, its event
        (and the debt's closing when it passed) and its audit in one transaction."""
        if not actor.has_any(access.TEACHER, *RETAKE_RECORDERS):
            raise errors.RoleRequired(
                "пересдачу записывает преподаватель дисциплины, куратор или администратор"
            )
        recorder = access.person_id(actor)
        commission = retakes.check_commission(cmd.commission_member_ids, cmd.commission_chairman_id)
        if commission is not None:
            for member in commission.member_ids:
                role = await self._people.role_of(member)
                if role is None:
                    raise errors.PersonNotFound()
                if role not in TEACHING_ROLES:
                    raise retakes.CommissionMemberNotTeacher()
        async with (
            refusal_audited(
                self._uow, actor, action="retake.record", resource_type="final", resource_id=str(cmd.final_id)
            ),
            self._uow() as uow,
        ):
            key = await uow.debts.final_key(cmd.final_id)
            if key is None:
                raise retakes.FinalNotFound()
            student_id, group_id, discipline_id, period = key
            if not actor.has_any(*RETAKE_RECORDERS):
                loads = await uow.loads.of_teacher(recorder)
                if not any(
                    load.group_id == group_id and load.discipline_id == discipline_id for load in loads
                ):
                    raise errors.NotTeachingThisGroup()
            final = await uow.finals.get_for_update(student_id, group_id, discipline_id, period)
            if final is None:
                raise retakes.FinalNotFound()
            dictionary = await uow.marks.dictionary()
            of_period = await uow.finals.of_student(student_id, period.year_id)
            if not debts.is_debt(final, of_period, dictionary):
                raise retakes.NotADebt()
            value = finals.check_value(cmd.value, period.kind, dictionary)
            previous = (await uow.debts.retakes_of([final.id])).get(final.id, [])
            attempt = retakes.next_attempt(
                previous,
                retake_date=cmd.retake_date,
                final_date=final_date(final, self._today()),
                today=self._today(),
                commission=commission,
            )
            retake = retakes.Retake(
                id=uuid.uuid4(),
                final_id=final.id,
                attempt=attempt,
                retake_date=cmd.retake_date,
                value=value,
                passed=debts.passes(value, dictionary),
                commission=commission,
                recorded_by=recorder,
            )
            if not await uow.debts.add_retake(retake):
                raise retakes.RetakeLimitReached()
            await uow.emit(
                events.RetakeRecorded(
                    retake_id=str(retake.id),
                    final_id=str(final.id),
                    student_id=str(student_id),
                    group_id=str(group_id),
                    discipline_id=str(discipline_id),
                    attempt=attempt,
                    retake_date=local_date(retake.retake_date),
                    value=value,
                    passed=retake.passed,
                    before_commission=commission is not None,
                    recorded_by=str(recorder),
                )
            )
            if retake.passed:
                await uow.emit(
                    events.DebtClosed(
                        final_id=str(final.id),
                        retake_id=str(retake.id),
                        student_id=str(student_id),
                        group_id=str(group_id),
                        discipline_id=str(discipline_id),
                        mark_of_record=value,
                    )
                )
            await uow.audit(
                "retake.recorded",
                actor=actor,
                resource_type="final",
                resource_id=str(final.id),
                subject_person_id=str(student_id),
            )
            await uow.commit()
            return debts.Debt(final, final_date(final, self._today()), (*previous, retake))

    async def of_student(self, student_id: uuid.UUID, actor: Principal) -> list[debts.Debt]:
        """Return a student's debts, every year, to the diary's readers; others' reads audited."""
        own = actor.subject == str(student_id) and actor.has_any(access.STUDENT)
        async with self._uow() as uow:
            if not own and not await may_read_student(uow, self._guardians, actor, student_id):
                raise errors.StudentNotVisible()
            found: list[finals.Final] = []
            for academic_year in await uow.years.all():
                found += await uow.finals.of_student(student_id, academic_year.id)
            result = await _debts(uow, found, self._today())
            if not own:
                await uow.audit(
                    "debts.read",
                    actor=actor,
                    resource_type="student",
                    resource_id=str(student_id),
                    subject_person_id=str(student_id),
                )
                await uow.commit()
            return result

    async def of_group(self, query: ListGroupDebts, actor: Principal) -> list[debts.Debt]:
        """Return a group's debts in a year to the group's readers (R1.4); one audit record per read."""
        async with self._uow() as uow:
            found_year = await uow.years.get(query.year_id)
            if found_year is None:
                raise year_errors.AcademicYearNotFound()
            await readable_group(uow, actor, query.group_id, found_year.span)
            result = await _debts(
                uow, await uow.finals.of_group(query.group_id, query.year_id, None), self._today()
            )
            await uow.audit("debts.read", actor=actor, resource_type="group", resource_id=str(query.group_id))
            await uow.commit()
            return result
