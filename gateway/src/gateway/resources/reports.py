"""Reports (ReportsService): route, bodies and mapping."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ejournal.reports.v1 import reports_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, date_of, instant_of, to_local_date


class ValueCountOut(BaseModel):
    """Сколько оценок одного значения."""

    value: str = Field(description="Отметка")
    count: int = Field(description="Количество")


class MarkSummaryOut(BaseModel):
    """Сводка оценок группы по значениям."""

    group_id: str = Field(description="Идентификатор группы")
    marks_count: int = Field(description="Всего оценок")
    counts: list[ValueCountOut] = Field(description="Количество по значениям")
    last_recorded_at: datetime | None = Field(description="Когда выставлена последняя оценка, UTC")


def summary_out(summary: pb.GetGroupMarkSummaryResponse) -> MarkSummaryOut:
    """Map a GetGroupMarkSummaryResponse."""
    return MarkSummaryOut(
        group_id=summary.group_id,
        marks_count=summary.marks_count,
        counts=[ValueCountOut(value=c.value, count=c.count) for c in summary.counts],
        last_recorded_at=instant_of(summary.last_recorded_at, present=summary.HasField("last_recorded_at")),
    )


router = APIRouter(tags=["Отчёты"])


@router.get("/reports/groups/{group_id}/mark-summary", summary="Сводка оценок группы")
async def group_mark_summary(group_id: UUID, caller: Caller, clients: Clients) -> MarkSummaryOut:
    """Количество оценок группы по значениям (сотрудники)."""
    request = pb.GetGroupMarkSummaryRequest(group_id=str(group_id))
    return summary_out(await call(clients.reports.GetGroupMarkSummary, request, caller.token))


# -- Отчёт о заменах (slice L, issue 7 item 7) -----------------------------------------------------


class TeacherSubstitutionsOut(BaseModel):
    """Замены одного преподавателя за период."""

    teacher_id: str = Field(description="Преподаватель")
    pairs_substituted: int = Field(description="Пар проведено в порядке замены")
    pairs_replaced: int = Field(description="Его пар проведено заменяющими")


class SubstitutionLineOut(BaseModel):
    """Замена (не отменённая): только идентификаторы."""

    substitution_id: str = Field(description="Идентификатор замены")
    group_id: str = Field(description="Группа")
    discipline_id: str = Field(description="Дисциплина")
    lesson_date: date | None = Field(description="День пары")
    pair_number: int = Field(description="Номер пары")
    teacher_id: str = Field(description="Преподаватель по расписанию")
    substitute_teacher_id: str = Field(description="Заменяющий преподаватель")


class SubstitutionReportOut(BaseModel):
    """Отчёт о заменах за период."""

    date_from: date | None = Field(description="Первый день периода")
    date_to: date | None = Field(description="Последний день периода")
    teachers: list[TeacherSubstitutionsOut] = Field(description="По преподавателям")
    substitutions: list[SubstitutionLineOut] = Field(description="Замены по дням и парам")


def substitution_report_out(report: pb.GetSubstitutionReportResponse) -> SubstitutionReportOut:
    """Map a GetSubstitutionReportResponse."""
    return SubstitutionReportOut(
        date_from=date_of(report.date_from),
        date_to=date_of(report.date_to),
        teachers=[
            TeacherSubstitutionsOut(
                teacher_id=t.teacher_id,
                pairs_substituted=t.pairs_substituted,
                pairs_replaced=t.pairs_replaced,
            )
            for t in report.teachers
        ],
        substitutions=[
            SubstitutionLineOut(
                substitution_id=s.substitution_id,
                group_id=s.group_id,
                discipline_id=s.discipline_id,
                lesson_date=date_of(s.lesson_date),
                pair_number=s.pair_number,
                teacher_id=s.teacher_id,
                substitute_teacher_id=s.substitute_teacher_id,
            )
            for s in report.substitutions
        ],
    )


@router.get("/reports/substitutions", summary="Отчёт о заменах")
async def substitution_report(
    *,
    caller: Caller,
    clients: Clients,
    date_from: Annotated[date, Query(description="Первый день (включительно)")],
    date_to: Annotated[date, Query(description="Последний день (включительно), период не длиннее 366 дней")],
) -> SubstitutionReportOut:
    """Замены за период (не отменённые) и по каждому преподавателю: сколько пар он провёл в порядке
    замены и сколько его пар провели заменяющие — администратор, директор, заместитель директора."""
    request = pb.GetSubstitutionReportRequest(
        date_from=to_local_date(date_from), date_to=to_local_date(date_to)
    )
    return substitution_report_out(await call(clients.reports.GetSubstitutionReport, request, caller.token))
