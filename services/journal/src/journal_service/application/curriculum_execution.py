"""Curriculum execution (R2.5, §2.12): planned against delivered hours and topics per discipline of a
group, and every group's lag in a year, for the administration (and a group's class teacher). The
arithmetic is `domain/curriculum_execution.py`; the facts come in one query set for any number of groups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal

from journal_service.application.ports import JournalUnitOfWork, Today, UnitOfWorkFactory
from journal_service.domain import access, errors, timetable, year, year_errors
from journal_service.domain import curriculum_execution as rules


@dataclass(frozen=True)
class GetCurriculumExecution:
    """Read a group's execution of its curriculum in a year (or one semester) up to a date."""

    group_id: uuid.UUID
    year_id: uuid.UUID
    semester: int = 0
    as_of: date | None = None


@dataclass(frozen=True)
class ListCurriculumLag:
    """Read every group and discipline of a year behind its plan on a date."""

    year_id: uuid.UUID
    as_of: date | None = None


@dataclass(frozen=True)
class Execution:
    """A group's figures per discipline."""

    group_id: uuid.UUID
    year_id: uuid.UUID
    semester: int
    as_of: date
    rows: list[rules.ExecutionRow]


@dataclass(frozen=True)
class LagRow:
    """A group's discipline behind its plan."""

    group_id: uuid.UUID
    row: rules.ExecutionRow


async def _year(uow: JournalUnitOfWork, year_id: uuid.UUID) -> year.AcademicYear:
    found = await uow.years.get(year_id)
    if found is None:
        raise year_errors.AcademicYearNotFound()
    return found


class CurriculumExecutionHandlers:
    """Use cases of curriculum execution."""

    def __init__(self, uow: UnitOfWorkFactory, today: Today) -> None:
        self._uow = uow
        self._today = today

    async def of_group(self, query: GetCurriculumExecution, actor: Principal) -> Execution:
        """Return the group's figures to the administration and its class teacher; anyone else is
        told the group is not found."""
        if query.semester:
            timetable.check_semester(query.semester)
        as_of = query.as_of or self._today()
        async with self._uow() as uow:
            group = await uow.groups.get(query.group_id)
            if group is None or not (
                actor.has_any(*access.READ_ALL_ROLES)
                or (
                    actor.has_any(access.CLASS_TEACHER, access.TEACHER)
                    and group.class_teacher_id == access.person_id(actor)
                )
            ):
                raise errors.GroupNotFound()
            academic_year = await _year(uow, query.year_id)
            facts = await uow.curriculum_execution.facts(academic_year, [query.group_id], as_of)
        found = facts.get(query.group_id)
        rows = [] if found is None else rules.execution(academic_year, query.semester, as_of, found)
        return Execution(query.group_id, query.year_id, query.semester, as_of, rows)

    async def lag(self, query: ListCurriculumLag, actor: Principal) -> tuple[date, list[LagRow]]:
        """Return every group's disciplines behind the plan of the year to the date (administration)."""
        if not actor.has_any(*access.READ_ALL_ROLES):
            raise errors.RoleRequired("отставание по программам видит администрация")
        as_of = query.as_of or self._today()
        async with self._uow() as uow:
            academic_year = await _year(uow, query.year_id)
            facts = await uow.curriculum_execution.facts(academic_year, None, as_of)
        rows = [
            LagRow(group_id, row)
            for group_id in sorted(facts, key=str)
            for row in rules.execution(academic_year, 0, as_of, facts[group_id])
            if row.behind
        ]
        return as_of, rows
