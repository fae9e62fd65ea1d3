"""Commands and queries of the archive: small immutable requests to the application layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AppendAuditRecord:
    """Append one audited action, as a service reported it, to the audit log."""

    event_id: str
    occurred_at: datetime
    actor_id: str
    actor_roles: tuple[str, ...]
    action: str
    resource_type: str
    resource_id: str
    subject_person_id: str
    service: str
    correlation_id: str


@dataclass(frozen=True)
class ListAuditRecordsAboutMe:
    """Query the records about the caller, or about the caller's child (152-ФЗ subject access)."""

    subject_person_id: str = ""
    page_size: int = 0
    before_sequence: int = 0
    export: bool = False


@dataclass(frozen=True)
class ListAuditRecords:
    """Query the audit log, newest first; empty filters match everything."""

    resource_type: str = ""
    resource_id: str = ""
    subject_person_id: str = ""
    page_size: int = 0
    before_sequence: int = 0
