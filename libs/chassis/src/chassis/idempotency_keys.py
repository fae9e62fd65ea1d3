"""The idempotency key as it travels: its metadata name, its shape and the refusal of a bad one.

Light on purpose (no database): the gateway checks and forwards keys with it, and
`chassis.idempotency` (the services' side) uses the same names.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from chassis.errors import InvalidArgument

KEY_METADATA = "idempotency-key"
"""The gRPC metadata that carries a write's idempotency key (REST: the `Idempotency-Key` header)."""

# Printable ASCII without spaces, like the UUIDs clients usually send.
_KEY = re.compile(r"[\x21-\x7e]{1,200}")

idempotency_key_var: ContextVar[str | None] = ContextVar("idempotency_key", default=None)
"""The key of the REST request being served, which the gateway forwards with each call it makes."""


class IdempotencyKeyInvalid(InvalidArgument):
    """A key is 1..200 printable ASCII characters without spaces."""

    def __init__(self) -> None:
        super().__init__(
            "Ключ идемпотентности (Idempotency-Key) — от 1 до 200 латинских букв, цифр и знаков "
            "без пробелов, например UUID",
            code="invalid_idempotency_key",
        )


def require_key(value: str) -> str:
    """Return the key or raise IdempotencyKeyInvalid."""
    if not _KEY.fullmatch(value):
        raise IdempotencyKeyInvalid()
    return value
