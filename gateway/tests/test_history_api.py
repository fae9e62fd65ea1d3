"""History and correction requests over REST (R3.3): GET /api/v1/marks/{id}/history, GET
/api/v1/lessons/{id}/attendance/{student}/history, POST /api/v1/marks/{id}/correction-requests, GET
/api/v1/correction-requests, POST /api/v1/correction-requests/{id}/answer — mapped to the journal's RPCs,
its refusals passed on with their codes, bad input refused at the edge."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from .test_api import make_mark

MARK, REQUEST, LESSON, STUDENT, TEACHER = (str(uuid.uuid4()) for _ in range(5))


def at(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds)


def a_request(**answer: object) -> pb.CorrectionRequest:
    return pb.CorrectionRequest(
        request_id=REQUEST,
        mark_id=MARK,
        student_id=STUDENT,
        mark_value="3",
        text="Я отвечал на пять",
        filed_at=at(1_790_000_000),
        status=pb.CORRECTION_REQUEST_STATUS_OPEN,
        **answer,  # type: ignore[arg-type]
    )


async def test_a_marks_history_reads_in_order_with_names_of_actions(client, bearer, fakes) -> None:
    fakes.journal.reply(
        "GetMarkHistory",
        pb.GetMarkHistoryResponse(
            mark=make_mark(MARK, value="5"),
            entries=[
                pb.MarkHistoryEntry(
                    action=pb.HISTORY_ACTION_RECORDED,
                    at=at(1_790_000_000),
                    actor_id=TEACHER,
                    new_value="3",
                    new_kind_of_work=journal_pb2.KIND_OF_WORK_ANSWER,
                    new_weight=1,
                ),
                pb.MarkHistoryEntry(
                    action=pb.HISTORY_ACTION_CORRECTION_ANSWERED,
                    at=at(1_790_000_100),
                    actor_id=TEACHER,
                    new_value="5",
                    text="Исправил",
                    correction_request_id=REQUEST,
                    decision=journal_pb2.CORRECTION_DECISION_CHANGED,
                ),
            ],
        ),
    )
    response = await client.get(f"/api/v1/marks/{MARK}/history", headers=bearer(("student",)))
    assert response.status_code == 200
    body = response.json()
    assert (body["mark"]["value"], body["removed"]) == ("5", False)
    assert [(e["action"], e["old_value"], e["new_value"], e["decision"]) for e in body["entries"]] == [
        ("recorded", None, "3", None),
        ("correction_answered", None, "5", "changed"),
    ]
    assert (
        body["entries"][0]["new_kind_of_work"] == "answer"
        and body["entries"][1]["correction_request_id"] == REQUEST
    )
    assert fakes.journal.last("GetMarkHistory").request.mark_id == MARK


async def test_an_attendance_history_reads_the_entry_now_and_its_changes(client, bearer, fakes) -> None:
    fakes.journal.reply(
        "GetAttendanceHistory",
        pb.GetAttendanceHistoryResponse(
            current=journal_pb2.AttendanceEntry(
                student_id=STUDENT,
                status=journal_pb2.ATTENDANCE_STATUS_ABSENT,
                reason=journal_pb2.ABSENCE_REASON_DOCUMENTED,
            ),
            entries=[
                pb.AttendanceHistoryEntry(
                    action=pb.HISTORY_ACTION_CHANGED,
                    actor_id=TEACHER,
                    old_status=journal_pb2.ATTENDANCE_STATUS_ABSENT,
                    old_reason=journal_pb2.ABSENCE_REASON_UNSPECIFIED,
                    new_status=journal_pb2.ATTENDANCE_STATUS_ABSENT,
                    new_reason=journal_pb2.ABSENCE_REASON_DOCUMENTED,
                    text="Причина пропуска исправлена",
                )
            ],
        ),
    )
    response = await client.get(
        f"/api/v1/lessons/{LESSON}/attendance/{STUDENT}/history", headers=bearer(("class_teacher",))
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reason"]) == ("absent", "documented")
    assert [(e["old_reason"], e["new_reason"]) for e in body["entries"]] == [("unspecified", "documented")]
    sent = fakes.journal.last("GetAttendanceHistory").request
    assert (sent.lesson_id, sent.student_id) == (LESSON, STUDENT)


async def test_a_request_is_filed_listed_and_answered(client, bearer, fakes) -> None:
    fakes.journal.reply("FileCorrectionRequest", pb.FileCorrectionRequestResponse(request=a_request()))
    filed = await client.post(
        f"/api/v1/marks/{MARK}/correction-requests",
        json={"text": "Я отвечал на пять"},
        headers=bearer(("student",)),
    )
    assert (filed.status_code, filed.json()["status"], filed.json()["decision"]) == (201, "open", None)
    assert fakes.journal.last("FileCorrectionRequest").request.text == "Я отвечал на пять"

    fakes.journal.reply("ListCorrectionRequests", pb.ListCorrectionRequestsResponse(requests=[a_request()]))
    listed = await client.get("/api/v1/correction-requests?status=open", headers=bearer(("teacher",)))
    assert [r["request_id"] for r in listed.json()["requests"]] == [REQUEST]
    assert fakes.journal.last("ListCorrectionRequests").request.status == pb.CORRECTION_REQUEST_STATUS_OPEN

    answered = a_request(
        decision=journal_pb2.CORRECTION_DECISION_CHANGED,
        answer_text="Исправил",
        answered_by=TEACHER,
        new_value="5",
    )
    answered.status = pb.CORRECTION_REQUEST_STATUS_ANSWERED
    fakes.journal.reply(
        "AnswerCorrectionRequest",
        pb.AnswerCorrectionRequestResponse(request=answered, mark=make_mark(MARK, value="5")),
    )
    response = await client.post(
        f"/api/v1/correction-requests/{REQUEST}/answer",
        json={"decision": "changed", "text": "Исправил", "new_value": "5"},
        headers=bearer(("teacher",)),
    )
    assert response.status_code == 200
    assert (response.json()["request"]["decision"], response.json()["mark"]["value"]) == ("changed", "5")
    sent = fakes.journal.last("AnswerCorrectionRequest").request
    assert (sent.request_id, sent.decision, sent.text, sent.new_value) == (
        REQUEST,
        journal_pb2.CORRECTION_DECISION_CHANGED,
        "Исправил",
        "5",
    )


@pytest.mark.parametrize(
    ("rpc", "method", "path", "body", "status", "http", "code"),
    [
        (
            "GetMarkHistory",
            "get",
            f"/api/v1/marks/{MARK}/history",
            None,
            grpc.StatusCode.NOT_FOUND,
            404,
            "mark_not_found",
        ),
        (
            "FileCorrectionRequest",
            "post",
            f"/api/v1/marks/{MARK}/correction-requests",
            {"text": "Ещё"},
            grpc.StatusCode.FAILED_PRECONDITION,
            409,
            "correction_request_open",
        ),
        (
            "AnswerCorrectionRequest",
            "post",
            f"/api/v1/correction-requests/{REQUEST}/answer",
            {"decision": "explained", "text": "Нет"},
            grpc.StatusCode.PERMISSION_DENIED,
            403,
            "not_teaching_this_group",
        ),
        (
            "AnswerCorrectionRequest",
            "post",
            f"/api/v1/correction-requests/{REQUEST}/answer",
            {"decision": "explained", "text": "Нет"},
            grpc.StatusCode.FAILED_PRECONDITION,
            409,
            "correction_request_answered",
        ),
    ],
)
async def test_the_journals_refusals_pass_with_their_codes(
    client, bearer, fakes, rpc, method, path, body, status, http, code
) -> None:
    fakes.journal.fail(rpc, status, "Отказ журнала", code)
    kwargs = {"json": body} if body is not None else {}
    response = await getattr(client, method)(path, headers=bearer(("teacher",)), **kwargs)
    assert (response.status_code, response.json()["error"]["code"]) == (http, code)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/api/v1/marks/{MARK}/correction-requests", {"text": ""}),
        (f"/api/v1/marks/{MARK}/correction-requests", {"text": "ы" * 1001}),
        ("/api/v1/marks/не-ид/correction-requests", {"text": "Да"}),
        (f"/api/v1/correction-requests/{REQUEST}/answer", {"decision": "maybe", "text": "Да"}),
        (f"/api/v1/correction-requests/{REQUEST}/answer", {"decision": "changed", "text": ""}),
    ],
)
async def test_bad_input_is_refused_at_the_edge(client, bearer, fakes, path, body) -> None:
    response = await client.post(path, json=body, headers=bearer(("teacher",)))
    assert response.status_code == 400 and response.json()["error"]["code"]
    assert fakes.journal.calls == []
