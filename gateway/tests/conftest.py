"""Fakes for the gateway's unit tests: real grpc.aio servers with canned answers, a fake Keycloak.

The gateway is tested here against in-process fakes of the five services (each a real gRPC server on
a free port with the standard health service), an httpx transport standing in for Keycloak's token
endpoint and the NATS/Keycloak health URLs, and a TCP server that answers PostgreSQL's SSLRequest.
The real services are proven in the end-to-end tests.
"""

from __future__ import annotations

import importlib
import sys


def _unshadow_gateway_package() -> None:
    """Put the real `gateway` package back in place of pytest's stand-in for the `gateway/` folder.

    In importlib mode pytest names these modules `gateway.tests.*` and, unless the package is
    already imported, registers the folder `gateway/` itself as a namespace package `gateway`,
    which hides `gateway/src/gateway`.
    """
    module = sys.modules.get("gateway")
    if module is not None and getattr(module, "__file__", None) is None:
        del sys.modules["gateway"]
        importlib.import_module("gateway")


_unshadow_gateway_package()

import asyncio  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import AsyncIterator, Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import parse_qs  # noqa: E402

import grpc  # noqa: E402
import httpx  # noqa: E402
import jwt  # noqa: E402
import pytest  # noqa: E402
from chassis.grpc_errors import ERROR_CODE_KEY  # noqa: E402
from chassis.testing import LocalIssuer  # noqa: E402
from ejournal.archive.v1 import archive_service_pb2, archive_service_pb2_grpc  # noqa: E402
from ejournal.identity.v1 import identity_service_pb2, identity_service_pb2_grpc  # noqa: E402
from ejournal.journal.v1 import journal_service_pb2, journal_service_pb2_grpc  # noqa: E402
from ejournal.messaging.v1 import messaging_service_pb2, messaging_service_pb2_grpc  # noqa: E402
from ejournal.reports.v1 import reports_service_pb2, reports_service_pb2_grpc  # noqa: E402
from gateway.config import GatewaySettings  # noqa: E402
from gateway.main import create_app  # noqa: E402
from google.protobuf import message_factory  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from grpc_health.v1.health import aio as health_aio  # noqa: E402

PORTAL_CLIENT = "ejournal-portal"
NATS_MONITOR = "http://nats.test:8222"
KEYCLOAK_HEALTH = "http://keycloak.test:9000/health/ready"
PUBLIC_URL = "http://testserver"


@dataclass
class Call:
    """One RPC a fake received."""

    method: str
    request: Any
    metadata: dict[str, str]


