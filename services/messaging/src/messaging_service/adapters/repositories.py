"""Repositories: every query of the messaging database lives here. They never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from chassis.db import insert_new
from sqlalchemy import and_, bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from messaging_service.adapters import orm
from messaging_service.domain import model
from messaging_service.domain.parent_access import AccessFact, Reader


class NotificationRepository:
    """Notifications of every recipient."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_all(self, notifications: list[model.Notification]) -> None:
        """Stage new notifications; one that already exists for its event and recipient is skipped."""
        if not notifications:
            return
        await self._session.execute(
            insert(orm.notifications)
            .values(
                [
                    {
                        "id": n.id,
                        "recipient_id": n.recipient_id,
                        "kind": n.kind,
                        "student_id": n.student_id,
                        "discipline_id": n.discipline_id,
                        "mark_value": n.mark_value,
                        "lesson_date": n.lesson_date,
                        "source_event_id": n.source_event_id,
                    }
                    for n in notifications
                ]
            )
            .on_conflict_do_nothing(index_elements=["source_event_id", "recipient_id"])
        )

    async def of_recipient(self, recipient_id: uuid.UUID, *, limit: int) -> list[model.Notification]:
        """Return a recipient's notifications, newest first."""
        rows = await self._session.scalars(
            select(model.Notification)
            .where(orm.notifications.c.recipient_id == recipient_id)
            .order_by(orm.notifications.c.created_at.desc(), orm.notifications.c.id.desc())
            .limit(limit)
        )
        return list(rows)


class GuardianshipRepository:
    """The projection of identity's parent↔student links (ids only)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, parent_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Stage a link unless it is known; return True when it is new."""
        return await insert_new(
            self._session, orm.guardianships, {"student_id": student_id, "parent_id": parent_id}
        )

    async def fetched(self, student_id: uuid.UUID) -> bool:
        """Return True once the student's links were fetched from identity."""
        found = await self._session.scalar(
            select(orm.guardianship_students.c.student_id).where(
                orm.guardianship_students.c.student_id == student_id
            )
        )
        return found is not None

    async def record_fetched(self, student_id: uuid.UUID, parent_ids: list[uuid.UUID]) -> None:
        """Stage the links identity gave for the student (added to, never replacing, the known ones)."""
        if parent_ids:
            await self._session.execute(
                insert(orm.guardianships)
                .values([{"student_id": student_id, "parent_id": p} for p in parent_ids])
                .on_conflict_do_nothing()
            )
        await insert_new(self._session, orm.guardianship_students, {"student_id": student_id})

    async def parents_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the student's parents known to the projection, in id order."""
        rows = await self._session.scalars(
            select(orm.guardianships.c.parent_id)
            .where(orm.guardianships.c.student_id == student_id)
            .order_by(orm.guardianships.c.parent_id)
        )
        return list(rows)


PARENT_ACCESS_CATCH_UP = "parent_access"


class ParentAccessRepository:
    """The projection of parents' access (ADR 0013): per link the date identity says it ends."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def apply(self, facts: Sequence[AccessFact], changed_at: datetime) -> int:
        """Stage the facts (and their links) unless a newer fact of the link is known; return how
        many facts were written."""
        if not facts:
            return 0
        await self._session.execute(
            insert(orm.guardianships)
            .values([{"student_id": f.student_id, "parent_id": f.parent_id} for f in facts])
            .on_conflict_do_nothing()
        )
        statement = insert(orm.parent_access).values(
            [
                {
                    "student_id": f.student_id,
                    "parent_id": f.parent_id,
                    "access_until": f.access_until,
                    "changed_at": changed_at,
                }
                for f in facts
            ]
        )
        result = await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[orm.parent_access.c.student_id, orm.parent_access.c.parent_id],
                set_={
                    "access_until": statement.excluded.access_until,
                    "changed_at": statement.excluded.changed_at,
                },
                where=orm.parent_access.c.changed_at <= statement.excluded.changed_at,
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def mark_fetched(self, student_ids: Collection[uuid.UUID]) -> None:
        """Stage the students as fetched: the snapshot named every link they had."""
        if student_ids:
            await self._session.execute(
                insert(orm.guardianship_students)
                .values([{"student_id": s} for s in student_ids])
                .on_conflict_do_nothing()
            )

    async def readers_of(self, student_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Reader]]:
        """Return the parents (in id order) with their access end of those of the students whose
        links were fetched, in one query; a student never fetched is not in the answer."""
        found: dict[uuid.UUID, list[Reader]] = {}
        rows = await self._session.execute(_READERS_OF_FETCHED, {"ids": list(student_ids)})
        for student_id, parent_id, access_until, changed_at in rows:
            readers = found.setdefault(student_id, [])
            if parent_id is not None:
                readers.append(Reader(parent_id, access_until, known=changed_at is not None))
        return found

    async def caught_up(self) -> bool:
        """Return True once the projection caught up from identity's snapshot."""
        found = await self._session.scalar(
            select(orm.projection_catch_ups.c.name).where(
                orm.projection_catch_ups.c.name == PARENT_ACCESS_CATCH_UP
            )
        )
        return found is not None

    async def mark_caught_up(self) -> None:
        """Stage that the projection caught up from identity's snapshot."""
        await insert_new(self._session, orm.projection_catch_ups, {"name": PARENT_ACCESS_CATCH_UP})


# The fetched students of a batch with their parents and each link's access end (no parents: one
# row of NULLs; a link without identity's fact: NULL changed_at), in id order.
_access = orm.parent_access.c
_READERS_OF_FETCHED = (
    select(
        orm.guardianship_students.c.student_id,
        orm.guardianships.c.parent_id,
        _access.access_until,
        _access.changed_at,
    )
    .select_from(
        orm.guardianship_students.outerjoin(
            orm.guardianships, orm.guardianships.c.student_id == orm.guardianship_students.c.student_id
        ).outerjoin(
            orm.parent_access,
            and_(
                _access.student_id == orm.guardianships.c.student_id,
                _access.parent_id == orm.guardianships.c.parent_id,
            ),
        )
    )
    .where(orm.guardianship_students.c.student_id.in_(bindparam("ids", expanding=True)))
    .order_by(orm.guardianship_students.c.student_id, orm.guardianships.c.parent_id)
)
