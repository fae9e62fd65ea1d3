"""The caller's notifications (MessagingService): route, bodies and mapping."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ejournal.messaging.v1 import messaging_pb2
from ejournal.messaging.v1 import messaging_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, date_of, instant_of, page_size_query

NOTIFICATION_KINDS = ProtoEnum(messaging_pb2.NotificationKind)


class NotificationOut(BaseModel):
    """Уведомление."""

    notification_id: str = Field(description="Идентификатор уведомления")
    recipient_id: str = Field(description="Получатель")
    kind: str = Field(description=NOTIFICATION_KINDS.describe("О чём уведомление") + " (unspecified — иное)")
    student_id: str = Field(description="Обучающийся, о котором уведомление")
    discipline_id: str = Field(description="Дисциплина (для оценок)")
    mark_value: str = Field(description="Отметка (для оценок)")
    lesson_date: date | None = Field(description="Дата занятия (для оценок)")
    source_event_id: str = Field(description="Событие, породившее уведомление")
    created_at: datetime | None = Field(description="Когда создано, UTC")


class NotificationList(BaseModel):
    """Уведомления, новые первыми."""

    notifications: list[NotificationOut]


def notification_out(notification: messaging_pb2.Notification) -> NotificationOut:
    """Map a Notification."""
    return NotificationOut(
        notification_id=notification.notification_id,
        recipient_id=notification.recipient_id,
        kind=NOTIFICATION_KINDS.name_of(notification.kind),
        student_id=notification.student_id,
        discipline_id=notification.discipline_id,
        mark_value=notification.mark_value,
        lesson_date=date_of(notification.lesson_date),
        source_event_id=notification.source_event_id,
        created_at=instant_of(notification.created_at, present=notification.HasField("created_at")),
    )


router = APIRouter(tags=["Я"])


@router.get("/me/notifications", summary="Мои уведомления")
async def my_notifications(
    caller: Caller,
    clients: Clients,
    page_size: Annotated[int | None, page_size_query(200)] = None,
) -> NotificationList:
    """Уведомления вызывающего, новые первыми."""
    request = pb.ListNotificationsRequest(page_size=page_size or 0)
    response = await call(clients.messaging.ListNotifications, request, caller.token)
    return NotificationList(notifications=[notification_out(n) for n in response.notifications])
