"""Reports (ReportsService)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from gateway.api.deps import Clients
from gateway.auth.bearer import Caller
from gateway.mapping import summary_out
from gateway.models import MarkSummaryOut

router = APIRouter(tags=["Отчёты"])


@router.get("/reports/groups/{group_id}/mark-summary", summary="Сводка оценок группы")
async def group_mark_summary(group_id: UUID, caller: Caller, clients: Clients) -> MarkSummaryOut:
    """Количество оценок группы по значениям (сотрудники)."""
    return summary_out(await clients.reports.group_mark_summary(caller.token, str(group_id)))
