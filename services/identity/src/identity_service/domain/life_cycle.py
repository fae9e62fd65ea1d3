"""The life cycle of a login account (issue 8 item 4): a student's account is disabled when the journal
records their expulsion or graduation and enabled again on their return; the administrator disables
and enables a member of staff who leaves or comes back. A disabled account cannot log in, and its
sessions end at once (a refresh fails). Movements are applied in the order of their dates: an event
about an older movement than the last one applied changes nothing (the journal writes one a day)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from chassis.errors import FailedPrecondition, NotFound


class DisabledReason(enum.StrEnum):
    """Why an account is disabled (mirrors the proto's AccountDisabledReason by name)."""

    BY_ADMIN = "by_admin"
    EXPULSION = "expulsion"
    GRADUATION = "graduation"


class MovementKind(enum.StrEnum):
    """The journal's movement kinds that matter to an account (the proto's MovementKind by name)."""

    EXPULSION = "expulsion"
    GRADUATION = "graduation"
    RETURN = "return"


@dataclass(frozen=True)
class AccountState:
    """Whether a person may log in; since when and why not (None: never changed, enabled)."""

    person_id: uuid.UUID
    enabled: bool = True
    reason: DisabledReason | None = None
    changed_at: datetime | None = None
    # The date of the last journal movement applied to the account (ordering of events).
    last_movement_on: date | None = None


@dataclass(frozen=True)
class Change:
    """What to do to the account: enable or disable it, for what reason."""

    enable: bool
    reason: DisabledReason | None


def change_for_movement(state: AccountState, kind: MovementKind, on_date: date) -> Change | None:
    """Return what a journal movement does to the account, or None when nothing changes.

    Expulsion and graduation disable it; a return enables it again unless the administrator
    disabled it (that stays the administrator's decision). An older movement than the last one
    applied is skipped."""
    if state.last_movement_on is not None and on_date <= state.last_movement_on:
        return None
    if kind is MovementKind.RETURN:
        if state.enabled or state.reason is DisabledReason.BY_ADMIN:
            return None
        return Change(enable=True, reason=None)
    reason = DisabledReason.EXPULSION if kind is MovementKind.EXPULSION else DisabledReason.GRADUATION
    if not state.enabled and state.reason is reason:
        return None
    return Change(enable=False, reason=reason)


class AccountPersonNotFound(NotFound):
    """No person with this id in identity."""

    def __init__(self) -> None:
        super().__init__("Человек с таким идентификатором не найден", code="person_not_found")


class OwnAccountNotDisabled(FailedPrecondition):
    """An administrator does not lock themself out."""

    def __init__(self) -> None:
        super().__init__("Нельзя отключить собственную учётную запись", code="own_account")
