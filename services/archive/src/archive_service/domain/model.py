"""The audit log: one record per audited action, ids only (152-ФЗ, R1.6)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chassis import validation

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass
class AuditRecord:
    """One entry of the append-only audit log; `sequence` and the hashes are set when it is appended."""

    event_id: str
    occurred_at: datetime
    actor_id: str
    actor_roles: list[str]
    action: str
    resource_type: str
    resource_id: str
    subject_person_id: str
    service: str
    correlation_id: str
    prev_hash: str = ""
    chain_hash: str = ""
    sequence: int | None = field(default=None)


def new_audit_record(
    *,
    event_id: str,
    occurred_at: datetime,
    actor_id: str,
    actor_roles: Iterable[str],
    action: str,
    resource_type: str,
    resource_id: str,
    subject_person_id: str,
    service: str,
    correlation_id: str,
) -> AuditRecord:
    """Return a record in its canonical form: an aware UTC instant and sorted, distinct roles."""
    instant = occurred_at if occurred_at.tzinfo is not None else occurred_at.replace(tzinfo=UTC)
    return AuditRecord(
        event_id=event_id,
        occurred_at=instant.astimezone(UTC),
        actor_id=actor_id,
        actor_roles=sorted(set(actor_roles)),
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        subject_person_id=subject_person_id,
        service=service,
        correlation_id=correlation_id,
    )


def page_size(requested: int) -> int:
    """Return how many records to list: 0 means the default, otherwise 1..MAX_PAGE_SIZE."""
    return validation.page_size(requested, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
