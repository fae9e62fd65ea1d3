"""Per-request context: request id, correlation id and the acting principal."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chassis.principal import Principal

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
correlation_id_var: ContextVar[str] = ContextVar("correlation_id", default="")
principal_var: ContextVar[Principal | None] = ContextVar("principal", default=None)


def new_id() -> str:
    """Return a fresh random UUID as a string."""
    return str(uuid.uuid4())


def current_principal() -> Principal | None:
    """Return the principal of the current request, if any."""
    return principal_var.get()


def correlation_id() -> str:
    """Return the correlation id of the current request, or a new one."""
    return correlation_id_var.get() or request_id_var.get() or new_id()
