"""The inbox claims a consumer's batch in one statement on real PostgreSQL: an event applied before and
an event repeated within the batch are left out, the rest come back in their order."""

from __future__ import annotations

from chassis.events import Delivery
from chassis.ports import claim_batch
from chassis.uow import UnitOfWork

from .conftest import Scratch


def delivery(event_id: str) -> Delivery:
    return Delivery(event_id=event_id, consumer="batch-test", subject="test.thing.done.v1")


async def test_a_batch_is_claimed_at_once_skipping_what_was_applied_and_repeats(scratch: Scratch) -> None:
    async with UnitOfWork(scratch.sessions, service="test") as uow:
        assert [x for x, _ in await claim_batch(uow.inbox, [("a", delivery("e-1"))])] == ["a"]
        await uow.commit()

    items = [("b", delivery("e-1")), ("c", delivery("e-2")), ("d", delivery("e-3")), ("e", delivery("e-2"))]
    async with UnitOfWork(scratch.sessions, service="test") as uow:
        chosen = await claim_batch(uow.inbox, items)
        assert [x for x, _ in chosen] == ["c", "d"]
        await uow.commit()

    async with UnitOfWork(scratch.sessions, service="test") as uow:  # all of them are claimed now
        assert await claim_batch(uow.inbox, items) == []
        assert await uow.inbox.claim_many([]) == set()
