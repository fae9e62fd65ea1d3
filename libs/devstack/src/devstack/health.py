"""Health probes: the standard gRPC health service and plain HTTP checks."""

from __future__ import annotations

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc


def grpc_serving(addr: str, *, service: str = "", timeout: float = 1.5) -> bool:
    """Tell whether the gRPC server at host:port reports SERVING for `service` ("" = the whole server)."""
    with grpc.insecure_channel(addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def http_ok(url: str, *, timeout: float = 2.0) -> bool:
    """Tell whether GET `url` answers 200."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False
