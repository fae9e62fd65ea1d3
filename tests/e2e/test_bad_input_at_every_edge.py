"""Bad input against the real stack: refused at the gateway's edge, and at each service's own edge.

A NUL (which PostgreSQL refuses) in a JSON field, a query filter or a gRPC request never reaches a
database: 400 / INVALID_ARGUMENT `invalid_text`. A body over the limit is 413 before it is read.
"""

from __future__ import annotations

import os
import uuid

import grpc
import httpx
import pytest
from chassis.grpc_client import call_metadata, error_code_of
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc

from .keycloak_login import identity_admin, password_token

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def admin_token(stack_platform) -> str:  # type: ignore[no-untyped-def]
    suffix = uuid.uuid4().hex[:6]
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        "create-person",
        "--role",
        "admin",
        "--last-name",
        "Проверкин",
        "--first-name",
        "Пётр",
        "--username",
        f"edge{suffix}",
        "--password",
        password,
        bin_dir=str(stack_platform.venv_bin),
    )
    return password_token(stack_platform.issuer, f"edge{suffix}", password)


def _error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_the_gateway_refuses_control_characters_and_huge_bodies(stack_platform, admin_token: str) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=stack_platform.gateway_url, headers=headers, timeout=30) as api:
        assert _error(api.post("/api/v1/groups", json={"name": "ИС\x00-1"})) == (400, "invalid_text")
        discipline = {"code": "ОП\x00.01", "name": "Математика", "kind": "discipline"}
        assert _error(api.post("/api/v1/disciplines", json=discipline)) == (400, "invalid_text")
        assert _error(api.get("/api/v1/audit", params={"resource_type": "mark\x00"})) == (400, "invalid_text")
        huge = b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}'
        refused = api.post("/api/v1/groups", content=huge, headers={"Content-Type": "application/json"})
        assert _error(refused) == (413, "payload_too_large")
        # The same name without the NUL is accepted: nothing of the refused requests was written.
        name = f"ИС-{uuid.uuid4().hex[:4]}"
        assert api.post("/api/v1/groups", json={"name": name}).status_code == 201


async def test_a_service_refuses_control_characters_on_its_own_edge(stack_platform, admin_token: str) -> None:  # type: ignore[no-untyped-def]
    async with grpc.aio.insecure_channel(stack_platform.grpc_addr("journal")) as channel:
        stub = pb_grpc.JournalServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.CreateGroup(
                pb.CreateGroupRequest(name="ИС\x00-2"), metadata=call_metadata(admin_token)
            )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_code_of(refused.value) == "invalid_text"
    assert "name" in (refused.value.details() or "")
