"""The journal's projection of identity's people: ids and roles. Repositories never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm


class PeopleRepository:
    """People and their roles, as identity last told the journal."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def role_of(self, person_id: uuid.UUID) -> str | None:
        """Return the person's role, or None when the journal does not know the person."""
        return await self._session.scalar(
            select(orm.people.c.role).where(orm.people.c.person_id == person_id)
        )

    async def remember(self, people: Collection[tuple[uuid.UUID, str]]) -> None:
        """Store (person id, role) pairs; a known person gets the role identity gave now."""
        if not people:
            return
        statement = insert(orm.people).values(
            [{"person_id": person_id, "role": role} for person_id, role in dict(people).items()]
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[orm.people.c.person_id],
                set_={"role": statement.excluded.role, "updated_at": func.now()},
            )
        )
