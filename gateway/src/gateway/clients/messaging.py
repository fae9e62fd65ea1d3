"""Client of the messaging service: the caller's notifications."""

from __future__ import annotations

from typing import Any

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT
from ejournal.messaging.v1 import messaging_service_pb2 as pb
from ejournal.messaging.v1 import messaging_service_pb2_grpc

from gateway.clients.base import ServiceClient


class MessagingClient(ServiceClient):
    """Call MessagingService on behalf of the bearer of a token."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self._stub = messaging_service_pb2_grpc.MessagingServiceStub(channel)

    async def list_notifications(self, token: str, *, page_size: int = 0) -> list[Any]:
        """Return the caller's own notifications, newest first (0 = the service's default page)."""
        request = pb.ListNotificationsRequest(page_size=page_size)
        response = await self._stub.ListNotifications(request, **self._options(token))
        return list(response.notifications)
