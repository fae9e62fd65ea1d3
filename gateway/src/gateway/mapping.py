"""The one place where API strings meet protobuf enums, dates and timestamps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ejournal.identity.v1 import identity_pb2
from ejournal.journal.v1 import journal_pb2
from ejournal.messaging.v1 import messaging_pb2

from gateway.models import (
    AuditRecordOut,
    DisciplineKindName,
    DisciplineOut,
    GroupOut,
    MarkOut,
    MarkSummaryOut,
    NotificationKindName,
    NotificationOut,
    PersonCreated,
    PersonOut,
    RoleName,
    TeachingLoadOut,
    ValueCountOut,
)

ROLE_TO_PB: dict[RoleName, identity_pb2.Role.ValueType] = {
    RoleName.ADMIN: identity_pb2.ROLE_ADMIN,
    RoleName.DIRECTOR: identity_pb2.ROLE_DIRECTOR,
    RoleName.DEPUTY: identity_pb2.ROLE_DEPUTY,
    RoleName.CURATOR: identity_pb2.ROLE_CURATOR,
    RoleName.CLASS_TEACHER: identity_pb2.ROLE_CLASS_TEACHER,
    RoleName.TEACHER: identity_pb2.ROLE_TEACHER,
    RoleName.STUDENT: identity_pb2.ROLE_STUDENT,
    RoleName.PARENT: identity_pb2.ROLE_PARENT,
}
ROLE_FROM_PB: dict[int, RoleName] = {v: k for k, v in ROLE_TO_PB.items()}

KIND_TO_PB: dict[DisciplineKindName, journal_pb2.DisciplineKind.ValueType] = {
    DisciplineKindName.DISCIPLINE: journal_pb2.DISCIPLINE_KIND_DISCIPLINE,
    DisciplineKindName.MDK: journal_pb2.DISCIPLINE_KIND_MDK,
    DisciplineKindName.PM: journal_pb2.DISCIPLINE_KIND_PM,
    DisciplineKindName.UP: journal_pb2.DISCIPLINE_KIND_UP,
    DisciplineKindName.PP: journal_pb2.DISCIPLINE_KIND_PP,
}
KIND_FROM_PB: dict[int, DisciplineKindName] = {v: k for k, v in KIND_TO_PB.items()}

NOTIFICATION_KIND_FROM_PB: dict[int, NotificationKindName] = {
    messaging_pb2.NOTIFICATION_KIND_MARK_RECORDED: NotificationKindName.MARK_RECORDED,
}

UNSPECIFIED = "unspecified"

# Russian labels for the portal.
ROLE_LABELS: dict[str, str] = {
    RoleName.ADMIN: "Администратор",
    RoleName.DIRECTOR: "Директор",
    RoleName.DEPUTY: "Заместитель директора",
    RoleName.CURATOR: "Куратор",
    RoleName.CLASS_TEACHER: "Классный руководитель",
    RoleName.TEACHER: "Преподаватель",
    RoleName.STUDENT: "Студент",
    RoleName.PARENT: "Родитель (законный представитель)",
}
NOTIFICATION_LABELS: dict[str, str] = {
    NotificationKindName.MARK_RECORDED: "Новая оценка",
    NotificationKindName.UNSPECIFIED: "Уведомление",
}


def local_date(message: Any, field: str) -> date | None:
    """Return the LocalDate field of a message as a date, or None when unset or impossible."""
    if not message.HasField(field):
        return None
    value = getattr(message, field)
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        return None


def timestamp(message: Any, field: str) -> datetime | None:
    """Return the Timestamp field of a message as an aware UTC datetime, or None when unset."""
    if not message.HasField(field):
        return None
    result: datetime = getattr(message, field).ToDatetime(tzinfo=UTC)
    return result


def person_out(person: Any) -> PersonOut:
    """Map a Person."""
    return PersonOut(
        person_id=person.person_id,
        username=person.username,
        role=ROLE_FROM_PB.get(person.role, UNSPECIFIED),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        email=person.email,
    )


def person_created_out(response: Any) -> PersonCreated:
    """Map a CreatePersonResponse."""
    person = response.person
    return PersonCreated(
        person_id=person.person_id,
        username=person.username,
        role=ROLE_FROM_PB.get(person.role, UNSPECIFIED),
        temporary_password=response.temporary_password,
    )


def group_out(group: Any) -> GroupOut:
    """Map a Group."""
    return GroupOut(group_id=group.group_id, name=group.name)


def discipline_out(discipline: Any) -> DisciplineOut:
    """Map a Discipline."""
    return DisciplineOut(
        discipline_id=discipline.discipline_id,
        code=discipline.code,
        name=discipline.name,
        kind=KIND_FROM_PB.get(discipline.kind, UNSPECIFIED),
    )


def load_out(load: Any) -> TeachingLoadOut:
    """Map a TeachingLoad."""
    return TeachingLoadOut(
        load_id=load.load_id,
        teacher_id=load.teacher_id,
        group_id=load.group_id,
        discipline_id=load.discipline_id,
    )


def mark_out(mark: Any) -> MarkOut:
    """Map a Mark."""
    return MarkOut(
        mark_id=mark.mark_id,
        student_id=mark.student_id,
        group_id=mark.group_id,
        discipline_id=mark.discipline_id,
        teacher_id=mark.teacher_id,
        lesson_date=local_date(mark, "lesson_date"),
        value=mark.value,
        recorded_at=timestamp(mark, "recorded_at"),
    )


def notification_out(notification: Any) -> NotificationOut:
    """Map a Notification."""
    return NotificationOut(
        notification_id=notification.notification_id,
        recipient_id=notification.recipient_id,
        kind=NOTIFICATION_KIND_FROM_PB.get(notification.kind, NotificationKindName.UNSPECIFIED),
        student_id=notification.student_id,
        discipline_id=notification.discipline_id,
        mark_value=notification.mark_value,
        lesson_date=local_date(notification, "lesson_date"),
        source_event_id=notification.source_event_id,
        created_at=timestamp(notification, "created_at"),
    )


def summary_out(summary: Any) -> MarkSummaryOut:
    """Map a GetGroupMarkSummaryResponse."""
    return MarkSummaryOut(
        group_id=summary.group_id,
        marks_count=summary.marks_count,
        counts=[ValueCountOut(value=c.value, count=c.count) for c in summary.counts],
        last_recorded_at=timestamp(summary, "last_recorded_at"),
    )


def audit_out(record: Any) -> AuditRecordOut:
    """Map an AuditRecord."""
    return AuditRecordOut(
        sequence=record.sequence,
        event_id=record.event_id,
        occurred_at=timestamp(record, "occurred_at"),
        actor_id=record.actor_id,
        action=record.action,
        resource_type=record.resource_type,
        resource_id=record.resource_id,
        subject_person_id=record.subject_person_id,
        service=record.service,
        correlation_id=record.correlation_id,
        chain_hash=record.chain_hash,
    )
