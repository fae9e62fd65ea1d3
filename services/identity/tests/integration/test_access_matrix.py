"""Who may call what, RPC by RPC and role by role, through the real gRPC servicer and PostgreSQL.

Every refusal identity's rules make is a row here, so that deleting any access check fails a test;
the allowed rows beside them keep the refusals honest. Each case creates its own people and links,
so the refused call would succeed for someone allowed: only the check stands in its way.

Keycloak's side of creating a person is proven by the other integration tests; here the account
directory is an in-memory stand-in, because every check under test runs before Keycloak is asked.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import grpc
import pytest
import pytest_asyncio
from chassis.db import make_engine, make_session_factory
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.testing import LocalIssuer
from devstack.testing import realm_roles
from ejournal.identity.v1 import group_list_import_pb2 as gl_pb
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb
from identity_service.adapters import orm
from identity_service.adapters.orm import start_mappers
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.grpc import IdentityServicer
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.ports import NewAccount
from sqlalchemy.dialects.postgresql import insert

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]
REALM_ROLES = realm_roles()
STAFF = ("admin", "director", "deputy", "curator", "class_teacher", "teacher", "head_of_commission", "master")
DENIED, UNAUTHENTICATED = grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED


class Accounts:
    """Keycloak's accounts in memory (the real directory is exercised by the other integration tests)."""

    def __init__(self) -> None:
        self.usernames: set[str] = set()

    async def username_taken(self, username: str) -> bool:
        return username in self.usernames

    async def create_account(self, account: NewAccount) -> str:
        self.usernames.add(account.username)
        return str(uuid.uuid4())

    async def set_password(self, account_id: str, password: str, *, temporary: bool) -> None:
        return None

    async def assign_role(self, account_id: str, role: str) -> None:
        return None

    async def remove_role(self, account_id: str, role: str) -> None:
        return None

    async def delete_account(self, account_id: str) -> None:
        return None

    async def set_enabled(self, account_id: str, enabled: bool) -> None:
        return None

    async def end_sessions(self, account_id: str) -> None:
        return None


