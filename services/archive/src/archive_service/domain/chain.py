"""The hash chain of the audit log: each record's hash covers the previous hash and the record.

chain_hash = sha256(prev_hash ‖ canonical(record)), hex; the first record's prev_hash is 64 zeros.
canonical(record) is UTF-8 JSON of the record's fields (not its sequence or hashes) with sorted
keys, no spaces, and the instant as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds: what PostgreSQL
keeps). Changing, removing or reordering any record breaks the chain from that record on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from archive_service.domain.model import AuditRecord

GENESIS_HASH = "0" * 64


def canonical(record: AuditRecord) -> bytes:
    """Return the bytes of the record that its hash covers."""
    fields = {
        "event_id": record.event_id,
        "occurred_at": record.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": record.actor_id,
        "actor_roles": list(record.actor_roles),
        "action": record.action,
        "resource_type": record.resource_type,
        "resource_id": record.resource_id,
        "subject_person_id": record.subject_person_id,
        "service": record.service,
        "correlation_id": record.correlation_id,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def chain_hash(prev_hash: str, record: AuditRecord) -> str:
    """Return the hash that links the record to the one before it."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(record)).hexdigest()


def link(record: AuditRecord, prev_hash: str) -> AuditRecord:
    """Attach the record to the end of the chain whose last hash is `prev_hash`."""
    record.prev_hash = prev_hash
    record.chain_hash = chain_hash(prev_hash, record)
    return record


@dataclass
class ChainVerification:
    """Walk the log in sequence order and find the first record whose links do not hold."""

    expected_prev: str = GENESIS_HASH
    records_checked: int = 0
    first_broken_sequence: int | None = None

    @property
    def intact(self) -> bool:
        """Return True while no broken record has been found."""
        return self.first_broken_sequence is None

    def check(self, record: AuditRecord) -> bool:
        """Check the next record; return False (and remember it) once the chain is broken."""
        if not self.intact:
            return False
        self.records_checked += 1
        if record.prev_hash != self.expected_prev or record.chain_hash != chain_hash(
            record.prev_hash, record
        ):
            self.first_broken_sequence = record.sequence or 0
            return False
        self.expected_prev = record.chain_hash
        return True
