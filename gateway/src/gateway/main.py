"""Composition root of the gateway: settings → channels, verifier, HTTP client, sessions → FastAPI app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from chassis.auth import JwtVerifier
from chassis.logging import configure_logging
from chassis.runtime import settle_heap
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gateway.auth.oidc import OidcClient
from gateway.auth.session import SessionCookie, SessionStore
from gateway.clients import open_clients
from gateway.config import GatewaySettings
from gateway.docs import router as docs_router
from gateway.errors import install_error_handlers
from gateway.health import HealthProbe
from gateway.health import router as health_router
from gateway.middleware import BodySizeLimit, RefuseControlCharacters, RequestContextMiddleware
from gateway.resources import api_routers, group_list_import, year_import
from gateway.runtime import Runtime
from gateway.web import STATIC_DIR, make_templates, portal_router
from gateway.web.accounts import router as accounts_portal
from gateway.web.group_list_import import router as group_list_import_portal

SERVICE = "gateway"
log = logging.getLogger(__name__)

DESCRIPTION = """REST API электронного журнала. Каждый запрос несёт токен доступа Keycloak в заголовке
`Authorization: Bearer …`. Ошибки всегда имеют вид `{"error": {"code": "...", "message": "..."}}`."""


def create_app(
    settings: GatewaySettings,
    *,
    verifier: JwtVerifier | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Return the gateway app; its lifespan opens the channels and clients and closes them at the end.

    `verifier` replaces the Keycloak JWKS verifier and `http_transport` the network under the HTTP
    client (Keycloak's token endpoint, NATS and Keycloak health): both are for tests.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        http = httpx.AsyncClient(timeout=5.0, transport=http_transport)
        clients = open_clients(settings.service_addrs)
        app.state.runtime = Runtime(
            settings=settings,
            verifier=verifier or JwtVerifier(settings.issuer, settings.oidc_audience, http=http),
            clients=clients,
            http=http,
            oidc=OidcClient(
                issuer=settings.issuer,
                client_id=settings.portal_client_id,
                redirect_uri=f"{settings.base_url}/auth/callback",
                http=http,
            ),
            sessions=SessionStore(),
            cookie=SessionCookie(
                settings.session_secret.get_secret_value(), secure=settings.base_url.startswith("https://")
            ),
            health=HealthProbe(
                channels=clients.channels,
                http=http,
                nats_monitor_url=settings.nats_monitor_url,
                keycloak_health_url=settings.keycloak_health_url,
                postgres_addr=settings.postgres_addr,
            ),
        )
        log.info("gateway started", extra={"services": settings.service_addrs})
        try:
            yield
        finally:
            await clients.close()
            await http.aclose()
            log.info("gateway stopped")

    app = FastAPI(
        title="ejournal — электронный журнал",
        description=DESCRIPTION,
        version="1.0.0",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,  # gateway.docs serves /api/docs with vendored assets (no CDN)
        redoc_url=None,
    )
    app.state.templates = make_templates(settings.college_zone)
    install_error_handlers(app)
    # The last added runs first: ids and headers for every answer, then the size cap, then the text check.
    app.add_middleware(RefuseControlCharacters)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        wider=[
            (year_import.UPLOAD_PATHS, max(settings.max_body_bytes, year_import.UPLOAD_BODY_BYTES)),
            # Slice H2: a group list of up to 1 MB with its multipart framing.
            (
                group_list_import.UPLOAD_PATHS,
                max(settings.max_body_bytes, group_list_import.UPLOAD_BODY_BYTES),
            ),
        ],
    )
    app.add_middleware(RequestContextMiddleware, trusted_proxies=settings.trusted_proxies)
    for router in api_routers():
        app.include_router(router)
    app.include_router(health_router)
    app.include_router(docs_router)
    app.include_router(portal_router())
    # Slice H2's portal page joins here: web/__init__.py waits on other slices' uncommitted pages.
    app.include_router(group_list_import_portal)
    # Slice H1's «Учётные записи» joins here for the same reason.
    app.include_router(accounts_portal)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def run() -> None:
    """Entry point of `ejournal-gateway`: read the settings, log JSON, serve with uvicorn."""
    settings = GatewaySettings()
    configure_logging(SERVICE, settings.log_level)
    app = create_app(settings)
    settle_heap()  # the routers, models and templates stay as long as the process
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        http="httptools",  # uvicorn's C parser: h11 took ~9 % of the gateway's CPU sending a journal page
        timeout_graceful_shutdown=10,
    )
