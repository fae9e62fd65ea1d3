"""Conversions between protobuf messages and reports' domain objects."""

from __future__ import annotations

from datetime import date

from chassis.errors import InvalidArgument
from ejournal.common.v1 import common_pb2
from ejournal.reports.v1 import reports_service_pb2 as pb

from reports_service.domain import model, substitutions


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


def date_from_pb(value: common_pb2.LocalDate, field: str) -> date:
    """Return a date or raise InvalidArgument naming the field (an unset date is refused too)."""
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise InvalidArgument(f"Поле «{field}» должно быть датой", code=f"invalid_{field}") from None


def _local_date(value: date) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=value.year, month=value.month, day=value.day)


def substitution_report_to_pb(report: substitutions.SubstitutionReport) -> pb.GetSubstitutionReportResponse:
    """Map the substitution report of a period (ids only)."""
    return pb.GetSubstitutionReportResponse(
        date_from=_local_date(report.date_from),
        date_to=_local_date(report.date_to),
        teachers=[
            pb.TeacherSubstitutions(
                teacher_id=str(t.teacher_id),
                pairs_substituted=t.pairs_substituted,
                pairs_replaced=t.pairs_replaced,
            )
            for t in report.teachers
        ],
        substitutions=[
            pb.SubstitutionLine(
                substitution_id=str(s.substitution_id),
                group_id=str(s.group_id),
                discipline_id=str(s.discipline_id),
                lesson_date=_local_date(s.lesson_date),
                pair_number=s.pair_number,
                teacher_id=str(s.teacher_id),
                substitute_teacher_id=str(s.substitute_teacher_id),
            )
            for s in report.substitutions
        ],
    )
