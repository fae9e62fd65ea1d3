"""The demonstration exam's conversion tables and results (issue 7 item 4). Repositories never commit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from chassis.db import insert_new
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import demo_exam

_s, _b, _r = orm.demo_exam_scales.c, orm.demo_exam_scale_bands.c, orm.demo_exam_results.c
# One writer of a new version at a time (the version number is the previous one plus one).
_SCALE_LOCK = 0x0DE0_E8A3


class DemoExamRepository:
    """Versions of the conversion table and the results recorded with them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def scale(self, version: int) -> demo_exam.Scale | None:
        """Return the version, or None."""
        return await self._scale(
            select(_s.version, _s.effective_from, _s.author_id).where(_s.version == version)
        )

    async def scale_in_force(self, day: date) -> demo_exam.Scale | None:
        """Return the newest version in force on the day, or None."""
        return await self._scale(
            select(_s.version, _s.effective_from, _s.author_id)
            .where(_s.effective_from <= day)
            .order_by(_s.version.desc())
            .limit(1)
        )

    async def latest_for_update(self) -> demo_exam.Scale | None:
        """Return the newest version, holding new versions back until the unit of work ends."""
        await self._session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCALE_LOCK})
        return await self._scale(
            select(_s.version, _s.effective_from, _s.author_id).order_by(_s.version.desc()).limit(1)
        )

    async def _scale(self, query: Any) -> demo_exam.Scale | None:
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        bands = await self._session.execute(
            select(_b.from_percent, _b.to_percent, _b.mark)
            .where(_b.version == row.version)
            .order_by(_b.position)
        )
        return demo_exam.Scale(
            row.version,
            row.effective_from,
            row.author_id,
            tuple(demo_exam.Band(b.from_percent, b.to_percent, b.mark) for b in bands),
        )

    async def add_scale(self, scale: demo_exam.Scale) -> None:
        """Stage a new version with its bands."""
        await self._session.execute(
            insert(orm.demo_exam_scales).values(
                version=scale.version, effective_from=scale.effective_from, author_id=scale.author_id
            )
        )
        await self._session.execute(
            insert(orm.demo_exam_scale_bands),
            [
                {
                    "version": scale.version,
                    "position": position,
                    "from_percent": band.from_percent,
                    "to_percent": band.to_percent,
                    "mark": band.mark,
                }
                for position, band in enumerate(scale.bands)
            ],
        )

    async def add_result(self, result: demo_exam.Result) -> bool:
        """Stage a result; return False when the student already has one for the discipline and semester."""
        return await insert_new(
            self._session,
            orm.demo_exam_results,
            {
                "id": result.id,
                "student_id": result.student_id,
                "group_id": result.group_id,
                "discipline_id": result.discipline_id,
                "year_id": result.year_id,
                "semester": result.semester,
                "exam_date": result.exam_date,
                "points": result.points,
                "maximum": result.maximum,
                "percent": result.percent,
                "scale_version": result.scale_version,
                "mark": result.mark,
                "recorded_by": result.recorded_by,
                "final_id": result.final_id,
            },
            unique=["student_id", "discipline_id", "year_id", "semester"],
        )

    async def results_of(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> list[demo_exam.Result]:
        """Return the group's results in the discipline and semester by student id."""
        rows = await self._session.execute(
            select(
                _r.id,
                _r.student_id,
                _r.group_id,
                _r.discipline_id,
                _r.year_id,
                _r.semester,
                _r.exam_date,
                _r.points,
                _r.maximum,
                _r.percent,
                _r.scale_version,
                _r.mark,
                _r.recorded_by,
                _r.final_id,
            )
            .where(
                _r.group_id == group_id,
                _r.discipline_id == discipline_id,
                _r.year_id == year_id,
                _r.semester == semester,
            )
            .order_by(_r.student_id)
        )
        return [
            demo_exam.Result(
                id=row.id,
                student_id=row.student_id,
                group_id=row.group_id,
                discipline_id=row.discipline_id,
                year_id=row.year_id,
                semester=row.semester,
                exam_date=row.exam_date,
                points=row.points,
                maximum=row.maximum,
                percent=row.percent,
                scale_version=row.scale_version,
                mark=row.mark,
                recorded_by=row.recorded_by,
                final_id=row.final_id,
            )
            for row in rows
        ]
