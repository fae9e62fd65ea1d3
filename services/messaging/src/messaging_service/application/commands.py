"""Commands and queries of messaging: small immutable requests to the application layer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from messaging_service.domain.model import NotificationKind


@dataclass(frozen=True)
class NotifyGuardiansOfMark:
    """Tell the student's parents that a mark was recorded."""

    student_id: uuid.UUID
    discipline_id: uuid.UUID
    mark_value: str
    lesson_date: date
    # Recorded, changed (the new value) or removed (the value it had).
    kind: NotificationKind = NotificationKind.MARK_RECORDED


@dataclass(frozen=True)
class ListNotifications:
    """Read the caller's own notifications; page_size 0 means the default."""

    page_size: int
