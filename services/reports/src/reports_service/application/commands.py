"""Commands and queries of reports: small immutable requests to the application layer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ProjectMarkRecorded:
    """Add a recorded mark to the reports projection."""

    mark_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    student_id: uuid.UUID
    value: str
    lesson_date: date
    recorded_at: datetime


@dataclass(frozen=True)
class ProjectMarkChanged:
    """Apply a changed or removed mark to the projection (value: the new one, or the removed one's)."""

    mark_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    student_id: uuid.UUID
    value: str
    lesson_date: date
    occurred_at: datetime
    removed: bool = False


@dataclass(frozen=True)
class GetGroupMarkSummary:
    """Count a group's marks by value."""

    group_id: uuid.UUID
