"""The history of a mark and of a student's attendance of a lesson (R3.3): who, when, old → new, why.

Nothing is erased: a mark's changes and removal are kept in `mark_changes`, its correction requests
and their answers in `correction_requests`, and an attendance entry's changes after the lesson's
attendance was first recorded in `attendance_changes`. These functions only decide what a change is
and put a trail in time order; the repositories keep and read the rows."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from journal_service.domain import correction_requests as cr
from journal_service.domain import lessons, mark_changes, model, read_models


class HistoryAction(enum.StrEnum):
    """What an entry of a history did (mirrors the proto by name)."""

    RECORDED = "recorded"
    CHANGED = "changed"
    REMOVED = "removed"
    CORRECTION_REQUESTED = "correction_requested"
    CORRECTION_ANSWERED = "correction_answered"


class AttendanceChangeSource(enum.StrEnum):
    """Which write changed an attendance entry."""

    ATTENDANCE = "attendance"  # the teacher recorded the lesson's attendance again
    REASON_CORRECTION = "reason_correction"  # «Пропуски»: the class teacher corrected the reason


@dataclass(frozen=True)
class AttendanceState:
    """A student's attendance of a lesson at one moment."""

    status: lessons.AttendanceStatus
    reason: lessons.AbsenceReason


@dataclass(frozen=True)
class AttendanceChange:
    """One change of a student's attendance of a lesson: old → new (None: no entry), who, when."""

    id: uuid.UUID
    lesson_id: uuid.UUID
    student_id: uuid.UUID
    changed_by: uuid.UUID
    source: AttendanceChangeSource
    old: AttendanceState | None
    new: AttendanceState | None
    changed_at: datetime | None = None

    @property
    def action(self) -> HistoryAction:
        """A change, or a removal when no entry is left."""
        return HistoryAction.REMOVED if self.new is None else HistoryAction.CHANGED


def _state(entry: lessons.AttendanceEntry) -> AttendanceState:
    return AttendanceState(entry.status, entry.reason)


def attendance_changes(
    lesson_id: uuid.UUID,
    before: Iterable[lessons.AttendanceEntry],
    after: Iterable[lessons.AttendanceEntry],
    *,
    changed_by: uuid.UUID,
) -> list[AttendanceChange]:
    """Return the changes a new attendance list makes to the recorded one, by student id: an entry
    changed, added or dropped. The first recording of a lesson's attendance is no change (nothing was
    there before): the lesson itself says who recorded it."""
    old = {e.student_id: _state(e) for e in before}
    if not old:
        return []
    new = {e.student_id: _state(e) for e in after}
    return [
        AttendanceChange(
            id=uuid.uuid4(),
            lesson_id=lesson_id,
            student_id=student,
            changed_by=changed_by,
            source=AttendanceChangeSource.ATTENDANCE,
            old=old.get(student),
            new=new.get(student),
        )
        for student in sorted(old.keys() | new.keys(), key=str)
        if old.get(student) != new.get(student)
    ]


def reason_changes(
    corrected: Sequence[read_models.CorrectedReason],
    statuses: dict[tuple[uuid.UUID, uuid.UUID], lessons.AttendanceStatus],
    *,
    changed_by: uuid.UUID,
) -> list[AttendanceChange]:
    """Return the changes the class teacher's reason corrections made (the status stays)."""
    changes = []
    for c in corrected:
        if not c.changed:
            continue
        status = statuses[(c.lesson_id, c.student_id)]
        changes.append(
            AttendanceChange(
                id=uuid.uuid4(),
                lesson_id=c.lesson_id,
                student_id=c.student_id,
                changed_by=changed_by,
                source=AttendanceChangeSource.REASON_CORRECTION,
                old=AttendanceState(status, c.old_reason),
                new=AttendanceState(status, c.reason),
            )
        )
    return changes


@dataclass(frozen=True)
class MarkHistoryEntry:
    """One entry of a mark's trail."""

    action: HistoryAction
    at: datetime | None
    actor_id: uuid.UUID
    old_value: str = ""
    new_value: str = ""
    old_kind_of_work: model.KindOfWork | None = None
    new_kind_of_work: model.KindOfWork | None = None
    old_weight: int = 0
    new_weight: int = 0
    text: str = ""
    correction_request_id: uuid.UUID | None = None
    decision: cr.CorrectionDecision | None = None


@dataclass(frozen=True)
class MarkHistory:
    """A mark as it is now, whether it was removed, and its trail oldest first."""

    mark: model.Mark
    removed: bool
    entries: list[MarkHistoryEntry]


# Entries of the same instant (an answer and the change it made share a transaction) keep the order
# in which they happen: the request, the change, then the answer that made it.
_RANK = {
    HistoryAction.RECORDED: 0,
    HistoryAction.CORRECTION_REQUESTED: 1,
    HistoryAction.CHANGED: 2,
    HistoryAction.REMOVED: 2,
    HistoryAction.CORRECTION_ANSWERED: 3,
}


def mark_trail(
    mark: model.Mark,
    changes: Sequence[mark_changes.MarkChange],
    requests: Sequence[cr.CorrectionRequest],
) -> list[MarkHistoryEntry]:
    """Return the mark's recording, each change or removal and each correction request with its
    answer, in time order. The recorded value is the first change's old one (or the mark's own)."""
    first = changes[0] if changes else None
    entries = [
        MarkHistoryEntry(
            action=HistoryAction.RECORDED,
            at=mark.recorded_at,
            actor_id=mark.teacher_id,
            new_value=first.old_value if first else mark.value,
            new_kind_of_work=first.old_kind_of_work if first else mark.kind_of_work,
            new_weight=first.old_weight if first else mark.weight,
        )
    ]
    by_change = {r.change_id: r.id for r in requests if r.change_id is not None}
    for c in changes:
        removed = c.action is mark_changes.MarkChangeAction.REMOVED
        entries.append(
            MarkHistoryEntry(
                action=HistoryAction.REMOVED if removed else HistoryAction.CHANGED,
                at=c.changed_at,
                actor_id=c.changed_by,
                old_value=c.old_value,
                new_value=c.new_value or "",
                old_kind_of_work=c.old_kind_of_work,
                new_kind_of_work=c.new_kind_of_work,
                old_weight=c.old_weight,
                new_weight=c.new_weight or 0,
                text=c.reason,
                correction_request_id=by_change.get(c.id),
            )
        )
    for r in requests:
        entries.append(
            MarkHistoryEntry(
                action=HistoryAction.CORRECTION_REQUESTED,
                at=r.filed_at,
                actor_id=r.student_id,
                old_value=r.mark_value,
                text=r.text,
                correction_request_id=r.id,
            )
        )
        if r.answer is not None:
            entries.append(
                MarkHistoryEntry(
                    action=HistoryAction.CORRECTION_ANSWERED,
                    at=r.answer.answered_at,
                    actor_id=r.answer.answered_by,
                    new_value=r.answer.new_value,
                    text=r.answer.text,
                    correction_request_id=r.id,
                    decision=r.answer.decision,
                )
            )
    return sorted(entries, key=_order)


_LATEST = datetime.max.replace(tzinfo=UTC)


def _order(entry: MarkHistoryEntry) -> tuple[datetime, int]:
    # An instant not known yet (a row not stored yet) sorts last, keeping its place among its equals.
    return (entry.at or _LATEST, _RANK[entry.action])


def attendance_trail(changes: Sequence[AttendanceChange]) -> list[AttendanceChange]:
    """Return an attendance entry's changes oldest first (rows of one instant keep their order)."""
    return sorted(changes, key=lambda c: c.changed_at or _LATEST)
