"""Changed and removed marks in the projection on real PostgreSQL (migration 0002): the upserts behind
journal.mark.changed.v1 and journal.mark.removed.v1, in either order with journal.mark.recorded.v1."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime

import pytest
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery
from chassis.testing import LocalIssuer
from reports_service.adapters import orm
from reports_service.adapters.uow import ReportsUnitOfWork
from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers

pytestmark = pytest.mark.integration
GROUP = uuid.uuid4()
AT = datetime(2026, 10, 14, 10, 30, tzinfo=UTC)
issuer = LocalIssuer()


@pytest.fixture
async def handlers(fresh_db: Callable[[str], Awaitable[str]]) -> AsyncIterator[ReportsHandlers]:
    orm.start_mappers()
    engine = make_engine(await fresh_db("reports"), pool_size=2)
    yield ReportsHandlers(uow=lambda: ReportsUnitOfWork(make_session_factory(engine), service="reports"))
    await engine.dispose()


def delivery(kind: str) -> Delivery:
    return Delivery(str(uuid.uuid4()), f"reports-mark-{kind}", f"journal.mark.{kind}.v1")


async def record(handlers: ReportsHandlers, mark: uuid.UUID, value: str) -> None:
    cmd = commands.ProjectMarkRecorded(mark, GROUP, uuid.uuid4(), uuid.uuid4(), value, date(2026, 10, 14), AT)
    await handlers.project_mark_recorded(cmd, delivery("recorded"))


async def change(handlers: ReportsHandlers, mark: uuid.UUID, value: str, *, removed: bool = False) -> None:
    cmd = commands.ProjectMarkChanged(
        mark, GROUP, uuid.uuid4(), uuid.uuid4(), value, date(2026, 10, 14), AT, removed=removed
    )
    assert await handlers.project_mark_changes([(cmd, delivery("removed" if removed else "changed"))]) == 1


async def counts(handlers: ReportsHandlers) -> list[tuple[str, int]]:
    summary = await handlers.group_mark_summary(
        commands.GetGroupMarkSummary(GROUP), issuer.principal(roles=("deputy",))
    )
    return [(c.value, c.count) for c in summary.counts]


async def test_changes_and_removals_in_any_order(handlers: ReportsHandlers) -> None:
    changed, removed, removed_first, changed_first = (uuid.uuid4() for _ in range(4))
    await record(handlers, changed, "4")
    await change(handlers, changed, "5")
    await record(handlers, removed, "3")
    await change(handlers, removed, "3", removed=True)
    # Met before their MarkRecorded (another consumer, another pace): the removal holds, the change too.
    await change(handlers, removed_first, "2", removed=True)
    await record(handlers, removed_first, "2")
    await change(handlers, changed_first, "5")
    await record(handlers, changed_first, "4")
    # A change after a removal does not bring the mark back.
    await change(handlers, removed, "4")
    assert await counts(handlers) == [("5", 2)]
