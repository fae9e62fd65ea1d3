"""Tables of the archive database.

The audit log is read and written with Core, not mapped: verifying the chain streams the whole log
in batches, and identity-mapped ORM objects would only pile up in the session.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY

metadata = MetaData()

audit_log = Table(
    "audit_log",
    metadata,
    Column("sequence", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("actor_roles", ARRAY(Text), nullable=False),
    Column("action", Text, nullable=False),
    Column("resource_type", Text, nullable=False),
    Column("resource_id", Text, nullable=False),
    Column("subject_person_id", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("correlation_id", Text, nullable=False),
    Column("chain_hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Index("ix_audit_log_resource", "resource_type", "resource_id", "sequence"),
    Index("ix_audit_log_subject", "subject_person_id", "sequence"),
)
