"""Identity's projection of the journal's groups and memberships, and the credential issues: every
query of them. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import orm
from identity_service.domain.group_scope import GroupLead, Membership


class GroupScopeRepository:
    """Who leads which group and which students are in it (the journal's facts, as last heard)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lead_of(self, group_id: uuid.UUID) -> GroupLead | None:
        """Return the group with its class teacher, or None."""
        g = orm.group_class_teachers.c
        row = (await self._session.execute(select(g.class_teacher_id).where(g.group_id == group_id))).first()
        return None if row is None else GroupLead(group_id, row.class_teacher_id)

    async def groups_led_by(self, person_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the ids of the groups this person leads."""
        g = orm.group_class_teachers.c
        rows = await self._session.execute(select(g.group_id).where(g.class_teacher_id == person_id))
        return set(rows.scalars())

    async def groups_taught_by(self, person_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the ids of the groups this person has a teaching load in."""
        t = orm.group_teachers.c
        rows = await self._session.execute(select(t.group_id).where(t.teacher_id == person_id))
        return set(rows.scalars())

    async def record_load(self, load_id: uuid.UUID, teacher_id: uuid.UUID, group_id: uuid.UUID) -> None:
        """Stage a teaching load (once)."""
        await self._session.execute(
            insert(orm.group_teachers)
            .values(load_id=load_id, teacher_id=teacher_id, group_id=group_id)
            .on_conflict_do_nothing()
        )

    async def remove_load(self, load_id: uuid.UUID) -> None:
        """Stage the removal of a teaching load."""
        await self._session.execute(delete(orm.group_teachers).where(orm.group_teachers.c.load_id == load_id))

    async def memberships_of(self, student_ids: Collection[uuid.UUID]) -> list[Membership]:
        """Return every stay of these students."""
        m = orm.group_members.c
        rows = await self._session.execute(
            select(m.group_id, m.student_id, m.from_date, m.to_date).where(
                m.student_id.in_(list(student_ids))
            )
        )
        return [Membership(r.group_id, r.student_id, r.from_date, r.to_date) for r in rows]

    async def members_of(self, group_id: uuid.UUID) -> list[Membership]:
        """Return every stay in this group."""
        m = orm.group_members.c
        rows = await self._session.execute(
            select(m.group_id, m.student_id, m.from_date, m.to_date).where(m.group_id == group_id)
        )
        return [Membership(r.group_id, r.student_id, r.from_date, r.to_date) for r in rows]

    async def record_group(
        self, group_id: uuid.UUID, class_teacher_id: uuid.UUID | None, *, overwrite: bool
    ) -> None:
        """Stage the group; an existing row changes only when `overwrite`."""
        g = orm.group_class_teachers.c
        stmt = insert(orm.group_class_teachers).values(group_id=group_id, class_teacher_id=class_teacher_id)
        if overwrite:
            stmt = stmt.on_conflict_do_update(
                index_elements=[g.group_id], set_={"class_teacher_id": class_teacher_id}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=[g.group_id])
        await self._session.execute(stmt)

    async def join(self, group_id: uuid.UUID, student_id: uuid.UUID, from_date: date) -> None:
        """Stage a stay from `from_date`, ending where a later stay in another group starts (an
        enrolment heard after the transfer that followed it)."""
        m = orm.group_members.c
        later = (
            select(func.min(m.from_date))
            .where(m.student_id == student_id, m.group_id != group_id, m.from_date > from_date)
            .scalar_subquery()
        )
        await self._session.execute(
            insert(orm.group_members)
            .values(group_id=group_id, student_id=student_id, from_date=from_date, to_date=later)
            .on_conflict_do_nothing()
        )

    async def leave(self, student_id: uuid.UUID, group_id: uuid.UUID, on_date: date) -> None:
        """End the stays in the group that started by `on_date` and were open then."""
        m = orm.group_members.c
        await self._session.execute(
            update(orm.group_members)
            .where(
                and_(m.student_id == student_id, m.group_id == group_id, m.from_date <= on_date),
                or_(m.to_date.is_(None), m.to_date > on_date),
            )
            .values(to_date=on_date)
        )


class CredentialIssueRepository:
    """When each person's password was last issued by this service, and their accounts' states."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, person_id: uuid.UUID, issued_by: str) -> datetime:
        """Stage the issue at this instant; return its time. clock_timestamp(), not now(): now() is
        the transaction's start, taken before the issue waited for another issue's hold on the person
        and before Keycloak took the password."""
        c = orm.credential_issues.c
        values = {"issued_at": func.clock_timestamp(), "issued_by": issued_by}
        row = (
            await self._session.execute(
                insert(orm.credential_issues)
                .values(person_id=person_id, **values)
                .on_conflict_do_update(index_elements=[c.person_id], set_=values)
                .returning(c.issued_at)
            )
        ).one()
        issued: datetime = row.issued_at
        return issued

    async def hold(self, person_ids: Collection[uuid.UUID]) -> None:
        """Lock the people's rows (in id order, so two batches cannot deadlock) until the end."""
        p = orm.people.c
        await self._session.execute(
            select(p.id).where(p.id.in_(list(person_ids))).order_by(p.id).with_for_update()
        )

    async def issued_at(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, datetime]:
        """Return the last issue time of each person that had one."""
        c = orm.credential_issues.c
        rows = await self._session.execute(
            select(c.person_id, c.issued_at).where(c.person_id.in_(list(person_ids)))
        )
        return {r.person_id: r.issued_at for r in rows}

    async def enabled(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, bool]:
        """Return whether each account is enabled (no state row: enabled)."""
        a = orm.account_states.c
        rows = await self._session.execute(
            select(a.person_id, a.enabled).where(a.person_id.in_(list(person_ids)))
        )
        states = {r.person_id: r.enabled for r in rows}
        return {p: states.get(p, True) for p in person_ids}
