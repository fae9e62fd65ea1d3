"""Helpers shared by the identity integration tests: the running server handle and constants."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from chassis.grpc_client import call_metadata
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from keycloak import KeycloakAdmin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

IDENTITY_CLIENT = "ejournal-identity"
CLI_CLIENT = "ejournal-cli"
REALM = "ejournal"


@dataclass
class Identity:
    """A running identity server and what a test needs to look behind it."""

    stub: pb_grpc.IdentityServiceStub
    sessions: async_sessionmaker[AsyncSession]
    issuer: LocalIssuer
    keycloak: KeycloakAdmin
    keycloak_url: str
    created_accounts: list[str] = field(default_factory=list)

    def md(self, subject: str, *roles: str) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.issuer.token(subject, roles))

    async def outbox(self) -> list[tuple[str, bytes]]:
        async with self.sessions() as s:
            rows = await s.execute(
                select(OUTBOX.c.subject, OUTBOX.c.payload).order_by(OUTBOX.c.created_at, OUTBOX.c.subject)
            )
            return [(r.subject, r.payload) for r in rows]


ServerFactory = Callable[..., Awaitable[Identity]]


def new_subject() -> str:
    """Return a random person id for a token."""
    return str(uuid.uuid4())
