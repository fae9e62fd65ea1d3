"""Thin gRPC servicer: proto → query → handler → proto. No SQL, no rules."""

from __future__ import annotations

from typing import Any

from chassis.principal import require_principal as _actor
from ejournal.archive.v1 import archive_service_pb2 as pb
from ejournal.archive.v1 import archive_service_pb2_grpc as pb_grpc

from archive_service.api import mappers
from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers

Context = Any


class ArchiveServicer(pb_grpc.ArchiveServiceServicer):
    """gRPC face of the archive's use cases."""

    def __init__(self, handlers: ArchiveHandlers) -> None:
        self._h = handlers

    async def ListAuditRecords(
        self, request: pb.ListAuditRecordsRequest, context: Context
    ) -> pb.ListAuditRecordsResponse:
        query = commands.ListAuditRecords(
            resource_type=mappers.optional_filter(request.resource_type, "resource_type"),
            resource_id=mappers.optional_filter(request.resource_id, "resource_id"),
            subject_person_id=mappers.optional_filter(request.subject_person_id, "subject_person_id"),
            page_size=request.page_size,
            before_sequence=mappers.before_sequence(request.before_sequence),
        )
        records = await self._h.list_audit_records(query, _actor())
        return pb.ListAuditRecordsResponse(records=[mappers.record_to_pb(r) for r in records])

    async def ListAuditRecordsAboutMe(
        self, request: pb.ListAuditRecordsAboutMeRequest, context: Context
    ) -> pb.ListAuditRecordsAboutMeResponse:
        query = commands.ListAuditRecordsAboutMe(
            subject_person_id=mappers.optional_person_id(request.subject_person_id),
            page_size=request.page_size,
            before_sequence=mappers.before_sequence(request.before_sequence),
            export=request.export,
        )
        records = await self._h.list_audit_records_about_me(query, _actor())
        return pb.ListAuditRecordsAboutMeResponse(records=[mappers.record_to_pb(r) for r in records])

    async def VerifyAuditChain(
        self, request: pb.VerifyAuditChainRequest, context: Context
    ) -> pb.VerifyAuditChainResponse:
        return mappers.verification_to_pb(await self._h.verify_audit_chain(_actor()))
