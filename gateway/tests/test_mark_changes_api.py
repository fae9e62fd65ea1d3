"""PATCH and DELETE /api/v1/marks/{mark_id}: the bodies and queries mapped to ChangeMark and RemoveMark,
the journal's refusals passed on with their codes, bad input refused at the edge."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

from .test_api import make_mark


async def test_patch_changes_a_mark_with_kind_weight_and_reason(client, bearer, fakes) -> None:
    mark = make_mark(str(uuid.uuid4()), value="5", weight=2, kind_of_work=journal_pb2.KIND_OF_WORK_TEST)
    fakes.journal.reply("ChangeMark", journal_service_pb2.ChangeMarkResponse(mark=mark))
    body = {"value": "5", "kind_of_work": "test", "weight": 2, "reason": "  Пересдал  "}
    response = await client.patch(f"/api/v1/marks/{mark.mark_id}", json=body, headers=bearer(("teacher",)))
    assert response.status_code == 200
    assert (response.json()["mark_id"], response.json()["value"], response.json()["weight"]) == (
        mark.mark_id,
        "5",
        2,
    )
    request = fakes.journal.last("ChangeMark").request
    assert (request.mark_id, request.value, request.kind_of_work, request.weight, request.reason) == (
        mark.mark_id,
        "5",
        journal_pb2.KIND_OF_WORK_TEST,
        2,
        "Пересдал",
    )


async def test_patch_without_kind_and_weight_keeps_them(client, bearer, fakes) -> None:
    mark = make_mark(str(uuid.uuid4()), value="3")
    fakes.journal.reply("ChangeMark", journal_service_pb2.ChangeMarkResponse(mark=mark))
    response = await client.patch(
        f"/api/v1/marks/{mark.mark_id}", json={"value": "3"}, headers=bearer(("teacher",))
    )
    assert response.status_code == 200
    request = fakes.journal.last("ChangeMark").request
    assert (request.kind_of_work, request.weight, request.reason) == (
        journal_pb2.KIND_OF_WORK_UNSPECIFIED,
        0,
        "",
    )


@pytest.mark.parametrize(
    ("how", "kwargs"),
    [
        ("body", {"json": {"reason": "Поставлена не тому"}}),
        ("query", {"params": {"reason": "Поставлена не тому"}}),
    ],
)
async def test_delete_removes_a_mark_with_its_reason(client, bearer, fakes, how, kwargs) -> None:
    mark_id = str(uuid.uuid4())
    fakes.journal.reply("RemoveMark", journal_service_pb2.RemoveMarkResponse(mark_id=mark_id))
    response = await client.request(
        "DELETE", f"/api/v1/marks/{mark_id}", headers=bearer(("teacher",)), **kwargs
    )
    assert (response.status_code, response.content) == (204, b"")
    request = fakes.journal.last("RemoveMark").request
    assert (request.mark_id, request.reason) == (mark_id, "Поставлена не тому")


async def test_delete_without_a_reason_sends_an_empty_one(client, bearer, fakes) -> None:
    mark_id = str(uuid.uuid4())
    fakes.journal.reply("RemoveMark", journal_service_pb2.RemoveMarkResponse(mark_id=mark_id))
    response = await client.delete(f"/api/v1/marks/{mark_id}", headers=bearer(("teacher",)))
    assert response.status_code == 204
    assert fakes.journal.last("RemoveMark").request.reason == ""


@pytest.mark.parametrize(
    ("rpc", "method", "status", "http", "code"),
    [
        ("ChangeMark", "PATCH", grpc.StatusCode.PERMISSION_DENIED, 403, "not_teaching_this_group"),
        ("ChangeMark", "PATCH", grpc.StatusCode.NOT_FOUND, 404, "mark_not_found"),
        ("ChangeMark", "PATCH", grpc.StatusCode.INVALID_ARGUMENT, 400, "unknown_mark_value"),
        ("RemoveMark", "DELETE", grpc.StatusCode.PERMISSION_DENIED, 403, "not_teaching_this_group"),
        ("RemoveMark", "DELETE", grpc.StatusCode.NOT_FOUND, 404, "mark_not_found"),
    ],
)
async def test_the_journals_refusals_keep_their_codes(
    client, bearer, fakes, rpc, method, status, http, code
) -> None:
    fakes.journal.fail(rpc, status, "Отказ журнала", code)
    response = await client.request(
        method,
        f"/api/v1/marks/{uuid.uuid4()}",
        json={"value": "5"} if method == "PATCH" else None,
        headers=bearer(("teacher",)),
    )
    assert response.status_code == http
    assert response.json() == {"error": {"code": code, "message": "Отказ журнала"}}


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("PATCH", "/api/v1/marks/не-ид", {"json": {"value": "5"}}),
        ("PATCH", "/api/v1/marks/{id}", {"json": {"value": ""}}),
        ("PATCH", "/api/v1/marks/{id}", {"json": {"value": "5", "weight": 9}}),
        ("PATCH", "/api/v1/marks/{id}", {"json": {"value": "5", "reason": "я" * 501}}),
        ("PATCH", "/api/v1/marks/{id}", {"json": {"value": "5", "colour": "red"}}),
        ("DELETE", "/api/v1/marks/{id}", {"params": {"reason": "я" * 501}}),
        ("DELETE", "/api/v1/marks/{id}", {"json": {"reason": "я" * 501}}),
    ],
)
async def test_bad_input_is_refused_at_the_edge(client, bearer, fakes, method, path, kwargs) -> None:
    response = await client.request(
        method, path.format(id=uuid.uuid4()), headers=bearer(("teacher",)), **kwargs
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"]
    assert [c for c in fakes.journal.calls if c.method in ("ChangeMark", "RemoveMark")] == []
