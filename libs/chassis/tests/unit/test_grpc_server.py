"""The interceptor: authentication, error mapping with stable codes, no leaked internals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from chassis.context import correlation_id
from chassis.errors import InvalidArgument
from chassis.grpc_client import call_metadata, error_code_of, translate_rpc_error
from chassis.grpc_server import GrpcServer
from chassis.principal import require_principal
from chassis.testing import LocalIssuer
from grpc_health.v1 import health_pb2, health_pb2_grpc

METHOD = "/test.Echo/Call"


async def behaviour(request: bytes, context: Any) -> bytes:
    principal = require_principal()
    if request == b"bad":
        raise InvalidArgument("Плохой запрос", code="bad_thing")
    if request == b"boom":
        raise RuntimeError("secret internal detail")
    return f"{principal.subject}|{correlation_id()}".encode()


@pytest.fixture
async def server(issuer: LocalIssuer) -> AsyncIterator[tuple[GrpcServer, grpc.aio.Channel]]:
    healthy = True

    async def check() -> bool:
        return healthy

    srv = GrpcServer(
        host="127.0.0.1",
        port=0,
        verifier=issuer.verifier(),
        service_names=["test.Echo"],
        health_checks=[check],
    )
    handler = grpc.unary_unary_rpc_method_handler(behaviour)
    srv.server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("test.Echo", {"Call": handler}),)
    )
    await srv.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{srv.port}")
    yield srv, channel
    await channel.close()
    await srv.stop(0)


@pytest.fixture
def issuer() -> LocalIssuer:
    return LocalIssuer()


def call(channel: grpc.aio.Channel) -> Any:
    return channel.unary_unary(METHOD)


async def test_authenticated_call_sees_principal_and_correlation(server: Any, issuer: LocalIssuer) -> None:
    _, channel = server
    md = (("authorization", f"Bearer {issuer.token('u1', ('teacher',))}"), ("x-correlation-id", "corr-1"))
    assert await call(channel)(b"hi", metadata=md) == b"u1|corr-1"


async def test_missing_or_bad_token_is_unauthenticated(server: Any) -> None:
    _, channel = server
    for md in ((), (("authorization", "Bearer nope"),)):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(channel)(b"hi", metadata=md)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_domain_error_keeps_status_code_and_message(server: Any, issuer: LocalIssuer) -> None:
    _, channel = server
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(channel)(b"bad", metadata=call_metadata(issuer.token("u1")))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_code_of(caught.value) == "bad_thing"
    assert caught.value.details() == "Плохой запрос"
    translated = translate_rpc_error(caught.value)
    assert isinstance(translated, InvalidArgument) and translated.code == "bad_thing"


async def test_unexpected_error_is_internal_without_details(server: Any, issuer: LocalIssuer) -> None:
    _, channel = server
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(channel)(b"boom", metadata=call_metadata(issuer.token("u1")))
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert "secret" not in (caught.value.details() or "")


async def test_health_needs_no_token_and_follows_checks(server: Any) -> None:
    srv, channel = server
    stub = health_pb2_grpc.HealthStub(channel)
    assert await srv.check_health() is True
    reply = await stub.Check(health_pb2.HealthCheckRequest(service=""))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    srv._checks = [_false]
    assert await srv.check_health() is False
    reply = await stub.Check(health_pb2.HealthCheckRequest(service="test.Echo"))
    assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING


async def _false() -> bool:
    return False
