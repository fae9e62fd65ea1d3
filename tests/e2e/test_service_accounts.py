"""Service accounts are narrow on the running platform: a service's own Keycloak client reaches only
the RPCs the callee declared for it (docs/decisions/0010-nats-users-and-narrow-service-accounts.md)."""

from __future__ import annotations

import uuid

import grpc
import pytest
from chassis.auth import ServiceTokenProvider
from chassis.grpc_client import call_metadata, error_code_of
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(stack_platform):  # type: ignore[no-untyped-def]
    return stack_platform


async def token_of(stack, service: str) -> str:  # type: ignore[no-untyped-def]
    client = f"ejournal-{service}"
    return await ServiceTokenProvider(stack.issuer, client, stack.client_secret(client)).token()


async def test_the_archives_account_cannot_read_people_and_the_journals_reads_only_roles(platform) -> None:  # type: ignore[no-untyped-def]
    someone = str(uuid.uuid4())
    roles = pb.ListPersonRolesRequest(person_ids=[someone])
    people = pb.GetPeopleRequest(person_ids=[someone])
    async with grpc.aio.insecure_channel(platform.grpc_addr("identity")) as channel:
        stub = pb_grpc.IdentityServiceStub(channel)
        journal = call_metadata(await token_of(platform, "journal"))
        reply = await stub.ListPersonRoles(roles, metadata=journal, timeout=10)
        assert list(reply.people) == []  # allowed: nobody by that id
        archive = call_metadata(await token_of(platform, "archive"))
        for call, request, md in (
            (stub.ListPersonRoles, roles, archive),
            (stub.GetPeople, people, archive),
            (stub.GetPeople, people, journal),  # the journal's account reads roles, not people
            (stub.ListGuardians, pb.ListGuardiansRequest(student_id=someone), archive),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await call(request, metadata=md, timeout=10)  # type: ignore[operator]
            assert (refused.value.code(), error_code_of(refused.value)) == (
                grpc.StatusCode.PERMISSION_DENIED,
                "service_not_allowed",
            )


async def test_only_messagings_account_reads_the_parent_access_facts(platform) -> None:  # type: ignore[no-untyped-def]
    """ADR 0013: the snapshot of parents' access (dates derived from birth dates) is messaging's alone."""
    request = facts_pb.ListParentAccessFactsRequest(student_id=str(uuid.uuid4()))
    async with grpc.aio.insecure_channel(platform.grpc_addr("identity")) as channel:
        stub = pb_grpc.IdentityServiceStub(channel)
        messaging = call_metadata(await token_of(platform, "messaging"))
        reply = await stub.ListParentAccessFacts(request, metadata=messaging, timeout=10)
        assert list(reply.facts) == []  # allowed: no links for an unknown student
        for service in ("journal", "archive", "reports"):
            md = call_metadata(await token_of(platform, service))
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.ListParentAccessFacts(request, metadata=md, timeout=10)
            assert (refused.value.code(), error_code_of(refused.value)) == (
                grpc.StatusCode.PERMISSION_DENIED,
                "service_not_allowed",
            )
