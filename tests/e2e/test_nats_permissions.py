"""NATS is locked down on the running platform: who may connect, publish and read, and what a
consumer does with an event that claims another producer.

The services run as separate processes with their own NATS users (deploy/local/nats/nats-server.conf);
this test connects as an anonymous client, as a service's user and as the admin, like an attacker
on the machine and an operator would.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import nats
import pytest
from archive_service.adapters.uow import ArchiveUnitOfWork
from archive_service.application.handlers import ArchiveHandlers
from chassis.consumer import ForeignEvent
from chassis.db import make_engine, make_session_factory
from chassis.outbox import INBOX
from chassis.principal import Principal
from chassis.streams import connect_nats
from chassis.timestamps import now_timestamp
from chassis.uow import audit_subject
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1.events_pb2 import MarkRecorded
from nats.aio.client import Client
from nats.js.api import ConsumerConfig
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import func, select, text

pytestmark = pytest.mark.e2e

ARCHIVE_ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")


@pytest.fixture(scope="module")
def platform(stack_platform):  # type: ignore[no-untyped-def]
    return stack_platform


class AsService:
    """A connection as one service's NATS user that records the server's refusals."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None

    async def connect(self, stack: Any, service: str) -> AsService:
        user, password = stack.nats_user(service)

        async def on_error(exc: Exception) -> None:
            self.errors.append(str(exc))

        self.nc = await nats.connect(
            stack.nats_address,
            user=user,
            password=password,
            inbox_prefix=f"_INBOX.{user}",
            error_cb=on_error,
            allow_reconnect=False,
        )
        self.js = self.nc.jetstream(timeout=2)
        return self

    async def refused(self, what: str) -> bool:
        """Wait for the server's permissions violation naming `what`."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any("permissions violation" in e.lower() and what.lower() in e.lower() for e in self.errors):
                return True
            await asyncio.sleep(0.05)
        return False


@pytest.fixture
async def admin(platform) -> AsyncIterator[tuple[Client, JetStreamContext]]:  # type: ignore[no-untyped-def]
    nc, js = await connect_nats(platform.nats_url, name="nats-permissions-test")
    yield nc, js
    await nc.close()


@pytest.fixture
async def as_service() -> AsyncIterator[Callable[..., Any]]:
    opened: list[AsService] = []

    async def connect(stack: Any, service: str) -> AsService:
        conn = await AsService().connect(stack, service)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        if conn.nc is not None and not conn.nc.is_closed:
            await conn.nc.close()


def mark_recorded() -> MarkRecorded:
    return MarkRecorded(
        event_id=str(uuid.uuid4()),
        occurred_at=now_timestamp(),
        mark_id=str(uuid.uuid4()),
        student_id=str(uuid.uuid4()),
        value="5",
    )


async def last_msg_id(js: JetStreamContext, stream: str, subject: str) -> str:
    try:
        msg = await js.get_last_msg(stream, subject)
    except NotFoundError:
        return ""
    return (msg.headers or {}).get("Nats-Msg-Id", "")


async def dead_letter(js: JetStreamContext, service: str, event_id: str) -> dict[str, str]:
    """Wait for the dead letter of `event_id` on dlq.<service>; return its headers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            msg = await js.get_last_msg("DLQ", f"dlq.{service}")
        except NotFoundError:
            msg = None
        if msg is not None and (msg.headers or {}).get("Ejournal-Original-Event-Id") == event_id:
            return dict(msg.headers or {})
        await asyncio.sleep(0.1)
    raise AssertionError(f"no dead letter of {event_id} on dlq.{service}")


async def test_an_unauthenticated_client_is_refused(platform) -> None:  # type: ignore[no-untyped-def]
    for credentials in ({}, {"user": "journal", "password": "not-the-password"}):
        with pytest.raises(Exception) as refused:
            await nats.connect(
                platform.nats_address, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=3,
                **credentials,
            )  # fmt: skip
        assert "authorization" in str(refused.value).lower(), repr(refused.value)


async def test_another_services_user_cannot_publish_journal_events(platform, admin, as_service) -> None:  # type: ignore[no-untyped-def]
    _, admin_js = admin
    messaging = await as_service(platform, "messaging")
    forged = mark_recorded()
    subject = "journal.mark.recorded.v1"
    with pytest.raises(Exception):
        await messaging.js.publish(
            subject, forged.SerializeToString(), headers={"Nats-Msg-Id": forged.event_id}
        )
    assert await messaging.refused(f'Publish to "{subject}"'), messaging.errors
    assert await last_msg_id(admin_js, "JOURNAL", subject) != forged.event_id
    # Nor an audit record in the journal's name.
    await messaging.nc.publish(audit_subject("journal"), b"forged")
    assert await messaging.refused(f'Publish to "{audit_subject("journal")}"'), messaging.errors