@dataclass
class Identity:
    stub: pb_grpc.IdentityServiceStub
    issuer: LocalIssuer


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served(
    stack_infra: Any, database_templates: dict[str, str], issuer: LocalIssuer
) -> AsyncIterator[Identity]:
    """One identity server for the module on its own database; every case makes its own people.

    (Not the conftest's `identity`: that one needs Keycloak.)
    """
    dsn: str = stack_infra.superuser_dsn
    name = f"t_identity_access_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{database_templates["identity"]}"')
    await conn.close()
    start_mappers()
    engine = make_engine(
        dsn.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    )
    sessions = make_session_factory(engine)
    _SESSIONS[:] = [sessions]  # slice H1's rows write identity's projection of a group
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
        yield Identity(pb_grpc.IdentityServiceStub(channel), issuer)
    finally:
        await channel.close()
        await server.stop(0)
        await engine.dispose()
        conn = await asyncpg.connect(dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@dataclass
class World:
    """One case's people: a student and their parent, and another student with another parent."""

    admin: str
    student: str
    parent: str
    other_parent: str


async def build_world(identity: Identity) -> World:
    admin = str(uuid.uuid4())
    md = call_metadata(identity.issuer.token(admin, ("admin",)))
    stub = identity.stub

    async def person(role: ipb.Role.ValueType, last_name: str) -> str:
        request = pb.CreatePersonRequest(role=role, last_name=last_name, first_name="Анна")
        return str((await stub.CreatePerson(request, metadata=md)).person.person_id)

    async def link(parent_id: str, student_id: str) -> None:
        await stub.LinkGuardian(
            pb.LinkGuardianRequest(parent_id=parent_id, student_id=student_id), metadata=md
        )

    student, parent = await person(ipb.ROLE_STUDENT, "Ученикова"), await person(ipb.ROLE_PARENT, "Родителева")
    other_student = await person(ipb.ROLE_STUDENT, "Другова")
    other_parent = await person(ipb.ROLE_PARENT, "Чужова")
    await link(parent, student)
    await link(other_parent, other_student)
    return World(admin, student, parent, other_parent)


# Who calls. A realm role alone is a stranger holding it (a parent of nobody, another student); the
# other callers are the people of the case.
OTHER_PARENT = "another student's parent"
PARENT_WITHOUT_ROLE = "the parent's id without the parent role"
ODD_PARENT = "a parent whose subject is not a person id"
CALLERS: dict[str, Callable[[World], tuple[str, tuple[str, ...]]]] = {
    **{role: (lambda w, role=role: (str(uuid.uuid4()), (role,))) for role in REALM_ROLES},
    "the student": lambda w: (w.student, ("student",)),
    "the student's parent": lambda w: (w.parent, ("parent",)),
    OTHER_PARENT: lambda w: (w.other_parent, ("parent",)),
    PARENT_WITHOUT_ROLE: lambda w: (w.parent, ()),
    ODD_PARENT: lambda w: (f"service-account-{uuid.uuid4().hex[:6]}", ("parent",)),
}

Call = Callable[[pb_grpc.IdentityServiceStub, World, tuple[tuple[str, str], ...]], Awaitable[object]]

# Every RPC with a request that is valid in the case's world: only access stands between it and success.
CALLS: dict[str, Call] = {
    "CreatePerson": lambda s, w, md: s.CreatePerson(
        pb.CreatePersonRequest(role=ipb.ROLE_TEACHER, last_name="Новикова", first_name="Вера"), metadata=md
    ),
    "GetPerson": lambda s, w, md: s.GetPerson(pb.GetPersonRequest(person_id=w.student), metadata=md),
    "LinkGuardian": lambda s, w, md: s.LinkGuardian(
        pb.LinkGuardianRequest(parent_id=w.other_parent, student_id=w.student), metadata=md
    ),
    "ListGuardians": lambda s, w, md: s.ListGuardians(
        pb.ListGuardiansRequest(student_id=w.student), metadata=md
    ),
    "CheckGuardianship": lambda s, w, md: s.CheckGuardianship(
        pb.CheckGuardianshipRequest(parent_id=w.parent, student_id=w.student), metadata=md
    ),
    "ListChildren": lambda s, w, md: s.ListChildren(pb.ListChildrenRequest(parent_id=w.parent), metadata=md),
    "ListPersonRoles": lambda s, w, md: s.ListPersonRoles(
        pb.ListPersonRolesRequest(person_ids=[w.student, w.parent]), metadata=md
    ),
    "SearchPeople": lambda s, w, md: s.SearchPeople(pb.SearchPeopleRequest(query="Ученикова"), metadata=md),
    "GetPeople": lambda s, w, md: s.GetPeople(pb.GetPeopleRequest(person_ids=[w.student]), metadata=md),
}

NOT_ADMIN = [role for role in REALM_ROLES if role != "admin"]
NEITHER_ADMIN_NOR_SERVICE = [role for role in REALM_ROLES if role not in ("admin", "service")]
NOT_SERVICE = [role for role in REALM_ROLES if role != "service"]
ADMINISTRATION = ("admin", "director", "deputy", "curator")
NOT_ADMINISTRATION = [role for role in REALM_ROLES if role not in ADMINISTRATION]
SERVICES_ONLY = ("ListPersonRoles",)
STRANGERS_TO_THE_PERSON = ("student", "parent", OTHER_PARENT, PARENT_WITHOUT_ROLE, ODD_PARENT)
Row = tuple[str, str, grpc.StatusCode, str]

# (rpc, caller, status, error code): every refusal identity's rules make.
REFUSED: list[Row] = [
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in ("CreatePerson", "LinkGuardian")
        for caller in (*NOT_ADMIN, "the student's parent")
    ],
    *[("GetPerson", caller, DENIED, "person_not_visible") for caller in STRANGERS_TO_THE_PERSON],
    # Staff outside the administration read a student's profile only in a group they teach or lead
    # (issue 8 item 11): a teacher, class teacher, head of commission or master of another group.
    *[
        ("GetPerson", caller, DENIED, "person_not_visible")
        for caller in ("class_teacher", "teacher", "head_of_commission", "master")
    ],
    *[
        ("ListGuardians", caller, DENIED, "role_required")
        for caller in (*NEITHER_ADMIN_NOR_SERVICE, "the student", "the student's parent")
    ],
    *[
        ("CheckGuardianship", caller, DENIED, "guardianship_not_visible")
        for caller in (*NEITHER_ADMIN_NOR_SERVICE, "the student", OTHER_PARENT)
    ],
    *[
        ("ListChildren", caller, DENIED, "children_not_visible")
        for caller in (*NEITHER_ADMIN_NOR_SERVICE, "the student", OTHER_PARENT)
    ],
    *[
        ("ListPersonRoles", caller, DENIED, "role_required")
        for caller in (*NOT_SERVICE, "the student", "the student's parent")
    ],
    *[
        ("SearchPeople", caller, DENIED, "role_required")
        for caller in (*NOT_ADMINISTRATION, "the student", "the student's parent")
    ],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in CALLS],
]

