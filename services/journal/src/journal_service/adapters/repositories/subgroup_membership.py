"""Dated subgroup membership (slice J, migration 0019): who was in which subgroup from when to when,
and the journal records a transfer between subgroups would leave behind. Repositories never commit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.adapters.repositories import driver
from journal_service.domain import year
from journal_service.domain.subgroup_membership import Stay, SubgroupMembership

_m = orm.subgroup_members.c


def _membership(row: Any) -> SubgroupMembership:
    return SubgroupMembership(
        subgroup_id=row.subgroup_id, student_id=row.student_id, from_date=row.from_date, to_date=row.to_date
    )


# A group's stays overlapping [$2, $3], with the movements that began and ended each (driver.fetch).
GROUP_STAYS = """
SELECT e.student_id, e.enrolled_on, e.left_on, joined.kind, "left".kind
FROM enrollments e
LEFT JOIN student_movements joined
  ON joined.student_id = e.student_id AND joined.to_group_id = e.group_id AND joined.on_date = e.enrolled_on
LEFT JOIN student_movements "left"
  ON "left".student_id = e.student_id AND "left".from_group_id = e.group_id AND "left".on_date = e.left_on
WHERE e.group_id = $1 AND e.enrolled_on <= $3 AND (e.left_on IS NULL OR e.left_on > $2)
ORDER BY e.student_id, e.enrolled_on
"""
_COLUMNS = (_m.subgroup_id, _m.student_id, _m.from_date, _m.to_date)
_ORDER = (_m.subgroup_id, _m.student_id, _m.from_date)


class SubgroupMembershipRepository:
    """Reads and writes of the dated rows of `subgroup_members`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_group(self, group_id: uuid.UUID) -> list[SubgroupMembership]:
        """Return every membership of the group's subgroups, by subgroup, student and start."""
        rows = await self._session.execute(select(*_COLUMNS).where(_m.group_id == group_id).order_by(*_ORDER))
        return [_membership(r) for r in rows]

    async def of_subgroup(self, subgroup_id: uuid.UUID) -> list[SubgroupMembership]:
        """Return every membership of the subgroup, by student and start."""
        rows = await self._session.execute(
            select(*_COLUMNS).where(_m.subgroup_id == subgroup_id).order_by(*_ORDER)
        )
        return [_membership(r) for r in rows]

    async def of_student(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[SubgroupMembership]:
        """Return the student's memberships in the subgroups of the group's discipline, oldest first."""
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(_m.group_id == group_id, _m.discipline_id == discipline_id, _m.student_id == student_id)
            .order_by(_m.from_date)
        )
        return [_membership(r) for r in rows]

    async def move(self, closed: SubgroupMembership, opened: SubgroupMembership, group_id: uuid.UUID,
                   discipline_id: uuid.UUID) -> None:  # fmt: skip
        """Stage the transfer: the membership in force ends on `closed.to_date`, the new one starts."""
        await self._session.execute(
            update(orm.subgroup_members)
            .where(
                _m.subgroup_id == closed.subgroup_id,
                _m.student_id == closed.student_id,
                _m.from_date == closed.from_date,
            )
            .values(to_date=closed.to_date)
        )
        await self._session.execute(
            insert(orm.subgroup_members).values(
                subgroup_id=opened.subgroup_id,
                group_id=group_id,
                discipline_id=discipline_id,
                student_id=opened.student_id,
                from_date=opened.from_date,
                to_date=opened.to_date,
            )
        )

    async def first_record_from(self, student_id: uuid.UUID, subgroup_id: uuid.UUID, on: date) -> date | None:
        """Return the first date on or after `on` with a mark (not removed) or an attendance entry of
        the student at the subgroup's lessons, or None."""
        k, a, lsn = orm.marks.c, orm.attendance.c, orm.lessons.c
        first_mark = await self._session.scalar(
            select(func.min(lsn.lesson_date))
            .select_from(orm.marks.join(orm.lessons, lsn.id == k.lesson_id))
            .where(
                k.student_id == student_id,
                lsn.subgroup_id == subgroup_id,
                lsn.lesson_date >= on,
                k.removed_at.is_(None),
            )
        )
        first_attendance = await self._session.scalar(
            select(func.min(lsn.lesson_date))
            .select_from(orm.attendance.join(orm.lessons, lsn.id == a.lesson_id))
            .where(a.student_id == student_id, lsn.subgroup_id == subgroup_id, lsn.lesson_date >= on)
        )
        found = [d for d in (first_mark, first_attendance) if d is not None]
        return min(found) if found else None

    async def group_stays(self, group_id: uuid.UUID, span: year.DateSpan) -> dict[uuid.UUID, list[Stay]]:
        """Return each student's stays in the group overlapping `span`, with the movement kinds that
        began and ended them (a plain enrolment: ""). Read on every journal page: on the driver."""
        rows = await driver.fetch(self._session, GROUP_STAYS, group_id, span.starts_on, span.ends_on)
        found: dict[uuid.UUID, list[Stay]] = {}
        for student_id, starts_on, ends_on, joined_by, left_by in rows:
            found.setdefault(student_id, []).append(
                Stay(starts_on, ends_on, str(joined_by or ""), str(left_by or ""))
            )
        return found
