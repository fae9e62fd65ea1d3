"""Who is acting: the Principal, with nothing heavy imported (domains use it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chassis.context import current_principal
from chassis.errors import Unauthenticated

SERVICE_ROLE = "service"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a person (Keycloak subject) or another service."""

    subject: str
    roles: frozenset[str]
    client_id: str = ""
    token: str = field(default="", repr=False)

    def has_any(self, *roles: str) -> bool:
        """Return True when the principal holds at least one of the roles."""
        return not self.roles.isdisjoint(roles)

    @property
    def is_service(self) -> bool:
        """Return True for another ejournal service acting on its own behalf."""
        return SERVICE_ROLE in self.roles


def system_actor(service: str) -> Principal:
    """Return the principal a service acts as on its own (a consumer applying an event, say)."""
    return Principal(subject=f"service:{service}", roles=frozenset({SERVICE_ROLE}), client_id=service)


def require_principal() -> Principal:
    """Return the authenticated caller of the current RPC, or raise Unauthenticated."""
    principal = current_principal()
    if principal is None:
        raise Unauthenticated("Требуется вход в систему", code="unauthenticated")
    return principal
