"""Conversions between protobuf messages and reports' domain objects."""

from __future__ import annotations

from ejournal.reports.v1 import reports_service_pb2 as pb

from reports_service.domain import model


def summary_to_pb(summary: model.GroupMarkSummary) -> pb.GetGroupMarkSummaryResponse:
    """Map a group's mark summary."""
    message = pb.GetGroupMarkSummaryResponse(
        group_id=str(summary.group_id),
        marks_count=summary.marks_count,
        counts=[pb.ValueCount(value=c.value, count=c.count) for c in summary.counts],
    )
    if summary.last_recorded_at is not None:
        message.last_recorded_at.FromDatetime(summary.last_recorded_at)
    return message
