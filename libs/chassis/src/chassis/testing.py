"""Test helpers: a local token issuer, a private stream on real NATS, a poller and an in-memory inbox.

Service-level tests sign with the local issuer; end-to-end tests use real Keycloak.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar

import grpc
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from google.protobuf.message import Message
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.client import JetStreamContext

from chassis.auth import JwtVerifier, Principal
from chassis.events import stamp, subject_of
from chassis.grpc_server import GrpcServer
from chassis.streams import DLQ_STREAM, StreamSpec, connect_nats, dlq_subject, ensure_streams

M = TypeVar("M", bound=Message)

TEST_ISSUER = "http://issuer.test/realms/ejournal"
TEST_AUDIENCE = "ejournal-api"


class LocalIssuer:
    """Sign RS256 tokens like Keycloak does and serve the matching JWKS to a JwtVerifier."""

    def __init__(self, issuer: str = TEST_ISSUER, audience: str = TEST_AUDIENCE) -> None:
        self.issuer = issuer
        self.audience = audience
        self.kid = uuid.uuid4().hex
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        """Return the public key set."""
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}

    def token(
        self,
        subject: str | None = None,
        roles: tuple[str, ...] = (),
        *,
        lifetime: int = 300,
        audience: str | None = None,
        issuer: str | None = None,
        client_id: str = "ejournal-cli",
    ) -> str:
        """Return a signed access token for a subject with realm roles, minted for a client (`azp`)."""
        now = int(time.time())
        claims = {
            "sub": subject or str(uuid.uuid4()),
            "iss": issuer or self.issuer,
            "aud": audience or self.audience,
            "iat": now,
            "exp": now + lifetime,
            "azp": client_id,
            "realm_access": {"roles": list(roles)},
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def principal(self, subject: str | None = None, roles: tuple[str, ...] = ()) -> Principal:
        """Return a principal as the verifier would build it from a token."""
        subject = subject or str(uuid.uuid4())
        return Principal(subject=subject, roles=frozenset(roles), token=self.token(subject, roles))

    def verifier(self) -> JwtVerifier:
        """Return a verifier that fetches this issuer's JWKS through an in-process transport."""
        jwks = self.jwks()

        def handle(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=jwks)

        client = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        return JwtVerifier(self.issuer, self.audience, http=client)


