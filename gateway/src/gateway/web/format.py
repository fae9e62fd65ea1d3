"""How the portal writes dates, times, names and disciplines for Russian readers."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any


def ru_date(value: object) -> str:
    """Return a date as `28.11.2026`, or a dash when there is none."""
    return value.strftime("%d.%m.%Y") if hasattr(value, "strftime") else "—"


def ru_datetime(value: object, zone: tzinfo) -> str:
    """Return an instant as the college reads it: its local time, `28.11.2026 14:45`."""
    if not isinstance(value, datetime):
        return "—"
    # Services send UTC; a naive value is UTC too, never the server's local time.
    local = value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=UTC).astimezone(zone)
    return local.strftime("%d.%m.%Y %H:%M")


def full_name(person: Any) -> str:
    """Return «Фамилия Имя Отчество» (no patronymic when there is none)."""
    parts = (person.last_name, person.first_name, person.middle_name)
    return " ".join(part for part in parts if part)


def discipline_label(discipline: Any) -> str:
    """Return «код — название», or just the name when the discipline has no code."""
    return f"{discipline.code} — {discipline.name}" if discipline.code else discipline.name
