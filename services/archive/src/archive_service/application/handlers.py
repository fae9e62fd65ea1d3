"""Use cases of the archive: append audit records to the chain, query it, verify it."""

from __future__ import annotations

from collections.abc import Sequence

from chassis.events import Delivery
from chassis.ports import claim_batch
from chassis.principal import Principal

from archive_service.application import commands
from archive_service.application.ports import GuardianDirectory, UnitOfWorkFactory
from archive_service.domain import access, chain, errors, model

VERIFY_BATCH = 1000


class ArchiveHandlers:
    """The archive's use cases, wired with their ports in the composition root."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        guardians: GuardianDirectory | None = None,
        verify_batch: int = VERIFY_BATCH,
    ) -> None:
        self._uow = uow
        self._guardians = guardians
        self._verify_batch = verify_batch

    async def append_audit_record(self, cmd: commands.AppendAuditRecord, delivery: Delivery) -> bool:
        """Append the record to the end of the chain; return False when it is already in the log."""
        return await self.append_audit_records([(cmd, delivery)]) == 1

    async def append_audit_records(self, items: Sequence[tuple[commands.AppendAuditRecord, Delivery]]) -> int:
        """Append records to the end of the chain in the given (stream) order, in one transaction;
        return how many were new (an event already claimed or already in the log is skipped)."""
        async with self._uow() as uow:
            claimed = [cmd for cmd, _ in await claim_batch(uow.inbox, items)]
            if not claimed:
                return 0
            # Held until commit: appends by every consumer and replica form one chain, in one order.
            await uow.audit_log.lock_chain()
            prev_hash = await uow.audit_log.last_hash()
            logged = await uow.audit_log.already_logged([cmd.event_id for cmd in claimed])
            records = []
            for cmd in claimed:
                if cmd.event_id in logged:
                    continue
                record = chain.link(_record_of(cmd), prev_hash)
                records.append(record)
                prev_hash = record.chain_hash
            await uow.audit_log.append(records)
            await uow.commit()
            return len(records)

    async def list_audit_records(
        self, query: commands.ListAuditRecords, actor: Principal
    ) -> list[model.AuditRecord]:
        """Return matching records, newest first (admin, director); the read itself is audited."""
        access.require_audit_reader(actor)
        limit = model.page_size(query.page_size)
        async with self._uow() as uow:
            records = await uow.audit_log.newest(
                resource_type=query.resource_type,
                resource_id=query.resource_id,
                subject_person_id=query.subject_person_id,
                before_sequence=query.before_sequence,
                limit=limit,
            )
            await uow.audit(
                "audit_log.read",
                actor=actor,
                resource_type="audit_log",
                resource_id="",
                subject_person_id=query.subject_person_id,
            )
            await uow.commit()
            return records

    async def list_audit_records_about_me(
        self, query: commands.ListAuditRecordsAboutMe, actor: Principal
    ) -> list[model.AuditRecord]:
        """Return the records whose subject is the caller, or the caller's child when identity links
        them (asked live with the parent's token), newest first; anyone else's: SubjectNotFound.
        The read is audited: `audit_log.read`, or `subject_export.downloaded` for an export."""
        subject = access.subject_of(actor, query.subject_person_id)
        if subject != actor.subject:
            if not access.may_ask_as_guardian(actor, subject) or self._guardians is None:
                raise errors.SubjectNotFound()
            if not await self._guardians.is_guardian(
                token=actor.token, parent_id=actor.subject, student_id=subject
            ):
                raise errors.SubjectNotFound()
        limit = model.page_size(query.page_size)
        async with self._uow() as uow:
            records = await uow.audit_log.newest(
                resource_type="",
                resource_id="",
                subject_person_id=subject,
                before_sequence=query.before_sequence,
                limit=limit,
            )
            await uow.audit(
                "subject_export.downloaded" if query.export else "audit_log.read",
                actor=actor,
                resource_type="subject_export" if query.export else "audit_log",
                resource_id=subject,
                subject_person_id=subject,
            )
            await uow.commit()
            return records

    async def verify_audit_chain(self, actor: Principal) -> chain.ChainVerification:
        """Recompute the chain from the first record and report the first broken one (admin)."""
        access.require_audit_verifier(actor)
        verification = chain.ChainVerification()
        after = 0
        async with self._uow() as uow:
            while batch := await uow.audit_log.oldest_after(after, limit=self._verify_batch):
                for record in batch:
                    if not verification.check(record):
                        return verification
                after = batch[-1].sequence or after
        return verification


def _record_of(cmd: commands.AppendAuditRecord) -> model.AuditRecord:
    return model.new_audit_record(
        event_id=cmd.event_id,
        occurred_at=cmd.occurred_at,
        actor_id=cmd.actor_id,
        actor_roles=cmd.actor_roles,
        action=cmd.action,
        resource_type=cmd.resource_type,
        resource_id=cmd.resource_id,
        subject_person_id=cmd.subject_person_id,
        service=cmd.service,
        correlation_id=cmd.correlation_id,
    )
