"""Thin gRPC servicer: proto → query → handler → proto. No SQL, no rules."""

from __future__ import annotations

from typing import Any

from chassis.principal import require_principal as _actor
from chassis.validation import parse_uuid as _id
from ejournal.reports.v1 import reports_service_pb2 as pb
from ejournal.reports.v1 import reports_service_pb2_grpc as pb_grpc

from reports_service.api import mappers
from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers

Context = Any


class ReportsServicer(pb_grpc.ReportsServiceServicer):
    """gRPC face of reports' use cases."""

    def __init__(self, handlers: ReportsHandlers) -> None:
        self._h = handlers

    async def GetGroupMarkSummary(
        self, request: pb.GetGroupMarkSummaryRequest, context: Context
    ) -> pb.GetGroupMarkSummaryResponse:
        query = commands.GetGroupMarkSummary(group_id=_id(request.group_id, "group_id"))
        return mappers.summary_to_pb(await self._h.group_mark_summary(query, _actor()))
