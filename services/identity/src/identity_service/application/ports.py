"""What the application needs from the outside world, as protocols (fakes in unit tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from identity_service.adapters.uow import IdentityUnitOfWork


@dataclass(frozen=True)
class NewAccount:
    """A login account to create in the account directory."""

    username: str
    first_name: str
    last_name: str
    email: str | None
    # A person given a temporary password must set their own at first login.
    require_password_change: bool = field(default=True)


class AccountDirectory(Protocol):
    """The accounts that hold credentials and realm roles (Keycloak)."""

    async def username_taken(self, username: str) -> bool:
        """Return True when an account with this login exists."""
        ...

    async def create_account(self, account: NewAccount) -> str:
        """Create an enabled account and return its id (the person id)."""
        ...

    async def set_password(self, account_id: str, password: str, *, temporary: bool) -> None:
        """Set the account's password; a temporary one must be changed at first login."""
        ...

    async def assign_role(self, account_id: str, role: str) -> None:
        """Give the account a realm role."""
        ...

    async def delete_account(self, account_id: str) -> None:
        """Delete the account; an account that is already gone is fine."""
        ...


UnitOfWorkFactory = Callable[[], IdentityUnitOfWork]
PasswordFactory = Callable[[], str]
