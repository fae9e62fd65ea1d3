"""Small input checks shared by servicers: ids, required text and page sizes, with Russian messages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

from chassis.errors import InvalidArgument

# NUL (which PostgreSQL refuses in text) and the other C0 controls but tab, newline and return.
_FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class InvalidText(InvalidArgument):
    """Text with a control character (NUL, say) that no field of ours may hold."""

    def __init__(self, field: str) -> None:
        super().__init__(f"Поле «{field}» содержит недопустимый управляющий символ", code="invalid_text")


def has_forbidden_control(text: str) -> bool:
    """Tell whether text holds a control character no field may hold (NUL above all)."""
    return _FORBIDDEN_CONTROL.search(text) is not None


def _strings_of(message: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Yield (field path, value) for every string in a protobuf message, nested ones included."""
    for field, value in message.ListFields():
        name = f"{prefix}{field.name}"
        if field.type == field.TYPE_STRING:
            values = value if field.is_repeated else [value]
            for text in values:
                yield name, text
        elif field.type == field.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                for key, item in value.items():
                    if isinstance(key, str):
                        yield name, key
                    if isinstance(item, str):
                        yield name, item
                    elif hasattr(item, "ListFields"):
                        yield from _strings_of(item, f"{name}.")
            elif field.is_repeated:
                for item in value:
                    yield from _strings_of(item, f"{name}.")
            else:
                yield from _strings_of(value, f"{name}.")


def refuse_control_characters(message: Any) -> None:
    """Raise InvalidText naming the first string field of a request that holds a control character."""
    if not hasattr(message, "ListFields"):
        return
    for field, text in _strings_of(message):
        if has_forbidden_control(text):
            raise InvalidText(field)


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
