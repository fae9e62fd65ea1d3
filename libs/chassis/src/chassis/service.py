"""The service kit: everything a service's composition root has in common, behind one call.

A service's `main.py` says only what is particular to it:

    def build(kit: ServiceKit[JournalSettings]) -> None:
        start_mappers()
        handlers = JournalHandlers(uow=kit.unit_of_work(JournalUnitOfWork), ...)
        kit.serve(journal_service_pb2_grpc.add_JournalServiceServicer_to_server, JournalServicer(handlers),
                  journal_service_pb2.DESCRIPTOR.services_by_name["JournalService"])

    def run() -> None:
        run_service("journal", JournalSettings, build)

`run_service` reads the settings, logs JSON, opens the engine, NATS and the streams, starts the outbox
relay, the gRPC server with health and reflection, every consumer the build subscribed, and on
SIGTERM stops them in order and cleans up.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, TypeVar

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message import Message
from nats.aio.client import Client
from nats.js.client import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chassis.auth import JwtVerifier, ServiceCallers
from chassis.config import ServiceSettings
from chassis.consumer import EventHandler, Subscription
from chassis.db import database_answers, make_engine, make_session_factory
from chassis.grpc_client import make_channel
from chassis.grpc_server import GrpcServer, HealthCheck
from chassis.idempotency import IdempotentWrites
from chassis.logging import configure_logging
from chassis.outbox import OutboxRelay
from chassis.runtime import serve_until_stopped, settle_heap
from chassis.streams import (
    StreamSpec,
    connect_nats,
    ensure_stream_exists,
    ensure_streams,
    producer_streams,
)
from chassis.uow import UnitOfWork

log = logging.getLogger(__name__)

S = TypeVar("S", bound=ServiceSettings)
U = TypeVar("U", bound=UnitOfWork)
M = TypeVar("M", bound=Message)
T = TypeVar("T")

Build = Callable[["ServiceKit[S]"], Awaitable[None] | None]


class ServiceKit(Generic[S]):
    """The running infrastructure of one service, and the parts its build adds to it."""

    def __init__(
        self,
        name: str,
        settings: S,
        *,
        engine: AsyncEngine,
        nc: Client,
        js: JetStreamContext,
    ) -> None:
        self.name = name
        self.settings = settings
        self.engine = engine
        self.sessions: async_sessionmaker[AsyncSession] = make_session_factory(engine)
        self.nc = nc
        self.js = js
        self.relay = OutboxRelay(
            self.sessions,
            js,
            poll_seconds=settings.outbox_poll_seconds,
            pace_seconds=settings.outbox_pace_seconds,
        )
        self.subscriptions: list[Subscription[Any]] = []
        self.streams: list[StreamSpec] = producer_streams(name)
        """The streams this service produces to: created or updated at start."""
        self.consumed_streams: list[StreamSpec] = []
        """Other producers' streams it consumes from: created at start only when missing."""
        self.health_checks: list[HealthCheck] = [lambda: database_answers(engine)]
        self._servicers: list[tuple[Callable[[Any, grpc.aio.Server], None], Any, str]] = []
        self._background: list[Coroutine[Any, Any, None]] = []
        self._cleanup: list[Callable[[], Awaitable[Any]]] = []
        self.idempotency: IdempotentWrites | None = None
        self.service_callers: dict[str, frozenset[str]] = {}

    def unit_of_work(self, factory: Callable[..., U]) -> Callable[[], U]:
        """Return a factory of the service's unit of work that wakes the relay on commit."""
        return lambda: factory(self.sessions, service=self.name, on_commit=self.relay.wake)

    def serve(
        self, add_to_server: Callable[[T, grpc.aio.Server], None], servicer: T, service: ServiceDescriptor
    ) -> None:
        """Serve a gRPC servicer (the generated `add_…_to_server`, the servicer, its descriptor)."""
        self._servicers.append((add_to_server, servicer, service.full_name))

    def subscribe(self, subscription: Subscription[M]) -> Subscription[M]:
        """Run a subscription (see `consume`) while the service runs; its stream is ensured."""
        self.subscriptions.append(subscription)
        stream = subscription.stream()
        if stream not in self.streams and stream not in self.consumed_streams:
            self.consumed_streams.append(stream)
        return subscription

    def consume(
        self,
        event_type: type[M],
        *,
        durable: str,
        handle: EventHandler[M],
        subjects: tuple[str, ...] = (),
        max_deliver: int = 5,
        nak_delay_seconds: float = 1.0,
    ) -> Subscription[M]:
        """Apply every `event_type` event once, under a durable consumer name, with `handle`."""
        return self.subscribe(
            Subscription(
                event_type=event_type,
                durable=durable,
                handle=handle,
                subjects=subjects,
                max_deliver=max_deliver,
                nak_delay_seconds=nak_delay_seconds,
            )
        )

    def channel(self, address: str) -> grpc.aio.Channel:
        """Open a channel to another service; closed when the service stops."""
        channel = make_channel(address)
        self._cleanup.append(channel.close)
        return channel

    def allow_service_callers(self, callers: ServiceCallers) -> None:
        """Declare, in one place, which other services' accounts may call which RPC (RPC → client ids).

        Every call made with a service account's token (`chassis.auth.SERVICE_CLIENTS`) is checked
        against it before the RPC runs; an RPC not declared for the caller's client is refused
        (`service_not_allowed`). People's tokens go through the RPCs' own access rules as before.
        """
        for rpc, clients in callers.items():
            self.service_callers[rpc] = self.service_callers.get(rpc, frozenset()) | frozenset(clients)

    def idempotent_writes(self) -> IdempotentWrites:
        """Do every write RPC sent with an `idempotency-key` once and answer its repeats alike
        (`chassis.idempotency`); old keys are purged while the service runs. The service's migrations
        must have created the table (`chassis.idempotency.create_idempotency_table`)."""
        if self.idempotency is None:
            self.idempotency = IdempotentWrites(self.sessions)
            self.background(self.idempotency.purge_forever())
        return self.idempotency

    def background(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a loop beside the server until the service stops."""
        self._background.append(coro)

    def on_stop(self, step: Callable[[], Awaitable[Any]]) -> None:
        """Run `step` when the service stops (before NATS and the engine close)."""
        self._cleanup.append(step)

    def health_check(self, check: HealthCheck) -> None:
        """Add a check that must pass for the service to say SERVING."""
        self.health_checks.append(check)

    def grpc_server(self, verifier: JwtVerifier | None = None) -> GrpcServer:
        """Build the gRPC server with every servicer the build added."""
        server = GrpcServer(
            host=self.settings.grpc_host,
            port=self.settings.grpc_port,
            verifier=verifier or JwtVerifier(self.settings.oidc_issuer, self.settings.oidc_audience),
            service_names=[name for _, _, name in self._servicers],
            health_checks=self.health_checks,
            idempotency=self.idempotency,
            service_callers=self.service_callers,
        )
        for add_to_server, servicer, _ in self._servicers:
            add_to_server(servicer, server.server)
        return server


async def serve_service(
    name: str,
    settings: S,
    build: Build[S],
    *,
    verifier: JwtVerifier | None = None,
    stop: asyncio.Event | None = None,
    settle: bool = False,
) -> None:
    """Open the infrastructure, let `build` add the service's parts, serve until a stop signal.

    Tests run a whole service in-process with their own token `verifier` and `stop` event; the entry
    point also settles the heap once built (`chassis.runtime.settle_heap`), which a test process keeps
    to itself.
    """
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    nc, js = await connect_nats(
        settings.nats_url, name=name, user=settings.nats_user, password=settings.nats_password
    )
    kit = ServiceKit(name, settings, engine=engine, nc=nc, js=js)
    try:
        built = build(kit)
        if inspect.isawaitable(built):
            await built
        await ensure_streams(js, kit.streams)
        for stream in kit.consumed_streams:
            await ensure_stream_exists(js, stream)
        server = kit.grpc_server(verifier)
        if settle:
            settle_heap()
    except BaseException:
        for step in [*kit._cleanup, nc.close, engine.dispose]:
            try:
                await step()
            except Exception:
                log.exception("cleanup after a failed start failed")
        raise
    # NATS is not a health check: while it is down writes go on and the outbox holds their events.
    await serve_until_stopped(
        server,
        background=[
            kit.relay.run(),
            *(s.consumer(js, service=name).run() for s in kit.subscriptions),
            *kit._background,
        ],
        cleanup=[*kit._cleanup, nc.drain, engine.dispose],
        stop=stop,
    )


def run_service(name: str, settings_type: type[S], build: Build[S]) -> None:
    """Entry point of a service: read its settings once, log JSON, serve until SIGTERM."""
    settings = settings_type()
    configure_logging(name, settings.log_level)
    asyncio.run(serve_service(name, settings, build, settle=True))
