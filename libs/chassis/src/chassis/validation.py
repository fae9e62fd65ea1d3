"""Small input checks shared by servicers: ids, required text and page sizes, with Russian messages."""

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


class PageSizeOutOfRange(InvalidArgument):
    """A list was asked for with a page size outside the allowed range."""

    def __init__(self, maximum: int, default: int, *, field: str = "page_size") -> None:
        super().__init__(
            f"Размер страницы должен быть от 1 до {maximum} (0 — по умолчанию {default})",
            code=f"invalid_{field}",
        )


def page_size(value: int, *, default: int, maximum: int, field: str = "page_size") -> int:
    """Return how many items to list: 0 means the default, otherwise 1..maximum or PageSizeOutOfRange."""
    if value == 0:
        return default
    if not 1 <= value <= maximum:
        raise PageSizeOutOfRange(maximum, default, field=field)
    return value
