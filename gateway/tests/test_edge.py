"""Bad input and faults are answered at the edge: control characters, oversized bodies, a garbled login
callback, a service that is down."""

from __future__ import annotations

import json
import uuid

import grpc
import httpx
import pytest
from chassis.errors import UNAVAILABLE_MESSAGE
from gateway.main import create_app

MARK = {
    "student_id": str(uuid.uuid4()),
    "group_id": str(uuid.uuid4()),
    "discipline_id": str(uuid.uuid4()),
    "lesson_date": "2026-10-05",
    "value": "5",
}
MiB = 1024 * 1024


# -- control characters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/groups", {"name": "ИС\u000021"}, "name"),
        ("/api/v1/disciplines", {"code": "ОП\x00.01", "name": "Математика", "kind": "discipline"}, "code"),
        ("/api/v1/disciplines", {"name": "Мате\x07матика", "kind": "discipline"}, "name"),
        ("/api/v1/people", {"role": "student", "last_name": "Иванов\x1b", "first_name": "Иван"}, "last_name"),
        ("/api/v1/marks", {**MARK, "value": "5\x00"}, "value"),
        # Refused as text before the field is parsed, whatever its type.
        ("/api/v1/marks", {**MARK, "student_id": "\x00" + MARK["student_id"]}, "student_id"),
        ("/api/v1/groups", {"name": "ИС-21", "extra\x00": 1}, "extra?"),
    ],
)
async def test_control_characters_in_a_json_string_are_400_invalid_text(
    client, bearer, fakes, path, body, field
) -> None:
    response = await client.post(path, json=body, headers=bearer())
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_text"
    assert error["message"] == f"Поле «{field}» содержит недопустимый управляющий символ"
    assert error["fields"] == [field]
    assert fakes.total_calls() == 0


async def test_tab_and_newline_are_text_like_any_other(client, bearer, fakes) -> None:
    response = await client.post(
        "/api/v1/disciplines", json={"name": "Математика\tи\nлогика", "kind": "pm"}, headers=bearer()
    )
    assert response.status_code == 201
    assert fakes.journal.last("CreateDiscipline").request.name == "Математика\tи\nлогика"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("resource_type=mark%00", "resource_type"),
        ("resource_id=m-1%01x", "resource_id"),
        ("resource_type=mark&resource_id=%1f", "resource_id"),
    ],
)
async def test_control_characters_in_a_query_parameter_are_400_invalid_text(
    client, bearer, fakes, query, field
) -> None:
    response = await client.get(f"/api/v1/audit?{query}", headers=bearer())
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_text",
        "message": f"Поле «{field}» содержит недопустимый управляющий символ",
        "fields": [field],
    }
    assert fakes.total_calls() == 0


async def test_control_characters_in_the_path_are_400_invalid_text(client, bearer, fakes) -> None:
    for path in ("/api/v1/people/%00", f"/api/v1/students/{uuid.uuid4()}%00/marks", "/api/v1/audit%07"):
        response = await client.get(path, headers=bearer())
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] == "invalid_text", path
        assert "X-Request-Id" in response.headers
    assert fakes.total_calls() == 0


async def test_control_characters_reach_no_portal_page_or_static_file(client) -> None:
    for path in ("/diary?student_id=%00", "/static/print%00.css", "/login?next=/%00"):
        response = await client.get(path)
        assert response.status_code == 400, path
        assert 'lang="ru"' in response.text
        assert "недопустимый управляющий символ" in response.text
        assert response.headers["x-request-id"]


# -- body size ---------------------------------------------------------------------------------------


async def test_a_declared_large_body_is_413_before_any_of_it_is_read(client, bearer, fakes) -> None:
    chunks_read = 0

    async def body():
        nonlocal chunks_read
        for _ in range(50):
            chunks_read += 1
            yield b"x" * MiB

    response = await client.post(
        "/api/v1/groups",
        content=body(),
        headers={**bearer(), "Content-Type": "application/json", "Content-Length": str(50 * MiB)},
    )
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "payload_too_large",
        "message": "Запрос слишком большой: тело запроса должно быть не больше 1 МБ",
    }
    assert response.headers["connection"] == "close"
    assert response.headers["x-request-id"]
    assert chunks_read == 0
    assert fakes.total_calls() == 0