class FakeService:
    """A real grpc.aio server for one service: canned responses or errors per RPC, calls recorded."""

    def __init__(self, name: str, pb2: Any, pb2_grpc: Any, service: str) -> None:
        self.name = name
        self._descriptor = pb2.DESCRIPTOR.services_by_name[service]
        self._base = getattr(pb2_grpc, f"{service}Servicer")
        self._add = getattr(pb2_grpc, f"add_{service}Servicer_to_server")
        self.calls: list[Call] = []
        self.responses: dict[str, Any] = {}
        self.errors: dict[str, tuple[grpc.StatusCode, str, str | None]] = {}
        self.health = health_aio.HealthServicer()
        self.server: grpc.aio.Server | None = None
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def reply(self, method: str, response: Any) -> None:
        """Answer `method` with `response`."""
        self.responses[method] = response

    def fail(self, method: str, status: grpc.StatusCode, details: str, code: str | None = None) -> None:
        """Abort `method` with a status; `code` goes to the error-code trailer like the chassis does."""
        self.errors[method] = (status, details, code)

    def last(self, method: str) -> Call:
        """Return the latest call of `method`."""
        matching = [c for c in self.calls if c.method == method]
        assert matching, f"{self.name}.{method} was not called"
        return matching[-1]

    async def set_serving(self, serving: bool) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        await self.health.set("", status)

    async def _handle(self, method: str, request: Any, context: grpc.aio.ServicerContext) -> Any:
        metadata = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        self.calls.append(Call(method, request, metadata))
        if method in self.errors:
            status, details, code = self.errors[method]
            if code is not None:
                context.set_trailing_metadata(((ERROR_CODE_KEY, code),))
            await context.abort(status, details)
        if method in self.responses:
            return self.responses[method]
        return message_factory.GetMessageClass(self._descriptor.methods_by_name[method].output_type)()

    def _servicer(self) -> Any:
        namespace: dict[str, Any] = {}
        for method in self._descriptor.methods:

            async def handler(_self: Any, request: Any, context: Any, _m: str = method.name) -> Any:
                return await self._handle(_m, request, context)

            namespace[method.name] = handler
        return type(f"Fake{self._descriptor.name}", (self._base,), namespace)()

    async def start(self) -> None:
        self.server = grpc.aio.server()
        self._add(self._servicer(), self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        await self.set_serving(True)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        await self.server.start()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop(None)
            self.server = None


@dataclass
class FakeServices:
    """The five fake services."""

    identity: FakeService
    journal: FakeService
    messaging: FakeService
    reports: FakeService
    archive: FakeService

    def all(self) -> list[FakeService]:
        return [self.identity, self.journal, self.messaging, self.reports, self.archive]

    def total_calls(self) -> int:
        return sum(len(s.calls) for s in self.all())


@dataclass
class FakeIdp:
    """Keycloak's token endpoint plus the NATS and Keycloak health URLs, behind an httpx transport."""

    issuer: LocalIssuer
    nats_status: int = 200
    keycloak_status: int | None = 200  # None: connection refused
    token_requests: list[dict[str, str]] = field(default_factory=list)
    # What the next token request returns: the test fills it in (see `issue_tokens`).
    token_status: int = 200
    token_body: dict[str, Any] = field(default_factory=dict)

    def id_token(
        self, subject: str, nonce: str, *, name: str = "Иванов Иван", aud: str = PORTAL_CLIENT
    ) -> str:
        """Return an ID token like Keycloak's for the portal client."""
        now = int(time.time())
        claims = {
            "sub": subject,
            "iss": self.issuer.issuer,
            "aud": aud,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": name,
            "preferred_username": "ivanov",
        }
        return jwt.encode(claims, "the-portal-does-not-check-this-signature", algorithm="HS256")

    def issue_tokens(
        self,
        subject: str,
        roles: tuple[str, ...],
        *,
        nonce: str = "",
        expires_in: int = 300,
        refresh_token: str = "refresh-1",
    ) -> str:
        """Make the token endpoint answer with a fresh token set; return the access token."""
        access = self.issuer.token(subject, roles, lifetime=expires_in)
        self.token_status = 200
        self.token_body = {
            "access_token": access,
            "expires_in": expires_in,
            "refresh_token": refresh_token,
            "refresh_expires_in": 1800,
            "id_token": self.id_token(subject, nonce) if nonce else "",
            "token_type": "Bearer",
        }
        return access

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.startswith(NATS_MONITOR):
            assert request.url.params.get("js-enabled-only") == "true"
            return httpx.Response(self.nats_status, json={"status": "ok"})
        if url == KEYCLOAK_HEALTH:
            if self.keycloak_status is None:
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(self.keycloak_status, json={"status": "UP"})
        if url == f"{self.issuer.issuer}/protocol/openid-connect/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.token_requests.append(form)
            return httpx.Response(self.token_status, content=json.dumps(self.token_body).encode())
        return httpx.Response(404)


@pytest.fixture(scope="session")
def issuer() -> LocalIssuer:
    """A local token issuer standing in for Keycloak's signing key."""
    return LocalIssuer()


@pytest.fixture
async def fakes() -> AsyncIterator[FakeServices]:
    services = FakeServices(
        identity=FakeService("identity", identity_service_pb2, identity_service_pb2_grpc, "IdentityService"),
        journal=FakeService("journal", journal_service_pb2, journal_service_pb2_grpc, "JournalService"),
        messaging=FakeService(
            "messaging", messaging_service_pb2, messaging_service_pb2_grpc, "MessagingService"
        ),
        reports=FakeService("reports", reports_service_pb2, reports_service_pb2_grpc, "ReportsService"),
        archive=FakeService("archive", archive_service_pb2, archive_service_pb2_grpc, "ArchiveService"),
    )
    for service in services.all():
        await service.start()
    yield services
    for service in services.all():
        await service.stop()


@dataclass
class FakePostgres:
    """A TCP server that answers the SSLRequest like PostgreSQL without TLS does."""

    address: str
    requests: list[bytes] = field(default_factory=list)


@pytest.fixture
async def postgres() -> AsyncIterator[FakePostgres]:
    seen: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readexactly(8))
        writer.write(b"N")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield FakePostgres(address=f"127.0.0.1:{port}", requests=seen)
    server.close()
    await server.wait_closed()


@pytest.fixture
def idp(issuer: LocalIssuer) -> FakeIdp:
    return FakeIdp(issuer=issuer)


@pytest.fixture
def settings(fakes: FakeServices, postgres: FakePostgres, issuer: LocalIssuer) -> GatewaySettings:
    return GatewaySettings(
        http_host="127.0.0.1",
        http_port=0,
        public_url=PUBLIC_URL,
        identity_addr=fakes.identity.address,
        journal_addr=fakes.journal.address,
        messaging_addr=fakes.messaging.address,
        reports_addr=fakes.reports.address,
        archive_addr=fakes.archive.address,
        oidc_issuer=issuer.issuer,
        oidc_audience=issuer.audience,
        portal_client_id=PORTAL_CLIENT,
        session_secret="test-session-secret",
        nats_monitor_url=NATS_MONITOR,
        postgres_addr=postgres.address,
        keycloak_health_url=KEYCLOAK_HEALTH,
    )


@pytest.fixture
async def client(
    settings: GatewaySettings, issuer: LocalIssuer, idp: FakeIdp
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the gateway in-process, with the app's lifespan running."""
    app = create_app(settings, verifier=issuer.verifier(), http_transport=httpx.MockTransport(idp.handle))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            yield http


@pytest.fixture
def bearer(issuer: LocalIssuer) -> Callable[..., dict[str, str]]:
    """Return a factory of Authorization headers: bearer(roles=("admin",), subject=...)."""

    def make(
        roles: tuple[str, ...] = ("admin",), subject: str | None = None, **kwargs: Any
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.token(subject or str(uuid.uuid4()), roles, **kwargs)}"}

    return make
