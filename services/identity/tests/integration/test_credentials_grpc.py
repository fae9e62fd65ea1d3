"""Credential issue over real gRPC, PostgreSQL, NATS and Keycloak (slice H1): the journal's events on
a private stream make a teacher the class teacher of a group with a student in it (identity's
projection); the class teacher resets the student's and the parent's passwords — the student's old
session and password stop working at once, the new final password logs in, the parent's must be
changed first —, sees the group's accounts, adds a parent; a person outside the group refuses the
whole batch with nothing changed; Keycloak down answers «unavailable» with nothing recorded."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx
import pytest
from chassis import testing
from chassis.events import subject_of
from chassis.grpc_client import error_code_of
from chassis.principal import Principal
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.journal.v1 import events_pb2 as journal_events
from ejournal.journal.v1 import journal_pb2 as jpb
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from identity_service.adapters import orm
from identity_service.adapters.keycloak import (
    KeycloakAccountDirectory,
    close_keycloak_admin,
    make_keycloak_admin,
)
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.group_scope import group_scope_subscriptions
from identity_service.application import commands
from identity_service.application.group_scope import GroupScopeProjection
from identity_service.application.handlers import IdentityHandlers
from identity_service.domain.model import Role
from sqlalchemy import func, insert, select

from .support import CLI_CLIENT, Identity, ServerFactory, new_subject

pytestmark = pytest.mark.integration
ADMIN = Principal(subject=new_subject(), roles=frozenset({"admin"}), token="t")
GROUP, OTHER_GROUP = str(uuid.uuid4()), str(uuid.uuid4())


async def grant(identity: Identity, **data: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            f"{identity.keycloak_url}/realms/ejournal/protocol/openid-connect/token",
            data={"client_id": CLI_CLIENT, **data},
        )


async def person(identity: Identity, role: Role, last_name: str) -> tuple[str, str, str]:
    """A person with a permanent password (as the admin CLI makes them): id, login, password."""
    handlers = IdentityHandlers(
        uow=lambda: IdentityUnitOfWork(identity.sessions, service="identity"),
        accounts=KeycloakAccountDirectory(identity.keycloak),
    )
    password, username = f"Cr-{uuid.uuid4().hex[:14]}-9z", f"cr.{uuid.uuid4().hex[:10]}"
    created = await handlers.create_person(
        commands.CreatePerson(
            role=role, last_name=last_name, first_name="Анна", username=username, password=password
        ),
        ADMIN,
    )
    identity.created_accounts.append(str(created.person.id))
    return str(created.person.id), username, password


async def publish(stream: testing.PrivateStream, event: Message) -> None:
    occurred = Timestamp()
    occurred.FromDatetime(datetime.now(UTC))
    event.event_id = str(uuid.uuid4())  # type: ignore[attr-defined]
    event.occurred_at.CopyFrom(occurred)  # type: ignore[attr-defined]
    await stream.js.publish(
        stream.subject(subject_of(type(event))),
        event.SerializeToString(),
        headers={"Nats-Msg-Id": event.event_id},  # type: ignore[attr-defined]
    )


@pytest.fixture
async def projected(
    identity_factory: ServerFactory, stack_infra: Any
) -> AsyncIterator[tuple[Identity, testing.PrivateStream]]:
    """An identity server with the projection's four consumers on a private stream."""
    identity = await identity_factory()
    projection = GroupScopeProjection(lambda: IdentityUnitOfWork(identity.sessions, service="identity"))
    async with testing.private_stream(stack_infra.nats_url, name="identity-credentials-tests") as stream:
        tasks = []
        for subscription in group_scope_subscriptions(projection):
            private = replace(
                subscription,
                durable=stream.durable(subscription.durable),
                subjects=(stream.subject(subject_of(subscription.event_type)),),
                stream_name=stream.name,
            )
            tasks.append(asyncio.create_task(private.consumer(stream.js, service="identity").run()))
        try:
            yield identity, stream
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def audits(identity: Identity, action: str) -> list[AuditRecorded]:
    found = []
    for subject, payload in await identity.outbox():
        if subject.startswith("audit."):
            record = AuditRecorded.FromString(payload)
            if record.action == action:
                found.append(record)
    return found


