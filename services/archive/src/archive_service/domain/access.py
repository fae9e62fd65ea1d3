"""Who may read and verify the audit log. Coarse roles come from the token."""

from __future__ import annotations

from chassis.principal import Principal

from archive_service.domain import errors

AUDIT_READER_ROLES = ("admin", "director")
AUDIT_VERIFIER_ROLES = ("admin",)


def require_audit_reader(principal: Principal) -> None:
    """Raise RoleRequired unless the principal may read the audit log."""
    if not principal.has_any(*AUDIT_READER_ROLES):
        raise errors.RoleRequired("журнал аудита доступен администратору и директору")


def subject_of(principal: Principal, requested: str) -> str:
    """Return whose records the caller asks for: themself when `requested` is empty or theirs."""
    return requested or principal.subject


def may_ask_as_guardian(principal: Principal, subject: str) -> bool:
    """Return True when the caller asks about someone else and could be that person's parent
    (identity then decides); anyone else asking about another person is refused."""
    return subject != principal.subject and principal.has_any("parent") and not principal.is_service


def require_audit_verifier(principal: Principal) -> None:
    """Raise RoleRequired unless the principal may verify the audit chain."""
    if not principal.has_any(*AUDIT_VERIFIER_ROLES):
        raise errors.RoleRequired("проверку целостности журнала аудита выполняет администратор")
