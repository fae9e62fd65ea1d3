"""The archive's unit of work: the chassis transaction plus the audit log repository."""

from __future__ import annotations

from chassis.uow import UnitOfWork

from archive_service.adapters.repositories import AuditLogRepository


class ArchiveUnitOfWork(UnitOfWork):
    """One transaction over the archive database."""

    audit_log: AuditLogRepository

    def _open(self) -> None:
        self.audit_log = AuditLogRepository(self.session)
