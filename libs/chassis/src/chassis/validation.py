"""Small input checks shared by servicers: ids and required text, with Russian messages."""

from __future__ import annotations

import uuid

from chassis.errors import InvalidArgument


def require_uuid(value: str, field: str) -> str:
    """Return the canonical UUID string or raise InvalidArgument naming the field."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise InvalidArgument(
            f"Поле «{field}» должно быть идентификатором (UUID)", code=f"invalid_{field}"
        ) from None


def require_text(value: str, field: str, *, max_length: int = 200) -> str:
    """Return the stripped text or raise InvalidArgument when it is empty or too long."""
    text = (value or "").strip()
    if not text:
        raise InvalidArgument(f"Поле «{field}» обязательно", code=f"missing_{field}")
    if len(text) > max_length:
        raise InvalidArgument(f"Поле «{field}» длиннее {max_length} символов", code=f"too_long_{field}")
    return text


def parse_uuid(value: str, field: str) -> uuid.UUID:
    """Return the UUID or raise InvalidArgument naming the field."""
    return uuid.UUID(require_uuid(value, field))
