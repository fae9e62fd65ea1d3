"""Client of the archive service: the audit log."""

from __future__ import annotations

from typing import Any

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT
from ejournal.archive.v1 import archive_service_pb2 as pb
from ejournal.archive.v1 import archive_service_pb2_grpc

from gateway.clients.base import ServiceClient


class ArchiveClient(ServiceClient):
    """Call ArchiveService on behalf of the bearer of a token."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self._stub = archive_service_pb2_grpc.ArchiveServiceStub(channel)

    async def list_audit_records(
        self,
        token: str,
        *,
        resource_type: str = "",
        resource_id: str = "",
        subject_person_id: str = "",
        page_size: int = 0,
    ) -> list[Any]:
        """Return audit records matching the filters, newest first (empty filters match all)."""
        request = pb.ListAuditRecordsRequest(
            resource_type=resource_type,
            resource_id=resource_id,
            subject_person_id=subject_person_id,
            page_size=page_size,
        )
        response = await self._stub.ListAuditRecords(request, **self._options(token))
        return list(response.records)
