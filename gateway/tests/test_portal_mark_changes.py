"""The grid's change and removal of a mark in a cell: the JSON routes behind static/journal.js, mapped
to ChangeMark and RemoveMark, the journal's refusals with their reason and code, students refused."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

from .test_portal_absences import log_in, token_of

GROUP, MATHS, MARK = (str(uuid.uuid4()) for _ in range(3))
URL = f"/journal/{GROUP}/{MATHS}/marks/{MARK}"


async def test_a_value_typed_over_a_mark_changes_it(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    fakes.journal.reply(
        "ChangeMark",
        journal_service_pb2.ChangeMarkResponse(
            mark=journal_pb2.Mark(
                mark_id=MARK, value="5", weight=2, kind_of_work=journal_pb2.KIND_OF_WORK_TEST
            )
        ),
    )
    response = await client.post(URL, data={"csrf_token": token_of(client), "value": " 5 "})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "value": "5", "hint": "Тест, вес 2", "weight": 2}
    sent = fakes.journal.last("ChangeMark").request
    assert (sent.mark_id, sent.value, sent.kind_of_work, sent.weight) == (
        MARK,
        "5",
        journal_pb2.KIND_OF_WORK_UNSPECIFIED,
        0,
    )


async def test_delete_removes_the_mark(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    fakes.journal.reply("RemoveMark", journal_service_pb2.RemoveMarkResponse(mark_id=MARK))
    response = await client.post(f"{URL}/remove", data={"csrf_token": token_of(client)})
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert fakes.journal.last("RemoveMark").request.mark_id == MARK


@pytest.mark.parametrize(
    ("rpc", "path", "status", "http", "code"),
    [
        ("ChangeMark", URL, grpc.StatusCode.INVALID_ARGUMENT, 400, "unknown_mark_value"),
        ("ChangeMark", URL, grpc.StatusCode.PERMISSION_DENIED, 403, "not_teaching_this_group"),
        ("RemoveMark", f"{URL}/remove", grpc.StatusCode.NOT_FOUND, 404, "mark_not_found"),
        ("RemoveMark", f"{URL}/remove", grpc.StatusCode.UNAVAILABLE, 503, "unavailable"),
    ],
)
async def test_refusals_come_back_for_the_cell(client, idp, fakes, rpc, path, status, http, code) -> None:
    await log_in(client, idp, roles=("teacher",))
    fakes.journal.fail(rpc, status, "Отказ журнала", code)
    response = await client.post(path, data={"csrf_token": token_of(client), "value": "7"})
    assert response.status_code == http
    assert response.json()["ok"] is False and response.json()["code"] == code


@pytest.mark.parametrize("value", ["", "x" * 17])
async def test_an_empty_or_long_value_is_refused_before_the_journal(client, idp, fakes, value) -> None:
    await log_in(client, idp, roles=("teacher",))
    response = await client.post(URL, data={"csrf_token": token_of(client), "value": value})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_mark_value")
    assert fakes.journal.calls == []


async def test_a_student_may_not_and_a_missing_csrf_token_is_refused(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("student",))
    response = await client.post(f"{URL}/remove", data={"csrf_token": token_of(client)})
    assert response.status_code == 403
    await log_in(client, idp, roles=("teacher",))
    assert (await client.post(f"{URL}/remove", data={})).status_code == 403
    assert fakes.journal.calls == []
