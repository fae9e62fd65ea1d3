"""Conversions between protobuf messages and messaging's domain objects."""

from __future__ import annotations

from ejournal.common.v1 import common_pb2
from ejournal.messaging.v1 import messaging_pb2 as pb

from messaging_service.domain import model

_KIND_TO_PB = {
    model.NotificationKind.MARK_RECORDED: pb.NOTIFICATION_KIND_MARK_RECORDED,
    model.NotificationKind.MARK_CHANGED: pb.NOTIFICATION_KIND_MARK_CHANGED,
    model.NotificationKind.MARK_REMOVED: pb.NOTIFICATION_KIND_MARK_REMOVED,
}


def notification_to_pb(notification: model.Notification) -> pb.Notification:
    """Map a notification."""
    message = pb.Notification(
        notification_id=str(notification.id),
        recipient_id=str(notification.recipient_id),
        kind=_KIND_TO_PB.get(notification.kind, pb.NOTIFICATION_KIND_UNSPECIFIED),
        student_id=str(notification.student_id),
        discipline_id=str(notification.discipline_id or ""),
        mark_value=notification.mark_value or "",
        source_event_id=notification.source_event_id,
    )
    if notification.lesson_date is not None:
        day = notification.lesson_date
        message.lesson_date.CopyFrom(common_pb2.LocalDate(year=day.year, month=day.month, day=day.day))
    if notification.created_at is not None:
        message.created_at.FromDatetime(notification.created_at)
    return message
