"""Ask the identity service whether a parent is linked to a student, with the parent's own token
(ADR 0002). The archive's own service account reaches no RPC of identity (ADR 0010); it needs none."""

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
