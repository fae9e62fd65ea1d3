"""GetFinalHistory between protobuf and the application (slice K)."""

from __future__ import annotations

from chassis.principal import require_principal as _actor
from chassis.validation import parse_uuid as _id
from ejournal.journal.v1 import journal_service_pb2 as pb

from journal_service.api.finals import final_to_pb
from journal_service.application.final_history import GetFinalHistory
from journal_service.application.handlers import JournalHandlers
from journal_service.domain import finals


def entry_to_pb(change: finals.FinalChange) -> pb.FinalHistoryEntry:
    """Map one setting or change of a final."""
    message = pb.FinalHistoryEntry(
        entry_id=str(change.id),
        changed_by=str(change.changed_by),
        old_value=change.old_value,
        new_value=change.new_value,
        proposed_value=change.proposed_value or "",
        rule_version=change.rule_version,
        reason=change.reason,
    )
    if change.changed_at is not None:
        message.changed_at.FromDatetime(change.changed_at)
    return message


async def final_history(h: JournalHandlers, request: pb.GetFinalHistoryRequest) -> pb.GetFinalHistoryResponse:
    """GetFinalHistory."""
    query = GetFinalHistory(final_id=_id(request.final_id, "final_id"))
    found = await h.final_history.history(query, _actor())
    return pb.GetFinalHistoryResponse(
        final=final_to_pb(found.final, of_record=finals.of_record_by_kind(found.final)),
        entries=[entry_to_pb(e) for e in found.entries],
    )
