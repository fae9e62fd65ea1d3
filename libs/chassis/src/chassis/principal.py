"""Access to the caller inside a servicer."""

from __future__ import annotations

from chassis.auth import Principal
from chassis.context import current_principal
from chassis.errors import Unauthenticated


def require_principal() -> Principal:
    """Return the authenticated caller of the current RPC, or raise Unauthenticated."""
    principal = current_principal()
    if principal is None:
        raise Unauthenticated("Требуется вход в систему", code="unauthenticated")
    return principal
