"""The college's bell schedule (R2.1): numbered pairs with their times."""

from __future__ import annotations

from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain import access, year


@dataclass(frozen=True)
class SetBellSchedule:
    """Replace the bell schedule."""

    pairs: tuple[year.BellPair, ...]


class BellScheduleHandlers:
    """Use cases of the bell schedule."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def set(self, cmd: SetBellSchedule, actor: Principal) -> list[year.BellPair]:
        """Replace every pair at once (admin): numbers 1..8 each once, times not overlapping."""
        access.require_admin(actor, "расписание звонков задаёт администратор")
        pairs = year.check_bell_schedule(cmd.pairs)
        async with self._uow() as uow:
            await uow.bells.replace(pairs)
            await uow.emit(events.BellScheduleSet(pair_count=len(pairs)))
            await uow.commit()
            return pairs

    async def get(self, actor: Principal) -> list[year.BellPair]:
        """Return the pairs by number to any authenticated caller (the college's bells are public)."""
        async with self._uow() as uow:
            return await uow.bells.pairs()
