"""Scoped role assignments (slice H4, ADR 0012) over real gRPC, PostgreSQL and Keycloak: the realm role
appears in Keycloak with the first assignment of it and goes with the last; events and audit in the
outbox; every refusal with its status and code; the staff list; migration 0005's backfill."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import pytest
from chassis.grpc_client import error_code_of
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.identity.v1 import events_pb2
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb

from .support import Identity, new_subject

pytestmark = pytest.mark.integration
ADMIN = new_subject()
SERVICE = Path(__file__).resolve().parents[2]
ALEMBIC = Path(os.environ.get("VIRTUAL_ENV", SERVICE.parents[1] / ".venv")) / "bin" / "alembic"


def in_group(group: str, discipline: str) -> ipb.RoleScope:
    return ipb.RoleScope(kind=ipb.SCOPE_KIND_DISCIPLINE_IN_GROUP, group_id=group, discipline_id=discipline)


COLLEGE = ipb.RoleScope(kind=ipb.SCOPE_KIND_COLLEGE)


async def create(identity: Identity, role: int, last_name: str) -> str:
    reply = await identity.stub.CreatePerson(
        pb.CreatePersonRequest(role=role, last_name=last_name, first_name="Ольга"),
        metadata=identity.md(ADMIN, "admin"),
    )
    identity.created_accounts.append(reply.person.person_id)
    return str(reply.person.person_id)


async def realm_roles(identity: Identity, person_id: str) -> set[str]:
    return {r["name"] for r in await identity.keycloak.a_get_realm_roles_of_user(person_id)}


async def assign(identity: Identity, person_id: str, role: int, scope: ipb.RoleScope) -> pb.RoleAssignment:
    request = pb.AssignRoleRequest(person_id=person_id, role=role, scope=scope)
    return (await identity.stub.AssignRole(request, metadata=identity.md(ADMIN, "admin"))).assignment


async def refused(call: Any) -> tuple[grpc.StatusCode, str | None, str]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value.code(), error_code_of(caught.value), caught.value.details() or ""


async def test_the_realm_role_follows_the_assignments_in_keycloak(identity: Identity) -> None:
    teacher = await create(identity, ipb.ROLE_TEACHER, "Назначенова")
    md = identity.md(ADMIN, "admin")
    group, discipline = str(uuid.uuid4()), str(uuid.uuid4())
    first = await assign(identity, teacher, ipb.ROLE_HEAD_OF_COMMISSION, in_group(group, discipline))
    assert first.assigned_by == ADMIN and first.scope.group_id == group and first.assigned_at
    assert await realm_roles(identity, teacher) >= {"teacher", "head_of_commission"}
    other = in_group(group, str(uuid.uuid4()))
    second = await assign(identity, teacher, ipb.ROLE_HEAD_OF_COMMISSION, other)

    listed = await identity.stub.ListRoleAssignments(
        pb.ListRoleAssignmentsRequest(person_id=teacher), metadata=md
    )
    assert [(a.role, a.scope.kind) for a in listed.assignments] == [
        (ipb.ROLE_TEACHER, ipb.SCOPE_KIND_COLLEGE),
        (ipb.ROLE_HEAD_OF_COMMISSION, ipb.SCOPE_KIND_DISCIPLINE_IN_GROUP),
        (ipb.ROLE_HEAD_OF_COMMISSION, ipb.SCOPE_KIND_DISCIPLINE_IN_GROUP),
    ]
    # The person reads their own; a service reads the scopes.
    own = await identity.stub.ListRoleAssignments(
        pb.ListRoleAssignmentsRequest(person_id=teacher), metadata=identity.md(teacher, "teacher")
    )
    assert len(own.assignments) == 3
    scopes = await identity.stub.ListPersonScopes(
        pb.ListPersonScopesRequest(person_id=teacher), metadata=identity.md("service-account-x", "service")
    )
    assert {(s.role, s.scope.discipline_id) for s in scopes.scopes} >= {
        (ipb.ROLE_HEAD_OF_COMMISSION, discipline)
    }

    await identity.stub.RevokeRole(pb.RevokeRoleRequest(assignment_id=first.assignment_id), metadata=md)
    assert "head_of_commission" in await realm_roles(identity, teacher)
    revoked = await identity.stub.RevokeRole(
        pb.RevokeRoleRequest(assignment_id=second.assignment_id), metadata=md
    )
    assert revoked.assignment.assignment_id == second.assignment_id
    assert await realm_roles(identity, teacher) >= {"teacher"}
    assert "head_of_commission" not in await realm_roles(identity, teacher)

    outbox = await identity.outbox()
    subjects = [s for s, _ in outbox]
    assert (
        subjects.count("identity.role.assigned.v1") == 2 and subjects.count("identity.role.revoked.v1") == 2
    )
    event = next(events_pb2.RoleRevoked.FromString(p) for s, p in outbox if s == "identity.role.revoked.v1")
    assert event.person_id == teacher and event.role == ipb.ROLE_HEAD_OF_COMMISSION
    audits = [AuditRecorded.FromString(p) for s, p in outbox if s.startswith("audit.")]
    actions = [(a.action, a.actor_id) for a in audits if a.action.startswith("role.")]
    assert actions == [("role.assigned", ADMIN)] * 2 + [("role.revoked", ADMIN)] * 2


async def test_every_refusal_has_its_status_and_code(identity: Identity) -> None:
    teacher = await create(identity, ipb.ROLE_TEACHER, "Отказова")
    parent = await create(identity, ipb.ROLE_PARENT, "Родителева")
    admin = await create(identity, ipb.ROLE_ADMIN, "Админова")
    md, stub = identity.md(ADMIN, "admin"), identity.stub
    group = str(uuid.uuid4())

    def assigning(person: str, role: int, scope: ipb.RoleScope) -> Any:
        return stub.AssignRole(pb.AssignRoleRequest(person_id=person, role=role, scope=scope), metadata=md)

    status, code, message = await refused(assigning(parent, ipb.ROLE_ADMIN, COLLEGE))
    assert (status, code) == (grpc.StatusCode.FAILED_PRECONDITION, "role_not_for_person")
    assert "администратор журнала" in message
    group_scope = ipb.RoleScope(kind=ipb.SCOPE_KIND_GROUP, group_id=group)
    assert (await refused(assigning(teacher, ipb.ROLE_CLASS_TEACHER, group_scope)))[:2] == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "scope_not_for_role",
    )
    assert (await refused(assigning(teacher, ipb.ROLE_TEACHER, COLLEGE)))[:2] == (
        grpc.StatusCode.ALREADY_EXISTS,
        "role_already_assigned",
    )
    half = ipb.RoleScope(kind=ipb.SCOPE_KIND_DISCIPLINE_IN_GROUP, group_id=group)
    assert (await refused(assigning(teacher, ipb.ROLE_HEAD_OF_COMMISSION, half)))[:2] == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "invalid_scope",
    )
    assert (await refused(assigning(teacher, ipb.ROLE_MASTER, ipb.RoleScope())))[:2] == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "missing_scope",
    )
    assert (await refused(assigning(teacher, ipb.ROLE_UNSPECIFIED, COLLEGE)))[1] == "missing_role"
    bad_group = ipb.RoleScope(kind=ipb.SCOPE_KIND_GROUP, group_id="21-ИС")
    assert (await refused(assigning(teacher, ipb.ROLE_MASTER, bad_group)))[
        0
    ] == grpc.StatusCode.INVALID_ARGUMENT
    assert (await refused(assigning(str(uuid.uuid4()), ipb.ROLE_MASTER, COLLEGE)))[:2] == (
        grpc.StatusCode.NOT_FOUND,
        "person_not_found",
    )
    assert (
        await refused(stub.RevokeRole(pb.RevokeRoleRequest(assignment_id=str(uuid.uuid4())), metadata=md))
    )[:2] == (grpc.StatusCode.NOT_FOUND, "assignment_not_found")

    # The admin cannot revoke their own last admin assignment; another admin can.
    own_md = identity.md(admin, "admin")
    [own] = (
        await stub.ListRoleAssignments(pb.ListRoleAssignmentsRequest(person_id=admin), metadata=own_md)
    ).assignments
    status, code, _ = await refused(
        stub.RevokeRole(pb.RevokeRoleRequest(assignment_id=own.assignment_id), metadata=own_md)
    )
    assert (status, code) == (grpc.StatusCode.FAILED_PRECONDITION, "own_last_admin")
    await stub.RevokeRole(pb.RevokeRoleRequest(assignment_id=own.assignment_id), metadata=md)
    # Nothing refused reached Keycloak.
    assert "admin" not in await realm_roles(identity, parent)
    assert "class_teacher" not in await realm_roles(identity, teacher)


async def test_the_staff_list_names_staff_with_roles_and_account_state(identity: Identity) -> None:
    teacher = await create(identity, ipb.ROLE_TEACHER, "Штатнова")
    student = await create(identity, ipb.ROLE_STUDENT, "Учащаяся")
    await assign(identity, teacher, ipb.ROLE_MASTER, COLLEGE)
    md = identity.md(ADMIN, "admin")
    await identity.stub.DisableAccount(pb.DisableAccountRequest(person_id=teacher), metadata=md)
    staff = (await identity.stub.ListStaff(pb.ListStaffRequest(), metadata=md)).staff
    by_id = {m.person.person_id: m for m in staff}
    assert student not in by_id
    member = by_id[teacher]
    assert member.person.last_name == "Штатнова" and member.username and not member.enabled
    assert [a.role for a in member.assignments] == [ipb.ROLE_TEACHER, ipb.ROLE_MASTER]
    refusal = await refused(
        identity.stub.ListStaff(pb.ListStaffRequest(), metadata=identity.md(teacher, "teacher"))
    )
    assert refusal[:2] == (grpc.StatusCode.PERMISSION_DENIED, "role_required")


async def _alembic(url: str, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        str(ALEMBIC),
        "-c",
        str(SERVICE / "alembic.ini"),
        *args,
        env={**os.environ, "IDENTITY_DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


async def test_migration_0005_gives_everyone_their_role_for_the_college(stack_infra: Any) -> None:
    dsn: str = stack_infra.superuser_dsn
    name = f"t_identity_0005_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    plain = dsn.rpartition("/")[0] + f"/{name}"
    url = plain.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        await _alembic(url, "upgrade", "0004")
        db = await asyncpg.connect(plain)
        people = {uuid.uuid4(): role for role in ("admin", "teacher", "student", "parent")}
        for person_id, role in people.items():
            await db.execute(
                "INSERT INTO people (id, username, role, last_name, first_name, created_at) "
                "VALUES ($1, $2, $3, 'Ф', 'И', '2026-09-01 08:00+00')",
                person_id,
                f"u.{role}",
                role,
            )
        await db.close()
        await _alembic(url, "upgrade", "0005")
        db = await asyncpg.connect(plain)
        rows = await db.fetch(
            "SELECT person_id, role::text, scope_kind, scope_id, assigned_by, assigned_at, revoked_at "
            "FROM role_assignments"
        )
        assert {(r["person_id"], r["role"]) for r in rows} == set(people.items())
        assert {(r["scope_kind"], r["scope_id"], r["assigned_by"], r["revoked_at"]) for r in rows} == {
            ("college", None, "", None)
        }
        assert {r["assigned_at"].isoformat() for r in rows} == {"2026-09-01T08:00:00+00:00"}
        # The new roles are values of person_role now; one assignment in force per role and scope.
        await db.execute(
            "INSERT INTO role_assignments (id, person_id, role, scope_kind, assigned_by) "
            "VALUES ($1, $2, 'head_of_commission', 'college', 'x')",
            uuid.uuid4(),
            next(iter(people)),
        )
        with pytest.raises(asyncpg.UniqueViolationError):
            await db.execute(
                "INSERT INTO role_assignments (id, person_id, role, scope_kind, assigned_by) "
                "VALUES ($1, $2, 'head_of_commission', 'college', 'x')",
                uuid.uuid4(),
                next(iter(people)),
            )
        await db.close()
        await _alembic(url, "downgrade", "0004")
        await _alembic(url, "upgrade", "0005")
    finally:
        conn = await asyncpg.connect(dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
