"""Parents' access as a date (ADR 0013) through the real gRPC servicer and PostgreSQL: each change
of what the rule reads stages identity.parent_access.changed.v1 in the outbox with the change, and
ListParentAccessFacts pages through every link for a service. Keycloak's side of creating a person
is the other tests' business: here the account directory is an in-memory stand-in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import grpc
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.events import subject_of
from chassis.grpc_client import call_metadata
from chassis.grpc_server import GrpcServer
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb
from identity_service.adapters.orm import start_mappers
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.grpc import IdentityServicer
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.ports import NewAccount
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration
CHANGED = subject_of(facts_pb.ParentAccessChanged)


class Accounts:
    async def username_taken(self, username: str) -> bool:
        return False

    async def create_account(self, account: NewAccount) -> str:
        return str(uuid.uuid4())

    async def set_password(self, account_id: str, password: str, *, temporary: bool) -> None:
        return None

    async def assign_role(self, account_id: str, role: str) -> None:
        return None

    async def delete_account(self, account_id: str) -> None:
        return None

    async def set_enabled(self, account_id: str, enabled: bool) -> None:
        return None

    async def end_sessions(self, account_id: str) -> None:
        return None


@pytest.fixture
async def served(
    fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer
) -> AsyncIterator[tuple[pb_grpc.IdentityServiceStub, async_sessionmaker[AsyncSession]]]:
    start_mappers()
    engine = make_engine(await fresh_db("identity"), pool_size=2)
    sessions = make_session_factory(engine)
    handlers = IdentityHandlers(
        uow=lambda: IdentityUnitOfWork(sessions, service="identity"),
        accounts=Accounts(),  # type: ignore[arg-type]
        today=lambda: date(2026, 11, 30),
    )
    server = GrpcServer(
        host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
    )
    pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(handlers), server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield pb_grpc.IdentityServiceStub(channel), sessions
    finally:
        await channel.close()
        await server.stop(0)
        await engine.dispose()


async def _staged(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    """The facts in the outbox, oldest first, as (student, parent, access_until or '')."""
    async with sessions() as s:
        rows = await s.scalars(
            select(OUTBOX.c.payload).where(OUTBOX.c.subject == CHANGED).order_by(OUTBOX.c.created_at)
        )
        found = []
        for payload in rows:
            fact = facts_pb.ParentAccessChanged.FromString(payload).fact
            until = fact.access_until
            found.append(
                (
                    fact.student_id,
                    fact.parent_id,
                    date(until.year, until.month, until.day).isoformat()
                    if fact.HasField("access_until")
                    else "",
                )
            )
        return found


async def test_each_change_stages_the_fact_and_services_page_through_them(
    served: tuple[pb_grpc.IdentityServiceStub, async_sessionmaker[AsyncSession]], issuer: LocalIssuer
) -> None:
    stub, sessions = served
    admin = call_metadata(issuer.token(str(uuid.uuid4()), ("admin",)))
    service = call_metadata(issuer.token("service-account-ejournal-messaging", ("service",)))

    async def person(role: Any) -> str:
        request = pb.CreatePersonRequest(role=role, last_name="Ученикова", first_name="Анна")
        return str((await stub.CreatePerson(request, metadata=admin)).person.person_id)

    student, mother, father = (
        await person(ipb.ROLE_STUDENT),
        await person(ipb.ROLE_PARENT),
        await person(ipb.ROLE_PARENT),
    )
    for parent in (mother, father):
        await stub.LinkGuardian(pb.LinkGuardianRequest(parent_id=parent, student_id=student), metadata=admin)
    assert await _staged(sessions) == [(student, mother, ""), (student, father, "")]

    await stub.SetBirthDate(
        pb.SetBirthDateRequest(person_id=student, birth_date="2008-09-01"), metadata=admin
    )
    assert sorted((await _staged(sessions))[2:]) == sorted(
        [(student, mother, "2026-09-01"), (student, father, "2026-09-01")]
    )
    me = call_metadata(issuer.token(student, ("student",)))
    await stub.GrantParentAccess(pb.GrantParentAccessRequest(parent_id=mother), metadata=me)
    await stub.WithdrawParentAccess(pb.WithdrawParentAccessRequest(parent_id=mother), metadata=me)
    await stub.GrantParentAccess(pb.GrantParentAccessRequest(parent_id=mother), metadata=me)
    assert (await _staged(sessions))[4:] == [
        (student, mother, ""),
        (student, mother, "2026-09-01"),
        (student, mother, ""),
    ]
    # The events carry ids and the date only.
    async with sessions() as s:
        payloads = list(await s.scalars(select(OUTBOX.c.payload).where(OUTBOX.c.subject == CHANGED)))
    assert all("Ученикова".encode() not in p for p in payloads)

    # The snapshot, one link a page, for messaging's service account.
    facts, token = [], ""
    while True:
        page = await stub.ListParentAccessFacts(
            facts_pb.ListParentAccessFactsRequest(page_size=1, page_token=token), metadata=service
        )
        facts += [(f.student_id, f.parent_id, f.HasField("access_until")) for f in page.facts]
        token = page.next_page_token
        if not token:
            break
    assert sorted(facts) == sorted([(student, mother, False), (student, father, True)])

    # A page token it never gave is refused in Russian with a stable code.
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ListParentAccessFacts(
            facts_pb.ListParentAccessFactsRequest(page_token="x"), metadata=service
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "страницы" in (refused.value.details() or "")