async def test_the_class_teacher_resets_passwords_sees_the_accounts_and_adds_a_parent(
    projected: tuple[Identity, testing.PrivateStream],
) -> None:
    identity, stream = projected
    teacher, _, _ = await person(identity, Role.CLASS_TEACHER, "Классная")
    student, student_login, student_password = await person(identity, Role.STUDENT, "Ученикова")
    parent, _, _ = await person(identity, Role.PARENT, "Родителева")
    stranger, _, _ = await person(identity, Role.STUDENT, "Чужова")
    await identity.stub.LinkGuardian(
        pb.LinkGuardianRequest(parent_id=parent, student_id=student),
        metadata=identity.md(ADMIN.subject, "admin"),
    )
    sep_1 = LocalDate(year=2026, month=9, day=1)
    await publish(stream, journal_events.GroupCreated(group_id=GROUP, class_teacher_id=teacher))
    await publish(stream, journal_events.GroupUpdated(group_id=OTHER_GROUP))
    for who in (student, stranger):
        await publish(
            stream, journal_events.StudentEnrolled(group_id=GROUP, student_id=who, enrolled_on=sep_1)
        )
    await publish(
        stream,
        journal_events.StudentMoved(
            student_id=stranger,
            kind=jpb.MOVEMENT_KIND_TRANSFER,
            from_group_id=GROUP,
            to_group_id=OTHER_GROUP,
            on_date=LocalDate(year=2026, month=10, day=1),
        ),
    )
    md = identity.md(teacher, "class_teacher")

    async def group_accounts() -> pb.ListGroupAccountsResponse:
        reply: pb.ListGroupAccountsResponse = await identity.stub.ListGroupAccounts(
            pb.ListGroupAccountsRequest(group_id=GROUP), metadata=md
        )
        return reply

    for _ in range(100):  # the consumers apply the events within a moment
        try:
            if [s.student.person_id for s in (await group_accounts()).students] == [student]:
                break
        except grpc.aio.AioRpcError:
            pass
        await asyncio.sleep(0.05)
    before = await group_accounts()
    assert [(s.student.person_id, [p.person_id for p in s.parents]) for s in before.students] == [
        (student, [parent])
    ]
    assert before.students[0].student.credentials_issued_at == "" and before.students[0].student.enabled

    # The student is logged in before the reset.
    session = (
        await grant(identity, grant_type="password", username=student_login, password=student_password)
    ).json()
    issued = (
        await identity.stub.IssueCredentials(
            pb.IssueCredentialsRequest(person_ids=[student, parent]), metadata=md
        )
    ).credentials
    assert [(c.person_id, c.role, c.temporary) for c in issued] == [
        (student, ipb.ROLE_STUDENT, False),
        (parent, ipb.ROLE_PARENT, True),
    ]
    assert all(len(c.password) >= 12 and c.issued_at for c in issued)
    # The old session and the old password stop working at once; the new final password logs in.
    refreshed = await grant(identity, grant_type="refresh_token", refresh_token=session["refresh_token"])
    assert refreshed.status_code == 400
    old = await grant(identity, grant_type="password", username=student_login, password=student_password)
    assert old.status_code != 200, old.text
    new = await grant(identity, grant_type="password", username=student_login, password=issued[0].password)
    assert new.status_code == 200
    assert "UPDATE_PASSWORD" in (await identity.keycloak.a_get_user(parent))["requiredActions"]
    after = (await group_accounts()).students[0]
    assert after.student.credentials_issued_at and after.parents[0].credentials_issued_at
    recorded = await audits(identity, "credentials.issued")
    assert sorted(r.subject_person_id for r in recorded) == sorted([student, parent])
    assert {r.actor_id for r in recorded} == {teacher}
    staged = await identity.outbox()
    assert not any(c.password.encode() in payload for c in issued for _, payload in staged)

    # One person outside the group refuses the whole batch: the student's password stays as issued.
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await identity.stub.IssueCredentials(
            pb.IssueCredentialsRequest(person_ids=[student, stranger]), metadata=md
        )
    assert (refused.value.code(), error_code_of(refused.value)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "person_not_in_your_group",
    )
    assert "своей группы" in (refused.value.details() or "")
    again = await grant(identity, grant_type="password", username=student_login, password=issued[0].password)
    assert again.status_code == 200
    with pytest.raises(grpc.aio.AioRpcError) as too_many:
        await identity.stub.IssueCredentials(
            pb.IssueCredentialsRequest(person_ids=[str(uuid.uuid4()) for _ in range(101)]), metadata=md
        )
    assert error_code_of(too_many.value) == "too_many_person_ids"
    with pytest.raises(grpc.aio.AioRpcError) as foreign_group:
        await identity.stub.ListGroupAccounts(pb.ListGroupAccountsRequest(group_id=OTHER_GROUP), metadata=md)
    assert error_code_of(foreign_group.value) == "not_class_teacher_of_group"

    # A second parent for the student, created, linked and issued in one go; the same ФИО again is refused.
    added = (
        await identity.stub.IssueParentAccount(
            pb.IssueParentAccountRequest(student_id=student, last_name="Ученикова", first_name="Мария"),
            metadata=md,
        )
    ).credential
    identity.created_accounts.append(added.person_id)
    assert (added.role, added.temporary, added.last_name) == (ipb.ROLE_PARENT, True, "Ученикова")
    parents = (await group_accounts()).students[0].parents
    assert [p.person_id for p in parents] == [parent, added.person_id]
    with pytest.raises(grpc.aio.AioRpcError) as twice:
        await identity.stub.IssueParentAccount(
            pb.IssueParentAccountRequest(student_id=student, last_name="УЧЕНИКОВА", first_name="мария"),
            metadata=md,
        )
    assert (twice.value.code(), error_code_of(twice.value)) == (
        grpc.StatusCode.ALREADY_EXISTS,
        "parent_already_linked",
    )
    with pytest.raises(grpc.aio.AioRpcError) as not_mine:
        await identity.stub.IssueParentAccount(
            pb.IssueParentAccountRequest(student_id=stranger, last_name="Чужова", first_name="Ольга"),
            metadata=md,
        )
    assert error_code_of(not_mine.value) == "person_not_in_your_group"


