"""The identity service in-process over real gRPC, real PostgreSQL and the real Keycloak of the test stack."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.grpc_server import GrpcServer
from chassis.testing import LocalIssuer
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from identity_service.adapters.keycloak import (
    KeycloakAccountDirectory,
    close_keycloak_admin,
    make_keycloak_admin,
)
from identity_service.adapters.orm import start_mappers
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.grpc import IdentityServicer
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.ports import AccountDirectory, UnitOfWorkFactory

from .support import IDENTITY_CLIENT, REALM, Identity, ServerFactory


@pytest.fixture
async def identity_factory(
    fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer, stack_keycloak: Any
) -> AsyncIterator[ServerFactory]:
    """Start identity servers on free ports; `accounts=` or `uow=` swap a port for failure tests."""
    start_mappers()
    engine = make_engine(await fresh_db("identity"), pool_size=2)
    sessions = make_session_factory(engine)
    keycloak = make_keycloak_admin(
        server_url=stack_keycloak.keycloak_url,
        realm=REALM,
        client_id=IDENTITY_CLIENT,
        client_secret=stack_keycloak.client_secret(IDENTITY_CLIENT),
    )
    started: list[tuple[GrpcServer, grpc.aio.Channel]] = []
    identities: list[Identity] = []

    async def start(
        accounts: AccountDirectory | None = None, uow: UnitOfWorkFactory | None = None
    ) -> Identity:
        handlers = IdentityHandlers(
            uow=uow or (lambda: IdentityUnitOfWork(sessions, service="identity")),
            accounts=accounts or KeycloakAccountDirectory(keycloak),
        )
        server = GrpcServer(
            host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
        )
        pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(handlers), server.server)
        await server.start()
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
        started.append((server, channel))
        identity = Identity(
            pb_grpc.IdentityServiceStub(channel), sessions, issuer, keycloak, stack_keycloak.keycloak_url
        )
        identities.append(identity)
        return identity

    yield start
    for server, channel in started:
        await channel.close()
        await server.stop(0)
    # Keep the shared realm clean for the next test and the next run.
    for identity in identities:
        for account_id in identity.created_accounts:
            with contextlib.suppress(Exception):
                await keycloak.a_delete_user(account_id)
    await close_keycloak_admin(keycloak)
    await engine.dispose()


@pytest.fixture
async def identity(identity_factory: ServerFactory) -> Identity:
    """An identity server wired like production."""
    return await identity_factory()
