"""Who may read which notifications, role by role, through the real gRPC servicer and PostgreSQL.

Messaging has one RPC and one rule: a person reads their own notifications and nobody else's. So the
table has, for every realm role, a stranger who must see none of the case's notifications, next to
the parent who sees exactly theirs; and the callers who are refused outright (no token, a subject
that is not a person). Deleting the check, or the scope of the query, fails a row.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import grpc
import pytest
import pytest_asyncio
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery, subject_of
from chassis.grpc_client import call_metadata, error_code_of
from chassis.testing import LocalIssuer, serve_in_process
from devstack.testing import cloned_database, realm_roles
from ejournal.journal.v1.events_pb2 import MarkRecorded
from ejournal.messaging.v1 import messaging_service_pb2 as pb
from ejournal.messaging.v1 import messaging_service_pb2_grpc as pb_grpc
from messaging_service.adapters import orm
from messaging_service.adapters.uow import MessagingUnitOfWork
from messaging_service.api.grpc import MessagingServicer
from messaging_service.application import commands
from messaging_service.application.handlers import MessagingHandlers

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]
REALM_ROLES = realm_roles()
DENIED, UNAUTHENTICATED = grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED


class Guardians:
    """Identity's answer (proven end to end elsewhere): the parents registered here per student."""

    def __init__(self) -> None:
        self.links: dict[uuid.UUID, list[uuid.UUID]] = {}

    async def guardians_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        return self.links.get(student_id, [])


@dataclass
class Messaging:
    stub: pb_grpc.MessagingServiceStub
    handlers: MessagingHandlers
    guardians: Guardians
    issuer: LocalIssuer


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def messaging(
    stack_infra: Any, database_templates: dict[str, str], issuer: LocalIssuer
) -> AsyncIterator[Messaging]:
    """One messaging server for the module on its own database; every case stores its own notice."""
    orm.start_mappers()
    async with cloned_database(
        stack_infra.superuser_dsn, database_templates["messaging"], "t_messaging_access"
    ) as url:
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        guardians = Guardians()
        handlers = MessagingHandlers(
            uow=lambda: MessagingUnitOfWork(sessions, service="messaging"), guardians=guardians
        )
        servicer = MessagingServicer(handlers)
        try:
            async with serve_in_process(
                pb_grpc.add_MessagingServiceServicer_to_server, servicer, issuer.verifier()
            ) as channel:
                yield Messaging(pb_grpc.MessagingServiceStub(channel), handlers, guardians, issuer)
        finally:
            await engine.dispose()


async def notify_parent_of_a_mark(messaging: Messaging) -> tuple[str, str]:
    """Store the notice of a mark for a new student's parent; return (parent id, source event id)."""
    student, parent = uuid.uuid4(), uuid.uuid4()
    messaging.guardians.links[student] = [parent]
    event_id = str(uuid.uuid4())
    stored = await messaging.handlers.notify_guardians_of_mark(
        commands.NotifyGuardiansOfMark(
            student_id=student, discipline_id=uuid.uuid4(), mark_value="5", lesson_date=date(2026, 10, 14)
        ),
        Delivery(event_id, "messaging-mark-notifications", subject_of(MarkRecorded)),
    )
    assert stored == 1
    return str(parent), event_id


async def list_notifications(messaging: Messaging, md: tuple[tuple[str, str], ...]) -> list[str]:
    reply = await messaging.stub.ListNotifications(pb.ListNotificationsRequest(page_size=200), metadata=md)
    return [n.source_event_id for n in reply.notifications]


# (caller, subject or None for a fresh person id, status, error code): callers refused outright.
ODD_SUBJECT = "service-account-ejournal-journal"
REFUSED: list[tuple[str, tuple[str, ...], str | None, grpc.StatusCode, str]] = [
    ("nobody", (), None, UNAUTHENTICATED, "unauthenticated"),
    *[(f"{role} with a subject that is not a person id", (role,), ODD_SUBJECT, DENIED, "person_required")
      for role in REALM_ROLES],
]  # fmt: skip


async def test_the_table_covers_every_rpc_of_the_service() -> None:
    assert set(pb.DESCRIPTOR.services_by_name["MessagingService"].methods_by_name) == {"ListNotifications"}


@pytest.mark.parametrize(
    ("caller", "roles", "subject", "status", "code"), REFUSED, ids=[row[0] for row in REFUSED]
)
async def test_refused(
    messaging: Messaging,
    caller: str,
    roles: tuple[str, ...],
    subject: str | None,
    status: grpc.StatusCode,
    code: str,
) -> None:
    await notify_parent_of_a_mark(messaging)
    md = () if caller == "nobody" else call_metadata(messaging.issuer.token(subject, roles))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await list_notifications(messaging, md)
    assert (refused.value.code(), error_code_of(refused.value)) == (status, code)


@pytest.mark.parametrize("role", REALM_ROLES)
async def test_nobody_else_sees_a_parents_notification(messaging: Messaging, role: str) -> None:
    parent, event_id = await notify_parent_of_a_mark(messaging)
    stranger = call_metadata(messaging.issuer.token(str(uuid.uuid4()), (role,)))
    assert await list_notifications(messaging, stranger) == []
    own = call_metadata(messaging.issuer.token(parent, ("parent",)))
    assert await list_notifications(messaging, own) == [event_id]
