"""GET /healthz: the five services, NATS, Keycloak and PostgreSQL, probed all at once.

NATS down only degrades the platform: writes keep working (each service's outbox holds its events
until the broker is back), so the answer stays 200 with status "degraded". Anything else down means
requests fail, so it is 503 "down".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Awaitable

import grpc
import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import BaseModel, Field

from gateway.runtime import get_runtime

log = logging.getLogger(__name__)

# Down without failing requests: events wait in the services' outboxes until NATS is back.
DEGRADING = frozenset({"nats"})

# PostgreSQL's SSLRequest: any PostgreSQL answers it with one byte, S or N, before authentication.
SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def split_host_port(address: str) -> tuple[str, int]:
    """Split `host:port` (or `[v6]:port`) into its parts."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


class HealthProbe:
    """Check every component the gateway depends on, concurrently, each within `timeout` seconds."""

    def __init__(
        self,
        *,
        channels: dict[str, grpc.aio.Channel],
        http: httpx.AsyncClient,
        nats_monitor_url: str,
        keycloak_health_url: str,
        postgres_addr: str,
        timeout: float = 2.0,
    ) -> None:
        self._channels = channels
        self._http = http
        self._nats_url = f"{nats_monitor_url.rstrip('/')}/healthz?js-enabled-only=true"
        self._keycloak_url = keycloak_health_url
        self._postgres_addr = postgres_addr
        self._timeout = timeout

    async def check(self) -> dict[str, bool]:
        """Return component name → up."""
        probes: dict[str, Awaitable[bool]] = {
            name: self._grpc(channel) for name, channel in self._channels.items()
        }
        probes["nats"] = self._http_ok(self._nats_url)
        probes["keycloak"] = self._http_ok(self._keycloak_url)
        probes["postgres"] = self._postgres()
        results = await asyncio.gather(*(self._bounded(name, p) for name, p in probes.items()))
        return dict(zip(probes, results, strict=True))

    async def _bounded(self, name: str, probe: Awaitable[bool]) -> bool:
        try:
            async with asyncio.timeout(self._timeout + 0.5):
                return await probe
        except Exception as exc:
            log.debug("health probe failed", extra={"component": name, "error": type(exc).__name__})
            return False

    async def _grpc(self, channel: grpc.aio.Channel) -> bool:
        stub = health_pb2_grpc.HealthStub(channel)
        response = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=self._timeout)
        return bool(response.status == health_pb2.HealthCheckResponse.SERVING)

    async def _http_ok(self, url: str) -> bool:
        response = await self._http.get(url, timeout=self._timeout)
        return response.status_code == 200

    async def _postgres(self) -> bool:
        host, port = split_host_port(self._postgres_addr)
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(SSL_REQUEST)
            await writer.drain()
            answer = await reader.read(1)
            return answer in (b"S", b"N")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class HealthOut(BaseModel):
    """Состояние шлюза и того, от чего он зависит."""

    status: str = Field(description="ok; degraded — недоступен только NATS, запись работает; down")
    components: dict[str, str] = Field(description="Компонент → up или down")
    down: list[str] = Field(default_factory=list, description="Недоступные компоненты")


def summarize(results: dict[str, bool]) -> tuple[HealthOut, int]:
    """Return the /healthz body and HTTP status for the probe results (component → up)."""
    down = sorted(name for name, up in results.items() if not up)
    if not down:
        status, http = "ok", 200
    elif set(down) <= DEGRADING:
        status, http = "degraded", 200
    else:
        status, http = "down", 503
    components = {name: "up" if up else "down" for name, up in results.items()}
    return HealthOut(status=status, components=components, down=down), http


router = APIRouter(tags=["Служебное"])


@router.get(
    "/healthz",
    summary="Состояние шлюза и его зависимостей",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "Что-то недоступно"}},
)
async def healthz(request: Request) -> JSONResponse:
    """Проверяет пять сервисов (gRPC health), NATS, Keycloak и PostgreSQL; без входа."""
    body, http = summarize(await get_runtime(request).health.check())
    if body.down:
        log.warning("unhealthy", extra={"down": body.down, "status": body.status})
    return JSONResponse(body.model_dump(), status_code=http)
