"""Notifications: what a recipient is told, built from the facts of an event."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from chassis import validation

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class NotificationKind(enum.StrEnum):
    """What a notification is about."""

    MARK_RECORDED = "mark_recorded"
    MARK_CHANGED = "mark_changed"
    MARK_REMOVED = "mark_removed"


@dataclass
class Notification:
    """An in-app notification for one recipient (R4.1: inform parents in good time)."""

    id: uuid.UUID
    recipient_id: uuid.UUID
    kind: NotificationKind
    student_id: uuid.UUID
    discipline_id: uuid.UUID | None
    mark_value: str | None
    lesson_date: date | None
    source_event_id: str
    created_at: datetime | None = field(default=None)


def notifications_for_mark(
    *,
    guardians: Iterable[uuid.UUID],
    source_event_id: str,
    student_id: uuid.UUID,
    discipline_id: uuid.UUID,
    mark_value: str,
    lesson_date: date,
    kind: NotificationKind = NotificationKind.MARK_RECORDED,
) -> list[Notification]:
    """Return one notification per guardian of the student (a guardian listed twice is told once)."""
    return [
        Notification(
            id=uuid.uuid4(),
            recipient_id=guardian,
            kind=kind,
            student_id=student_id,
            discipline_id=discipline_id,
            mark_value=mark_value,
            lesson_date=lesson_date,
            source_event_id=source_event_id,
        )
        for guardian in dict.fromkeys(guardians)
    ]


def page_size(requested: int) -> int:
    """Return how many notifications to list: 0 means the default, otherwise 1..MAX_PAGE_SIZE."""
    return validation.page_size(requested, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