async def test_a_service_reads_only_what_it_consumes(platform, as_service) -> None:  # type: ignore[no-untyped-def]
    messaging = await as_service(platform, "messaging")
    # No plain subscription to events, nor to others' reply inboxes (where fetched events arrive).
    await messaging.nc.subscribe("journal.>")
    assert await messaging.refused('Subscription to "journal.>"'), messaging.errors
    await messaging.nc.subscribe("_INBOX.>")
    assert await messaging.refused('Subscription to "_INBOX.>"'), messaging.errors
    # No consumer on the audit stream: only the archive reads the audit log.
    with pytest.raises(Exception):
        await messaging.js.add_consumer("AUDIT", ConsumerConfig(durable_name="messaging-spy"))
    assert await messaging.refused('.AUDIT.messaging-spy"'), messaging.errors
    # The journal's own user may not delete or purge its stream, nor read a message around consumers.
    journal = await as_service(platform, "journal")
    for call, api in (
        (journal.js.purge_stream("JOURNAL"), "$JS.API.STREAM.PURGE.JOURNAL"),
        (journal.js.get_msg("JOURNAL", 1), "$JS.API.STREAM.MSG.GET.JOURNAL"),
    ):
        with pytest.raises(Exception):
            await call
        assert await journal.refused(f'Publish to "{api}"'), journal.errors


async def test_an_audit_record_claiming_another_service_is_dead_lettered_never_chained(  # type: ignore[no-untyped-def]
    platform, admin, as_service
) -> None:
    _, admin_js = admin
    identity = await as_service(platform, "identity")
    forged = AuditRecorded(
        event_id=str(uuid.uuid4()), occurred_at=now_timestamp(), actor_id=str(uuid.uuid4()),
        action="mark.changed", resource_type="mark", resource_id=str(uuid.uuid4()), service="journal",
    )  # fmt: skip
    genuine = AuditRecorded(
        event_id=str(uuid.uuid4()), occurred_at=now_timestamp(), actor_id=str(uuid.uuid4()),
        action="person.read", resource_type="person", resource_id=str(uuid.uuid4()), service="identity",
    )  # fmt: skip
    # The identity user may publish audit.identity.>: NATS lets both through, the archive decides.
    for event in (forged, genuine):
        await identity.js.publish(
            audit_subject("identity"),
            event.SerializeToString(),
            headers={
                "Nats-Msg-Id": event.event_id,
                "Ejournal-Event-Type": AuditRecorded.DESCRIPTOR.full_name,
            },
        )
    headers = await dead_letter(admin_js, "archive", forged.event_id)
    assert ForeignEvent.__name__ in headers["Ejournal-Error"]

    engine = make_engine(platform.database_url("archive"), pool_size=2)
    sessions = make_session_factory(engine)
    try:
        async with sessions() as session:
            deadline = time.monotonic() + 30
            while not await session.scalar(
                text("SELECT count(*) FROM audit_log WHERE event_id = :id"), {"id": genuine.event_id}
            ):
                assert time.monotonic() < deadline, "the genuine record was not chained"
                await asyncio.sleep(0.1)
            forged_rows = await session.scalar(
                text("SELECT count(*) FROM audit_log WHERE event_id = :id"), {"id": forged.event_id}
            )
            claimed = await session.scalar(
                select(func.count()).select_from(INBOX).where(INBOX.c.event_id == forged.event_id)
            )
        assert (forged_rows, claimed) == (0, 0)
        handlers = ArchiveHandlers(uow=lambda: ArchiveUnitOfWork(sessions, service="archive"))
        verification = await handlers.verify_audit_chain(ARCHIVE_ADMIN)
        assert verification.intact
    finally:
        await engine.dispose()


async def test_an_event_whose_envelope_names_another_type_is_dead_lettered_by_every_consumer(  # type: ignore[no-untyped-def]
    platform, admin, as_service
) -> None:
    _, admin_js = admin
    journal = await as_service(platform, "journal")
    event = mark_recorded()
    await journal.js.publish(
        "journal.mark.recorded.v1",
        event.SerializeToString(),
        headers={"Nats-Msg-Id": event.event_id, "Ejournal-Event-Type": "ejournal.identity.v1.PersonCreated"},
    )
    for service in ("reports", "messaging"):
        headers = await dead_letter(admin_js, service, event.event_id)
        assert ForeignEvent.__name__ in headers["Ejournal-Error"]
    engine = make_engine(platform.database_url("reports"), pool_size=2)
    try:
        async with make_session_factory(engine)() as session:
            claimed = await session.scalar(
                select(func.count()).select_from(INBOX).where(INBOX.c.event_id == event.event_id)
            )
        assert claimed == 0, "the reports applied an event it should have refused"
    finally:
        await engine.dispose()
