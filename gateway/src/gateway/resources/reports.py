"""Reports (ReportsService): route, bodies and mapping."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ejournal.reports.v1 import reports_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, instant_of


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
