"""Tables of the reports database (read models fed by events) and their imperative mapping."""

from __future__ import annotations

from chassis.db import ImperativeMapping
from sqlalchemy import Boolean, Column, Date, DateTime, Index, Integer, MetaData, String, Table, false
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry

from reports_service.domain import model

metadata = MetaData()

mark_facts = Table(
    "mark_facts",
    metadata,
    Column("mark_id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), nullable=False),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("value", String(16), nullable=False),
    Column("lesson_date", Date, nullable=False),
    # When the journal recorded the mark (the event's occurred_at), not when reports learnt of it.
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("event_id", String(64), nullable=False),
    # Migration 0002: a removed mark (journal.mark.removed.v1) stays, uncounted, so it never comes back.
    Column("removed", Boolean, nullable=False, server_default=false()),
    Index("ix_mark_facts_group_value", "group_id", "value"),
)

# Migration 0003 (slice L): substitutions, ids and the slot; a cancelled one stays, flagged.
substitution_facts = Table(
    "substitution_facts",
    metadata,
    Column("substitution_id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), nullable=False),
    Column("lesson_date", Date, nullable=False),
    Column("pair_number", Integer, nullable=False),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("substitute_teacher_id", UUID(as_uuid=True), nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default=false()),
    Index("ix_substitution_facts_date", "lesson_date"),
)


def _map(mapper: registry) -> None:
    mapper.map_imperatively(model.MarkFact, mark_facts)


start_mappers = ImperativeMapping(metadata, _map).start
"""Map the domain classes onto the tables, once per process."""
