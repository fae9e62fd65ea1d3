"""Ask the identity service: parent↔student links with the caller's token, people's roles with the
journal's own service token."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from typing import Protocol

import grpc
from chassis.errors import ServiceUnavailable
from chassis.grpc_client import DEFAULT_TIMEOUT, call_metadata, translate_rpc_error
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc

from journal_service.application.people import role_from_pb

log = logging.getLogger(__name__)


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


class TokenSource(Protocol):
    """Gives this service's own access token (chassis ServiceTokenProvider)."""

    async def token(self) -> str:
        """Return a valid access token."""
        ...


class IdentityPersonDirectory:
    """PersonDirectory backed by IdentityService.ListPersonRoles, called as the journal service.

    Any failure is an outage to the journal's caller (UNAVAILABLE, identity_unavailable): a refusal
    of identity to the journal is a misconfiguration, never a reason to refuse the administrator.
    """

    def __init__(self, channel: grpc.aio.Channel, tokens: TokenSource) -> None:
        self._stub = pb_grpc.IdentityServiceStub(channel)
        self._tokens = tokens

    async def roles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Return the roles of those of the people identity knows."""
        response = await self._call(pb.ListPersonRolesRequest(person_ids=[str(p) for p in person_ids]))
        return dict(self._pairs(response))

    async def page(
        self, after: uuid.UUID | None, size: int
    ) -> tuple[list[tuple[uuid.UUID, str]], uuid.UUID | None]:
        """Return a page of (person id, role) after `after`, and where the next page starts (None: done)."""
        response = await self._call(
            pb.ListPersonRolesRequest(after_person_id=str(after) if after else "", page_size=size)
        )
        following = response.next_after_person_id
        return self._pairs(response), uuid.UUID(following) if following else None

    async def _call(self, request: pb.ListPersonRolesRequest) -> pb.ListPersonRolesResponse:
        token = await self._tokens.token()
        try:
            return await self._stub.ListPersonRoles(
                request, metadata=call_metadata(token), timeout=DEFAULT_TIMEOUT
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.UNAVAILABLE:
                log.error("identity refused ListPersonRoles", extra={"status": exc.code().name})
            raise ServiceUnavailable(
                "Сервис учётных записей недоступен, попробуйте позже", code="identity_unavailable"
            ) from exc

    @staticmethod
    def _pairs(response: pb.ListPersonRolesResponse) -> list[tuple[uuid.UUID, str]]:
        pairs: list[tuple[uuid.UUID, str]] = []
        for person in response.people:
            role = role_from_pb(person.role)
            try:
                person_id = uuid.UUID(person.person_id)
            except ValueError:
                role = None
            if role is None:
                # Retrying cannot mend it; such a person stays unknown to the journal.
                log.warning("identity returned a malformed person role", extra={"role": int(person.role)})
                continue
            pairs.append((person_id, role))
        return pairs
