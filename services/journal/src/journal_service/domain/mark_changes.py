"""Changing and removing a mark (R3.3): nothing is erased; each change keeps old → new, who, when, why."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from chassis.errors import InvalidArgument, NotFound

from journal_service.domain import errors, model

MAX_REASON = 500


class MarkNotFound(NotFound):
    """No such mark, or it was removed."""

    def __init__(self) -> None:
        super().__init__("Оценка не найдена (возможно, она уже удалена)", code="mark_not_found")


class ReasonTooLong(InvalidArgument):
    """The reason of a change is at most 500 characters."""

    def __init__(self) -> None:
        super().__init__(
            f"Причина изменения оценки длиннее {MAX_REASON} символов", code="invalid_change_reason"
        )


class MarkChangeAction(enum.StrEnum):
    """What a change did to the mark."""

    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True)
class MarkChange:
    """One change of a mark: old → new (None for a removal), who, when (set by the database), why."""

    id: uuid.UUID
    mark_id: uuid.UUID
    action: MarkChangeAction
    changed_by: uuid.UUID
    old_value: str
    old_kind_of_work: model.KindOfWork
    old_weight: int
    new_value: str | None
    new_kind_of_work: model.KindOfWork | None
    new_weight: int | None
    reason: str = ""
    changed_at: datetime | None = field(default=None)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ReasonTooLong()
    return reason


def change(
    mark: model.Mark,
    *,
    dictionary: model.MarkDictionary,
    teacher_id: uuid.UUID,
    value: str,
    kind_of_work: model.KindOfWork | None,
    weight: int | None,
    reason: str,
) -> tuple[model.Mark, MarkChange | None]:
    """Return the mark as changed and the change kept for it; no change (None) when nothing differs.

    The value is checked against the dictionary as a new mark's is; None keeps the kind or weight."""
    kind = dictionary.require(value)
    new_weight = mark.weight if weight is None else weight
    if not model.MIN_WEIGHT <= new_weight <= model.MAX_WEIGHT:
        raise errors.InvalidWeight(new_weight)
    why = _reason(reason)
    changed = replace(
        mark,
        value=kind.value,
        kind_of_work=mark.kind_of_work if kind_of_work is None else kind_of_work,
        weight=new_weight,
    )
    before = (mark.value, mark.kind_of_work, mark.weight)
    after = (changed.value, changed.kind_of_work, changed.weight)
    if before == after:
        return mark, None
    return changed, MarkChange(
        id=uuid.uuid4(),
        mark_id=mark.id,
        action=MarkChangeAction.CHANGED,
        changed_by=teacher_id,
        old_value=mark.value,
        old_kind_of_work=mark.kind_of_work,
        old_weight=mark.weight,
        new_value=changed.value,
        new_kind_of_work=changed.kind_of_work,
        new_weight=changed.weight,
        reason=why,
    )


def remove(mark: model.Mark, *, teacher_id: uuid.UUID, reason: str) -> MarkChange:
    """Return the removal kept for a mark (its row stays, hidden from every read)."""
    return MarkChange(
        id=uuid.uuid4(),
        mark_id=mark.id,
        action=MarkChangeAction.REMOVED,
        changed_by=teacher_id,
        old_value=mark.value,
        old_kind_of_work=mark.kind_of_work,
        old_weight=mark.weight,
        new_value=None,
        new_kind_of_work=None,
        new_weight=None,
        reason=_reason(reason),
    )
