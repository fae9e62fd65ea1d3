"""Thin gRPC servicer: proto → query → handler → proto. No SQL, no rules."""

from __future__ import annotations

from typing import Any

from chassis.principal import require_principal as _actor
from ejournal.messaging.v1 import messaging_service_pb2 as pb
from ejournal.messaging.v1 import messaging_service_pb2_grpc as pb_grpc

from messaging_service.api import mappers
from messaging_service.application import commands
from messaging_service.application.handlers import MessagingHandlers

Context = Any


class MessagingServicer(pb_grpc.MessagingServiceServicer):
    """gRPC face of messaging's use cases."""

    def __init__(self, handlers: MessagingHandlers) -> None:
        self._h = handlers

    async def ListNotifications(
        self, request: pb.ListNotificationsRequest, context: Context
    ) -> pb.ListNotificationsResponse:
        query = commands.ListNotifications(page_size=request.page_size)
        notifications = await self._h.list_notifications(query, _actor())
        return pb.ListNotificationsResponse(
            notifications=[mappers.notification_to_pb(n) for n in notifications]
        )