async def test_a_large_json_body_with_a_valid_token_is_413(client, bearer, fakes) -> None:
    body = json.dumps({"name": "И" * (2 * MiB)})
    response = await client.post(
        "/api/v1/groups", content=body, headers={**bearer(), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert fakes.total_calls() == 0


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(client, bearer, fakes) -> None:
    chunk = 64 * 1024
    chunks_read = 0

    async def body():
        nonlocal chunks_read
        for _ in range(160):  # 10 MiB, no Content-Length
            chunks_read += 1
            yield b" " * chunk

    response = await client.post(
        "/api/v1/marks", content=body(), headers={**bearer(("teacher",)), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert chunks_read <= MiB // chunk + 2
    assert fakes.total_calls() == 0


async def test_a_large_body_to_the_portal_is_a_russian_413_page(client) -> None:
    response = await client.post("/logout", content=b"x" * (MiB + 1))
    assert response.status_code == 413
    assert 'lang="ru"' in response.text
    assert "Запрос слишком большой" in response.text


async def test_the_limit_is_a_setting_and_a_body_at_the_limit_passes(
    settings, issuer, idp, bearer, fakes
) -> None:
    body = json.dumps({"name": "ИС-21"}).encode()
    app = create_app(
        settings.model_copy(update={"max_body_bytes": len(body)}),
        verifier=issuer.verifier(),
        http_transport=httpx.MockTransport(idp.handle),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        headers = {**bearer(), "Content-Type": "application/json"}
        at_limit = await http.post("/api/v1/groups", content=body, headers=headers)
        over = await http.post("/api/v1/groups", content=body + b" ", headers=headers)
    assert at_limit.status_code == 201
    assert over.status_code == 413
    assert over.json()["error"]["message"].endswith(f"не больше {len(body)} байт")
    assert len(fakes.journal.calls) == 1


# -- the login callback ------------------------------------------------------------------------------


async def _pending_login(client) -> dict[str, str]:
    response = await client.get("/login")
    return dict(httpx.URL(response.headers["location"]).params)


@pytest.mark.parametrize("state", ["состояние", "é" * 43, "a" * 129, "a b", "a%2Fb"])
async def test_a_malformed_state_is_a_russian_400_page(client, idp, state) -> None:
    await _pending_login(client)
    response = await client.get("/auth/callback", params={"code": "code-1", "state": state})
    assert response.status_code == 400
    assert 'lang="ru"' in response.text
    assert "Вход не удался" in response.text
    assert idp.token_requests == []


@pytest.mark.parametrize("code", ["код", "a b", "x" * 2049])
async def test_a_malformed_code_is_a_russian_400_page(client, idp, code) -> None:
    auth = await _pending_login(client)
    response = await client.get("/auth/callback", params={"code": code, "state": auth["state"]})
    assert response.status_code == 400
    assert "повреждённый код" in response.text
    assert idp.token_requests == []
    # The state was used up: the same answer cannot be replayed.
    again = await client.get("/auth/callback", params={"code": "code-1", "state": auth["state"]})
    assert again.status_code == 400


async def test_a_non_ascii_nonce_in_the_id_token_is_a_400(client, idp) -> None:
    auth = await _pending_login(client)
    idp.issue_tokens(str(uuid.uuid4()), ("student",), nonce="нонс")
    response = await client.get("/auth/callback", params={"code": "c", "state": auth["state"]})
    assert response.status_code == 400
    assert "не совпадает с запросом" in response.text


# -- a service that is down --------------------------------------------------------------------------

EVERY_ROUTE = [
    ("POST", "/api/v1/people", {"role": "student", "last_name": "Иванов", "first_name": "Иван"}),
    ("GET", f"/api/v1/people/{uuid.uuid4()}", None),
    ("POST", f"/api/v1/students/{uuid.uuid4()}/guardians", {"parent_id": str(uuid.uuid4())}),
    ("POST", "/api/v1/groups", {"name": "ИС-21"}),
    ("POST", f"/api/v1/groups/{uuid.uuid4()}/students", {"student_id": str(uuid.uuid4())}),
    ("POST", "/api/v1/disciplines", {"name": "Математика", "kind": "discipline"}),
    (
        "POST",
        "/api/v1/teaching-loads",
        {k: str(uuid.uuid4()) for k in ("teacher_id", "group_id", "discipline_id")},
    ),
    ("POST", "/api/v1/marks", MARK),
    ("GET", f"/api/v1/students/{uuid.uuid4()}/marks", None),
    ("GET", "/api/v1/me/notifications", None),
    ("GET", "/api/v1/me/children", None),
    ("GET", f"/api/v1/reports/groups/{uuid.uuid4()}/mark-summary", None),
    ("GET", "/api/v1/audit", None),
]


async def test_every_route_with_its_service_down_is_503_in_russian(client, bearer, fakes) -> None:
    for service in fakes.all():
        await service.stop()
    for method, path, body in EVERY_ROUTE:
        response = await client.request(method, path, json=body, headers=bearer())
        assert response.status_code == 503, path
        assert response.json()["error"] == {
            "code": "unavailable",
            "message": "Сервис временно недоступен, попробуйте позже",
        }, path


async def test_a_service_whose_database_is_down_is_503_with_its_message(client, bearer, fakes) -> None:
    # What the chassis answers when PostgreSQL or NATS is unreachable inside a service.
    fakes.journal.fail("CreateGroup", grpc.StatusCode.UNAVAILABLE, UNAVAILABLE_MESSAGE, "unavailable")
    response = await client.post("/api/v1/groups", json={"name": "ИС-21"}, headers=bearer())
    assert response.status_code == 503
    assert response.json()["error"] == {"code": "unavailable", "message": UNAVAILABLE_MESSAGE}


async def test_a_portal_page_whose_service_is_down_is_a_russian_503_page(client, idp, fakes) -> None:
    subject = str(uuid.uuid4())
    auth = await _pending_login(client)
    idp.issue_tokens(subject, ("student",), nonce=auth["nonce"])
    await client.get("/auth/callback", params={"code": "c", "state": auth["state"]})

    await fakes.messaging.stop()
    page = await client.get("/notifications")
    assert page.status_code == 503
    assert "Сервис временно недоступен, попробуйте позже" in page.text
    assert "Ошибка 503" in page.text

    fakes.journal.fail("ListStudentMarks", grpc.StatusCode.UNAVAILABLE, UNAVAILABLE_MESSAGE, "unavailable")
    page = await client.get(f"/diary/{subject}")
    assert page.status_code == 503
    assert UNAVAILABLE_MESSAGE in page.text
