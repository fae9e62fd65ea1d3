"""Ask identity which of a student's parents may read the student's data today (issue 8 item 5:
an adult student's parent only with the student's consent), with messaging's own service token."""

from __future__ import annotations

import logging
import uuid

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT, call_metadata, translate_rpc_error
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc

from messaging_service.adapters.identity_client import TokenSource

log = logging.getLogger(__name__)


class IdentityParentAccess:
    """ParentAccessDirectory backed by IdentityService.ListGuardians(readable_only=true)."""

    def __init__(self, channel: grpc.aio.Channel, tokens: TokenSource) -> None:
        self._stub = pb_grpc.IdentityServiceStub(channel)
        self._tokens = tokens

    async def readable_parents(self, student_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the parents with access today; an unknown student has none; any other failure raises."""
        token = await self._tokens.token()
        try:
            response = await self._stub.ListGuardians(
                pb.ListGuardiansRequest(student_id=str(student_id), readable_only=True),
                metadata=call_metadata(token),
                timeout=DEFAULT_TIMEOUT,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return set()
            raise translate_rpc_error(exc) from exc
        readable: set[uuid.UUID] = set()
        for parent_id in response.parent_ids:
            try:
                readable.add(uuid.UUID(parent_id))
            except ValueError:
                log.warning("identity returned a malformed parent id", extra={"student_id": str(student_id)})
        return readable
