"""The life cycle of login accounts (issue 8 item 4): the administrator disables and enables an
account; the journal's movement events disable a student's account on expulsion or graduation and
enable it on return. Keycloak is changed inside the transaction that records the state, so when
Keycloak does not answer nothing is recorded (the RPC answers UNAVAILABLE, the consumer retries); each
change is audited with its actor — the administrator, or the identity service applying the event."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date

from chassis.events import Delivery
from chassis.principal import Principal, system_actor

from identity_service.application.ports import AccountDirectory, IdentityUnitOfWork, UnitOfWorkFactory
from identity_service.domain import access, errors, life_cycle

log = logging.getLogger(__name__)
SERVICE = "identity"


@dataclass(frozen=True)
class DisableAccount:
    """Disable a person's account (the administrator)."""

    person_id: uuid.UUID


@dataclass(frozen=True)
class EnableAccount:
    """Enable a person's account again (the administrator)."""

    person_id: uuid.UUID


@dataclass(frozen=True)
class GetAccountState:
    """Read whether a person's account is enabled."""

    person_id: uuid.UUID


@dataclass(frozen=True)
class ApplyMovement:
    """A journal movement of a student that may change their account."""

    student_id: uuid.UUID
    kind: life_cycle.MovementKind
    on_date: date


@dataclass(frozen=True)
class StateChange:
    """The account's state after a call, and whether the call changed it."""

    state: life_cycle.AccountState
    changed: bool


class LifeCycleHandlers:
    """Use cases of the account life cycle."""

    def __init__(self, uow: UnitOfWorkFactory, accounts: AccountDirectory) -> None:
        self._uow = uow
        self._accounts = accounts

    async def disable(self, cmd: DisableAccount, actor: Principal) -> StateChange:
        """Disable the account and end its sessions (admin); a disabled one stays as it is."""
        access.require_admin(actor, "учётные записи отключает администратор")
        if access.is_self(actor, cmd.person_id):
            raise life_cycle.OwnAccountNotDisabled()
        change = life_cycle.Change(enable=False, reason=life_cycle.DisabledReason.BY_ADMIN)
        return await self._apply(cmd.person_id, change, actor)

    async def enable(self, cmd: EnableAccount, actor: Principal) -> StateChange:
        """Enable the account again (admin); an enabled one stays as it is."""
        access.require_admin(actor, "учётные записи включает администратор")
        return await self._apply(cmd.person_id, life_cycle.Change(enable=True, reason=None), actor)

    async def state(self, query: GetAccountState, actor: Principal) -> life_cycle.AccountState:
        """Return the account's state (admin)."""
        access.require_admin(actor, "состояние учётной записи доступно администратору")
        async with self._uow() as uow:
            await _require_person(uow, query.person_id)
            return await uow.account_states.get_for_update(query.person_id)

    async def apply_movement(self, cmd: ApplyMovement, delivery: Delivery) -> bool:
        """Apply a journal movement to the student's account once (inbox); True when it changed.

        A person identity does not know has no account to change: the event is only claimed."""
        actor = system_actor(SERVICE)
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return False
            changed = False
            if await uow.people.get(cmd.student_id) is not None:
                state = await uow.account_states.get_for_update(cmd.student_id)
                change = life_cycle.change_for_movement(state, cmd.kind, cmd.on_date)
                if change is not None:
                    await self._change(uow, replace(state, last_movement_on=cmd.on_date), change, actor)
                    changed = True
            await uow.commit()
            return changed

    async def _apply(self, person_id: uuid.UUID, change: life_cycle.Change, actor: Principal) -> StateChange:
        try:
            async with self._uow() as uow:
                await _require_person(uow, person_id)
                state = await uow.account_states.get_for_update(person_id)
                if state.enabled is change.enable:
                    return StateChange(state, changed=False)
                stored = await self._change(uow, state, change, actor)
                await uow.commit()
                return StateChange(stored, changed=True)
        except errors.AccountDirectoryUnavailable:
            # Nothing changed; the attempt and its result are still on record.
            async with self._uow() as uow:
                await uow.audit(
                    f"{_action(change)}:failed:accounts_unavailable",
                    actor=actor,
                    resource_type="account",
                    resource_id=str(person_id),
                    subject_person_id=str(person_id),
                )
                await uow.commit()
            raise

    async def _change(
        self,
        uow: IdentityUnitOfWork,
        state: life_cycle.AccountState,
        change: life_cycle.Change,
        actor: Principal,
    ) -> life_cycle.AccountState:
        """Change Keycloak first (an outage raises and nothing is recorded), then stage the state and
        the audit record in the caller's transaction."""
        account_id = str(state.person_id)
        await self._accounts.set_enabled(account_id, change.enable)
        if not change.enable:
            await self._accounts.end_sessions(account_id)
        stored = await uow.account_states.save(
            replace(state, enabled=change.enable, reason=change.reason), actor.subject
        )
        await uow.audit(
            _action(change),
            actor=actor,
            resource_type="account",
            resource_id=account_id,
            subject_person_id=account_id,
        )
        log.info("account state changed", extra={"person_id": account_id, "enabled": change.enable})
        return stored


def _action(change: life_cycle.Change) -> str:
    """Name the audit action: account.enabled, account.disabled:<reason>."""
    return "account.enabled" if change.enable else f"account.disabled:{change.reason}"


async def _require_person(uow: IdentityUnitOfWork, person_id: uuid.UUID) -> None:
    if await uow.people.get(person_id) is None:
        raise life_cycle.AccountPersonNotFound()
