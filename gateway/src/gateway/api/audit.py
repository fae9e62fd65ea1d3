"""The audit log (ArchiveService)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from gateway.api.deps import Clients
from gateway.auth.bearer import Caller
from gateway.mapping import audit_out
from gateway.models import AuditList

router = APIRouter(tags=["Аудит"])


@router.get("/audit", summary="Журнал аудита")
async def list_audit_records(
    *,
    caller: Caller,
    clients: Clients,
    resource_type: Annotated[str | None, Query(max_length=64, description="Вид объекта")] = None,
    resource_id: Annotated[str | None, Query(max_length=128, description="Идентификатор объекта")] = None,
    subject_person_id: Annotated[UUID | None, Query(description="Чьи это данные")] = None,
    page_size: Annotated[int | None, Query(ge=1, le=500, description="Сколько вернуть, 1..500")] = None,
) -> AuditList:
    """Записи аудита, новые первыми; пустые фильтры — все записи (администратор, директор)."""
    records = await clients.archive.list_audit_records(
        caller.token,
        resource_type=resource_type or "",
        resource_id=resource_id or "",
        subject_person_id=str(subject_person_id) if subject_person_id else "",
        page_size=page_size or 0,
    )
    return AuditList(records=[audit_out(r) for r in records])