async def eventually(predicate: Callable[[], Awaitable[Any]], within: float = 10.0) -> Any:
    """Poll an async predicate until it returns something truthy; fail after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await predicate()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.05)


@dataclass
class PrivateStream:
    """A stream only this test publishes to, so durables see nothing from other tests."""

    nc: Client
    js: JetStreamContext
    name: str
    prefix: str

    def subject(self, subject: str) -> str:
        """Return the subject under this stream's private prefix."""
        return f"{self.prefix}.{subject}"

    def durable(self, name: str) -> str:
        """Return a durable name private to this stream."""
        return f"{name}-{self.prefix}"

    async def dlq_last_seq(self) -> int:
        """Return the last sequence of the shared DLQ stream."""
        return int((await self.js.stream_info(DLQ_STREAM.name)).state.last_seq)

    async def dead_letters(self, service: str, after_seq: int) -> list[dict[str, Any]]:
        """Return the headers and data of dlq.<service> messages stored after a sequence."""
        last = await self.dlq_last_seq()
        found = []
        for seq in range(after_seq + 1, last + 1):
            msg = await self.js.get_msg(DLQ_STREAM.name, seq)
            if msg.subject == dlq_subject(service):
                found.append({"headers": msg.headers or {}, "data": msg.data})
        return found

    async def terminations(self, durable: str) -> asyncio.Queue[dict[str, Any]]:
        """Subscribe to the server's advisories of messages this consumer terminated."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def put(msg: Msg) -> None:
            await queue.put(json.loads(msg.data))

        await self.nc.subscribe(f"$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.{self.name}.{durable}", cb=put)
        await self.nc.flush()
        return queue


@asynccontextmanager
async def private_stream(nats_url: str, name: str) -> AsyncIterator[PrivateStream]:
    """Create a uniquely named stream (and the shared DLQ) over a connection named `name`; delete it after."""
    nc, js = await connect_nats(nats_url, name=name)
    tag = uuid.uuid4().hex[:10]
    stream = PrivateStream(nc, js, name=f"TEST_{tag.upper()}", prefix=f"t{tag}")
    await ensure_streams(js, [DLQ_STREAM, StreamSpec(stream.name, (f"{stream.prefix}.>",))])
    try:
        yield stream
    finally:
        await js.delete_stream(stream.name)
        await nc.close()


class FakeInbox:
    """Stand in for the inbox table: claims become permanent only when the unit of work commits them."""

    def __init__(self, claimed: set[tuple[str, str]]) -> None:
        self._claimed = claimed
        self.staged: set[tuple[str, str]] = set()

    async def seen(self, event_id: str, consumer: str) -> bool:
        """Return True when the consumer has already applied the event."""
        return (event_id, consumer) in self._claimed

    async def claim(self, event_id: str, consumer: str, subject: str) -> bool:
        """Stage a claim of the event for the consumer; return False when it is claimed already."""
        key = (event_id, consumer)
        if key in self._claimed or key in self.staged:
            return False
        self.staged.add(key)
        return True

    async def claim_many(self, claims: Sequence[tuple[str, str, str]]) -> set[str]:
        """Stage claims of a batch; return the event ids claimed now."""
        return {event for event, consumer, subject in claims if await self.claim(event, consumer, subject)}


@dataclass(frozen=True)
class AuditEntry:
    """An audit record a fake unit of work committed."""

    action: str
    actor_id: str
    resource_type: str
    resource_id: str
    subject_person_id: str


@dataclass
class FakeLedger:
    """What the fake units of work of one test committed: inbox claims, events, audit records."""

    claimed: set[tuple[str, str]] = field(default_factory=set)
    events: list[tuple[str, Message]] = field(default_factory=list)
    audits: list[AuditEntry] = field(default_factory=list)
    commits: int = 0

    def events_of(self, event_type: type[M]) -> list[M]:
        """Return the committed events of one type, oldest first."""
        return [e for _, e in self.events if isinstance(e, event_type)]

    @property
    def subjects(self) -> list[str]:
        """Return the subjects of the committed events, oldest first."""
        return [s for s, _ in self.events]


class FakeUnitOfWork:
    """The chassis half of an in-memory unit of work: inbox, events and audit, kept until commit.

    A service's fake subclasses it, adds its repositories and extends `_commit_staged` and
    `_discard_staged`; it satisfies `chassis.ports.UnitOfWorkPort` (mypy checks the subclass
    against the service's own port).
    """

    def __init__(self, ledger: FakeLedger) -> None:
        self.ledger = ledger
        self.inbox = FakeInbox(ledger.claimed)
        self._events: list[tuple[str, Message]] = []
        self._audits: list[AuditEntry] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._discard_staged()

    async def emit(self, event: Message) -> str:
        """Stage an event as the real unit of work would (stamped, on its declared subject)."""
        event_id = stamp(event)
        self._events.append((subject_of(event), event))
        return event_id

    async def audit(
        self,
        action: str,
        *,
        actor: Principal,
        resource_type: str,
        resource_id: str,
        subject_person_id: str = "",
    ) -> None:
        """Stage an audit record."""
        self._audits.append(AuditEntry(action, actor.subject, resource_type, resource_id, subject_person_id))

    async def commit(self) -> None:
        """Make what was staged permanent in the ledger."""
        self.ledger.claimed |= self.inbox.staged
        self.ledger.events.extend(self._events)
        self.ledger.audits.extend(self._audits)
        self.ledger.commits += 1
        self._commit_staged()
        self._discard_staged()

    def _commit_staged(self) -> None:
        """Apply the service's staged repository changes to its store; override in a service."""

    def _discard_staged(self) -> None:
        """Forget everything staged; a service's override must call super()."""
        self.inbox.staged.clear()
        self._events.clear()
        self._audits.clear()


@asynccontextmanager
async def serve_in_process(
    add_to_server: Callable[[Any, grpc.aio.Server], None], servicer: object, verifier: JwtVerifier
) -> AsyncIterator[grpc.aio.Channel]:
    """Serve one servicer behind the real interceptors on a free port; yield a channel to it."""
    server = GrpcServer(host="127.0.0.1", port=0, verifier=verifier, service_names=[], health_checks=[])
    add_to_server(servicer, server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield channel
    finally:
        await channel.close()
        await server.stop(0)
