"""The audit log (ArchiveService): route, bodies and mapping."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from ejournal.archive.v1 import archive_pb2
from ejournal.archive.v1 import archive_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, instant_of, page_size_query


class AuditRecordOut(BaseModel):
    """Запись журнала аудита."""

    sequence: int = Field(description="Порядковый номер")
    event_id: str = Field(description="Идентификатор события аудита")
    occurred_at: datetime | None = Field(description="Когда произошло, UTC")
    actor_id: str = Field(description="Кто действовал")
    action: str = Field(description="Что сделано")
    resource_type: str = Field(description="Вид объекта")
    resource_id: str = Field(description="Идентификатор объекта")
    subject_person_id: str = Field(description="Чьи это данные")
    service: str = Field(description="Сервис, выполнивший действие")
    correlation_id: str = Field(description="Идентификатор корреляции запроса")
    chain_hash: str = Field(description="SHA-256 цепочки записей")


class AuditList(BaseModel):
    """Записи аудита, новые первыми."""

    records: list[AuditRecordOut]


def audit_out(record: archive_pb2.AuditRecord) -> AuditRecordOut:
    """Map an AuditRecord."""
    return AuditRecordOut(
        sequence=record.sequence,
        event_id=record.event_id,
        occurred_at=instant_of(record.occurred_at, present=record.HasField("occurred_at")),
        actor_id=record.actor_id,
        action=record.action,
        resource_type=record.resource_type,
        resource_id=record.resource_id,
        subject_person_id=record.subject_person_id,
        service=record.service,
        correlation_id=record.correlation_id,
        chain_hash=record.chain_hash,
    )


router = APIRouter(tags=["Аудит"])


@router.get("/audit", summary="Журнал аудита")
async def list_audit_records(
    *,
    caller: Caller,
    clients: Clients,
    resource_type: Annotated[str | None, Query(max_length=64, description="Вид объекта")] = None,
    resource_id: Annotated[str | None, Query(max_length=128, description="Идентификатор объекта")] = None,
    subject_person_id: Annotated[UUID | None, Query(description="Чьи это данные")] = None,
    page_size: Annotated[int | None, page_size_query(500)] = None,
) -> AuditList:
    """Записи аудита, новые первыми; пустые фильтры — все записи (администратор, директор)."""
    request = pb.ListAuditRecordsRequest(
        resource_type=resource_type or "",
        resource_id=resource_id or "",
        subject_person_id=str(subject_person_id) if subject_person_id else "",
        page_size=page_size or 0,
    )
    response = await call(clients.archive.ListAuditRecords, request, caller.token)
    return AuditList(records=[audit_out(r) for r in response.records])
