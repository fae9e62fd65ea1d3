"""Academic years, their semesters and the groups' calendars: every query of them. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from chassis.db import insert_new
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import year


class AcademicYearRepository:
    """Academic years, their semesters and the groups' calendars."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, year_id: uuid.UUID) -> year.AcademicYear | None:
        """Return the year with its semesters, or None."""
        found = await self._read(orm.academic_years.c.id == year_id)
        return found[0] if found else None

    async def add(self, academic_year: year.AcademicYear) -> bool:
        """Stage a new year and its two semesters; False (nothing staged) when the name is taken.

        ON CONFLICT decides, so two admins opening the same year at once get one year and one refusal.
        """
        added = await insert_new(
            self._session,
            orm.academic_years,
            {
                "id": academic_year.id,
                "name": academic_year.name,
                "starts_on": academic_year.span.starts_on,
                "ends_on": academic_year.span.ends_on,
            },
            unique=["name"],
        )
        if not added:
            return False
        await self._session.execute(
            insert(orm.academic_periods),
            [
                {
                    "year_id": academic_year.id,
                    "number": number,
                    "starts_on": s.starts_on,
                    "ends_on": s.ends_on,
                }
                for number, s in ((1, academic_year.semester1), (2, academic_year.semester2))
            ],
        )
        return True

    async def all(self) -> list[year.AcademicYear]:
        """Return every year, newest first."""
        return await self._read(None)

    async def _read(self, where: Any) -> list[year.AcademicYear]:
        y, p = orm.academic_years.c, orm.academic_periods.c
        query = (
            select(y.id, y.name, y.starts_on, y.ends_on, p.number, p.starts_on, p.ends_on)
            .join(orm.academic_periods, p.year_id == y.id)
            .order_by(y.starts_on.desc(), y.id, p.number)
        )
        if where is not None:
            query = query.where(where)
        semesters: dict[uuid.UUID, dict[int, year.DateSpan]] = {}
        heads: dict[uuid.UUID, tuple[str, year.DateSpan]] = {}
        for year_id, name, starts_on, ends_on, number, p_starts, p_ends in await self._session.execute(query):
            heads[year_id] = (name, year.DateSpan(starts_on, ends_on))
            semesters.setdefault(year_id, {})[number] = year.DateSpan(p_starts, p_ends)
        return [
            year.AcademicYear(id=year_id, name=name, span=span, semester1=s[1], semester2=s[2])
            for year_id, (name, span) in heads.items()
            if (s := semesters[year_id]).keys() == {1, 2}
        ]

    async def calendar_of(self, group_id: uuid.UUID, year_id: uuid.UUID) -> list[year.CalendarSpan]:
        """Return a group's spans in a year, by start date."""
        c = orm.calendar_spans.c
        rows = await self._session.execute(
            select(c.kind, c.starts_on, c.ends_on)
            .where(c.group_id == group_id, c.year_id == year_id)
            .order_by(c.starts_on)
        )
        return [
            year.CalendarSpan(kind, year.DateSpan(starts_on, ends_on)) for kind, starts_on, ends_on in rows
        ]

    async def replace_calendar(
        self, group_id: uuid.UUID, year_id: uuid.UUID, spans: Sequence[year.CalendarSpan]
    ) -> None:
        """Replace a group's spans in a year; the group row is locked first, so one writer at a time."""
        g, c = orm.groups.c, orm.calendar_spans.c
        await self._session.execute(select(g.id).where(g.id == group_id).with_for_update())
        await self._session.execute(
            delete(orm.calendar_spans).where(c.group_id == group_id, c.year_id == year_id)
        )
        if spans:
            await self._session.execute(
                insert(orm.calendar_spans),
                [
                    {
                        "id": uuid.uuid4(),
                        "group_id": group_id,
                        "year_id": year_id,
                        "kind": s.kind,
                        "starts_on": s.span.starts_on,
                        "ends_on": s.span.ends_on,
                    }
                    for s in spans
                ],
            )
