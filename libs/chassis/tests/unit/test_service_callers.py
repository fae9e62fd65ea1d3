"""Service accounts reach only the RPCs the callee declared for their client; people are not concerned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from chassis.auth import SERVICE_CLIENTS, require_allowed_service_caller
from chassis.errors import PermissionDenied
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.principal import Principal, require_principal
from chassis.testing import LocalIssuer

ALLOWED = {"ListPersonRoles": {"ejournal-journal"}, "ListGuardians": {"ejournal-messaging"}}


async def behaviour(request: bytes, context: Any) -> bytes:
    return require_principal().client_id.encode()


@pytest.fixture
def issuer() -> LocalIssuer:
    return LocalIssuer()


@pytest.fixture
async def channel(issuer: LocalIssuer) -> AsyncIterator[grpc.aio.Channel]:
    srv = GrpcServer(
        host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=["test.People"],
        health_checks=[], service_callers=ALLOWED,
    )  # fmt: skip
    handler = grpc.unary_unary_rpc_method_handler(behaviour)
    handlers = {rpc: handler for rpc in ("ListPersonRoles", "ListGuardians", "GetPeople")}
    srv.server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.People", handlers),))
    await srv.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{srv.port}")
    yield channel
    await channel.close()
    await srv.stop(0)


async def call(channel: grpc.aio.Channel, rpc: str, token: str) -> bytes:
    method = channel.unary_unary(f"/test.People/{rpc}")
    reply: bytes = await method(b"", metadata=call_metadata(token))
    return reply


@pytest.mark.parametrize(
    ("rpc", "client"),
    [("ListPersonRoles", "ejournal-journal"), ("ListGuardians", "ejournal-messaging")],
)
async def test_a_declared_caller_reaches_its_rpc(
    channel: grpc.aio.Channel, issuer: LocalIssuer, rpc: str, client: str
) -> None:
    token = issuer.token(f"service-account-{client}", ("service",), client_id=client)
    assert await call(channel, rpc, token) == client.encode()


@pytest.mark.parametrize(
    ("rpc", "client"),
    [
        ("ListPersonRoles", "ejournal-archive"),
        ("ListPersonRoles", "ejournal-messaging"),
        ("GetPeople", "ejournal-journal"),
        ("GetPeople", "ejournal-archive"),
        ("ListGuardians", "ejournal-reports"),
    ],
)
async def test_any_other_service_account_is_refused_whatever_its_roles(
    channel: grpc.aio.Channel, issuer: LocalIssuer, rpc: str, client: str
) -> None:
    # Even with the administrator's role: the client, not the roles, decides what a service reaches.
    token = issuer.token(f"service-account-{client}", ("service", "admin"), client_id=client)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call(channel, rpc, token)
    assert (refused.value.code(), error_code_of(refused.value)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "service_not_allowed",
    )


async def test_peoples_tokens_go_on_to_the_rpcs_own_rules(
    channel: grpc.aio.Channel, issuer: LocalIssuer
) -> None:
    for client in ("ejournal-portal", "ejournal-cli"):
        assert (
            await call(channel, "GetPeople", issuer.token(roles=("teacher",), client_id=client))
            == client.encode()
        )


def test_every_service_client_is_concerned_and_an_undeclared_rpc_reaches_none() -> None:
    assert {"ejournal-identity", "ejournal-journal", "ejournal-messaging", "ejournal-reports",
            "ejournal-archive"} == SERVICE_CLIENTS  # fmt: skip
    for client in SERVICE_CLIENTS:
        with pytest.raises(PermissionDenied):
            require_allowed_service_caller(
                Principal("s", frozenset({"service"}), client_id=client), "Any", {}
            )
