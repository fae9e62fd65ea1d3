"""The account directory backed by Keycloak's admin API (python-keycloak, async calls only)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakConnectionError, KeycloakError

from identity_service.application.ports import NewAccount
from identity_service.domain import errors

log = logging.getLogger(__name__)
T = TypeVar("T")

HTTP_BAD_REQUEST = 400
HTTP_NOT_FOUND = 404
HTTP_CONFLICT = 409
HTTP_SERVER_ERROR = 500


def make_keycloak_admin(
    *, server_url: str, realm: str, client_id: str, client_secret: str, timeout: int = 10
) -> KeycloakAdmin:
    """Build an admin client that authenticates as the service account (client credentials).

    The async HTTP client inside binds to the first event loop that uses it: build it inside the
    running loop and close it with `close_keycloak_admin` on the same loop.
    """
    connection = KeycloakOpenIDConnection(
        server_url=server_url,
        realm_name=realm,
        client_id=client_id,
        client_secret_key=client_secret,
        timeout=timeout,
        verify=True,
    )
    return KeycloakAdmin(connection=connection)


async def close_keycloak_admin(admin: KeycloakAdmin) -> None:
    """Close the async HTTP clients of the admin connection and of its token endpoint."""
    connection: Any = admin.connection
    # The token endpoint has its own client, created lazily on the first token request.
    openid = getattr(connection, "_keycloak_openid", None)
    for conn in (connection, getattr(openid, "connection", None)):
        if conn is not None and hasattr(conn, "aclose"):
            await conn.aclose()


def _status(exc: KeycloakError) -> int:
    return exc.response_code or 0


def _body(exc: KeycloakError) -> str:
    body = exc.response_body or b""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


class KeycloakAccountDirectory:
    """AccountDirectory over one realm; Keycloak down or failing → AccountDirectoryUnavailable."""

    def __init__(self, admin: KeycloakAdmin) -> None:
        self._admin = admin
        self._roles: dict[str, dict[str, Any]] = {}

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except KeycloakConnectionError as exc:
            raise errors.AccountDirectoryUnavailable() from exc
        except KeycloakError as exc:
            if _status(exc) >= HTTP_SERVER_ERROR:
                raise errors.AccountDirectoryUnavailable() from exc
            raise

    async def username_taken(self, username: str) -> bool:
        """Return True when Keycloak has an account with this login."""
        return await self._call(self._admin.a_get_user_id(username)) is not None

    async def create_account(self, account: NewAccount) -> str:
        """Create an enabled user and return its id."""
        payload: dict[str, Any] = {
            "username": account.username,
            "enabled": True,
            "firstName": account.first_name,
            "lastName": account.last_name,
            "requiredActions": ["UPDATE_PASSWORD"] if account.require_password_change else [],
        }
        if account.email:
            payload["email"] = account.email
        try:
            return await self._call(self._admin.a_create_user(payload, exist_ok=False))
        except KeycloakError as exc:
            if _status(exc) == HTTP_CONFLICT:
                if "email" in _body(exc).lower():
                    raise errors.EmailTaken() from exc
                raise errors.UsernameTaken(account.username) from exc
            raise

    async def set_password(self, account_id: str, password: str, *, temporary: bool) -> None:
        """Set the password; Keycloak's password policy may refuse it."""
        try:
            await self._call(self._admin.a_set_user_password(account_id, password, temporary=temporary))
        except KeycloakError as exc:
            if _status(exc) == HTTP_BAD_REQUEST:
                raise errors.PasswordRejected() from exc
            raise

    async def assign_role(self, account_id: str, role: str) -> None:
        """Assign a realm role (its representation is looked up once and cached)."""
        if role not in self._roles:
            self._roles[role] = await self._call(self._admin.a_get_realm_role(role))
        await self._call(self._admin.a_assign_realm_roles(account_id, [self._roles[role]]))

    async def remove_role(self, account_id: str, role: str) -> None:
        """Take a realm role from the user (its representation is looked up once and cached)."""
        if role not in self._roles:
            self._roles[role] = await self._call(self._admin.a_get_realm_role(role))
        await self._call(self._admin.a_delete_realm_roles_of_user(account_id, [self._roles[role]]))

    async def account_id(self, username: str) -> str | None:
        """Return the id of the user with this login, or None."""
        found: str | None = await self._call(self._admin.a_get_user_id(username))
        return found

    async def delete_account(self, account_id: str) -> None:
        """Delete the user; a user that is already gone is fine."""
        try:
            await self._call(self._admin.a_delete_user(account_id))
        except KeycloakError as exc:
            if _status(exc) != HTTP_NOT_FOUND:
                raise
            log.info("account already gone", extra={"account_id": account_id})

    async def set_enabled(self, account_id: str, enabled: bool) -> None:
        """Enable or disable the user: the whole representation is read and written back (a partial
        one could drop attributes under the declarative user profile)."""
        user = await self._call(self._admin.a_get_user(account_id))
        if user.get("enabled") is enabled:
            return
        user["enabled"] = enabled
        await self._call(self._admin.a_update_user(account_id, user))

    async def end_sessions(self, account_id: str) -> None:
        """Log the user out of every session (their refresh tokens stop working at once)."""
        await self._call(self._admin.a_user_logout(account_id))
