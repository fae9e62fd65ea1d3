"""Composition root of the identity service: settings → engine → NATS → Keycloak → gRPC and relay."""

from __future__ import annotations

import asyncio

from chassis.auth import JwtVerifier
from chassis.db import database_answers, make_engine, make_session_factory
from chassis.grpc_server import GrpcServer
from chassis.logging import configure_logging
from chassis.outbox import OutboxRelay
from chassis.runtime import serve_until_stopped
from chassis.streams import (
    AUDIT_STREAM,
    DLQ_STREAM,
    connect_nats,
    ensure_streams,
    nats_answers,
    service_stream,
)
from ejournal.identity.v1 import identity_service_pb2, identity_service_pb2_grpc

from identity_service.adapters.keycloak import (
    KeycloakAccountDirectory,
    close_keycloak_admin,
    make_keycloak_admin,
)
from identity_service.adapters.orm import start_mappers
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.grpc import IdentityServicer
from identity_service.application.handlers import IdentityHandlers
from identity_service.config import IdentitySettings

SERVICE = "identity"
IDENTITY_STREAM = service_stream(SERVICE)
STREAMS = [IDENTITY_STREAM, AUDIT_STREAM, DLQ_STREAM]


async def serve(settings: IdentitySettings) -> None:
    """Build every component and serve until a stop signal."""
    start_mappers()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_session_factory(engine)
    nc, js = await connect_nats(settings.nats_url, name=SERVICE)
    await ensure_streams(js, STREAMS)
    relay = OutboxRelay(sessions, js, poll_seconds=settings.outbox_poll_seconds)
    # Built here, inside the running loop: its async HTTP client binds to this loop.
    keycloak = make_keycloak_admin(
        server_url=settings.keycloak_url,
        realm=settings.keycloak_realm,
        client_id=settings.service_client_id,
        client_secret=settings.service_client_secret,
        timeout=settings.keycloak_timeout_seconds,
    )

    async def close_keycloak() -> None:
        await close_keycloak_admin(keycloak)

    handlers = IdentityHandlers(
        uow=lambda: IdentityUnitOfWork(sessions, service=SERVICE, on_commit=relay.wake),
        accounts=KeycloakAccountDirectory(keycloak),
    )
    server = GrpcServer(
        host=settings.grpc_host,
        port=settings.grpc_port,
        verifier=JwtVerifier(settings.oidc_issuer, settings.oidc_audience),
        service_names=[identity_service_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name],
        health_checks=[lambda: database_answers(engine), lambda: nats_answers(nc)],
    )
    identity_service_pb2_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(handlers), server.server)
    await serve_until_stopped(
        server,
        background=[relay.run()],
        cleanup=[close_keycloak, nc.drain, engine.dispose],
    )


def run() -> None:
    """Entry point of `ejournal-identity`."""
    settings = IdentitySettings()  # type: ignore[call-arg]
    configure_logging(SERVICE, settings.log_level)
    asyncio.run(serve(settings))
