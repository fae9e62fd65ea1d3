"""Tables of the identity database and their imperative mapping onto the domain classes."""

from __future__ import annotations

from chassis.db import ImperativeMapping
from sqlalchemy import Column, DateTime, Enum, ForeignKey, Index, MetaData, String, Table, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry

from identity_service.domain import model

metadata = MetaData()

people = Table(
    "people",
    metadata,
    # The Keycloak user id: one id for a person across every service.
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column(
        "role",
        Enum(model.Role, name="person_role", values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    ),
    Column("last_name", String(100), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("middle_name", String(100), nullable=False, server_default=""),
    Column("email", String(254)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

guardianships = Table(
    "guardianships",
    metadata,
    Column("parent_id", UUID(as_uuid=True), ForeignKey("people.id"), primary_key=True),
    Column("student_id", UUID(as_uuid=True), ForeignKey("people.id"), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_guardianships_student", "student_id"),
)


def _map(mapper: registry) -> None:
    mapper.map_imperatively(
        model.Person, people, properties={"created_at": people.c.created_at}, eager_defaults=True
    )


start_mappers = ImperativeMapping(metadata, _map).start
"""Map the domain classes onto the tables, once per process."""
