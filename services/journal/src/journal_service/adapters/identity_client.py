"""Ask the identity service about parent↔student links, with the caller's own token."""

from __future__ import annotations

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT, call_metadata, translate_rpc_error
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc


class IdentityGuardianDirectory:
    """GuardianDirectory backed by IdentityService.CheckGuardianship."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = pb_grpc.IdentityServiceStub(channel)

    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        """Return True when identity says the parent is linked to the student."""
        try:
            response = await self._stub.CheckGuardianship(
                pb.CheckGuardianshipRequest(parent_id=parent_id, student_id=student_id),
                metadata=call_metadata(token),
                timeout=DEFAULT_TIMEOUT,
            )
        except grpc.aio.AioRpcError as exc:
            raise translate_rpc_error(exc) from exc
        return bool(response.linked)
