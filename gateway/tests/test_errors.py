"""gRPC failures and malformed requests become the documented HTTP statuses and stable codes."""

from __future__ import annotations

import uuid

import grpc
import pytest

MARK = {
    "student_id": str(uuid.uuid4()),
    "group_id": str(uuid.uuid4()),
    "discipline_id": str(uuid.uuid4()),
    "lesson_date": "2026-10-05",
    "value": "5",
}


@pytest.mark.parametrize(
    ("status", "http", "code", "message"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, 400, "invalid_value", "Такой отметки нет в словаре колледжа"),
        (grpc.StatusCode.OUT_OF_RANGE, 400, "invalid_lesson_date", "Дата занятия в будущем"),
        (grpc.StatusCode.UNAUTHENTICATED, 401, "token_expired", "Срок действия сеанса истёк, войдите снова"),
        (grpc.StatusCode.PERMISSION_DENIED, 403, "not_your_load", "Вы не ведёте эту дисциплину в группе"),
        (grpc.StatusCode.NOT_FOUND, 404, "group_not_found", "Группа не найдена"),
        (grpc.StatusCode.ALREADY_EXISTS, 409, "group_exists", "Группа с таким названием уже есть"),
        (grpc.StatusCode.ABORTED, 409, "conflict", "Данные изменились, повторите"),
        (grpc.StatusCode.FAILED_PRECONDITION, 409, "period_closed", "Период закрыт, оценки не меняются"),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 429, "too_many", "Слишком много запросов"),
        (grpc.StatusCode.UNAVAILABLE, 503, "idp_unavailable", "Сервис входа недоступен, попробуйте позже"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504, "slow", "Сервис не ответил вовремя"),
    ],
    ids=lambda value: value.name if isinstance(value, grpc.StatusCode) else str(value)[:12],
)
async def test_service_errors_map_to_status_and_stable_code(
    client, bearer, fakes, status, http, code, message
) -> None:
    fakes.journal.fail("RecordMark", status, message, code)
    response = await client.post("/api/v1/marks", json=MARK, headers=bearer(("teacher",)))
    assert response.status_code == http
    assert response.json() == {"error": {"code": code, "message": message}}


@pytest.mark.parametrize(
    "status", [grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DATA_LOSS]
)
async def test_internal_errors_are_500_without_details(client, bearer, fakes, status) -> None:
    fakes.journal.fail("RecordMark", status, "psycopg: relation marks does not exist at 10.0.0.5", "internal")
    response = await client.post(
        "/api/v1/marks", json=MARK, headers={**bearer(("teacher",)), "X-Request-Id": "trace-42"}
    )
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal"
    assert "psycopg" not in response.text and "10.0.0.5" not in response.text
    assert error["message"].startswith("Внутренняя ошибка")
    assert "trace-42" in error["message"]


async def test_status_without_a_service_code_gets_a_generic_russian_message(client, bearer, fakes) -> None:
    # What grpc itself raises looks like this: no error-code trailer, English internals in the details.
    fakes.journal.fail("RecordMark", grpc.StatusCode.NOT_FOUND, "Method not found at 10.0.0.5", None)
    response = await client.post("/api/v1/marks", json=MARK, headers=bearer(("teacher",)))
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Не найдено"}}


async def test_service_down_is_503_with_a_generic_message(client, bearer, fakes) -> None:
    await fakes.journal.stop()
    response = await client.post("/api/v1/marks", json=MARK, headers=bearer(("teacher",)))
    assert response.status_code == 503
    assert response.json() == {
        "error": {"code": "unavailable", "message": "Сервис временно недоступен, попробуйте позже"}
    }


async def test_bad_json_is_400(client, bearer, fakes) -> None:
    response = await client.post(
        "/api/v1/marks",
        content=b'{"student_id": ',
        headers={**bearer(("teacher",)), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert response.json()["error"]["fields"] == ["body"]
    assert fakes.total_calls() == 0


@pytest.mark.parametrize("lesson_date", ["2026-13-40", "05.10.2026", "завтра", "", None, "2026-02-30"])
async def test_bad_date_is_400_naming_the_field(client, bearer, fakes, lesson_date) -> None:
    response = await client.post(
        "/api/v1/marks", json={**MARK, "lesson_date": lesson_date}, headers=bearer(("teacher",))
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["fields"] == ["lesson_date"]
    assert "lesson_date" in error["message"]
    assert fakes.total_calls() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({k: v for k, v in MARK.items() if k != "value"}, ["value"]),
        ({**MARK, "student_id": "not-a-uuid"}, ["student_id"]),
        ({**MARK, "value": ""}, ["value"]),
        ({**MARK, "extra": 1}, ["extra"]),
        ([1, 2, 3], ["body"]),
    ],
)
async def test_malformed_body_is_400_with_fields(client, bearer, fakes, body, fields) -> None:
    response = await client.post("/api/v1/marks", json=body, headers=bearer(("teacher",)))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert fakes.total_calls() == 0


async def test_unknown_enum_strings_are_400(client, bearer, fakes) -> None:
    person = {"role": "janitor", "last_name": "Иванов", "first_name": "Иван"}
    response = await client.post("/api/v1/people", json=person, headers=bearer())
    assert (response.status_code, response.json()["error"]["fields"]) == (400, ["role"])
    discipline = {"name": "Математика", "kind": "lecture"}
    response = await client.post("/api/v1/disciplines", json=discipline, headers=bearer())
    assert (response.status_code, response.json()["error"]["fields"]) == (400, ["kind"])
    assert fakes.total_calls() == 0


async def test_bad_path_and_query_values_are_400(client, bearer, fakes) -> None:
    response = await client.get("/api/v1/students/123/marks", headers=bearer())
    assert (response.status_code, response.json()["error"]["fields"]) == (400, ["student_id"])
    response = await client.get("/api/v1/audit?page_size=0", headers=bearer())
    assert (response.status_code, response.json()["error"]["fields"]) == (400, ["page_size"])
    response = await client.get("/api/v1/me/notifications?page_size=abc", headers=bearer())
    assert (response.status_code, response.json()["error"]["fields"]) == (400, ["page_size"])
    assert fakes.total_calls() == 0


async def test_unknown_api_path_and_wrong_method_answer_in_the_error_format(client, bearer) -> None:
    response = await client.get("/api/v1/nothing-here", headers=bearer())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = await client.delete("/api/v1/marks", headers=bearer())
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
