"""Account states (the life cycle of login accounts): every query of them. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import orm
from identity_service.domain import life_cycle


class AccountStateRepository:
    """Whether each account is enabled, since when and why not."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_update(self, person_id: uuid.UUID) -> life_cycle.AccountState:
        """Return the account's state (enabled when never changed), its row locked until commit."""
        a = orm.account_states.c
        row = (
            await self._session.execute(
                select(a.enabled, a.disabled_reason, a.changed_at, a.last_movement_on)
                .where(a.person_id == person_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            return life_cycle.AccountState(person_id)
        return life_cycle.AccountState(
            person_id,
            enabled=row.enabled,
            reason=life_cycle.DisabledReason(row.disabled_reason) if row.disabled_reason else None,
            changed_at=row.changed_at,
            last_movement_on=row.last_movement_on,
        )

    async def save(self, state: life_cycle.AccountState, changed_by: str) -> life_cycle.AccountState:
        """Stage the account's new state (changed now, by `changed_by`) and return it as stored."""
        a = orm.account_states.c
        values = {
            "enabled": state.enabled,
            "disabled_reason": state.reason,
            "changed_at": func.now(),
            "changed_by": changed_by,
            "last_movement_on": state.last_movement_on,
        }
        row = (
            await self._session.execute(
                insert(orm.account_states)
                .values(person_id=state.person_id, **values)
                .on_conflict_do_update(index_elements=[a.person_id], set_=values)
                .returning(a.changed_at)
            )
        ).one()
        return life_cycle.AccountState(
            state.person_id, state.enabled, state.reason, row.changed_at, state.last_movement_on
        )
