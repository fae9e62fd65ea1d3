"""The journal's groups and memberships on the wire (slice H1): journal.group.created.v1,
journal.group.updated.v1, journal.enrollment.created.v1, journal.student.moved.v1, and the teaching
loads (journal.load.assigned.v1, journal.load.removed.v1) turned into commands of identity's
projection, each under its own durable consumer."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from chassis.consumer import Subscription, local_date_or_poison, uuid_or_poison
from chassis.events import Delivery
from ejournal.journal.v1 import events_pb2 as journal_events

from identity_service.application.group_scope import (
    GroupScopeProjection,
    RecordGroup,
    RecordLoad,
    RecordMembership,
    membership_command,
)

log = logging.getLogger(__name__)
GROUPS_CREATED = "identity-group-scope-created"
GROUPS_UPDATED = "identity-group-scope-updated"
STUDENTS_ENROLLED = "identity-group-scope-enrolled"
STUDENTS_MOVED = "identity-group-scope-moved"
LOADS_ASSIGNED = "identity-group-scope-load-assigned"
LOADS_REMOVED = "identity-group-scope-load-removed"


def _optional_id(value: str, field: str) -> uuid.UUID | None:
    return uuid_or_poison(value, field) if value else None


def group_created_command(event: journal_events.GroupCreated) -> RecordGroup:
    """Turn a group's creation into the projection's command."""
    return RecordGroup(
        group_id=uuid_or_poison(event.group_id, "group_id"),
        class_teacher_id=_optional_id(event.class_teacher_id, "class_teacher_id"),
        created=True,
    )


def group_updated_command(event: journal_events.GroupUpdated) -> RecordGroup:
    """Turn a group's change into the projection's command (its class teacher as it is now)."""
    return RecordGroup(
        group_id=uuid_or_poison(event.group_id, "group_id"),
        class_teacher_id=_optional_id(event.class_teacher_id, "class_teacher_id"),
        created=False,
    )


def enrolled_command(event: journal_events.StudentEnrolled) -> RecordMembership:
    """Turn an enrolment into a stay in the group from its first day (events from before student
    movement carry none: the stay is taken as open since the event's day)."""
    on_date = (
        local_date_or_poison(event.enrolled_on, "enrolled_on")
        if event.HasField("enrolled_on")
        else event.occurred_at.ToDatetime().date()
    )
    return membership_command(
        uuid_or_poison(event.student_id, "student_id"),
        None,
        uuid_or_poison(event.group_id, "group_id"),
        on_date,
    )


def load_assigned_command(event: journal_events.TeachingLoadAssigned) -> RecordLoad:
    """Turn a teaching load given into the projection's command."""
    return RecordLoad(
        load_id=uuid_or_poison(event.load_id, "load_id"),
        teacher_id=uuid_or_poison(event.teacher_id, "teacher_id"),
        group_id=uuid_or_poison(event.group_id, "group_id"),
    )


def load_removed_command(event: journal_events.TeachingLoadRemoved) -> RecordLoad:
    """Turn a teaching load removed into the projection's command."""
    return RecordLoad(load_id=uuid_or_poison(event.load_id, "load_id"), teacher_id=None, group_id=None)


def moved_command(event: journal_events.StudentMoved) -> RecordMembership:
    """Turn a movement into the group left and the group joined."""
    return membership_command(
        uuid_or_poison(event.student_id, "student_id"),
        _optional_id(event.from_group_id, "from_group_id"),
        _optional_id(event.to_group_id, "to_group_id"),
        local_date_or_poison(event.on_date, "on_date"),
    )


def group_scope_subscriptions(projection: GroupScopeProjection) -> list[Subscription[Any]]:
    """The six durable consumers that keep the projection, each event once, one at a time."""

    async def created(event: journal_events.GroupCreated, delivery: Delivery) -> None:
        await projection.record_group(group_created_command(event), delivery)

    async def updated(event: journal_events.GroupUpdated, delivery: Delivery) -> None:
        await projection.record_group(group_updated_command(event), delivery)

    async def enrolled(event: journal_events.StudentEnrolled, delivery: Delivery) -> None:
        await projection.record_membership(enrolled_command(event), delivery)

    async def moved(event: journal_events.StudentMoved, delivery: Delivery) -> None:
        await projection.record_membership(moved_command(event), delivery)

    async def load_assigned(event: journal_events.TeachingLoadAssigned, delivery: Delivery) -> None:
        await projection.record_load(load_assigned_command(event), delivery)

    async def load_removed(event: journal_events.TeachingLoadRemoved, delivery: Delivery) -> None:
        await projection.record_load(load_removed_command(event), delivery)

    subscriptions: list[Subscription[Any]] = [
        Subscription(journal_events.GroupCreated, GROUPS_CREATED, created, concurrency=1),
        Subscription(journal_events.GroupUpdated, GROUPS_UPDATED, updated, concurrency=1),
        Subscription(journal_events.StudentEnrolled, STUDENTS_ENROLLED, enrolled, concurrency=1),
        Subscription(journal_events.StudentMoved, STUDENTS_MOVED, moved, concurrency=1),
        Subscription(journal_events.TeachingLoadAssigned, LOADS_ASSIGNED, load_assigned, concurrency=1),
        Subscription(journal_events.TeachingLoadRemoved, LOADS_REMOVED, load_removed, concurrency=1),
    ]
    return subscriptions
