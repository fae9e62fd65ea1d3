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
from reports_service.application.substitutions import GetSubstitutionReport

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

    async def GetSubstitutionReport(
        self, request: pb.GetSubstitutionReportRequest, context: Context
    ) -> pb.GetSubstitutionReportResponse:
        query = GetSubstitutionReport(
            date_from=mappers.date_from_pb(request.date_from, "date_from"),
            date_to=mappers.date_from_pb(request.date_to, "date_to"),
        )
        return mappers.substitution_report_to_pb(await self._h.substitutions.report(query, _actor()))
