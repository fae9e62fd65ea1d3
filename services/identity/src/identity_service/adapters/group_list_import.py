"""Group-list imports and the logins they are creating (migration 0007): every query of them.

Never commits: the application commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import orm

group_list_imports = Table(
    "group_list_imports",
    orm.metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("students", Integer, nullable=False),
    Column("parents", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)

pending_account_creations = Table(
    "pending_account_creations",
    orm.metadata,
    Column("import_id", UUID(as_uuid=True), ForeignKey("group_list_imports.id"), primary_key=True),
    Column("username", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


class GroupListImportRepository:
    """The imports of group lists and the logins each is creating."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def standing(self, group_id: uuid.UUID, digest: str) -> datetime | None:
        """Return when the same list was imported into the group (not failed), or None."""
        g = group_list_imports.c
        return (
            await self._session.execute(
                select(g.created_at).where(g.group_id == group_id, g.digest == digest, g.status != "failed")
            )
        ).scalar_one_or_none()

    async def start(
        self,
        import_id: uuid.UUID,
        *,
        group_id: uuid.UUID,
        digest: str,
        actor_id: str,
        students: int,
        parents: int,
        usernames: Collection[str],
    ) -> bool:
        """Stage the import as `creating` with its logins; False when the same list is standing."""
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(group_list_imports).values(
                        id=import_id,
                        group_id=group_id,
                        digest=digest,
                        status="creating",
                        actor_id=actor_id,
                        students=students,
                        parents=parents,
                    )
                )
        except IntegrityError:
            return False
        if usernames:
            await self._session.execute(
                insert(pending_account_creations),
                [{"import_id": import_id, "username": name} for name in usernames],
            )
        return True

    async def finish(self, import_id: uuid.UUID, status: str) -> None:
        """Stage the import's end (`imported` or `failed`) and forget its pending logins."""
        g = group_list_imports.c
        await self._session.execute(
            update(group_list_imports).where(g.id == import_id).values(status=status, finished_at=func.now())
        )
        await self._session.execute(
            delete(pending_account_creations).where(pending_account_creations.c.import_id == import_id)
        )

    async def give_up(self, import_id: uuid.UUID) -> None:
        """Stage the import as failed, keeping its pending logins for the sweeper."""
        g = group_list_imports.c
        await self._session.execute(
            update(group_list_imports)
            .where(g.id == import_id)
            .values(status="failed", finished_at=func.now())
        )

    async def abandoned(self, older_than: timedelta) -> list[tuple[uuid.UUID, str]]:
        """Return the pending logins of failed imports and of imports creating for longer than that."""
        g = group_list_imports.c
        p = pending_account_creations.c
        rows = await self._session.execute(
            select(p.import_id, p.username)
            .join(group_list_imports, g.id == p.import_id)
            .where(
                or_(
                    g.status == "failed",
                    (g.status == "creating") & (g.created_at < func.now() - older_than),
                )
            )
            .order_by(p.import_id, p.username)
        )
        return [(row.import_id, row.username) for row in rows]

    async def forget(self, import_id: uuid.UUID, username: str) -> None:
        """Stage the pending login as dealt with; its import fails if it was still `creating`."""
        p = pending_account_creations.c
        await self._session.execute(
            delete(pending_account_creations).where(p.import_id == import_id, p.username == username)
        )
        g = group_list_imports.c
        await self._session.execute(
            update(group_list_imports)
            .where(g.id == import_id, g.status == "creating")
            .values(status="failed", finished_at=func.now())
        )
