"""The identity model: people, their roles and parent↔student links («родитель (законный представитель)»)."""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from identity_service.domain import errors

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
# Letters of any alphabet (Cyrillic, Latin), words joined by one space, hyphen or apostrophe:
# «Мамин-Сибиряк», «Д'Артаньян», «Анна Мария».
_NAME = re.compile(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)*")
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"  # local part, ASCII as Keycloak accepts it
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class Role(enum.StrEnum):
    """A role a person holds in the college (§1.7, §4); the value is the Keycloak realm role."""

    ADMIN = "admin"
    DIRECTOR = "director"
    DEPUTY = "deputy"
    CURATOR = "curator"
    CLASS_TEACHER = "class_teacher"
    TEACHER = "teacher"
    STUDENT = "student"
    PARENT = "parent"
    # Slice H4 (issue 8 item 1, migration 0005): «руководитель ПЦК» and «мастер производственного обучения».
    HEAD_OF_COMMISSION = "head_of_commission"
    MASTER = "master"


@dataclass(frozen=True)
class PersonDetails:
    """The checked, normalised name and contact of a person to be created."""

    last_name: str
    first_name: str
    middle_name: str
    email: str | None

    @classmethod
    def parse(cls, *, last_name: str, first_name: str, middle_name: str, email: str) -> PersonDetails:
        """Return the details with names and e-mail checked, or raise the error of the first bad field."""
        return cls(
            last_name=_name(last_name, "last_name", "фамилию", "Фамилия", required=True),
            first_name=_name(first_name, "first_name", "имя", "Имя", required=True),
            middle_name=_name(middle_name, "middle_name", "отчество", "Отчество", required=False),
            email=_email(email),
        )


@dataclass
class Person:
    """A person known to the college; the id is their Keycloak subject id."""

    id: uuid.UUID
    username: str
    role: Role
    last_name: str
    first_name: str
    middle_name: str = ""
    email: str | None = None
    created_at: datetime | None = field(default=None)
    # Optional (migration 0004); decides when a student comes of age (domain/parent_access.py).
    birth_date: date | None = field(default=None)


@dataclass(frozen=True)
class Guardianship:
    """A parent (legal representative) linked to a student."""

    parent_id: uuid.UUID
    student_id: uuid.UUID


def new_person(*, person_id: uuid.UUID, username: str, role: Role, details: PersonDetails) -> Person:
    """Create a person from checked details."""
    return Person(
        id=person_id,
        username=username,
        role=role,
        last_name=details.last_name,
        first_name=details.first_name,
        middle_name=details.middle_name,
        email=details.email,
    )


def new_guardianship(parent: Person | None, student: Person | None) -> Guardianship:
    """Link a parent to a student after checking that both exist and hold the right roles."""
    if parent is None:
        raise errors.ParentNotFound()
    if student is None:
        raise errors.StudentNotFound()
    if parent.role is not Role.PARENT:
        raise errors.PersonNotParent()
    if student.role is not Role.STUDENT:
        raise errors.PersonNotStudent()
    return Guardianship(parent_id=parent.id, student_id=student.id)


def _name(value: str, field: str, accusative: str, title: str, *, required: bool) -> str:
    text = " ".join((value or "").split())
    if not text:
        if required:
            raise errors.NameMissing(field, accusative)
        return ""
    if len(text) > NAME_MAX_LENGTH:
        raise errors.NameTooLong(field, title, NAME_MAX_LENGTH)
    if not _NAME.fullmatch(text):
        raise errors.NameInvalid(field, title)
    return text


def _email(value: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(text):
        raise errors.EmailInvalid()
    local, _, domain = text.rpartition("@")
    # Domains are case-insensitive; the local part is kept as typed.
    return f"{local}@{domain.lower()}"
