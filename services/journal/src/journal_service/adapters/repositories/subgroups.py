"""Subgroups of groups per discipline: every query of them. Repositories never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import and_, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import year


class SubgroupRepository:
    """Subgroups of groups per discipline."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def name_taken(self, group_id: uuid.UUID, discipline_id: uuid.UUID, name: str) -> bool:
        """Return True when the group has a subgroup of this name for the discipline."""
        s = orm.subgroups.c
        found = await self._session.scalar(
            select(s.id).where(s.group_id == group_id, s.discipline_id == discipline_id, s.name == name)
        )
        return found is not None

    async def students_in_subgroups(self, group_id: uuid.UUID, discipline_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the students in a subgroup of the group for the discipline now (a membership in force).

        The group row is locked first, so two subgroups created at once cannot both take a student.
        """
        g, m = orm.groups.c, orm.subgroup_members.c
        await self._session.execute(select(g.id).where(g.id == group_id).with_for_update())
        rows = await self._session.scalars(
            select(m.student_id).where(
                m.group_id == group_id, m.discipline_id == discipline_id, m.to_date.is_(None)
            )
        )
        return set(rows)

    async def add(self, subgroup: year.Subgroup, year_start: date) -> None:
        """Stage a new subgroup and its members (the database keeps a student in one per discipline).

        Slice J: each member belongs from their first day in the group (migration 0019's rule for the
        rows before it), or from `year_start` (1 September of the college's academic year) when not
        enrolled."""
        await self._session.execute(
            insert(orm.subgroups).values(
                id=subgroup.id,
                group_id=subgroup.group_id,
                discipline_id=subgroup.discipline_id,
                name=subgroup.name,
            )
        )
        if subgroup.student_ids:
            e = orm.enrollments.c
            rows = await self._session.execute(
                select(e.student_id, func.min(e.enrolled_on))
                .where(e.group_id == subgroup.group_id, e.student_id.in_(subgroup.student_ids))
                .group_by(e.student_id)
            )
            starts = {student_id: first_day for student_id, first_day in rows}
            await self._session.execute(
                insert(orm.subgroup_members),
                [
                    {
                        "subgroup_id": subgroup.id,
                        "group_id": subgroup.group_id,
                        "discipline_id": subgroup.discipline_id,
                        "student_id": student_id,
                        "from_date": starts.get(student_id, year_start),
                    }
                    for student_id in subgroup.student_ids
                ],
            )

    async def of_group(self, group_id: uuid.UUID) -> list[year.Subgroup]:
        """Return a group's subgroups by discipline and name, members in a stable order."""
        s, m = orm.subgroups.c, orm.subgroup_members.c
        rows = await self._session.execute(
            select(s.id, s.discipline_id, s.name, m.student_id)
            .outerjoin(orm.subgroup_members, and_(m.subgroup_id == s.id, m.to_date.is_(None)))
            .where(s.group_id == group_id)
            .order_by(s.discipline_id, s.name, s.id, m.student_id)
        )
        found: dict[uuid.UUID, tuple[uuid.UUID, str, list[uuid.UUID]]] = {}
        for subgroup_id, discipline_id, name, student_id in rows:
            entry = found.setdefault(subgroup_id, (discipline_id, name, []))
            if student_id is not None:
                entry[2].append(student_id)
        return [
            year.Subgroup(id=i, group_id=group_id, discipline_id=d, name=n, student_ids=tuple(students))
            for i, (d, n, students) in found.items()
        ]

    async def get(self, subgroup_id: uuid.UUID) -> year.Subgroup | None:
        """Return the subgroup with its members in force (the dated ones: SubgroupMembershipRepository),
        or None."""
        s, m = orm.subgroups.c, orm.subgroup_members.c
        head = (
            await self._session.execute(
                select(s.group_id, s.discipline_id, s.name).where(s.id == subgroup_id)
            )
        ).first()
        if head is None:
            return None
        members = await self._session.scalars(
            select(m.student_id)
            .where(m.subgroup_id == subgroup_id, m.to_date.is_(None))
            .order_by(m.student_id)
        )
        return year.Subgroup(
            id=subgroup_id, group_id=head[0], discipline_id=head[1], name=head[2], student_ids=tuple(members)
        )
