"""Idempotency-Key through the gateway: forwarded with a write's calls, checked at the edge, and the
service's refusal of a reused key kept as 409 with its code."""

from __future__ import annotations

import uuid

import grpc
from ejournal.journal.v1 import journal_pb2, journal_service_pb2


async def test_a_writes_key_is_forwarded_as_metadata(client, bearer, fakes) -> None:
    group = journal_pb2.Group(group_id=str(uuid.uuid4()), name="ИС-21")
    fakes.journal.reply("CreateGroup", journal_service_pb2.CreateGroupResponse(group=group))
    key = str(uuid.uuid4())

    response = await client.post(
        "/api/v1/groups", json={"name": "ИС-21"}, headers={**bearer(("admin",)), "Idempotency-Key": key}
    )

    assert response.status_code == 201
    assert fakes.journal.last("CreateGroup").metadata["idempotency-key"] == key
    # Without the header nothing is forwarded; a read never forwards one.
    await client.post("/api/v1/groups", json={"name": "ИС-22"}, headers=bearer(("admin",)))
    assert "idempotency-key" not in fakes.journal.last("CreateGroup").metadata
    await client.get("/api/v1/groups", headers={**bearer(("admin",)), "Idempotency-Key": key})
    assert "idempotency-key" not in fakes.journal.last("ListGroups").metadata


async def test_a_malformed_key_is_400_before_any_call(client, bearer, fakes) -> None:
    for bad in ("with space", "tab\there", "x" * 201):
        response = await client.post(
            "/api/v1/groups", json={"name": "ИС-21"}, headers={**bearer(("admin",)), "Idempotency-Key": bad}
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_idempotency_key"
        assert "Idempotency-Key" in response.json()["error"]["message"]
    assert not [c for c in fakes.journal.calls if c.method == "CreateGroup"]


async def test_a_reused_key_is_409_with_its_code(client, bearer, fakes) -> None:
    fakes.journal.fail(
        "CreateGroup",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Этот ключ идемпотентности уже использован для другого запроса",
        "idempotency_key_reused",
    )
    response = await client.post(
        "/api/v1/groups", json={"name": "ИС-23"}, headers={**bearer(("admin",)), "Idempotency-Key": "k-1"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
