"""Opening Keycloak accounts, shared by CreatePerson and ImportGroupList: the login made from the
names, the user with its password and realm role, and its removal when what follows fails."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from identity_service.application.ports import AccountDirectory, NewAccount, UnitOfWorkFactory
from identity_service.domain import errors, model, usernames

log = logging.getLogger(__name__)


async def choose_username(
    uow_factory: UnitOfWorkFactory,
    accounts: AccountDirectory,
    details: model.PersonDetails,
    reserved: Collection[str] = (),
) -> str:
    """Return the first free login made from the names: not in the database, not in Keycloak, not
    `reserved` (the logins a batch has already chosen)."""
    base = usernames.username_base(details.last_name, details.first_name, details.middle_name)
    async with uow_factory() as uow:
        taken = await uow.people.usernames_starting_with(base)
    for candidate in usernames.username_candidates(base):
        # Keycloak may hold accounts made outside this service (the bootstrap admin, old imports).
        if candidate in taken or candidate in reserved:
            continue
        if not await accounts.username_taken(candidate):
            return candidate
    raise errors.UsernameTaken(base)


async def provision_account(
    accounts: AccountDirectory,
    username: str,
    details: model.PersonDetails,
    role: model.Role,
    password: str,
    *,
    temporary: bool,
    on_created: Callable[[str], None] | None = None,
) -> str:
    """Create the Keycloak user with its password and realm role; return its id. If a step after the
    creation fails, the user is deleted again (as far as Keycloak lets) and the error raised.
    `on_created` learns the id as soon as the user exists (a batch keeps it to clean up after)."""
    account_id = await accounts.create_account(
        NewAccount(
            username=username,
            first_name=details.first_name,
            last_name=details.last_name,
            email=details.email,
            require_password_change=temporary,
        )
    )
    if on_created is not None:
        on_created(account_id)
    try:
        await accounts.set_password(account_id, password, temporary=temporary)
        await accounts.assign_role(account_id, role.value)
    except BaseException:
        await remove_account(accounts, account_id)
        raise
    return account_id


async def remove_account(accounts: AccountDirectory, account_id: str) -> bool:
    """Delete an account made by a create that failed; False (logged) when Keycloak refused."""
    try:
        await accounts.delete_account(account_id)
    except Exception:
        # The original failure matters more; the id in the log lets an operator delete it by hand.
        log.exception("compensation failed: account left in Keycloak", extra={"account_id": account_id})
        return False
    log.warning("account removed after a failed create", extra={"account_id": account_id})
    return True
