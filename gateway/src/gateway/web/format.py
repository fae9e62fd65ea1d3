"""How the portal writes dates, times, names, disciplines, roles and notifications for Russian readers."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Protocol

from ejournal.identity.v1 import identity_pb2
from ejournal.messaging.v1 import messaging_pb2

from gateway.resources.common import UNSPECIFIED
from gateway.resources.notifications import NOTIFICATION_KINDS
from gateway.resources.people import ROLES

# Keyed by the proto's values, so a renamed or removed value cannot leave a label behind unnoticed.
ROLE_LABELS: dict[str, str] = {
    ROLES.name_of(identity_pb2.ROLE_ADMIN): "Администратор",
    ROLES.name_of(identity_pb2.ROLE_DIRECTOR): "Директор",
    ROLES.name_of(identity_pb2.ROLE_DEPUTY): "Заместитель директора",
    ROLES.name_of(identity_pb2.ROLE_CURATOR): "Куратор",
    ROLES.name_of(identity_pb2.ROLE_CLASS_TEACHER): "Классный руководитель",
    ROLES.name_of(identity_pb2.ROLE_TEACHER): "Преподаватель",
    ROLES.name_of(identity_pb2.ROLE_STUDENT): "Студент",
    ROLES.name_of(identity_pb2.ROLE_PARENT): "Родитель (законный представитель)",
    ROLES.name_of(identity_pb2.ROLE_HEAD_OF_COMMISSION): "Председатель ПЦК",
    ROLES.name_of(identity_pb2.ROLE_MASTER): "Мастер производственного обучения",
}
NOTIFICATION_LABELS: dict[str, str] = {
    NOTIFICATION_KINDS.name_of(messaging_pb2.NOTIFICATION_KIND_MARK_RECORDED): "Новая оценка",
    NOTIFICATION_KINDS.name_of(messaging_pb2.NOTIFICATION_KIND_MARK_CHANGED): "Оценка исправлена",
    NOTIFICATION_KINDS.name_of(messaging_pb2.NOTIFICATION_KIND_MARK_REMOVED): "Оценка удалена",
    UNSPECIFIED: "Уведомление",
}


class Named(Protocol):
    """Anything with a person's name parts (a PersonOut, say)."""

    last_name: str
    first_name: str
    middle_name: str


class Coded(Protocol):
    """Anything with a discipline's code and name (a DisciplineOut, say)."""

    code: str
    name: str


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


def full_name(person: Named) -> str:
    """Return «Фамилия Имя Отчество» (no patronymic when there is none)."""
    parts = (person.last_name, person.first_name, person.middle_name)
    return " ".join(part for part in parts if part)


def discipline_label(discipline: Coded) -> str:
    """Return «код — название», or just the name when the discipline has no code."""
    return f"{discipline.code} — {discipline.name}" if discipline.code else discipline.name
