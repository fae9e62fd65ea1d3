"""What every service client shares: the per-call deadline and the forwarded token."""

from __future__ import annotations

from typing import Any

from chassis.grpc_client import DEFAULT_TIMEOUT, call_metadata


class ServiceClient:
    """A thin wrapper over one generated stub; failures surface as grpc.aio.AioRpcError."""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._timeout = timeout

    def _options(self, token: str) -> dict[str, Any]:
        """Return the keyword arguments of one call: caller's token, request ids and the deadline."""
        return {"metadata": call_metadata(token), "timeout": self._timeout}
