"""The account life cycle on real PostgreSQL, NATS and Keycloak: the journal's movement events on a
private stream disable an expelled student's account in Keycloak (their refresh token fails at once,
a new login too) and enable it on their return; Keycloak failing makes the consumer retry and nothing
is lost; the administrator's DisableAccount / EnableAccount over gRPC do the same for staff."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx
import pytest
from chassis import testing
from chassis.consumer import EventConsumer
from chassis.events import subject_of
from chassis.grpc_client import error_code_of
from chassis.principal import Principal
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1.events_pb2 import StudentMoved
from google.protobuf.timestamp_pb2 import Timestamp
from identity_service.adapters.keycloak import KeycloakAccountDirectory
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.life_cycle import ACCOUNT_LIFE_CYCLE, account_life_cycle
from identity_service.application import commands
from identity_service.application.handlers import IdentityHandlers
from identity_service.domain import errors
from identity_service.domain.model import Role

from .support import CLI_CLIENT, Identity, ServerFactory, new_subject

pytestmark = pytest.mark.integration
ADMIN = Principal(subject=new_subject(), roles=frozenset({"admin"}), token="t")


class FlakyKeycloak(KeycloakAccountDirectory):
    """The real directory that answers «unavailable» to the first `failures` changes of an account."""

    def __init__(self, admin: Any, failures: int) -> None:
        super().__init__(admin)
        self.failures = failures

    async def set_enabled(self, account_id: str, enabled: bool) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise errors.AccountDirectoryUnavailable()
        await super().set_enabled(account_id, enabled)


@dataclass
class Person:
    person_id: str
    username: str
    password: str


@dataclass
class LifeCycle:
    identity: Identity
    stream: testing.PrivateStream
    keycloak: FlakyKeycloak

    async def person(self, role: Role) -> Person:
        """A person with a permanent password (as the admin CLI makes them), to log in directly."""
        handlers = IdentityHandlers(
            uow=lambda: IdentityUnitOfWork(self.identity.sessions, service="identity"), accounts=self.keycloak
        )
        password = f"Lc-{uuid.uuid4().hex[:14]}-9z"
        username = f"lc.{uuid.uuid4().hex[:10]}"
        created = await handlers.create_person(
            commands.CreatePerson(
                role=role, last_name="Уходова", first_name="Ольга", username=username, password=password
            ),
            ADMIN,
        )
        self.identity.created_accounts.append(str(created.person.id))
        return Person(str(created.person.id), username, password)

    async def publish(
        self, student: str, kind: jpb.MovementKind.ValueType, day: tuple[int, int, int]
    ) -> None:
        occurred = Timestamp()
        occurred.FromDatetime(datetime.now(UTC))
        event = StudentMoved(
            event_id=str(uuid.uuid4()),
            occurred_at=occurred,
            movement_id=str(uuid.uuid4()),
            student_id=student,
            kind=kind,
            on_date=LocalDate(year=day[0], month=day[1], day=day[2]),
        )
        subject = self.stream.subject(subject_of(StudentMoved))
        await self.stream.js.publish(
            subject, event.SerializeToString(), headers={"Nats-Msg-Id": event.event_id}
        )

    async def enabled(self, person: Person) -> bool:
        return bool((await self.identity.keycloak.a_get_user(person.person_id))["enabled"])


async def grant(identity: Identity, **data: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            f"{identity.keycloak_url}/realms/ejournal/protocol/openid-connect/token",
            data={"client_id": CLI_CLIENT, **data},
        )


async def log_in(identity: Identity, person: Person) -> httpx.Response:
    return await grant(identity, grant_type="password", username=person.username, password=person.password)


@pytest.fixture
async def life_cycle(identity_factory: ServerFactory, stack_infra: Any) -> AsyncIterator[LifeCycle]:
    identity = await identity_factory()
    keycloak = FlakyKeycloak(identity.keycloak, failures=0)
    handlers = IdentityHandlers(
        uow=lambda: IdentityUnitOfWork(identity.sessions, service="identity"), accounts=keycloak
    )
    async with testing.private_stream(stack_infra.nats_url, name="identity-life-cycle-tests") as stream:
        subscription = replace(
            account_life_cycle(handlers.life_cycle),
            durable=stream.durable(ACCOUNT_LIFE_CYCLE),
            subjects=(stream.subject(subject_of(StudentMoved)),),
            stream_name=stream.name,
            nak_delay_seconds=0.2,
        )
        consumer: EventConsumer = subscription.consumer(stream.js, service="identity")
        task = asyncio.create_task(consumer.run())
        try:
            yield LifeCycle(identity, stream, keycloak)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_an_expelled_student_is_locked_out_at_once_and_let_back_in_on_return(
    life_cycle: LifeCycle,
) -> None:
    identity = life_cycle.identity
    student = await life_cycle.person(Role.STUDENT)
    session = await log_in(identity, student)
    assert session.status_code == 200, session.text
    refresh = session.json()["refresh_token"]

    await life_cycle.publish(student.person_id, jpb.MOVEMENT_KIND_EXPULSION, (2026, 11, 2))

    async def disabled() -> bool:
        return not await life_cycle.enabled(student)

    await testing.eventually(disabled)
    refreshed = await grant(identity, grant_type="refresh_token", refresh_token=refresh)
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    assert (await log_in(identity, student)).status_code != 200
    state = await identity.stub.GetAccountState(
        pb.GetAccountStateRequest(person_id=student.person_id), metadata=identity.md(ADMIN.subject, "admin")
    )
    assert (state.account.enabled, state.account.disabled_reason) == (
        False,
        pb.ACCOUNT_DISABLED_REASON_EXPULSION,
    )

    await life_cycle.publish(student.person_id, jpb.MOVEMENT_KIND_RETURN, (2026, 11, 20))

    await testing.eventually(lambda: life_cycle.enabled(student))
    assert (await log_in(identity, student)).status_code == 200
    audits = [a for s, a in await identity.outbox() if s.startswith("audit.") and b"account." in a]
    assert len(audits) == 2


async def test_keycloak_failing_makes_the_consumer_retry_and_nothing_is_lost(life_cycle: LifeCycle) -> None:
    student = await life_cycle.person(Role.STUDENT)
    life_cycle.keycloak.failures = 2

    await life_cycle.publish(student.person_id, jpb.MOVEMENT_KIND_GRADUATION, (2027, 7, 1))

    async def disabled() -> bool:
        return not await life_cycle.enabled(student)

    await testing.eventually(disabled)
    assert life_cycle.keycloak.failures == 0
    assert (await log_in(life_cycle.identity, student)).status_code != 200


async def test_the_admin_disables_a_leaving_teacher_and_enables_them_again(life_cycle: LifeCycle) -> None:
    identity = life_cycle.identity
    teacher = await life_cycle.person(Role.TEACHER)
    refresh = (await log_in(identity, teacher)).json()["refresh_token"]
    as_admin = identity.md(ADMIN.subject, "admin")

    done = await identity.stub.DisableAccount(
        pb.DisableAccountRequest(person_id=teacher.person_id), metadata=as_admin
    )

    assert (done.changed, done.account.enabled, done.account.disabled_reason) == (
        True,
        False,
        pb.ACCOUNT_DISABLED_REASON_BY_ADMIN,
    )
    assert not await life_cycle.enabled(teacher)
    assert (await grant(identity, grant_type="refresh_token", refresh_token=refresh)).status_code == 400
    again = await identity.stub.DisableAccount(
        pb.DisableAccountRequest(person_id=teacher.person_id), metadata=as_admin
    )
    assert again.changed is False

    back = await identity.stub.EnableAccount(
        pb.EnableAccountRequest(person_id=teacher.person_id), metadata=as_admin
    )

    assert (back.changed, back.account.enabled) == (True, True)
    assert (await log_in(identity, teacher)).status_code == 200


async def test_keycloak_down_answers_unavailable_and_changes_nothing(
    identity_factory: ServerFactory, life_cycle: LifeCycle
) -> None:
    teacher = await life_cycle.person(Role.TEACHER)
    down = await identity_factory(accounts=FlakyKeycloak(life_cycle.identity.keycloak, failures=1))

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await down.stub.DisableAccount(
            pb.DisableAccountRequest(person_id=teacher.person_id), metadata=down.md(ADMIN.subject, "admin")
        )

    assert (refused.value.code(), error_code_of(refused.value)) == (
        grpc.StatusCode.UNAVAILABLE,
        "accounts_unavailable",
    )
    assert "недоступна" in (refused.value.details() or "")
    assert await life_cycle.enabled(teacher)
    state = await down.stub.GetAccountState(
        pb.GetAccountStateRequest(person_id=teacher.person_id), metadata=down.md(ADMIN.subject, "admin")
    )
    assert state.account.enabled is True and state.account.changed_at == ""
