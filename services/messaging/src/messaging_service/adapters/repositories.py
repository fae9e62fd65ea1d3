"""Repositories: every query of the messaging database lives here. They never commit."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from messaging_service.adapters import orm
from messaging_service.domain import model


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
