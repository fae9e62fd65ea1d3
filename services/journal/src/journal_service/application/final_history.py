"""GetFinalHistory (issue 7 item 6, slice K): a final as it is now and its trail, oldest first. Readers:
the student and whoever reads the student's finals (GetStudentFinals' rule, `may_read_student`) — the
teacher of the load among them, as a teacher of one of the student's groups; to anyone else the final
is not found. A read by anyone but the student is audited (final_history.read, ids only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal

from journal_service.application.history import is_own
from journal_service.application.ports import GuardianDirectory, UnitOfWorkFactory
from journal_service.application.read_models import may_read_student
from journal_service.domain import final_history, retakes


@dataclass(frozen=True)
class GetFinalHistory:
    """Read a final's history."""

    final_id: uuid.UUID


class FinalHistoryHandlers:
    """Use cases of a final's history."""

    def __init__(self, uow: UnitOfWorkFactory, guardians: GuardianDirectory) -> None:
        self._uow = uow
        self._guardians = guardians

    async def history(self, query: GetFinalHistory, actor: Principal) -> final_history.FinalHistory:
        """Return the final and its entries to its readers; audited unless the student's own."""
        async with self._uow() as uow:
            final = await uow.finals.get(query.final_id)
            if final is None:
                raise retakes.FinalNotFound()
            own = is_own(actor, final.student_id)
            if not own and not await may_read_student(uow, self._guardians, actor, final.student_id):
                raise retakes.FinalNotFound()
            entries = await uow.finals.changes_of(final.id)
            if not own:
                await uow.audit(
                    "final_history.read",
                    actor=actor,
                    resource_type="final",
                    resource_id=str(final.id),
                    subject_person_id=str(final.student_id),
                )
                await uow.commit()
            return final_history.FinalHistory(final, entries)
