"""The identity adapter over real gRPC on loopback: own service token, NOT_FOUND, unavailability."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from chassis.errors import PermissionDenied, ServiceUnavailable
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from messaging_service.adapters.identity_client import IdentityGuardianDirectory

STUDENT, PARENT = uuid.uuid4(), uuid.uuid4()


class StaticTokens:
    async def token(self) -> str:
        return "svc-token"


class FakeIdentity(pb_grpc.IdentityServiceServicer):
    def __init__(self) -> None:
        self.seen_auth: list[str] = []

    async def ListGuardians(  # noqa: N802 - the generated servicer names it
        self, request: pb.ListGuardiansRequest, context: Any
    ) -> pb.ListGuardiansResponse:
        self.seen_auth.append(dict(context.invocation_metadata())["authorization"])
        if request.student_id == str(STUDENT):
            return pb.ListGuardiansResponse(parent_ids=[str(PARENT), "malformed"])
        if request.student_id == str(uuid.UUID(int=1)):
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, "Недостаточно прав")
        await context.abort(grpc.StatusCode.NOT_FOUND, "Обучающийся не найден")
        raise AssertionError("unreachable")


@pytest.fixture
async def identity() -> AsyncIterator[tuple[FakeIdentity, IdentityGuardianDirectory]]:
    servicer = FakeIdentity()
    server = grpc.aio.server()
    pb_grpc.add_IdentityServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    yield servicer, IdentityGuardianDirectory(channel, StaticTokens())
    await channel.close()
    await server.stop(0)


async def test_guardians_are_asked_with_the_services_own_token(
    identity: tuple[FakeIdentity, IdentityGuardianDirectory],
) -> None:
    servicer, directory = identity
    assert await directory.guardians_of(STUDENT) == [PARENT]
    assert servicer.seen_auth == ["Bearer svc-token"]


async def test_an_unknown_student_has_no_guardians(
    identity: tuple[FakeIdentity, IdentityGuardianDirectory],
) -> None:
    assert await identity[1].guardians_of(uuid.uuid4()) == []


async def test_a_refusal_is_raised_so_the_event_is_retried(
    identity: tuple[FakeIdentity, IdentityGuardianDirectory],
) -> None:
    with pytest.raises(PermissionDenied):
        await identity[1].guardians_of(uuid.UUID(int=1))


async def test_identity_unreachable_raises_service_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        with pytest.raises(ServiceUnavailable):
            await IdentityGuardianDirectory(channel, StaticTokens()).guardians_of(STUDENT)
    finally:
        await channel.close()
