"""Client of the identity service: people and parent↔student links."""

from __future__ import annotations

from typing import Any

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT
from ejournal.identity.v1 import identity_pb2, identity_service_pb2_grpc
from ejournal.identity.v1 import identity_service_pb2 as pb

from gateway.clients.base import ServiceClient


class IdentityClient(ServiceClient):
    """Call IdentityService on behalf of the bearer of a token."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self._stub = identity_service_pb2_grpc.IdentityServiceStub(channel)

    async def create_person(
        self,
        token: str,
        *,
        role: identity_pb2.Role.ValueType,
        last_name: str,
        first_name: str,
        middle_name: str,
        email: str,
    ) -> Any:
        """Create a person with an account; return the CreatePersonResponse."""
        request = pb.CreatePersonRequest(
            role=role, last_name=last_name, first_name=first_name, middle_name=middle_name, email=email
        )
        return await self._stub.CreatePerson(request, **self._options(token))

    async def get_person(self, token: str, person_id: str) -> Any:
        """Return the Person with this id."""
        request = pb.GetPersonRequest(person_id=person_id)
        response = await self._stub.GetPerson(request, **self._options(token))
        return response.person

    async def link_guardian(self, token: str, *, parent_id: str, student_id: str) -> bool:
        """Link a parent to a student; return True when the link is new."""
        request = pb.LinkGuardianRequest(parent_id=parent_id, student_id=student_id)
        response = await self._stub.LinkGuardian(request, **self._options(token))
        return bool(response.created)

    async def list_children(self, token: str, parent_id: str) -> list[Any]:
        """Return the Persons of a parent's children, by last and first name."""
        request = pb.ListChildrenRequest(parent_id=parent_id)
        response = await self._stub.ListChildren(request, **self._options(token))
        return list(response.children)
