"""The year's XLSX import and the copy of a year: bulk reads by natural keys (group name, discipline
code), one query each. Never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import curriculum, model, timetable, year


class YearImportRepository:
    """Reads of the year's import and copy."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def groups_by_name(self, names: Collection[str]) -> dict[str, model.Group]:
        """Return the groups with these names (tracked by the session), by name."""
        if not names:
            return {}
        found = await self._session.scalars(select(model.Group).where(orm.groups.c.name.in_(list(names))))
        return {group.name: group for group in found}

    async def disciplines_by_code(self, codes: Collection[str]) -> dict[str, list[model.Discipline]]:
        """Return the disciplines with these codes, by code."""
        if not codes:
            return {}
        found = await self._session.scalars(
            select(model.Discipline).where(orm.disciplines.c.code.in_(list(codes)))
        )
        by_code: dict[str, list[model.Discipline]] = defaultdict(list)
        for discipline in found:
            by_code[discipline.code].append(discipline)
        return dict(by_code)

    async def loads_in_groups(
        self, group_ids: Collection[uuid.UUID]
    ) -> set[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
        """Return the (teacher, group, discipline) of every load in these groups."""
        if not group_ids:
            return set()
        c = orm.teaching_loads.c
        rows = await self._session.execute(
            select(c.teacher_id, c.group_id, c.discipline_id).where(c.group_id.in_(list(group_ids)))
        )
        return {(teacher, group, discipline) for teacher, group, discipline in rows}

    async def calendars_in_year(self, year_id: uuid.UUID) -> dict[uuid.UUID, list[year.CalendarSpan]]:
        """Return every group's spans in the year, by group, each by start date."""
        c = orm.calendar_spans.c
        rows = await self._session.execute(
            select(c.group_id, c.kind, c.starts_on, c.ends_on)
            .where(c.year_id == year_id)
            .order_by(c.group_id, c.starts_on)
        )
        calendars: dict[uuid.UUID, list[year.CalendarSpan]] = defaultdict(list)
        for group_id, kind, starts_on, ends_on in rows:
            calendars[group_id].append(year.CalendarSpan(kind, year.DateSpan(starts_on, ends_on)))
        return dict(calendars)

    async def roles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Return the roles the people projection holds for these people."""
        if not person_ids:
            return {}
        c = orm.people.c
        rows = await self._session.execute(
            select(c.person_id, c.role).where(c.person_id.in_(list(person_ids)))
        )
        return {person_id: role for person_id, role in rows}

    async def curricula_in_year(self, year_id: uuid.UUID) -> dict[uuid.UUID, list[curriculum.CurriculumRow]]:
        """Return every group's curriculum rows in the year, by group."""
        c = orm.curriculum_items.c
        rows = await self._session.execute(
            select(c.group_id, c.discipline_id, c.semester, c.total_hours, c.weekly_hours, c.control_form)
            .where(c.year_id == year_id)
            .order_by(c.group_id, c.semester, c.discipline_id)
        )
        found: dict[uuid.UUID, list[curriculum.CurriculumRow]] = defaultdict(list)
        for group_id, *row in rows:
            found[group_id].append(curriculum.CurriculumRow(*row))
        return dict(found)

    async def timetables_in_year(
        self, year_id: uuid.UUID
    ) -> dict[tuple[uuid.UUID, int], list[timetable.TimetableEntry]]:
        """Return every group's timetable entries in the year, by (group, semester)."""
        t = orm.timetable_entries.c
        rows = await self._session.execute(
            select(
                t.id, t.group_id, t.year_id, t.semester, t.weekday, t.pair_number, t.parity,
                t.discipline_id, t.subgroup_id, t.teacher_id, t.room,
            )
            .where(t.year_id == year_id)
            .order_by(t.group_id, t.semester, t.weekday, t.pair_number)
        )  # fmt: skip
        found: dict[tuple[uuid.UUID, int], list[timetable.TimetableEntry]] = defaultdict(list)
        for row in rows:
            entry = timetable.TimetableEntry(*row)
            found[(entry.group_id, entry.semester)].append(entry)
        return dict(found)

    async def lock_empty_year(self, year_id: uuid.UUID) -> bool:
        """Lock the year's row (one copy into a year at a time) and tell whether it holds no calendar,
        curriculum or timetable of its own."""
        y = orm.academic_years.c
        await self._session.execute(select(y.id).where(y.id == year_id).with_for_update())
        for table in (orm.calendar_spans, orm.curriculum_items, orm.timetable_entries):
            if await self._session.scalar(select(exists().where(table.c.year_id == year_id))):
                return False
        return True

    async def flush(self) -> None:
        """Send the rows staged so far."""
        await self._session.flush()