# (rpc, caller): calls that succeed, next to the refusals of the same RPC.
ALLOWED: list[tuple[str, str]] = [
    *[(rpc, "admin") for rpc in CALLS if rpc not in SERVICES_ONLY],
    *[
        ("GetPerson", caller)
        for caller in (*ADMINISTRATION, "service", "the student", "the student's parent")
    ],
    ("ListGuardians", "service"),
    ("ListPersonRoles", "service"),
    *[
        (rpc, caller)
        for rpc in ("CheckGuardianship", "ListChildren")
        for caller in ("service", "the student's parent")
    ],
    *[("SearchPeople", caller) for caller in ADMINISTRATION],
]

# The account life cycle (issue 8 item 4): the administrator alone disables, enables and reads it.
LIFE_CYCLE = ("DisableAccount", "EnableAccount", "GetAccountState")
CALLS.update(
    {
        "DisableAccount": lambda s, w, md: s.DisableAccount(
            pb.DisableAccountRequest(person_id=w.student), metadata=md
        ),
        "EnableAccount": lambda s, w, md: s.EnableAccount(
            pb.EnableAccountRequest(person_id=w.student), metadata=md
        ),
        "GetAccountState": lambda s, w, md: s.GetAccountState(
            pb.GetAccountStateRequest(person_id=w.student), metadata=md
        ),
    }
)
REFUSED += [
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in LIFE_CYCLE
        for caller in (*NOT_ADMIN, "the student", "the student's parent")
    ],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in LIFE_CYCLE],
]
ALLOWED += [(rpc, "admin") for rpc in LIFE_CYCLE]
# Adult students and their parents' access (issue 8 item 5): the admin records birth dates; the
# student alone grants, withdraws and lists their consent (a student of another family: not linked).
CONSENT = ("GrantParentAccess", "WithdrawParentAccess")
CALLS.update(
    {
        "SetBirthDate": lambda s, w, md: s.SetBirthDate(
            pb.SetBirthDateRequest(person_id=w.student, birth_date="2008-12-01"), metadata=md
        ),
        "GrantParentAccess": lambda s, w, md: s.GrantParentAccess(
            pb.GrantParentAccessRequest(parent_id=w.parent), metadata=md
        ),
        "WithdrawParentAccess": lambda s, w, md: s.WithdrawParentAccess(
            pb.WithdrawParentAccessRequest(parent_id=w.parent), metadata=md
        ),
        "ListParentAccess": lambda s, w, md: s.ListParentAccess(pb.ListParentAccessRequest(), metadata=md),
    }
)
NOT_STUDENT = [role for role in REALM_ROLES if role != "student"]
REFUSED += [
    *[
        ("SetBirthDate", caller, DENIED, "role_required")
        for caller in (*NOT_ADMIN, "the student", "the student's parent")
    ],
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in (*CONSENT, "ListParentAccess")
        for caller in (*NOT_STUDENT, "the student's parent", OTHER_PARENT)
    ],
    *[(rpc, "student", grpc.StatusCode.NOT_FOUND, "parent_not_linked") for rpc in CONSENT],
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in ("SetBirthDate", *CONSENT, "ListParentAccess")
    ],
]
ALLOWED += [
    ("SetBirthDate", "admin"),
    *[(rpc, "the student") for rpc in (*CONSENT, "ListParentAccess")],
    ("ListParentAccess", "student"),
]
# Parents' access as a date (ADR 0013): only services read the snapshot (messaging's account alone,
# by the kit's allow list in main.py); every person, the admin too, is refused.
CALLS["ListParentAccessFacts"] = lambda s, w, md: s.ListParentAccessFacts(
    facts_pb.ListParentAccessFactsRequest(student_id=w.student), metadata=md
)
REFUSED += [
    *[
        ("ListParentAccessFacts", caller, DENIED, "role_required")
        for caller in (*NOT_SERVICE, "the student", "the student's parent")
    ],
    ("ListParentAccessFacts", "nobody", UNAUTHENTICATED, "unauthenticated"),
]
ALLOWED += [("ListParentAccessFacts", "service")]
# GetPeople leaves out whom the caller may not see instead of refusing: (caller, is the student named).
GET_PEOPLE_SEES_THE_STUDENT: list[tuple[str, bool]] = [
    *[(caller, True) for caller in (*STAFF, "service", "the student", "the student's parent")],
    *[(caller, False) for caller in STRANGERS_TO_THE_PERSON],
]

