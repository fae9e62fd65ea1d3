"""Conversions between protobuf messages and the archive's domain objects."""

from __future__ import annotations

import uuid

from chassis.errors import InvalidArgument
from ejournal.archive.v1 import archive_pb2 as pb
from ejournal.archive.v1 import archive_service_pb2 as service_pb

from archive_service.domain import chain, model

MAX_FILTER_LENGTH = 200


def optional_filter(value: str, field: str) -> str:
    """Return a stripped filter value ("" matches everything) or raise InvalidArgument when too long."""
    text = (value or "").strip()
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidArgument(
            f"Поле «{field}» длиннее {MAX_FILTER_LENGTH} символов", code=f"too_long_{field}"
        )
    return text


def optional_person_id(value: str) -> str:
    """Return a person id ("" for the caller) or raise InvalidArgument when it is not a UUID."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise InvalidArgument(
            "Поле «subject_person_id» должно быть идентификатором (UUID)", code="invalid_subject_person_id"
        ) from None


def before_sequence(value: int) -> int:
    """Return the paging cursor or raise InvalidArgument when it is negative."""
    if value < 0:
        raise InvalidArgument(
            "Поле «before_sequence» не может быть отрицательным", code="invalid_before_sequence"
        )
    return value


def record_to_pb(record: model.AuditRecord) -> pb.AuditRecord:
    """Map an audit record."""
    message = pb.AuditRecord(
        sequence=record.sequence or 0,
        event_id=record.event_id,
        actor_id=record.actor_id,
        actor_roles=record.actor_roles,
        action=record.action,
        resource_type=record.resource_type,
        resource_id=record.resource_id,
        subject_person_id=record.subject_person_id,
        service=record.service,
        correlation_id=record.correlation_id,
        chain_hash=record.chain_hash,
        prev_hash=record.prev_hash,
    )
    message.occurred_at.FromDatetime(record.occurred_at)
    return message


def verification_to_pb(verification: chain.ChainVerification) -> service_pb.VerifyAuditChainResponse:
    """Map the outcome of a chain verification."""
    return service_pb.VerifyAuditChainResponse(
        intact=verification.intact,
        records_checked=verification.records_checked,
        first_broken_sequence=verification.first_broken_sequence or 0,
    )
