"""Identity over real gRPC, PostgreSQL and Keycloak: accounts, outbox, audit, links and access."""

from __future__ import annotations

from typing import Any

import grpc
import httpx
import pytest
from chassis.grpc_client import error_code_of
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.identity.v1 import events_pb2
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from identity_service.adapters import orm
from identity_service.adapters.keycloak import (
    KeycloakAccountDirectory,
    close_keycloak_admin,
    make_keycloak_admin,
)
from identity_service.adapters.uow import IdentityUnitOfWork
from sqlalchemy import func, select

from .support import CLI_CLIENT, Identity, ServerFactory, new_subject

pytestmark = pytest.mark.integration
ADMIN = new_subject()


async def create(identity: Identity, role: int, last_name: str, first_name: str, **extra: Any) -> Any:
    reply = await identity.stub.CreatePerson(
        pb.CreatePersonRequest(role=role, last_name=last_name, first_name=first_name, **extra),
        metadata=identity.md(ADMIN, "admin"),
    )
    identity.created_accounts.append(reply.person.person_id)
    return reply


async def password_grant(identity: Identity, username: str, password: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            f"{identity.keycloak_url}/realms/ejournal/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": CLI_CLIENT,
                "username": username,
                "password": password,
            },
        )


async def people_count(identity: Identity) -> int:
    async with identity.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(orm.people)) or 0)


async def test_create_person_makes_a_keycloak_account_with_a_temporary_password(identity: Identity) -> None:
    reply = await create(
        identity, ipb.ROLE_TEACHER, "Иванов", "Пётр", middle_name="Сергеевич", email="ivanov.ps@college.test"
    )
    person = reply.person
    assert person.username.startswith("ivanov.ps")
    assert (person.last_name, person.first_name, person.middle_name) == ("Иванов", "Пётр", "Сергеевич")
    assert person.role == ipb.ROLE_TEACHER

    user = await identity.keycloak.a_get_user(person.person_id)
    assert user["username"] == person.username
    assert user["enabled"] is True
    assert (user["firstName"], user["lastName"], user["email"]) == (
        "Пётр",
        "Иванов",
        "ivanov.ps@college.test",
    )
    assert "UPDATE_PASSWORD" in user.get("requiredActions", [])
    roles = {r["name"] for r in await identity.keycloak.a_get_realm_roles_of_user(person.person_id)}
    assert "teacher" in roles and "admin" not in roles

    # The right password of an account that must change it first: Keycloak refuses a direct login.
    temporary = await password_grant(identity, person.username, reply.temporary_password)
    assert temporary.status_code == 400
    assert "not fully set up" in temporary.json().get("error_description", "")
    wrong = await password_grant(identity, person.username, reply.temporary_password + "x")
    assert "Invalid user credentials" in wrong.json().get("error_description", "")

    rows = await identity.outbox()
    assert sorted(s for s, _ in rows) == ["audit.identity.recorded.v1", "identity.person.created.v1"]
    payloads = dict(rows)
    event = events_pb2.PersonCreated.FromString(payloads["identity.person.created.v1"])
    assert (event.person_id, event.role) == (person.person_id, ipb.ROLE_TEACHER)
    audit = AuditRecorded.FromString(payloads["audit.identity.recorded.v1"])
    assert (audit.actor_id, audit.action, audit.resource_id, audit.service) == (
        ADMIN,
        "person.created",
        person.person_id,
        "identity",
    )


async def test_second_namesake_gets_a_suffix(identity: Identity) -> None:
    first = await create(identity, ipb.ROLE_STUDENT, "Смирнова", "Ольга")
    second = await create(identity, ipb.ROLE_STUDENT, "Смирнова", "Олеся")
    assert first.person.username != second.person.username
    assert second.person.username.startswith("smirnova.o")


