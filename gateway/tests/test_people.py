"""People by name through the gateway: GET /api/v1/people (SearchPeople) and /api/v1/people/names."""

from __future__ import annotations

import uuid

import grpc
from ejournal.identity.v1 import identity_pb2, identity_service_pb2


def person_name(
    role: identity_pb2.Role.ValueType = identity_pb2.ROLE_TEACHER,
) -> identity_service_pb2.PersonName:
    return identity_service_pb2.PersonName(
        person_id=str(uuid.uuid4()), role=role, last_name="Ёлкин", first_name="Пётр", middle_name="Ильич"
    )


async def test_search_forwards_query_role_and_page_size_and_maps_names(client, bearer, fakes) -> None:
    found = person_name(identity_pb2.ROLE_CLASS_TEACHER)
    fakes.identity.reply("SearchPeople", identity_service_pb2.SearchPeopleResponse(people=[found]))

    response = await client.get(
        "/api/v1/people",
        params={"query": "ёлк п", "role": "class_teacher", "page_size": 5},
        headers=bearer(("director",)),
    )

    assert response.status_code == 200
    assert response.json() == {
        "people": [
            {
                "person_id": found.person_id,
                "role": "class_teacher",
                "last_name": "Ёлкин",
                "first_name": "Пётр",
                "middle_name": "Ильич",
            }
        ]
    }
    request = fakes.identity.last("SearchPeople").request
    assert (request.query, request.role, request.page_size) == ("ёлк п", identity_pb2.ROLE_CLASS_TEACHER, 5)


async def test_search_without_role_asks_for_any_and_bad_parameters_are_400(client, bearer, fakes) -> None:
    assert (await client.get("/api/v1/people", params={"query": "Ёлк"}, headers=bearer())).status_code == 200
    request = fakes.identity.last("SearchPeople").request
    assert (request.role, request.page_size) == (identity_pb2.ROLE_UNSPECIFIED, 0)
    calls = len(fakes.identity.calls)
    for params in (
        {},
        {"query": ""},
        {"query": "Ёлк", "role": "wizard"},
        {"query": "Ёлк", "page_size": 51},
        {"query": "Ё" * 101},
    ):
        response = await client.get("/api/v1/people", params=params, headers=bearer())
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "invalid_request"
    assert len(fakes.identity.calls) == calls  # refused at the edge


async def test_the_service_refusal_keeps_its_status_and_code(client, bearer, fakes) -> None:
    fakes.identity.fail(
        "SearchPeople", grpc.StatusCode.PERMISSION_DENIED, "Недостаточно прав: поиск", "role_required"
    )
    response = await client.get("/api/v1/people", params={"query": "Ёлк"}, headers=bearer(("teacher",)))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_required"


async def test_names_by_ids_in_one_call(client, bearer, fakes) -> None:
    a, b = person_name(identity_pb2.ROLE_STUDENT), person_name(identity_pb2.ROLE_STUDENT)
    fakes.identity.reply("GetPeople", identity_service_pb2.GetPeopleResponse(people=[a, b]))

    response = await client.get(
        "/api/v1/people/names",
        params=[("person_id", a.person_id), ("person_id", b.person_id)],
        headers=bearer(),
    )

    assert response.status_code == 200
    assert [p["person_id"] for p in response.json()["people"]] == [a.person_id, b.person_id]
    assert list(fakes.identity.last("GetPeople").request.person_ids) == [a.person_id, b.person_id]
    bad = await client.get("/api/v1/people/names", params={"person_id": "42"}, headers=bearer())
    assert bad.status_code == 400
    assert (await client.get("/api/v1/people/names", headers=bearer())).status_code == 400
