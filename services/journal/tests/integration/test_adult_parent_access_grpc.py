"""An adult student's parent and the diary (issue 8 item 5, 152-ФЗ), over real gRPC end to end: the
journal asks the real identity service (its CheckGuardianship, IdentityGuardianDirectory) with the
parent's token, each on its own PostgreSQL database. A parent reads the diary while the student is a
minor; from the 18th birthday they are refused until the student consents, and again after the
consent is withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import grpc
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.grpc_server import GrpcServer
from chassis.testing import LocalIssuer
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as ipb_service
from ejournal.identity.v1 import identity_service_pb2_grpc as ipb_grpc
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from identity_service.adapters.orm import start_mappers as start_identity_mappers
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.grpc import IdentityServicer
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.ports import NewAccount
from journal_service.adapters import orm
from journal_service.adapters.identity_client import IdentityGuardianDirectory
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.api.grpc import JournalServicer
from journal_service.application.handlers import JournalHandlers

from .people import KnownPeople
from .served import TODAY, Journal
from .test_lessons_grpc import college
from .test_read_models_grpc import WEEK, mark

pytestmark = pytest.mark.integration


class Accounts:
    """Keycloak's side in memory; a person gets the id queued for them (the journal's student)."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    async def username_taken(self, username: str) -> bool:
        return False

    async def create_account(self, account: NewAccount) -> str:
        return self.ids.pop(0) if self.ids else str(uuid.uuid4())

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


class Both(Journal):
    identity: ipb_grpc.IdentityServiceStub
    accounts: Accounts


@pytest.fixture
async def served(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Both]:
    orm.start_mappers()
    start_identity_mappers()
    servers: list[Any] = []
    engines = []

    async def serve(add: Callable[[Any, Any], None], servicer: object) -> grpc.aio.Channel:
        server = GrpcServer(
            host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
        )
        add(servicer, server.server)
        await server.start()
        servers.append(server)
        return grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")

    identity_engine = make_engine(await fresh_db("identity"), pool_size=2)
    journal_engine = make_engine(await fresh_db("journal"), pool_size=2)
    engines += [identity_engine, journal_engine]
    identity_sessions, journal_sessions = (
        make_session_factory(identity_engine),
        make_session_factory(journal_engine),
    )
    accounts = Accounts()
    identity_handlers = IdentityHandlers(
        uow=lambda: IdentityUnitOfWork(identity_sessions, service="identity"),
        accounts=accounts,
        today=lambda: TODAY,
    )
    identity_channel = await serve(
        ipb_grpc.add_IdentityServiceServicer_to_server, IdentityServicer(identity_handlers)
    )
    people = KnownPeople()
    handlers = JournalHandlers(
        uow=lambda: JournalUnitOfWork(journal_sessions, service="journal"),
        guardians=IdentityGuardianDirectory(identity_channel),
        today=lambda: TODAY,
        people=people,
    )
    journal_channel = await serve(pb_grpc.add_JournalServiceServicer_to_server, JournalServicer(handlers))
    both = Both(
        pb_grpc.JournalServiceStub(journal_channel), journal_sessions, issuer, people, people.new("admin")
    )
    both.identity, both.accounts = ipb_grpc.IdentityServiceStub(identity_channel), accounts
    yield both
    for channel in (identity_channel, journal_channel):
        await channel.close()
    for server in servers:
        await server.stop(0)
    for engine in engines:
        await engine.dispose()


async def test_an_adult_students_parent_reads_the_diary_only_with_consent(served: Both) -> None:
    c = await college(served)
    student = c.students[0]
    await mark(served, c, student, "5")
    admin = served.md(str(uuid.uuid4()), "admin")
    served.accounts.ids.append(student)

    async def person(role: ipb.Role.ValueType, last_name: str) -> str:
        request = ipb_service.CreatePersonRequest(role=role, last_name=last_name, first_name="Анна")
        return str((await served.identity.CreatePerson(request, metadata=admin)).person.person_id)

    assert await person(ipb.ROLE_STUDENT, "Ученикова") == student
    parent = await person(ipb.ROLE_PARENT, "Родителева")
    await served.identity.LinkGuardian(
        ipb_service.LinkGuardianRequest(parent_id=parent, student_id=student), metadata=admin
    )
    diary = pb.GetStudentDiaryRequest(student_id=student, date_from=WEEK[0], date_to=WEEK[1])
    as_parent, as_student = served.md(parent, "parent"), served.md(student, "student")

    async def parent_reads() -> list[str]:
        got = await served.stub.GetStudentDiary(diary, metadata=as_parent)
        return [m.mark.value for d in got.days for m in d.marks_without_lesson]

    async def parent_refused() -> None:
        await served.refused(
            served.stub.GetStudentDiary(diary, metadata=as_parent),
            grpc.StatusCode.NOT_FOUND,
            "student_not_found",
        )

    # No birth date recorded: a minor, the link alone gives access.
    assert await parent_reads() == ["5"]
    # Seventeen the day before the journal's today: still a minor.
    eve = date(TODAY.year - 18, TODAY.month, TODAY.day + 1).isoformat()
    await served.identity.SetBirthDate(
        ipb_service.SetBirthDateRequest(person_id=student, birth_date=eve), metadata=admin
    )
    assert await parent_reads() == ["5"]
    # Eighteen today: refused until the student consents.
    birthday = date(TODAY.year - 18, TODAY.month, TODAY.day).isoformat()
    await served.identity.SetBirthDate(
        ipb_service.SetBirthDateRequest(person_id=student, birth_date=birthday), metadata=admin
    )
    await parent_refused()
    listed = await served.identity.ListParentAccess(
        ipb_service.ListParentAccessRequest(), metadata=as_student
    )
    assert listed.adult
    assert [(p.parent_id, p.last_name, p.consent, p.access) for p in listed.parents] == [
        (parent, "Родителева", False, False)
    ]
    children = await served.identity.ListChildren(
        ipb_service.ListChildrenRequest(parent_id=parent), metadata=as_parent
    )
    assert (list(children.children), list(children.access_ended_student_ids)) == ([], [student])

    granted = await served.identity.GrantParentAccess(
        ipb_service.GrantParentAccessRequest(parent_id=parent), metadata=as_student
    )
    assert (granted.changed, granted.parent.consent, granted.parent.access) == (True, True, True)
    assert granted.parent.granted_at
    assert await parent_reads() == ["5"]

    withdrawn = await served.identity.WithdrawParentAccess(
        ipb_service.WithdrawParentAccessRequest(parent_id=parent), metadata=as_student
    )
    assert (withdrawn.changed, withdrawn.parent.consent, withdrawn.parent.access) == (True, False, False)
    assert withdrawn.parent.withdrawn_at
    await parent_refused()

    # A parent the student is not linked to: NOT_FOUND, nothing recorded.
    with pytest.raises(grpc.aio.AioRpcError) as stranger:
        await served.identity.GrantParentAccess(
            ipb_service.GrantParentAccessRequest(parent_id=str(uuid.uuid4())), metadata=as_student
        )
    assert stranger.value.code() == grpc.StatusCode.NOT_FOUND
