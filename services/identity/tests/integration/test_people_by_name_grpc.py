"""SearchPeople and GetPeople over real gRPC and PostgreSQL: the database's folding of Cyrillic names,
the order, the audit records in the outbox and the refusals of bad requests.

Keycloak plays no part in reading names: the account directory is an in-memory stand-in (as in the
access matrix), so people are created through the real servicer without a Keycloak round trip.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from identity_service.adapters.orm import start_mappers
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.grpc import IdentityServicer
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.ports import NewAccount
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration
ADMIN = str(uuid.uuid4())


class Accounts:
    """Keycloak's accounts in memory."""

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


class Served:
    def __init__(
        self,
        stub: pb_grpc.IdentityServiceStub,
        issuer: LocalIssuer,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.stub, self.issuer, self.sessions = stub, issuer, sessions

    def md(self, subject: str, *roles: str) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.issuer.token(subject, roles))

    async def person(self, role: ipb.Role.ValueType, last: str, first: str, middle: str = "") -> str:
        request = pb.CreatePersonRequest(role=role, last_name=last, first_name=first, middle_name=middle)
        return (await self.stub.CreatePerson(request, metadata=self.md(ADMIN, "admin"))).person.person_id

    async def audits(self) -> list[AuditRecorded]:
        async with self.sessions() as s:
            payloads = await s.scalars(select(OUTBOX.c.payload).where(OUTBOX.c.subject.startswith("audit.")))
            return [AuditRecorded.FromString(p) for p in payloads]


@pytest.fixture
async def served(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Served]:
    start_mappers()
    engine = make_engine(await fresh_db("identity"), pool_size=2)
    sessions = make_session_factory(engine)
    handlers = IdentityHandlers(
        uow=lambda: IdentityUnitOfWork(sessions, service="identity"), accounts=Accounts()
    )
    server = GrpcServer(
        host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
    )
    pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(handlers), server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Served(pb_grpc.IdentityServiceStub(channel), issuer, sessions)
    finally:
        await channel.close()
        await server.stop(0)
        await engine.dispose()


def names(reply: pb.SearchPeopleResponse | pb.GetPeopleResponse) -> list[str]:
    return [f"{p.last_name} {p.first_name}" for p in reply.people]


async def test_search_folds_case_and_yo_in_the_database_and_audits_each_found(served: Served) -> None:
    elkin = await served.person(ipb.ROLE_TEACHER, "Ёлкин", "Пётр", "Сергеевич")
    await served.person(ipb.ROLE_CLASS_TEACHER, "ЕЛКИНА", "Анна")
    await served.person(ipb.ROLE_STUDENT, "Белкин", "Егор")
    await served.person(ipb.ROLE_TEACHER, "Иванов", "Ёжик")
    director = served.md(str(uuid.uuid4()), "director")

    async def search(query: str, role: ipb.Role.ValueType = ipb.ROLE_UNSPECIFIED, size: int = 0) -> list[str]:
        request = pb.SearchPeopleRequest(query=query, role=role, page_size=size)
        return names(await served.stub.SearchPeople(request, metadata=director))

    assert await search("елк") == ["Ёлкин Пётр", "ЕЛКИНА Анна"]
    assert await search("ЁЛКИН") == ["Ёлкин Пётр", "ЕЛКИНА Анна"]
    assert await search("елк петр") == ["Ёлкин Пётр"]
    assert await search("Серг") == ["Ёлкин Пётр"]
    assert await search("еж") == ["Иванов Ёжик"]
    assert await search("елк", ipb.ROLE_CLASS_TEACHER) == ["ЕЛКИНА Анна"]
    assert await search("елк", size=1) == ["Ёлкин Пётр"]
    # A LIKE wildcard typed by someone is refused, never a pattern.
    with pytest.raises(grpc.aio.AioRpcError) as wildcard:
        await search("е%")
    assert (wildcard.value.code(), error_code_of(wildcard.value)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "invalid_query",
    )
    reply = await served.stub.SearchPeople(pb.SearchPeopleRequest(query="Ёлкин п"), metadata=director)
    [found] = reply.people
    assert (found.person_id, found.role, found.middle_name) == (elkin, ipb.ROLE_TEACHER, "Сергеевич")
    reads = [a for a in await served.audits() if a.action == "person.read" and a.subject_person_id == elkin]
    assert reads and all(a.resource_type == "person" and a.actor_roles == ["director"] for a in reads)


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (pb.SearchPeopleRequest(query=""), "missing_query"),
        (pb.SearchPeopleRequest(query="а б в г"), "too_long_query"),
        (pb.SearchPeopleRequest(query="Иван", page_size=51), "invalid_page_size"),
        (pb.SearchPeopleRequest(query="Иван", role=99), "missing_role"),  # type: ignore[arg-type]
    ],
)
async def test_bad_searches_are_invalid_argument_with_a_code(
    served: Served, request_: pb.SearchPeopleRequest, code: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await served.stub.SearchPeople(request_, metadata=served.md(ADMIN, "admin"))
    assert (refused.value.code(), error_code_of(refused.value)) == (grpc.StatusCode.INVALID_ARGUMENT, code)


async def test_get_people_names_a_group_in_one_call_and_leaves_out_the_invisible(served: Served) -> None:
    students = [await served.person(ipb.ROLE_STUDENT, f"Ученик{chr(0x430 + i)}", "Иван") for i in range(30)]
    teacher = served.md(str(uuid.uuid4()), "teacher")
    before = len(await served.audits())

    reply = await served.stub.GetPeople(
        pb.GetPeopleRequest(person_ids=[*reversed(students), str(uuid.uuid4())]), metadata=teacher
    )

    assert [p.person_id for p in reply.people] == students  # by name; the unknown id left out
    assert len(await served.audits()) - before == 30
    student = served.md(students[0], "student")
    mine = await served.stub.GetPeople(pb.GetPeopleRequest(person_ids=students[:3]), metadata=student)
    assert [p.person_id for p in mine.people] == students[:1]

    for request_, code in (
        (pb.GetPeopleRequest(person_ids=[str(uuid.uuid4())] * 501), "too_many_person_ids"),
        (pb.GetPeopleRequest(person_ids=["42"]), "invalid_person_ids"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await served.stub.GetPeople(request_, metadata=teacher)
        assert (refused.value.code(), error_code_of(refused.value)) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            code,
        )
