"""Who may do what in the journal (R1.4). Coarse roles come from the token; scope is checked here."""

from __future__ import annotations

import uuid

from chassis.errors import PermissionDenied
from chassis.principal import Principal

from journal_service.domain import errors

ADMIN = "admin"
TEACHER = "teacher"
CLASS_TEACHER = "class_teacher"
STUDENT = "student"
PARENT = "parent"
# Administration reads every journal, read-only (§4.6.1, §4.7.2).
READ_ALL_ROLES = ("admin", "director", "deputy", "curator")


def require_admin(principal: Principal, what: str) -> None:
    """Raise RoleRequired unless the principal is the journal administrator."""
    if not principal.has_any(ADMIN):
        raise errors.RoleRequired(what)


def require_teacher(principal: Principal) -> None:
    """Raise RoleRequired unless the principal is a teacher."""
    if not principal.has_any(TEACHER):
        raise errors.RoleRequired("отметки выставляет преподаватель")


def person_id(principal: Principal) -> uuid.UUID:
    """Return the principal's person id; service accounts and odd subjects are refused."""
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        raise PermissionDenied("Действие доступно только пользователю", code="person_required") from None
