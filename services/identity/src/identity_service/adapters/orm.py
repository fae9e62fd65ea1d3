"""Tables of the identity database and their imperative mapping onto the domain classes."""

from __future__ import annotations

from chassis.db import ImperativeMapping
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    String,
    Table,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry

from identity_service.domain import life_cycle, model

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
    # Migration 0004: optional; none recorded → a student is treated as a minor (domain/parent_access.py).
    Column("birth_date", Date, nullable=True),
)

guardianships = Table(
    "guardianships",
    metadata,
    Column("parent_id", UUID(as_uuid=True), ForeignKey("people.id"), primary_key=True),
    Column("student_id", UUID(as_uuid=True), ForeignKey("people.id"), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_guardianships_student", "student_id"),
)

# Migration 0003: the account life cycle; no row means enabled and never changed.
account_states = Table(
    "account_states",
    metadata,
    Column("person_id", UUID(as_uuid=True), ForeignKey("people.id"), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column(
        "disabled_reason",
        Enum(
            life_cycle.DisabledReason,
            name="account_disabled_reason",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        nullable=True,
    ),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("changed_by", String(64), nullable=False),
    Column("last_movement_on", Date, nullable=True),
    CheckConstraint("enabled = (disabled_reason IS NULL)", name="ck_account_states_reason"),
)

# Migration 0004: an adult student's consent to a linked parent's access (NULL withdrawn_at: in force).
parent_access_consents = Table(
    "parent_access_consents",
    metadata,
    Column("student_id", UUID(as_uuid=True), primary_key=True),
    Column("parent_id", UUID(as_uuid=True), primary_key=True),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    ForeignKeyConstraint(
        ["parent_id", "student_id"],
        ["guardianships.parent_id", "guardianships.student_id"],
        name="fk_parent_access_consents_guardianship",
    ),
    CheckConstraint(
        "withdrawn_at IS NULL OR withdrawn_at >= granted_at", name="ck_parent_access_consents_order"
    ),
)


# Migration 0006 (slice H1): identity's projection of the journal's groups and memberships, fed only
# by the journal's events, and when a password was last issued to each person.
group_class_teachers = Table(
    "group_class_teachers",
    metadata,
    Column("group_id", UUID(as_uuid=True), primary_key=True),
    Column("class_teacher_id", UUID(as_uuid=True), nullable=True, index=True),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", UUID(as_uuid=True), primary_key=True),
    Column("student_id", UUID(as_uuid=True), primary_key=True, index=True),
    Column("from_date", Date, primary_key=True),
    Column("to_date", Date, nullable=True),
)

# Migration 0008: who teaches in which group, one row per teaching load the journal announced.
group_teachers = Table(
    "group_teachers",
    metadata,
    Column("load_id", UUID(as_uuid=True), primary_key=True),
    Column("teacher_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("group_id", UUID(as_uuid=True), nullable=False),
)

credential_issues = Table(
    "credential_issues",
    metadata,
    Column("person_id", UUID(as_uuid=True), ForeignKey("people.id"), primary_key=True),
    Column("issued_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("issued_by", String(64), nullable=False),
)
# Migration 0005 (slice H4, ADR 0012): scoped role assignments; revoked ones are kept.
role_assignments = Table(
    "role_assignments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("person_id", UUID(as_uuid=True), ForeignKey("people.id"), nullable=False, index=True),
    Column(
        "role",
        Enum(
            model.Role, name="person_role", values_callable=lambda e: [m.value for m in e], create_type=False
        ),
        nullable=False,
    ),
    Column("scope_kind", String(24), nullable=False),
    Column("scope_id", UUID(as_uuid=True), nullable=True),
    Column("discipline_id", UUID(as_uuid=True), nullable=True),
    Column("assigned_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("assigned_by", String(64), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_by", String(64), nullable=True),
)


def _map(mapper: registry) -> None:
    mapper.map_imperatively(
        model.Person, people, properties={"created_at": people.c.created_at}, eager_defaults=True
    )


start_mappers = ImperativeMapping(metadata, _map).start
"""Map the domain classes onto the tables, once per process."""