async def test_bad_input_and_non_admins_are_refused_without_writes(identity: Identity) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as bad_name:
        await create(identity, ipb.ROLE_STUDENT, "Иванов1", "Пётр")
    assert bad_name.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_code_of(bad_name.value) == "invalid_last_name"
    with pytest.raises(grpc.aio.AioRpcError) as no_role:
        await create(identity, ipb.ROLE_UNSPECIFIED, "Иванов", "Пётр")
    assert error_code_of(no_role.value) == "missing_role"
    with pytest.raises(grpc.aio.AioRpcError) as teacher:
        await identity.stub.CreatePerson(
            pb.CreatePersonRequest(role=ipb.ROLE_STUDENT, last_name="Иванов", first_name="Пётр"),
            metadata=identity.md(new_subject(), "teacher"),
        )
    assert teacher.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await people_count(identity) == 0 and await identity.outbox() == []


async def test_an_email_taken_in_keycloak_is_already_exists(identity: Identity) -> None:
    first = await create(identity, ipb.ROLE_PARENT, "Морозова", "Ирина", email="family@college.test")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create(identity, ipb.ROLE_PARENT, "Морозов", "Игорь", email="family@college.test")
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error_code_of(caught.value) == "email_taken"
    assert await identity.keycloak.a_get_users({"lastName": "Морозов", "exact": True}) == []
    assert await people_count(identity) == 1
    assert first.person.email == "family@college.test"


async def test_keycloak_down_is_unavailable_and_writes_nothing(identity_factory: ServerFactory) -> None:
    # Nothing listens on port 9 of the loopback: every call fails to connect.
    dead = make_keycloak_admin(
        server_url="http://127.0.0.1:9", realm="ejournal", client_id="x", client_secret="y"
    )
    try:
        identity = await identity_factory(accounts=KeycloakAccountDirectory(dead))
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await create(identity, ipb.ROLE_STUDENT, "Иванов", "Пётр")
    finally:
        await close_keycloak_admin(dead)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_code_of(caught.value) == "accounts_unavailable"
    assert "недоступна" in (caught.value.details() or "")
    assert await people_count(identity) == 0 and await identity.outbox() == []


