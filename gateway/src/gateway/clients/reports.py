"""Client of the reports service."""

from __future__ import annotations

from typing import Any

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT
from ejournal.reports.v1 import reports_service_pb2 as pb
from ejournal.reports.v1 import reports_service_pb2_grpc

from gateway.clients.base import ServiceClient


class ReportsClient(ServiceClient):
    """Call ReportsService on behalf of the bearer of a token."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self._stub = reports_service_pb2_grpc.ReportsServiceStub(channel)

    async def group_mark_summary(self, token: str, group_id: str) -> Any:
        """Return the GetGroupMarkSummaryResponse of a group."""
        request = pb.GetGroupMarkSummaryRequest(group_id=group_id)
        return await self._stub.GetGroupMarkSummary(request, **self._options(token))
