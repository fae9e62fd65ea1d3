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


def require_audit_verifier(principal: Principal) -> None:
    """Raise RoleRequired unless the principal may verify the audit chain."""
    if not principal.has_any(*AUDIT_VERIFIER_ROLES):
        raise errors.RoleRequired("проверку целостности журнала аудита выполняет администратор")
