"""Portal «Группа»: the class teacher picked by name (SearchPeople's matches as a select's options) and
shown by name (GetPeople) — no UUID typing."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import grpc
from ejournal.identity.v1 import identity_pb2, identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

GROUP = str(uuid.uuid4())
LEADER = str(uuid.uuid4())
STORED = journal_pb2.Group(group_id=GROUP, name="ИС-21", course_year=2, class_teacher_id=LEADER)


async def log_in(client, idp, role: str) -> None:
    login = await client.get("/login")
    query = {k: v[0] for k, v in parse_qs(urlsplit(login.headers["location"]).query).items()}
    idp.issue_tokens(str(uuid.uuid4()), (role,), nonce=query["nonce"], expires_in=300)
    await client.get("/auth/callback", params={"code": "code-1", "state": query["state"]})


def name(person_id: str, last: str, role: identity_pb2.Role.ValueType) -> identity_service_pb2.PersonName:
    return identity_service_pb2.PersonName(
        person_id=person_id, role=role, last_name=last, first_name="Анна", middle_name="Ильинична"
    )


async def test_the_class_teacher_is_shown_by_name(client, idp, fakes) -> None:
    await log_in(client, idp, "director")
    fakes.journal.reply("GetGroup", journal_service_pb2.GetGroupResponse(group=STORED))
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[name(LEADER, "Ёлкина", identity_pb2.ROLE_CLASS_TEACHER)]
        ),
    )
    page = (await client.get(f"/groups/{GROUP}")).text
    assert "Ёлкина Анна Ильинична" in page
    assert list(fakes.identity.last("GetPeople").request.person_ids) == [LEADER]
    assert "Найти классного руководителя" not in page  # the forms are the admin's


async def test_the_admin_finds_teachers_by_name_and_gets_them_as_options(client, idp, fakes) -> None:
    await log_in(client, idp, "admin")
    fakes.journal.reply("GetGroup", journal_service_pb2.GetGroupResponse(group=STORED))
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[name(LEADER, "Ёлкина", identity_pb2.ROLE_CLASS_TEACHER)]
        ),
    )
    teacher, student = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.identity.reply(
        "SearchPeople",
        identity_service_pb2.SearchPeopleResponse(
            people=[
                name(teacher, "Петрова", identity_pb2.ROLE_TEACHER),
                name(student, "Петров", identity_pb2.ROLE_STUDENT),
            ]
        ),
    )

    page = (await client.get(f"/groups/{GROUP}", params={"teacher_query": " Пет "})).text

    assert fakes.identity.last("SearchPeople").request.query == "Пет"
    assert f'<option value="{teacher}">Петрова Анна Ильинична</option>' in page
    assert student not in page  # only a teacher or class teacher may lead a group
    assert (
        f'<option value="{LEADER}" selected>Ёлкина Анна Ильинична</option>' in page
    )  # the current one stays
    assert 'name="teacher_query" value="Пет"' in page
    assert "Найдено преподавателей: 1" in page


async def test_a_bad_query_is_shown_next_to_the_search_and_the_page_stays(client, idp, fakes) -> None:
    await log_in(client, idp, "admin")
    fakes.journal.reply("GetGroup", journal_service_pb2.GetGroupResponse(group=STORED))
    fakes.identity.fail(
        "SearchPeople",
        grpc.StatusCode.INVALID_ARGUMENT,
        "Запрос поиска может содержать только буквы",
        "invalid_query",
    )
    response = await client.get(f"/groups/{GROUP}", params={"teacher_query": "50%"})
    assert response.status_code == 200
    page = response.text
    assert "Запрос поиска может содержать только буквы" in page
    marked = page.split('id="teacher_query" name="teacher_query"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true"' in marked
    # Identity away: the id stays visible instead of the name, the page is still served.
    fakes.identity.fail("GetPeople", grpc.StatusCode.UNAVAILABLE, "down")
    page = (await client.get(f"/groups/{GROUP}")).text
    assert f"<code>{LEADER}</code>" in page
