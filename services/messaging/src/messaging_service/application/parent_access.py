"""Messaging's projection of parents' access (issue 8 item 5, ADR 0013).

Identity applies the rule of adult students' parents and publishes, per guardian link, the first day
the parent no longer reads the student's data (identity.parent_access.changed.v1, durable
`messaging-parent-access` from the beginning of identity's stream). The projection keeps the newest
fact of each link by occurred_at, so a redelivered or late older fact changes nothing.

Catch-up: links and birth dates recorded before identity published these facts are in no event. At
the first start (no `projection_catch_ups` row) messaging pages through identity's snapshot
ListParentAccessFacts and stores every link, its fact and its student as fetched, in one
transaction. A student with a link whose fact is still missing (a link event applied before its
fact, a link made by a path that stages no fact) is asked of identity when their mark comes.

Snapshot facts are stamped a margin before the snapshot was asked for: a change committed while the
snapshot was read has its event stamped after that, so its event still wins over the snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from chassis.events import Delivery

from messaging_service.application.ports import MessagingUnitOfWork, ParentAccessDirectory, UnitOfWorkFactory
from messaging_service.domain.parent_access import AccessFact

log = logging.getLogger(__name__)

SNAPSHOT_MARGIN = timedelta(minutes=5)
# Identity not answering at start: try again after 2 s, doubling up to a minute, until it answers.
CATCH_UP_FIRST_DELAY, CATCH_UP_MAX_DELAY = 2.0, 60.0
Clock = Callable[[], datetime]
Today = Callable[[], date]
DEFAULT_COLLEGE_TIMEZONE = "Europe/Moscow"


def college_today(timezone: str = DEFAULT_COLLEGE_TIMEZONE) -> Today:
    """Return a function giving today's date in the college's time zone (identity's rule judges
    the 18th birthday there too: IDENTITY_COLLEGE_TIMEZONE, the same value)."""
    zone = ZoneInfo(timezone)

    def today() -> date:
        return datetime.now(zone).date()

    return today


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ProjectParentAccessChanged:
    """Keep identity's newest fact of a guardian link's access end."""

    fact: AccessFact
    occurred_at: datetime


class ParentAccessHandlers:
    """Keep the projection of parents' access: events, the catch-up at start, a student's facts."""

    def __init__(
        self, uow: UnitOfWorkFactory, directory: ParentAccessDirectory | None, now: Clock = _utc_now
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._now = now

    @property
    def wired(self) -> bool:
        """True when identity's facts can be asked (main.py always wires them)."""
        return self._directory is not None

    async def project_changed(self, cmd: ProjectParentAccessChanged, delivery: Delivery) -> bool:
        """Apply a fact once per event; False when the event was applied before."""
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return False
            await uow.parent_access.apply([cmd.fact], cmd.occurred_at)
            await uow.commit()
            return True

    async def catch_up(self) -> int | None:
        """Catch up from identity's snapshot unless done before; return the facts read, None when
        it was done before. Identity failing raises, nothing stored."""
        if self._directory is None:
            return None
        async with self._uow() as uow:
            if await uow.parent_access.caught_up():
                return None
        stamp = self._now() - SNAPSHOT_MARGIN
        facts: list[AccessFact] = []
        token = ""
        while True:
            page, token = await self._directory.facts_page(token)
            facts.extend(page)
            if not token:
                break
        async with self._uow() as uow:
            if await uow.parent_access.caught_up():
                return None
            await uow.parent_access.apply(facts, stamp)
            await uow.parent_access.mark_fetched({f.student_id for f in facts})
            await uow.parent_access.mark_caught_up()
            await uow.commit()
        log.info("parent access projection caught up", extra={"count": len(facts)})
        return len(facts)

    async def catch_up_until_done(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Run `catch_up` until it succeeds, waiting longer after each failure (a background task:
        until then a student's mark asks identity for that student's facts)."""
        delay = CATCH_UP_FIRST_DELAY
        while True:
            try:
                await self.catch_up()
                return
            except Exception:
                log.warning(
                    "parent access catch-up failed; retrying", extra={"delay_s": delay}, exc_info=True
                )
            await sleep(delay)
            delay = min(delay * 2, CATCH_UP_MAX_DELAY)

    async def ask_identity(self, student_id: uuid.UUID) -> tuple[list[AccessFact], datetime]:
        """Ask identity, outside any transaction, for the facts of a student's links; return them
        with the stamp to store them under. Raise when identity does not answer."""
        assert self._directory is not None
        stamp = self._now() - SNAPSHOT_MARGIN
        return await self._directory.facts_of(student_id), stamp

    @staticmethod
    async def store_asked(
        uow: MessagingUnitOfWork, student_id: uuid.UUID, facts: list[AccessFact], stamp: datetime
    ) -> None:
        """Stage what identity answered for the student, in the caller's transaction."""
        await uow.parent_access.apply(facts, stamp)
        await uow.parent_access.mark_fetched({student_id})
