"""Substitutions («замены», R2.4): every query of them. Repositories never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import substitutions, year

_s = orm.substitutions.c
_COLUMNS = (
    _s.id,
    _s.group_id,
    _s.subgroup_id,
    _s.discipline_id,
    _s.lesson_date,
    _s.pair_number,
    _s.teacher_id,
    _s.substitute_id,
    _s.reason,
    _s.recorded_by,
    _s.cancelled_at,
)


def _substitution(row: Any) -> substitutions.Substitution:
    (sid, group, subgroup, discipline, day, pair, teacher, substitute, reason, by, cancelled_at) = row[:11]
    return substitutions.Substitution(
        id=sid,
        slot=substitutions.Slot(group, subgroup, discipline, day, pair),
        teacher_id=teacher,
        substitute_id=substitute,
        reason=substitutions.SubstitutionReason(reason),
        recorded_by=by,
        cancelled=cancelled_at is not None,
    )


class SubstitutionRepository:
    """Substitutions on the timetable's slots."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, substitution: substitutions.Substitution) -> None:
        """Insert the substitution."""
        s = substitution.slot
        await self._session.execute(
            insert(orm.substitutions).values(
                id=substitution.id,
                group_id=s.group_id,
                subgroup_id=s.subgroup_id,
                discipline_id=s.discipline_id,
                lesson_date=s.lesson_date,
                pair_number=s.pair_number,
                teacher_id=substitution.teacher_id,
                substitute_id=substitution.substitute_id,
                reason=substitution.reason,
                recorded_by=substitution.recorded_by,
            )
        )

    async def get_for_update(self, substitution_id: uuid.UUID) -> substitutions.Substitution | None:
        """Return the substitution, its row locked until commit; or None."""
        row = (
            await self._session.execute(select(*_COLUMNS).where(_s.id == substitution_id).with_for_update())
        ).first()
        return None if row is None else _substitution(row)

    async def in_slot(
        self, group_id: uuid.UUID, lesson_date: date, pair_number: int
    ) -> list[substitutions.Substitution]:
        """Return the substitutions in force on the group's pair that day."""
        rows = await self._session.execute(
            select(*_COLUMNS).where(
                _s.group_id == group_id,
                _s.lesson_date == lesson_date,
                _s.pair_number == pair_number,
                _s.cancelled_at.is_(None),
            )
        )
        return [_substitution(row) for row in rows]

    async def taken_pairs(self, teacher_id: uuid.UUID, day: date) -> set[int]:
        """Return the pairs of the teacher's recorded lessons and substitutions in force that day."""
        lesson = orm.lessons.c
        rows = await self._session.execute(
            select(lesson.pair_number)
            .where(lesson.teacher_id == teacher_id, lesson.lesson_date == day)
            .union(
                select(_s.pair_number).where(
                    _s.substitute_id == teacher_id, _s.lesson_date == day, _s.cancelled_at.is_(None)
                )
            )
        )
        return {int(pair) for (pair,) in rows}

    async def cancel(self, substitution_id: uuid.UUID, cancelled_by: uuid.UUID) -> None:
        """Mark the substitution cancelled now."""
        await self._session.execute(
            update(orm.substitutions)
            .where(_s.id == substitution_id)
            .values(cancelled_at=datetime.now(UTC), cancelled_by=cancelled_by)
        )

    async def of_teacher_on(self, teacher_id: uuid.UUID, day: date) -> list[substitutions.Substitution]:
        """Return the substitutions in force that day the teacher takes or is replaced in."""
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(
                _s.lesson_date == day,
                _s.cancelled_at.is_(None),
                or_(_s.substitute_id == teacher_id, _s.teacher_id == teacher_id),
            )
            .order_by(_s.pair_number, _s.group_id)
        )
        return [_substitution(row) for row in rows]

    async def listed(
        self,
        span: year.DateSpan,
        *,
        group_id: uuid.UUID | None,
        teacher_id: uuid.UUID | None,
        include_cancelled: bool,
    ) -> list[substitutions.SubstitutionView]:
        """Return the substitutions in the period with the lesson in each slot (one query, a left join)."""
        lesson = orm.lessons.c
        query = (
            select(*_COLUMNS, lesson.id, lesson.teacher_id)
            .outerjoin(
                orm.lessons,
                and_(
                    lesson.group_id == _s.group_id,
                    lesson.lesson_date == _s.lesson_date,
                    lesson.pair_number == _s.pair_number,
                    lesson.discipline_id == _s.discipline_id,
                    lesson.subgroup_id.is_not_distinct_from(_s.subgroup_id),
                ),
            )
            .where(_s.lesson_date.between(span.starts_on, span.ends_on))
            .order_by(_s.lesson_date, _s.pair_number, _s.group_id, _s.recorded_at)
        )
        if group_id is not None:
            query = query.where(_s.group_id == group_id)
        if teacher_id is not None:
            query = query.where(or_(_s.substitute_id == teacher_id, _s.teacher_id == teacher_id))
        if not include_cancelled:
            query = query.where(_s.cancelled_at.is_(None))
        rows = await self._session.execute(query)
        return [
            substitutions.SubstitutionView(_substitution(row), lesson_id=row[11], taught_by=row[12])
            for row in rows
        ]
