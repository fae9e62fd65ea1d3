"""Ask the identity service for a student's parents, with messaging's own service token."""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT, call_metadata, translate_rpc_error
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)


class TokenSource(Protocol):
    """Gives this service's own access token (chassis ServiceTokenProvider)."""

    async def token(self) -> str:
        """Return a valid access token."""
        ...


class IdentityGuardianDirectory:
    """GuardianDirectory backed by IdentityService.ListGuardians."""

    def __init__(self, channel: grpc.aio.Channel, tokens: TokenSource) -> None:
        self._stub = pb_grpc.IdentityServiceStub(channel)
        self._tokens = tokens

    async def guardians_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the student's parents; an unknown student has none; any other failure raises."""
        token = await self._tokens.token()
        try:
            response = await self._stub.ListGuardians(
                pb.ListGuardiansRequest(student_id=str(student_id)),
                metadata=call_metadata(token),
                timeout=DEFAULT_TIMEOUT,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return []
            raise translate_rpc_error(exc) from exc
        guardians: list[uuid.UUID] = []
        for parent_id in response.parent_ids:
            try:
                guardians.append(uuid.UUID(parent_id))
            except ValueError:
                # Retrying cannot mend a malformed id; skip it, the other parents are still told.
                log.warning("identity returned a malformed parent id", extra={"student_id": str(student_id)})
        return guardians