async def test_keycloak_down_answers_unavailable_and_records_nothing(identity_factory: ServerFactory) -> None:
    dead = make_keycloak_admin(
        server_url="http://127.0.0.1:9", realm="ejournal", client_id="x", client_secret="y"
    )
    try:
        identity = await identity_factory(accounts=KeycloakAccountDirectory(dead))
        student = uuid.uuid4()
        async with identity.sessions() as s, s.begin():
            await s.execute(
                insert(orm.people).values(
                    id=student,
                    username=f"kd.{student.hex[:8]}",
                    role="student",
                    last_name="Тестова",
                    first_name="Анна",
                )
            )
        with pytest.raises(grpc.aio.AioRpcError) as down:
            await identity.stub.IssueCredentials(
                pb.IssueCredentialsRequest(person_ids=[str(student)]),
                metadata=identity.md(ADMIN.subject, "admin"),
            )
    finally:
        await close_keycloak_admin(dead)
    assert (down.value.code(), error_code_of(down.value)) == (
        grpc.StatusCode.UNAVAILABLE,
        "accounts_unavailable",
    )
    async with identity.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(orm.credential_issues)) == 0
    assert [
        r.subject_person_id for r in await audits(identity, "credentials.issued:failed:accounts_unavailable")
    ] == [str(student)]


async def test_concurrent_issues_for_one_person_follow_each_other(
    projected: tuple[Identity, testing.PrivateStream],
) -> None:
    """Two staff pressing «Сбросить пароль» for one student at the same moment: Keycloak answers two
    concurrent password writes for one user with a server error, so identity holds the person's row
    for the length of an issue — every request succeeds, one after the other, and the latest
    `issued_at` is the issue that wrote last: its password is the one that logs in (the time is taken
    when the issue is recorded, after its wait and its Keycloak write — not at its transaction's start)."""
    identity, _ = projected
    student, login, _ = await person(identity, Role.STUDENT, "Одновременная")
    admin = identity.md(ADMIN.subject, "admin")
    request = pb.IssueCredentialsRequest(person_ids=[student])
    replies = await asyncio.gather(
        *(identity.stub.IssueCredentials(request, metadata=admin) for _ in range(4))
    )
    assert len({r.credentials[0].password for r in replies}) == 4
    latest = max(replies, key=lambda r: datetime.fromisoformat(r.credentials[0].issued_at)).credentials[0]
    assert (
        await grant(identity, grant_type="password", username=login, password=latest.password)
    ).status_code == 200
    # The account came out of it whole: the next issue's password logs in.
    last = (await identity.stub.IssueCredentials(request, metadata=admin)).credentials[0].password
    assert (await grant(identity, grant_type="password", username=login, password=last)).status_code == 200


async def test_concurrent_parents_of_one_name_for_one_student_make_one_account(
    projected: tuple[Identity, testing.PrivateStream],
) -> None:
    """The class teacher and the admin add the same parent to one student at the same moment: one
    request creates the account, the others wait for it and are refused as already linked — no
    server error (both used to pass the check and race for one login in Keycloak), no second
    account."""
    identity, _ = projected
    student, _, _ = await person(identity, Role.STUDENT, "Гонкова")
    admin = identity.md(ADMIN.subject, "admin")
    request = pb.IssueParentAccountRequest(student_id=student, last_name="Гонкова", first_name="Вера")
    replies = await asyncio.gather(
        *(identity.stub.IssueParentAccount(request, metadata=admin) for _ in range(3)),
        return_exceptions=True,
    )
    made = [r for r in replies if isinstance(r, pb.IssueParentAccountResponse)]
    refused = [r for r in replies if isinstance(r, grpc.aio.AioRpcError)]
    identity.created_accounts.extend(r.credential.person_id for r in made)
    assert len(made) == 1 and len(refused) == 2, replies
    assert {error_code_of(r) for r in refused} == {"parent_already_linked"}
    async with identity.sessions() as s:
        linked = await s.scalar(
            select(func.count())
            .select_from(orm.guardianships)
            .where(orm.guardianships.c.student_id == uuid.UUID(student))
        )
        parents = await s.scalar(
            select(func.count())
            .select_from(orm.people)
            .where(orm.people.c.last_name == "Гонкова", orm.people.c.role == "parent")
        )
    assert (linked, parents) == (1, 1)
