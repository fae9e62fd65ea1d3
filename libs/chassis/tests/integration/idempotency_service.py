"""A tiny write service for the idempotency tests: CreateGroup inserts an effect row, ListGroups reads.

The journal's contract is only a carrier here (its RPCs are in the descriptor pool, one declared a
write and one NO_SIDE_EFFECTS); what the handler writes is a row of the scratch `effects` table.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from chassis.errors import InvalidArgument
from chassis.uow import UnitOfWork
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

REFUSED = "refuse"  # a name the handler refuses (nothing written, nothing stored)
NOTHING = "nothing"  # a name the handler answers without any unit of work
SLOW = "slow"  # a name the handler holds its transaction open with for a moment
NESTED = "nested"  # a name the handler writes with a unit of work opened inside another


class EffectServicer(pb_grpc.JournalServiceServicer):
    """CreateGroup: one effect row per call that gets past its unit of work's key check; `after_commit`
    may hang. `runs` counts the calls that reached the handler."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        after_commit: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._sessions = sessions
        self._after_commit = after_commit
        self.runs = 0

    async def CreateGroup(  # noqa: N802 - the generated servicer's name
        self, request: pb.CreateGroupRequest, context: Any
    ) -> pb.CreateGroupResponse:
        self.runs += 1
        if request.name == REFUSED:
            raise InvalidArgument("Отказ для проверки", code="refused_for_test")
        group_id = str(uuid.uuid4())
        if request.name == NESTED:
            async with UnitOfWork(self._sessions, service="test") as outer:
                await outer.session.execute(text("INSERT INTO effects VALUES (:e, 'outer')"), {"e": group_id})
                async with UnitOfWork(self._sessions, service="test") as inner:
                    await inner.session.execute(
                        text("INSERT INTO effects VALUES (:e, 'inner')"), {"e": group_id}
                    )
                    await inner.commit()
                await outer.commit()
        elif request.name != NOTHING:
            async with UnitOfWork(self._sessions, service="test") as uow:
                await uow.session.execute(
                    text("INSERT INTO effects VALUES (:e, :n)"), {"e": group_id, "n": request.name}
                )
                if request.name == SLOW:
                    await asyncio.sleep(0.05)  # twins arrive while this transaction is open
                await uow.commit()
            if self._after_commit is not None:
                await self._after_commit()
        return pb.CreateGroupResponse(group=journal_pb2.Group(group_id=group_id, name=request.name))

    async def ListGroups(  # noqa: N802 - the generated servicer's name
        self, request: pb.ListGroupsRequest, context: Any
    ) -> pb.ListGroupsResponse:
        self.runs += 1
        return pb.ListGroupsResponse(groups=[journal_pb2.Group(group_id=str(uuid.uuid4()))])