async def test_database_failure_after_keycloak_deletes_the_account(identity_factory: ServerFactory) -> None:
    probe = await identity_factory()

    class BrokenCommit(IdentityUnitOfWork):
        async def commit(self) -> None:
            raise RuntimeError("database went away at commit")

    identity = await identity_factory(uow=lambda: BrokenCommit(probe.sessions, service="identity"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.stub.CreatePerson(
            pb.CreatePersonRequest(role=ipb.ROLE_PARENT, last_name="Компенсация", first_name="Ольга"),
            metadata=identity.md(ADMIN, "admin"),
        )
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert await identity.keycloak.a_get_users({"lastName": "Компенсация", "exact": True}) == []
    assert await people_count(identity) == 0 and await identity.outbox() == []


async def test_get_person_self_staff_and_others(identity: Identity) -> None:
    student = (await create(identity, ipb.ROLE_STUDENT, "Кузнецов", "Иван")).person
    other = (await create(identity, ipb.ROLE_STUDENT, "Попова", "Мария")).person
    before = len(await identity.outbox())

    own = await identity.stub.GetPerson(
        pb.GetPersonRequest(person_id=student.person_id), metadata=identity.md(student.person_id, "student")
    )
    assert own.person == student
    assert len(await identity.outbox()) == before  # reading oneself is not audited

    deputy = new_subject()
    read = await identity.stub.GetPerson(
        pb.GetPersonRequest(person_id=student.person_id), metadata=identity.md(deputy, "deputy")
    )
    assert read.person.username == student.username
    [(subject, payload)] = (await identity.outbox())[before:]
    audit = AuditRecorded.FromString(payload)
    assert (subject, audit.action, audit.actor_id, audit.subject_person_id) == (
        "audit.identity.recorded.v1",
        "person.read",
        deputy,
        student.person_id,
    )
    # A teacher who teaches nowhere the student is (identity has heard of no load) reads nothing.
    with pytest.raises(grpc.aio.AioRpcError) as outside:
        await identity.stub.GetPerson(
            pb.GetPersonRequest(person_id=student.person_id), metadata=identity.md(new_subject(), "teacher")
        )
    assert error_code_of(outside.value) == "person_not_visible"

    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await identity.stub.GetPerson(
            pb.GetPersonRequest(person_id=other.person_id), metadata=identity.md(student.person_id, "student")
        )
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await identity.stub.GetPerson(
            pb.GetPersonRequest(person_id=new_subject()), metadata=identity.md(ADMIN, "admin")
        )
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as malformed:
        await identity.stub.GetPerson(
            pb.GetPersonRequest(person_id="42"), metadata=identity.md(ADMIN, "admin")
        )
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_guardian_link_is_idempotent_and_checked(identity: Identity) -> None:
    mother = (await create(identity, ipb.ROLE_PARENT, "Сидорова", "Анна")).person
    stranger = (await create(identity, ipb.ROLE_PARENT, "Орлова", "Вера")).person
    child = (await create(identity, ipb.ROLE_STUDENT, "Сидоров", "Илья")).person
    admin = identity.md(ADMIN, "admin")
    before = len(await identity.outbox())

    link = pb.LinkGuardianRequest(parent_id=mother.person_id, student_id=child.person_id)
    assert (await identity.stub.LinkGuardian(link, metadata=admin)).created is True
    assert (await identity.stub.LinkGuardian(link, metadata=admin)).created is False

    rows = (await identity.outbox())[before:]
    assert sorted(s for s, _ in rows) == [
        "audit.identity.recorded.v1",
        "identity.guardian.linked.v1",
        "identity.parent_access.changed.v1",  # messaging's projection of the link (ADR 0013)
    ]
    event = events_pb2.GuardianLinked.FromString(dict(rows)["identity.guardian.linked.v1"])
    assert (event.parent_id, event.student_id) == (mother.person_id, child.person_id)

    with pytest.raises(grpc.aio.AioRpcError) as wrong_role:
        await identity.stub.LinkGuardian(
            pb.LinkGuardianRequest(parent_id=child.person_id, student_id=mother.person_id), metadata=admin
        )
    assert wrong_role.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_code_of(wrong_role.value) == "person_not_parent"

    service = identity.md(new_subject(), "service")
    listed = await identity.stub.ListGuardians(
        pb.ListGuardiansRequest(student_id=child.person_id), metadata=service
    )
    assert list(listed.parent_ids) == [mother.person_id]

    check = pb.CheckGuardianshipRequest(parent_id=mother.person_id, student_id=child.person_id)
    as_mother = identity.md(mother.person_id, "parent")
    assert (await identity.stub.CheckGuardianship(check, metadata=as_mother)).linked is True
    assert (await identity.stub.CheckGuardianship(check, metadata=service)).linked is True
    child_of_mother = await identity.stub.GetPerson(
        pb.GetPersonRequest(person_id=child.person_id), metadata=as_mother
    )
    assert child_of_mother.person.person_id == child.person_id

    with pytest.raises(grpc.aio.AioRpcError) as other_parent:
        await identity.stub.CheckGuardianship(check, metadata=identity.md(stranger.person_id, "parent"))
    assert other_parent.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_code_of(other_parent.value) == "guardianship_not_visible"
    with pytest.raises(grpc.aio.AioRpcError) as unauthenticated:
        await identity.stub.CheckGuardianship(check)
    assert unauthenticated.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_list_children_by_name_with_one_audit_record_per_child(identity: Identity) -> None:
    mother = (await create(identity, ipb.ROLE_PARENT, "Белова", "Нина")).person
    son = (await create(identity, ipb.ROLE_STUDENT, "Белов", "Яков", middle_name="Ильич")).person
    daughter = (await create(identity, ipb.ROLE_STUDENT, "Белова", "Алла")).person
    other = (await create(identity, ipb.ROLE_STUDENT, "Абрамов", "Глеб")).person
    admin = identity.md(ADMIN, "admin")
    for child in (daughter, son):
        await identity.stub.LinkGuardian(
            pb.LinkGuardianRequest(parent_id=mother.person_id, student_id=child.person_id), metadata=admin
        )
    before = len(await identity.outbox())

    request = pb.ListChildrenRequest(parent_id=mother.person_id)
    listed = await identity.stub.ListChildren(request, metadata=identity.md(mother.person_id, "parent"))

    assert list(listed.children) == [son, daughter]  # «Белов» before «Белова»
    assert other.person_id not in {c.person_id for c in listed.children}
    audits = [AuditRecorded.FromString(payload) for _, payload in (await identity.outbox())[before:]]
    # One transaction: the rows share created_at, so compare them without an order.
    assert sorted((a.action, a.actor_id, a.resource_type, a.subject_person_id) for a in audits) == sorted(
        [
            ("person.read", mother.person_id, "person", son.person_id),
            ("person.read", mother.person_id, "person", daughter.person_id),
        ]
    )

    service = await identity.stub.ListChildren(request, metadata=identity.md(new_subject(), "service"))
    assert [c.person_id for c in service.children] == [son.person_id, daughter.person_id]
    nobody = await identity.stub.ListChildren(pb.ListChildrenRequest(parent_id=new_subject()), metadata=admin)
    assert list(nobody.children) == []
    for md in (identity.md(new_subject(), "parent"), identity.md(son.person_id, "student")):
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await identity.stub.ListChildren(request, metadata=md)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert error_code_of(denied.value) == "children_not_visible"
    with pytest.raises(grpc.aio.AioRpcError) as malformed:
        await identity.stub.ListChildren(pb.ListChildrenRequest(parent_id="42"), metadata=admin)
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_person_roles_page_by_id_for_a_service_and_refuse_bad_requests(identity: Identity) -> None:
    made = [
        (await create(identity, role, "Ролева", name)).person
        for role, name in ((ipb.ROLE_STUDENT, "Ада"), (ipb.ROLE_PARENT, "Вера"), (ipb.ROLE_TEACHER, "Гала"))
    ]
    service = identity.md(new_subject(), "service")
    before = len(await identity.outbox())

    pages: list[Any] = []
    after = ""
    while True:
        page = await identity.stub.ListPersonRoles(
            pb.ListPersonRolesRequest(after_person_id=after, page_size=2), metadata=service
        )
        pages.append(page)
        after = page.next_after_person_id
        if not after:
            break
    listed = [(p.person_id, p.role) for page in pages for p in page.people]
    chosen = await identity.stub.ListPersonRoles(
        pb.ListPersonRolesRequest(person_ids=[made[1].person_id, new_subject()]), metadata=service
    )

    assert listed == sorted(listed)
    assert {(p.person_id, p.role) for p in made} <= set(listed)
    assert all(len(page.people) == 2 for page in pages[:-1])
    assert [(p.person_id, p.role) for p in chosen.people] == [(made[1].person_id, ipb.ROLE_PARENT)]
    assert chosen.next_after_person_id == ""
    assert len(await identity.outbox()) == before  # not personal data: no audit record
    for request, code in (
        (pb.ListPersonRolesRequest(person_ids=["42"]), "invalid_person_ids"),
        (pb.ListPersonRolesRequest(after_person_id="42"), "invalid_after_person_id"),
        (pb.ListPersonRolesRequest(page_size=1001), "invalid_page_size"),
        (pb.ListPersonRolesRequest(page_size=-1), "invalid_page_size"),
        (pb.ListPersonRolesRequest(person_ids=[new_subject() for _ in range(1001)]), "too_many_person_ids"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await identity.stub.ListPersonRoles(request, metadata=service)
        assert (refused.value.code(), error_code_of(refused.value)) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            code,
        )
