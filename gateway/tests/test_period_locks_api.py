"""Period locks and reopen requests over REST (slice B; R1.5): POST
/api/v1/groups/{g}/disciplines/{d}/period-locks, GET /api/v1/groups/{g}/period-locks, POST and GET
/api/v1/reopen-requests, POST /api/v1/reopen-requests/{id}/approve|reject — mapped to the journal's RPCs,
its refusals passed on with their codes, bad input refused at the edge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import grpc
import pytest
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from ejournal.journal.v1 import period_locks_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

GROUP, DISCIPLINE, YEAR, LOCK, REQUEST, TEACHER, DEPUTY = (str(uuid.uuid4()) for _ in range(7))
UNTIL = datetime(2026, 12, 30, 12, 0, tzinfo=UTC)


def at(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def a_lock(**changes: object) -> pb.PeriodLock:
    fields: dict[str, object] = {
        "lock_id": LOCK,
        "group_id": GROUP,
        "discipline_id": DISCIPLINE,
        "year_id": YEAR,
        "semester": 1,
        "span": journal_pb2.DateSpan(
            starts_on=LocalDate(year=2026, month=9, day=1), ends_on=LocalDate(year=2026, month=12, day=31)
        ),
        "closed_at": at(datetime(2026, 12, 28, 9, 0, tzinfo=UTC)),
        "closed_by": DEPUTY,
        "cause": pb.PERIOD_CLOSE_CAUSE_BY_ADMINISTRATION,
        "closed": True,
    }
    fields.update(changes)
    return pb.PeriodLock(**fields)  # type: ignore[arg-type]


def a_request(**changes: object) -> pb.ReopenRequest:
    fields: dict[str, object] = {
        "request_id": REQUEST,
        "lock_id": LOCK,
        "group_id": GROUP,
        "discipline_id": DISCIPLINE,
        "year_id": YEAR,
        "semester": 1,
        "requested_by": TEACHER,
        "reason": "Ошибка в оценке",
        "requested_at": at(datetime(2026, 12, 28, 10, 0, tzinfo=UTC)),
        "status": pb.REOPEN_REQUEST_STATUS_PENDING,
    }
    fields.update(changes)
    return pb.ReopenRequest(**fields)  # type: ignore[arg-type]


async def test_a_period_is_closed_and_its_locks_listed(client, bearer, fakes) -> None:
    fakes.journal.reply("ClosePeriod", pb.ClosePeriodResponse(lock=a_lock()))
    closed = await client.post(
        f"/api/v1/groups/{GROUP}/disciplines/{DISCIPLINE}/period-locks",
        json={"year_id": YEAR, "semester": 1},
        headers=bearer(("deputy",)),
    )
    assert closed.status_code == 201
    body = closed.json()
    assert (body["closed"], body["cause"], body["starts_on"], body["ends_on"], body["reopened_until"]) == (
        True,
        "by_administration",
        "2026-09-01",
        "2026-12-31",
        None,
    )
    sent = fakes.journal.last("ClosePeriod").request
    assert (sent.group_id, sent.discipline_id, sent.year_id, sent.semester) == (GROUP, DISCIPLINE, YEAR, 1)

    reopened = a_lock(closed=False, reopened_until=at(UNTIL), reopen_request_id=REQUEST)
    fakes.journal.reply("ListPeriodLocks", pb.ListPeriodLocksResponse(locks=[reopened]))
    listed = await client.get(
        f"/api/v1/groups/{GROUP}/period-locks",
        params={"discipline_id": DISCIPLINE},
        headers=bearer(("teacher",)),
    )
    assert listed.status_code == 200
    [lock] = listed.json()["locks"]
    assert (lock["closed"], lock["reopened_until"], lock["reopen_request_id"]) == (
        False,
        "2026-12-30T12:00:00Z",
        REQUEST,
    )
    assert fakes.journal.last("ListPeriodLocks").request.discipline_id == DISCIPLINE


async def test_a_request_is_filed_listed_approved_and_rejected(client, bearer, fakes) -> None:
    fakes.journal.reply("RequestReopen", pb.RequestReopenResponse(request=a_request()))
    filed = await client.post(
        "/api/v1/reopen-requests",
        json={
            "group_id": GROUP,
            "discipline_id": DISCIPLINE,
            "year_id": YEAR,
            "semester": 1,
            "reason": "  Ошибка в оценке ",
        },
        headers=bearer(("teacher",)),
    )
    assert (filed.status_code, filed.json()["status"], filed.json()["decided_by"]) == (201, "pending", None)
    assert fakes.journal.last("RequestReopen").request.reason == "Ошибка в оценке"

    fakes.journal.reply("ListReopenRequests", pb.ListReopenRequestsResponse(requests=[a_request()]))
    listed = await client.get(
        "/api/v1/reopen-requests", params={"status": "pending"}, headers=bearer(("deputy",))
    )
    assert [r["request_id"] for r in listed.json()["requests"]] == [REQUEST]
    assert fakes.journal.last("ListReopenRequests").request.status == pb.REOPEN_REQUEST_STATUS_PENDING

    approved_request = a_request(
        status=pb.REOPEN_REQUEST_STATUS_APPROVED, decided_by=DEPUTY, reopened_until=at(UNTIL)
    )
    fakes.journal.reply(
        "ApproveReopen",
        pb.ApproveReopenResponse(
            request=approved_request, lock=a_lock(closed=False, reopened_until=at(UNTIL))
        ),
    )
    approved = await client.post(
        f"/api/v1/reopen-requests/{REQUEST}/approve", json={"hours": 24}, headers=bearer(("deputy",))
    )
    assert approved.status_code == 200
    assert (approved.json()["request"]["status"], approved.json()["lock"]["closed"]) == ("approved", False)
    sent = fakes.journal.last("ApproveReopen").request
    assert (sent.request_id, sent.hours, sent.HasField("until")) == (REQUEST, 24, False)
    await client.post(
        f"/api/v1/reopen-requests/{REQUEST}/approve",
        json={"until": "2026-12-30T12:00:00Z"},
        headers=bearer(("deputy",)),
    )
    assert fakes.journal.last("ApproveReopen").request.until.ToDatetime(tzinfo=UTC) == UNTIL

    fakes.journal.reply(
        "RejectReopen",
        pb.RejectReopenResponse(
            request=a_request(status=pb.REOPEN_REQUEST_STATUS_REJECTED, decision_reason="Оценки верны")
        ),
    )
    rejected = await client.post(
        f"/api/v1/reopen-requests/{REQUEST}/reject",
        json={"reason": "Оценки верны"},
        headers=bearer(("deputy",)),
    )
    assert (rejected.json()["status"], rejected.json()["decision_reason"]) == ("rejected", "Оценки верны")


@pytest.mark.parametrize(
    ("rpc", "method", "path", "body", "status", "code", "http"),
    [
        ("ClosePeriod", "post", f"/api/v1/groups/{GROUP}/disciplines/{DISCIPLINE}/period-locks",
         {"year_id": YEAR, "semester": 1}, grpc.StatusCode.FAILED_PRECONDITION, "period_already_closed", 409),
        ("ClosePeriod", "post", f"/api/v1/groups/{GROUP}/disciplines/{DISCIPLINE}/period-locks",
         {"year_id": YEAR, "semester": 1}, grpc.StatusCode.PERMISSION_DENIED, "role_required", 403),
        ("RequestReopen", "post", "/api/v1/reopen-requests",
         {"group_id": GROUP, "discipline_id": DISCIPLINE, "year_id": YEAR, "semester": 1, "reason": "x"},
         grpc.StatusCode.PERMISSION_DENIED, "not_load_teacher", 403),
        ("RequestReopen", "post", "/api/v1/reopen-requests",
         {"group_id": GROUP, "discipline_id": DISCIPLINE, "year_id": YEAR, "semester": 1, "reason": "x"},
         grpc.StatusCode.FAILED_PRECONDITION, "period_not_closed", 409),
        ("ApproveReopen", "post", f"/api/v1/reopen-requests/{REQUEST}/approve", {},
         grpc.StatusCode.PERMISSION_DENIED, "deputy_required", 403),
        ("ApproveReopen", "post", f"/api/v1/reopen-requests/{REQUEST}/approve", {},
         grpc.StatusCode.FAILED_PRECONDITION, "reopen_already_decided", 409),
        ("RejectReopen", "post", f"/api/v1/reopen-requests/{REQUEST}/reject", {"reason": "нет"},
         grpc.StatusCode.NOT_FOUND, "reopen_request_not_found", 404),
        ("ListReopenRequests", "get", "/api/v1/reopen-requests", None,
         grpc.StatusCode.PERMISSION_DENIED, "role_required", 403),
    ],
)  # fmt: skip
async def test_the_journals_refusals_are_passed_on(
    client, bearer, fakes, rpc, method, path, body, status, code, http
) -> None:
    fakes.journal.fail(rpc, status, "Отказ журнала", code)
    kwargs = {"json": body} if body is not None else {}
    response = await getattr(client, method)(path, headers=bearer(("teacher",)), **kwargs)
    assert (response.status_code, response.json()["error"]["code"]) == (http, code)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/api/v1/groups/{GROUP}/disciplines/{DISCIPLINE}/period-locks", {"year_id": YEAR, "semester": 3}),
        (f"/api/v1/groups/{GROUP}/disciplines/{DISCIPLINE}/period-locks", {"year_id": "x", "semester": 1}),
        (
            "/api/v1/reopen-requests",
            {"group_id": GROUP, "discipline_id": DISCIPLINE, "year_id": YEAR, "semester": 1},
        ),
        (
            "/api/v1/reopen-requests",
            {
                "group_id": GROUP,
                "discipline_id": DISCIPLINE,
                "year_id": YEAR,
                "semester": 1,
                "reason": "я" * 1001,
            },
        ),
        (f"/api/v1/reopen-requests/{REQUEST}/approve", {"hours": 169}),
        (f"/api/v1/reopen-requests/{REQUEST}/approve", {"days": 2}),
        (f"/api/v1/reopen-requests/{REQUEST}/reject", {"reason": ""}),
        ("/api/v1/reopen-requests/not-an-id/reject", {"reason": "нет"}),
    ],
)
async def test_bad_input_is_refused_at_the_edge(client, bearer, fakes, path, body) -> None:
    response = await client.post(path, json=body, headers=bearer(("deputy",)))
    assert response.status_code == 400 and response.json()["error"]["code"]
    assert not fakes.journal.calls


async def test_the_journal_page_carries_its_closed_periods(client, bearer, fakes) -> None:
    fakes.journal.reply("GetJournalPage", journal_service_pb2.GetJournalPageResponse(period_locks=[a_lock()]))
    response = await client.get(
        f"/api/v1/groups/{GROUP}/disciplines/{DISCIPLINE}/journal",
        params={"date_from": "2026-12-01", "date_to": "2026-12-31"},
        headers=bearer(("teacher",)),
    )
    assert response.status_code == 200
    [lock] = response.json()["period_locks"]
    assert (lock["lock_id"], lock["closed"], lock["semester"], lock["ends_on"]) == (
        LOCK,
        True,
        1,
        "2026-12-31",
    )
