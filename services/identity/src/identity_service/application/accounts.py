"""Opening Keycloak accounts, shared by CreatePerson and ImportGroupList: the login made from the
names, the user with its password and realm role, and its removal when what follows fails."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from identity_service.application.ports import (
    AccountDirectory,
    NewAccount,
    PasswordFactory,
    UnitOfWorkFactory,
)
from identity_service.domain import errors, model, usernames

log = logging.getLogger(__name__)

# Keycloak's deny-list (`passwordBlacklist` in the realm's policy) is a Bloom filter: it refuses about
# one random password in ten thousand as if it were listed (seen: a bench run's CreatePerson answered
# `password_rejected`). A generated password so refused is replaced by a fresh one, this many in all.
GENERATED_PASSWORD_TRIES = 5


async def set_password(
    accounts: AccountDirectory,
    account_id: str,
    password: str,
    *,
    temporary: bool,
    regenerate: PasswordFactory | None = None,
) -> str:
    """Set the account's password and return the one set. A generated password (`regenerate` given)
    that the policy refuses is replaced by `regenerate()`, up to GENERATED_PASSWORD_TRIES passwords;
    a password a person chose is refused at once (PasswordRejected)."""
    for attempt in range(1, GENERATED_PASSWORD_TRIES + 1):
        try:
            await accounts.set_password(account_id, password, temporary=temporary)
            return password
        except errors.PasswordRejected:
            if regenerate is None or attempt == GENERATED_PASSWORD_TRIES:
                raise
            log.warning(
                "generated password refused by the password policy, another one set",
                extra={"account_id": account_id, "attempt": attempt},
            )
            password = regenerate()
    raise AssertionError("unreachable: the last try returns or raises")


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
    regenerate: PasswordFactory | None = None,
    on_created: Callable[[str], None] | None = None,
) -> tuple[str, str]:
    """Create the Keycloak user with its password and realm role; return its id and the password set
    (another generated one when the policy refused a generated `password`: `set_password`). If a step
    after the creation fails, the user is deleted again (as far as Keycloak lets) and the error raised.
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
        password = await set_password(
            accounts, account_id, password, temporary=temporary, regenerate=regenerate
        )
        await accounts.assign_role(account_id, role.value)
    except BaseException:
        await remove_account(accounts, account_id)
        raise
    return account_id, password


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
