"""Probes behind /healthz: the five services, NATS, Keycloak and PostgreSQL, all at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Awaitable

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

log = logging.getLogger(__name__)

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
