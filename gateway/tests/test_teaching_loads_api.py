"""DELETE /api/v1/teaching-loads/{load_id} and GET /api/v1/disciplines?query= (issue 6 item 9): mapped
to RemoveTeachingLoad and FindDisciplines, the journal's refusals passed on with their codes, bad input
refused at the edge."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.journal.v1 import journal_pb2, journal_service_pb2


async def test_delete_removes_a_load(client, bearer, fakes) -> None:
    load_id = str(uuid.uuid4())
    fakes.journal.reply(
        "RemoveTeachingLoad",
        journal_service_pb2.RemoveTeachingLoadResponse(load=journal_pb2.TeachingLoad(load_id=load_id)),
    )
    response = await client.delete(f"/api/v1/teaching-loads/{load_id}", headers=bearer(("admin",)))
    assert (response.status_code, response.content) == (204, b"")
    assert fakes.journal.last("RemoveTeachingLoad").request.load_id == load_id


@pytest.mark.parametrize(
    ("status", "http", "code"),
    [
        (grpc.StatusCode.FAILED_PRECONDITION, 409, "load_has_lessons"),
        (grpc.StatusCode.FAILED_PRECONDITION, 409, "load_in_timetable"),
        (grpc.StatusCode.NOT_FOUND, 404, "load_not_found"),
        (grpc.StatusCode.PERMISSION_DENIED, 403, "role_required"),
    ],
)
async def test_the_journals_refusals_of_a_removal_keep_their_codes(
    client, bearer, fakes, status, http, code
) -> None:
    fakes.journal.fail("RemoveTeachingLoad", status, "Отказ журнала", code)
    response = await client.delete(f"/api/v1/teaching-loads/{uuid.uuid4()}", headers=bearer(("admin",)))
    assert response.status_code == http
    assert response.json() == {"error": {"code": code, "message": "Отказ журнала"}}


async def test_a_load_id_that_is_not_one_is_refused_at_the_edge(client, bearer, fakes) -> None:
    response = await client.delete("/api/v1/teaching-loads/нагрузка", headers=bearer(("admin",)))
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"]
    assert [c for c in fakes.journal.calls if c.method == "RemoveTeachingLoad"] == []


async def test_get_finds_disciplines_by_code_or_name(client, bearer, fakes) -> None:
    found = journal_pb2.Discipline(
        discipline_id=str(uuid.uuid4()),
        code="ОГСЭ.04",
        name="Физическая культура",
        kind=journal_pb2.DISCIPLINE_KIND_DISCIPLINE,
    )
    fakes.journal.reply(
        "FindDisciplines", journal_service_pb2.FindDisciplinesResponse(disciplines=[found], truncated=True)
    )
    response = await client.get(
        "/api/v1/disciplines", params={"query": "культ", "page_size": 1}, headers=bearer(("teacher",))
    )
    assert response.status_code == 200
    assert response.json() == {
        "disciplines": [
            {
                "discipline_id": found.discipline_id,
                "code": "ОГСЭ.04",
                "name": "Физическая культура",
                "kind": "discipline",
            }
        ],
        "truncated": True,
    }
    request = fakes.journal.last("FindDisciplines").request
    assert (request.query, request.page_size) == ("культ", 1)


async def test_get_without_a_query_asks_for_every_discipline(client, bearer, fakes) -> None:
    fakes.journal.reply("FindDisciplines", journal_service_pb2.FindDisciplinesResponse())
    response = await client.get("/api/v1/disciplines", headers=bearer(("admin",)))
    assert response.json() == {"disciplines": [], "truncated": False}
    request = fakes.journal.last("FindDisciplines").request
    assert (request.query, request.page_size) == ("", 0)


async def test_a_refused_search_keeps_its_code(client, bearer, fakes) -> None:
    fakes.journal.fail(
        "FindDisciplines", grpc.StatusCode.PERMISSION_DENIED, "Недостаточно прав", "role_required"
    )
    response = await client.get("/api/v1/disciplines", headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "role_required")


@pytest.mark.parametrize(
    "params", [{"query": "я" * 65}, {"page_size": 0}, {"page_size": 201}, {"page_size": "два"}]
)
async def test_a_bad_search_is_refused_at_the_edge(client, bearer, fakes, params) -> None:
    response = await client.get("/api/v1/disciplines", params=params, headers=bearer(("admin",)))
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"]
    assert [c for c in fakes.journal.calls if c.method == "FindDisciplines"] == []
