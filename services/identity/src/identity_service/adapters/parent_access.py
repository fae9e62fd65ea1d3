"""Birth dates and adult students' consents to their parents' access (migration 0004). Never commits."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import and_, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import orm
from identity_service.domain.parent_access import ParentAccess
from identity_service.domain.parent_access_facts import LinkKey, LinkState

_links, _consents = orm.guardianships.c, orm.parent_access_consents.c
_JOINED = orm.guardianships.outerjoin(
    orm.parent_access_consents,
    and_(_consents.parent_id == _links.parent_id, _consents.student_id == _links.student_id),
)


class ParentAccessRepository:
    """Birth dates and consents."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set_birth_date(self, person_id: uuid.UUID, birth_date: date | None) -> bool:
        """Record the birth date; return False when the person does not exist."""
        result = await self._session.execute(
            update(orm.people).where(orm.people.c.id == person_id).values(birth_date=birth_date)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def guardian_link(
        self, parent_id: uuid.UUID, student_id: uuid.UUID
    ) -> tuple[date | None, bool] | None:
        """Return (the student's birth date, consent in force) of the link, or None when not linked."""
        row = (
            await self._session.execute(
                select(orm.people.c.birth_date, _consents.granted_at, _consents.withdrawn_at)
                .select_from(_JOINED.join(orm.people, orm.people.c.id == _links.student_id))
                .where(_links.parent_id == parent_id, _links.student_id == student_id)
            )
        ).first()
        if row is None:
            return None
        return row.birth_date, row.granted_at is not None and row.withdrawn_at is None

    async def consenting_students(self, parent_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the ids of the parent's students whose consent is in force."""
        rows = await self._session.scalars(
            select(_consents.student_id).where(
                _consents.parent_id == parent_id, _consents.withdrawn_at.is_(None)
            )
        )
        return set(rows)

    async def of_student(self, student_id: uuid.UUID) -> list[ParentAccess]:
        """Return the student's linked parents with their consent, oldest link first."""
        rows = await self._session.execute(
            select(_links.parent_id, _consents.granted_at, _consents.withdrawn_at)
            .select_from(_JOINED)
            .where(_links.student_id == student_id)
            .order_by(_links.created_at, _links.parent_id)
        )
        return [ParentAccess(row.parent_id, row.granted_at, row.withdrawn_at) for row in rows]

    async def get_for_update(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess | None:
        """Return the link's consent, the link held until the unit of work ends; None when not linked."""
        row = (
            await self._session.execute(
                select(_links.parent_id, _consents.granted_at, _consents.withdrawn_at)
                .select_from(_JOINED)
                .where(_links.student_id == student_id, _links.parent_id == parent_id)
                .with_for_update(of=orm.guardianships)
            )
        ).first()
        return None if row is None else ParentAccess(row.parent_id, row.granted_at, row.withdrawn_at)

    async def grant(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess:
        """Record the consent as granted now (in force); return it."""
        values = {"student_id": student_id, "parent_id": parent_id, "granted_at": func.now()}
        statement = (
            insert(orm.parent_access_consents)
            .values(**values, withdrawn_at=None)
            .on_conflict_do_update(
                index_elements=[_consents.student_id, _consents.parent_id],
                set_={"granted_at": func.now(), "withdrawn_at": None},
            )
            .returning(_consents.granted_at, _consents.withdrawn_at)
        )
        row = (await self._session.execute(statement)).one()
        return ParentAccess(parent_id, row.granted_at, row.withdrawn_at)

    async def withdraw(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess:
        """Record the consent as withdrawn now; return it (the row exists: checked by the caller)."""
        row = (
            await self._session.execute(
                update(orm.parent_access_consents)
                .where(_consents.student_id == student_id, _consents.parent_id == parent_id)
                .values(withdrawn_at=func.now())
                .returning(_consents.granted_at, _consents.withdrawn_at)
            )
        ).one()
        return ParentAccess(parent_id, row.granted_at, row.withdrawn_at)

    async def link_states(
        self,
        *,
        student_id: uuid.UUID | None,
        after: LinkKey | None,
        limit: int,
        lock_student: bool = False,
    ) -> list[LinkState]:
        """Return links with the student's birth date and consent in (student, parent) order."""
        if lock_student and student_id is not None:
            # A birth date and a consent changed at once: the second waits here and reads the
            # first's result, so the fact staged last is the one in force (ADR 0013).
            await self._session.execute(
                select(orm.people.c.id).where(orm.people.c.id == student_id).with_for_update()
            )
        statement = (
            select(
                _links.student_id,
                _links.parent_id,
                orm.people.c.birth_date,
                _consents.granted_at,
                _consents.withdrawn_at,
            )
            .select_from(_JOINED.join(orm.people, orm.people.c.id == _links.student_id))
            .order_by(_links.student_id, _links.parent_id)
            .limit(limit)
        )
        if student_id is not None:
            statement = statement.where(_links.student_id == student_id)
        if after is not None:
            statement = statement.where(tuple_(_links.student_id, _links.parent_id) > tuple_(*after))
        rows = await self._session.execute(statement)
        return [
            LinkState(
                row.student_id,
                row.parent_id,
                row.birth_date,
                row.granted_at is not None and row.withdrawn_at is None,
            )
            for row in rows
        ]
