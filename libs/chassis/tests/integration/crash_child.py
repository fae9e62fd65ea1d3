"""A child process the crash tests SIGKILL at a chosen point: an outbox relay or an event consumer.

Run as `python crash_child.py <role> <database_url> <nats_url> <marker> [<stream> <subject prefix>]`. The child
does its work up to the point under test, writes the marker file (so the parent knows it got there)
and then waits forever, holding whatever it holds, until the parent kills it.

Roles:
- `relay`: publish the pending outbox rows; block after the JetStream publish, before the commit;
- `consume-before-commit`: take the event, claim it and apply the effect, block before the commit;
- `consume-after-commit`: the same, block after the commit and before the ack.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from chassis.consumer import Envelope, EventConsumer
from chassis.db import make_engine, make_session_factory
from chassis.outbox import OutboxRelay
from chassis.streams import connect_nats
from chassis.uow import UnitOfWork
from sqlalchemy import text

ACK_WAIT_SECONDS = 2.0
"""The crash tests' consumer ack wait: short, so JetStream redelivers soon after the child dies."""


def consumer_durable(prefix: str) -> str:
    """Return the durable name the child and the parent share."""
    return f"crash-{prefix}"


async def apply_effect(uow: UnitOfWork, envelope: Envelope) -> bool:
    """Claim the event in the inbox and insert the effect in the same transaction; True if claimed."""
    claimed = await uow.inbox.claim(envelope.event_id, "crash-effects", envelope.subject)
    if claimed:
        await uow.session.execute(
            text("INSERT INTO effects VALUES (:e, :n)"),
            {"e": envelope.event_id, "n": f"delivery {envelope.num_delivered}"},
        )
    return claimed


async def hang(marker: Path, note: str) -> None:
    """Tell the parent where we are, then wait to be killed."""
    partial = marker.with_suffix(".partial")
    await asyncio.to_thread(partial.write_text, note)
    await asyncio.to_thread(partial.replace, marker)  # atomic: the parent never reads half a note
    await asyncio.Event().wait()


async def main(
    role: str, database_url: str, nats_url: str, marker: Path, stream: str = "", prefix: str = ""
) -> None:
    engine = make_engine(database_url, pool_size=2)
    sessions = make_session_factory(engine)
    _nc, js = await connect_nats(nats_url, name=f"crash-child-{role}")
    if role == "relay":

        async def published(row_id: uuid.UUID) -> None:
            await hang(marker, str(row_id))

        await OutboxRelay(sessions, js, on_published=published).publish_pending()
    elif role in ("consume-before-commit", "consume-after-commit"):

        async def handler(envelope: Envelope) -> None:
            async with UnitOfWork(sessions, service="crash-test") as uow:
                claimed = await apply_effect(uow, envelope)
                if role == "consume-after-commit":
                    await uow.commit()
                await hang(marker, f"{envelope.event_id} {envelope.num_delivered} {claimed}")

        consumer = EventConsumer(
            js,
            service="crash-test",
            stream=stream,
            durable=consumer_durable(prefix),
            filter_subjects=[f"{prefix}.>"],
            handler=handler,
            ack_wait_seconds=ACK_WAIT_SECONDS,
        )
        await consumer.run()
    raise SystemExit(f"the child finished without being killed ({role})")


if __name__ == "__main__":
    role, database_url, nats_url, marker, *consumer_args = sys.argv[1:]
    asyncio.run(main(role, database_url, nats_url, Path(marker), *consumer_args))
