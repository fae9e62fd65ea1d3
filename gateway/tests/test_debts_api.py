"""REST routes of academic debts (issue 7 item 3): a student's and a group's debts with their retakes
and next step, a retake recorded with its commission passed on; the journal's refusals passed on with
their codes, bad bodies refused at the edge without calling the journal."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import journal_service_pb2 as pb

GROUP, MATH, YEAR, STUDENT, TEACHER, FINAL = (str(uuid.uuid4()) for _ in range(6))
MEMBERS = [str(uuid.uuid4()) for _ in range(3)]
DEBT = pb.AcademicDebt(
    final_id=FINAL,
    student_id=STUDENT,
    group_id=GROUP,
    discipline_id=MATH,
    year_id=YEAR,
    semester=1,
    final_kind="exam",
    final_value="2",
    final_date=LocalDate(year=2026, month=12, day=25),
    deadline=LocalDate(year=2027, month=12, day=25),
    retakes=[
        pb.Retake(
            retake_id=str(uuid.uuid4()),
            final_id=FINAL,
            attempt=1,
            retake_date=LocalDate(year=2027, month=1, day=20),
            value="2",
            passed=False,
            recorded_by=TEACHER,
        )
    ],
    next_step=pb.DEBT_NEXT_STEP_COMMISSION_RETAKE,
)


async def test_debts_of_a_student_and_of_a_group(client, bearer, fakes) -> None:
    fakes.journal.reply("ListStudentDebts", pb.ListStudentDebtsResponse(debts=[DEBT]))
    response = await client.get(f"/api/v1/students/{STUDENT}/debts", headers=bearer(("student",)))
    assert response.status_code == 200
    (debt,) = response.json()["debts"]
    assert (debt["final_value"], debt["next_step"], debt["deadline"], debt["closed"]) == (
        "2",
        "commission_retake",
        "2027-12-25",
        False,
    )
    assert debt["retakes"][0]["commission_member_ids"] == []
    fakes.journal.reply("ListGroupDebts", pb.ListGroupDebtsResponse(debts=[DEBT]))
    response = await client.get(f"/api/v1/groups/{GROUP}/debts?year_id={YEAR}", headers=bearer(("curator",)))
    assert (response.status_code, len(response.json()["debts"])) == (200, 1)
    assert fakes.journal.last("ListGroupDebts").request.year_id == YEAR
    fakes.journal.fail("ListGroupDebts", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(f"/api/v1/groups/{GROUP}/debts?year_id={YEAR}", headers=bearer(("teacher",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "group_not_found")
    calls = len(fakes.journal.calls)
    response = await client.get(f"/api/v1/groups/{GROUP}/debts?year_id=год", headers=bearer(("curator",)))
    assert response.status_code == 400
    assert len(fakes.journal.calls) == calls


async def test_a_retake_is_recorded_with_its_commission(client, bearer, fakes) -> None:
    closed = pb.AcademicDebt()
    closed.CopyFrom(DEBT)
    closed.closed, closed.mark_of_record, closed.next_step = True, "3", pb.DEBT_NEXT_STEP_CLOSED
    fakes.journal.reply("RecordRetake", pb.RecordRetakeResponse(debt=closed))
    body = {
        "retake_date": "2027-02-10",
        "value": "3",
        "commission_member_ids": MEMBERS,
        "commission_chairman_id": MEMBERS[0],
    }
    response = await client.post(f"/api/v1/finals/{FINAL}/retakes", json=body, headers=bearer(("teacher",)))
    assert response.status_code == 201
    assert (response.json()["mark_of_record"], response.json()["next_step"]) == ("3", "closed")
    sent = fakes.journal.last("RecordRetake").request
    assert (sent.final_id, list(sent.commission_member_ids), sent.commission_chairman_id, sent.value) == (
        FINAL,
        MEMBERS,
        MEMBERS[0],
        "3",
    )
    fakes.journal.fail(
        "RecordRetake",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Пересдача возможна не более 2 раз; обе пересдачи уже записаны",
        "retake_limit_reached",
    )
    response = await client.post(f"/api/v1/finals/{FINAL}/retakes", json=body, headers=bearer(("teacher",)))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "retake_limit_reached")
    assert "не более 2" in response.json()["error"]["message"]
    calls = len(fakes.journal.calls)
    for bad in (
        {"retake_date": "вчера"},
        {"commission_member_ids": ["не-id"]},
        {"commission_member_ids": [str(uuid.uuid4()) for _ in range(10)]},
        {"value": "5" * 17},
    ):
        response = await client.post(
            f"/api/v1/finals/{FINAL}/retakes", json={**body, **bad}, headers=bearer(("teacher",))
        )
        assert response.status_code == 400
    assert len(fakes.journal.calls) == calls
