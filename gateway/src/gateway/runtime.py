"""Everything the lifespan builds, in one object on `app.state.runtime`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
from chassis.auth import JwtVerifier
from fastapi import Request

from gateway.auth.bearer import VerifiedTokens
from gateway.auth.oidc import OidcClient
from gateway.auth.session import SessionCookie, SessionStore
from gateway.clients import ServiceClients
from gateway.config import GatewaySettings

if TYPE_CHECKING:  # gateway.health serves /healthz from the runtime, so it imports this module
    from gateway.health import HealthProbe


@dataclass(frozen=True)
class Runtime:
    """The gateway's live components: settings, verifier, service clients, HTTP client, sessions."""

    settings: GatewaySettings
    verifier: JwtVerifier
    clients: ServiceClients
    http: httpx.AsyncClient
    oidc: OidcClient
    sessions: SessionStore
    cookie: SessionCookie
    health: HealthProbe
    tokens: VerifiedTokens = field(default_factory=VerifiedTokens)
    """Principals of the bearer tokens verified lately (see gateway.auth.bearer)."""


def get_runtime(request: Request) -> Runtime:
    """Return the runtime the lifespan put on the app."""
    runtime: Runtime = request.app.state.runtime
    return runtime
