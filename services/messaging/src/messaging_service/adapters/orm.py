"""Tables of the messaging database and their imperative mapping onto the domain classes."""

from __future__ import annotations

from chassis.db import ImperativeMapping
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Enum,
    Index,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry

from messaging_service.domain import model

metadata = MetaData()

notifications = Table(
    "notifications",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("recipient_id", UUID(as_uuid=True), nullable=False),
    Column(
        "kind",
        # Stored as text: new kinds of notification need no ALTER TYPE.
        Enum(
            model.NotificationKind,
            name="notification_kind",
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        ),
        nullable=False,
    ),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("discipline_id", UUID(as_uuid=True)),
    Column("mark_value", String(16)),
    Column("lesson_date", Date),
    Column("source_event_id", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("source_event_id", "recipient_id", name="uq_notifications_source_recipient"),
    Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
)

# Identity's parent↔student links, ids only: fed by identity.guardian.linked.v1 and by asking
# identity once per student (see `guardianship_students`). The key leads with the student: the
# notification handler reads a student's parents.
guardianships = Table(
    "guardianships",
    metadata,
    Column("student_id", UUID(as_uuid=True), primary_key=True),
    Column("parent_id", UUID(as_uuid=True), primary_key=True),
)

# Students whose links were fetched from identity once: from then on the events keep them current.
guardianship_students = Table(
    "guardianship_students",
    metadata,
    Column("student_id", UUID(as_uuid=True), primary_key=True),
    Column("fetched_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# ADR 0013: per guardian link, the date identity says the parent's access ends (NULL: no end known),
# fed by identity.parent_access.changed.v1 and identity's snapshot; the newest fact wins.
parent_access = Table(
    "parent_access",
    metadata,
    Column("student_id", UUID(as_uuid=True), primary_key=True),
    Column("parent_id", UUID(as_uuid=True), primary_key=True),
    Column("access_until", Date, nullable=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# The projections that caught up from their owner's snapshot once (name → when).
projection_catch_ups = Table(
    "projection_catch_ups",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("done_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


def _map(mapper: registry) -> None:
    mapper.map_imperatively(model.Notification, notifications)


start_mappers = ImperativeMapping(metadata, _map).start
"""Map the domain classes onto the tables, once per process."""