# Scoped role assignments (slice H4, ADR 0012): the admin assigns, revokes and lists staff; the person
# reads their own assignments; services (and the admin) read a person's scopes.


async def _teacher(s: pb_grpc.IdentityServiceStub, w: World) -> str:
    request = pb.CreatePersonRequest(role=ipb.ROLE_TEACHER, last_name="Назначенова", first_name="Вера")
    reply = await s.CreatePerson(request, metadata=call_metadata_of(w.admin, "admin"))
    return str(reply.person.person_id)


async def _assign_role(s: pb_grpc.IdentityServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    scope = ipb.RoleScope(kind=ipb.SCOPE_KIND_COLLEGE)
    request = pb.AssignRoleRequest(person_id=await _teacher(s, w), role=ipb.ROLE_MASTER, scope=scope)
    return await s.AssignRole(request, metadata=md)


async def _revoke_role(s: pb_grpc.IdentityServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    listed = await s.ListRoleAssignments(
        pb.ListRoleAssignmentsRequest(person_id=await _teacher(s, w)),
        metadata=call_metadata_of(w.admin, "admin"),
    )
    return await s.RevokeRole(
        pb.RevokeRoleRequest(assignment_id=listed.assignments[0].assignment_id), metadata=md
    )


ROLE_ASSIGNMENTS = ("AssignRole", "RevokeRole", "ListStaff")
CALLS.update(
    {
        "AssignRole": _assign_role,
        "RevokeRole": _revoke_role,
        "ListStaff": lambda s, w, md: s.ListStaff(pb.ListStaffRequest(), metadata=md),
        "ListRoleAssignments": lambda s, w, md: s.ListRoleAssignments(
            pb.ListRoleAssignmentsRequest(person_id=w.student), metadata=md
        ),
        "ListPersonScopes": lambda s, w, md: s.ListPersonScopes(
            pb.ListPersonScopesRequest(person_id=w.student), metadata=md
        ),
    }
)
REFUSED += [
    *[
        (rpc, caller, DENIED, "role_required")
        for rpc in (*ROLE_ASSIGNMENTS, "ListRoleAssignments")
        for caller in (*NOT_ADMIN, "the student's parent", OTHER_PARENT)
    ],
    *[(rpc, "the student", DENIED, "role_required") for rpc in ROLE_ASSIGNMENTS],
    *[
        ("ListPersonScopes", caller, DENIED, "role_required")
        for caller in (*NEITHER_ADMIN_NOR_SERVICE, "the student", "the student's parent")
    ],
    *[
        (rpc, "nobody", UNAUTHENTICATED, "unauthenticated")
        for rpc in (*ROLE_ASSIGNMENTS, "ListRoleAssignments", "ListPersonScopes")
    ],
]
ALLOWED += [
    *[(rpc, "admin") for rpc in (*ROLE_ASSIGNMENTS, "ListRoleAssignments", "ListPersonScopes")],
    ("ListRoleAssignments", "the student"),
    ("ListPersonScopes", "service"),
]


# The role-assignment calls make their teacher as the case's admin: they need the issuer.
_ISSUER: list[LocalIssuer] = []


@pytest.fixture(autouse=True)
def _remember_the_issuer(issuer: LocalIssuer) -> None:
    _ISSUER[:] = [issuer]


def call_metadata_of(subject: str, *roles: str) -> tuple[tuple[str, str], ...]:
    """Return the metadata of a call by `subject` with `roles`, from the session's issuer."""
    return call_metadata(_ISSUER[0].token(subject, roles))


# Credential issue (slice H1): the admin and the class teacher of the student's group (identity's
# projection of the journal, written here as its consumer would) issue to the student and their
# parent, list the group's accounts and add a parent; everyone else is refused, the student asking
# for themself as `own_credentials`.
_SESSIONS: list[Any] = []
CLASS_TEACHER = "the student's class teacher"


def _of(world: World, what: str) -> str:
    """The case's group and its class teacher, derived from the case's student."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{what}/{world.student}"))


async def _in_a_led_group(world: World) -> str:
    """Put the student into a group led by the case's class teacher; return the group id."""
    group = _of(world, "group")
    async with _SESSIONS[0]() as s, s.begin():
        await s.execute(
            insert(orm.group_class_teachers)
            .values(group_id=group, class_teacher_id=_of(world, "class-teacher"))
            .on_conflict_do_nothing()
        )
        await s.execute(
            insert(orm.group_members)
            .values(group_id=group, student_id=world.student, from_date=date(2026, 9, 1))
            .on_conflict_do_nothing()
        )
    return group


async def _issue(s: pb_grpc.IdentityServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    await _in_a_led_group(w)
    return await s.IssueCredentials(pb.IssueCredentialsRequest(person_ids=[w.student, w.parent]), metadata=md)


async def _group_accounts(
    s: pb_grpc.IdentityServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> object:
    group = await _in_a_led_group(w)
    return await s.ListGroupAccounts(pb.ListGroupAccountsRequest(group_id=group), metadata=md)


async def _add_parent(s: pb_grpc.IdentityServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    await _in_a_led_group(w)
    request = pb.IssueParentAccountRequest(student_id=w.student, last_name="Добавленова", first_name="Ирина")
    return await s.IssueParentAccount(request, metadata=md)


CREDENTIALS = ("IssueCredentials", "ListGroupAccounts", "IssueParentAccount")
CALLS.update(
    {"IssueCredentials": _issue, "ListGroupAccounts": _group_accounts, "IssueParentAccount": _add_parent}
)
CALLERS[CLASS_TEACHER] = lambda w: (_of(w, "class-teacher"), ("class_teacher",))
GET_PEOPLE_SEES_THE_STUDENT.append((CLASS_TEACHER, True))
_NOT_IN_SCOPE = (*NOT_ADMIN, "the student's parent", OTHER_PARENT, PARENT_WITHOUT_ROLE, ODD_PARENT)
REFUSED += [
    *[
        (rpc, caller, DENIED, "person_not_in_your_group")
        for rpc in ("IssueCredentials", "IssueParentAccount")
        for caller in _NOT_IN_SCOPE
    ],
    *[(rpc, "the student", DENIED, "own_credentials") for rpc in ("IssueCredentials", "IssueParentAccount")],
    *[
        ("ListGroupAccounts", caller, DENIED, "not_class_teacher_of_group")
        for caller in (*_NOT_IN_SCOPE, "the student")
    ],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in CREDENTIALS],
]
ALLOWED += [(rpc, caller) for rpc in CREDENTIALS for caller in ("admin", CLASS_TEACHER)]


# Group-list import (slice H2): the admin and the group's class teacher create the accounts of a list;
# everyone else is refused before a row is read (a stranger does not learn whether the group exists).
async def _import_list(s: pb_grpc.IdentityServiceStub, w: World, md: tuple[tuple[str, str], ...]) -> object:
    group = await _in_a_led_group(w)
    row = gl_pb.GroupListRow(row=2, last_name="Импортова", first_name="Алла")
    return await s.ImportGroupList(gl_pb.ImportGroupListRequest(group_id=group, rows=[row]), metadata=md)


CALLS["ImportGroupList"] = _import_list
REFUSED += [
    *[
        ("ImportGroupList", caller, DENIED, "not_class_teacher_of_group")
        for caller in (*_NOT_IN_SCOPE, "the student")
    ],
    ("ImportGroupList", "nobody", UNAUTHENTICATED, "unauthenticated"),
]
ALLOWED += [("ImportGroupList", caller) for caller in ("admin", CLASS_TEACHER)]


def metadata(identity: Identity, world: World, caller: str) -> tuple[tuple[str, str], ...]:
    if caller == "nobody":
        return ()
    subject, roles = CALLERS[caller](world)
    return call_metadata(identity.issuer.token(subject, roles))


# Issue 8 item 11: a teacher reads the profile of a student of a group they teach (a teaching load
# in identity's projection, written here as its consumer would) or lead, and of that student's parent.
TEACHER_OF_THE_GROUP = "a teacher with a load in the student's group"


async def _get_person_in_scope(
    s: pb_grpc.IdentityServiceStub, w: World, md: tuple[tuple[str, str], ...]
) -> object:
    group = await _in_a_led_group(w)
    async with _SESSIONS[0]() as session, session.begin():
        await session.execute(
            insert(orm.group_teachers)
            .values(load_id=_of(w, "load"), teacher_id=_of(w, "teacher"), group_id=group)
            .on_conflict_do_nothing()
        )
    return await s.GetPerson(pb.GetPersonRequest(person_id=w.student), metadata=md)


CALLS["GetPerson"] = _get_person_in_scope
CALLERS[TEACHER_OF_THE_GROUP] = lambda w: (_of(w, "teacher"), ("teacher",))
ALLOWED += [("GetPerson", CLASS_TEACHER), ("GetPerson", TEACHER_OF_THE_GROUP)]
GET_PEOPLE_SEES_THE_STUDENT.append((TEACHER_OF_THE_GROUP, True))


async def test_the_tables_cover_every_rpc_of_the_service() -> None:
    rpcs = set(pb.DESCRIPTOR.services_by_name["IdentityService"].methods_by_name)
    assert set(CALLS) == rpcs
    assert {rpc for rpc, *_ in REFUSED} == rpcs
    assert {rpc for rpc, _ in ALLOWED} == rpcs


@pytest.mark.parametrize(
    ("rpc", "caller", "status", "code"), REFUSED, ids=[f"{r}-{c}" for r, c, *_ in REFUSED]
)
async def test_refused(served: Identity, rpc: str, caller: str, status: grpc.StatusCode, code: str) -> None:
    world = await build_world(served)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await CALLS[rpc](served.stub, world, metadata(served, world, caller))
    assert (refused.value.code(), error_code_of(refused.value)) == (status, code)


@pytest.mark.parametrize(("rpc", "caller"), ALLOWED, ids=[f"{r}-{c}" for r, c in ALLOWED])
async def test_allowed(served: Identity, rpc: str, caller: str) -> None:
    world = await build_world(served)
    reply = await CALLS[rpc](served.stub, world, metadata(served, world, caller))
    assert type(reply).__name__ == f"{rpc}Response"


async def test_get_people_covers_every_caller() -> None:
    assert {caller for caller, _ in GET_PEOPLE_SEES_THE_STUDENT} == set(CALLERS)


@pytest.mark.parametrize(
    ("caller", "sees"), GET_PEOPLE_SEES_THE_STUDENT, ids=[c for c, _ in GET_PEOPLE_SEES_THE_STUDENT]
)
async def test_get_people_names_only_whom_the_caller_may_see(
    served: Identity, caller: str, sees: bool
) -> None:
    world = await build_world(served)
    reply = await CALLS["GetPeople"](served.stub, world, metadata(served, world, caller))
    assert isinstance(reply, pb.GetPeopleResponse)
    assert [p.person_id for p in reply.people] == ([world.student] if sees else [])
