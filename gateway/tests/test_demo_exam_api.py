"""REST routes of the demonstration exam (issue 7 item 4): the table read and versioned, a result
recorded with points and maximum passed on as text, a group's results; the journal's refusals passed on
with their codes, bad bodies and queries refused at the edge without calling the journal."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import journal_service_pb2 as pb

GROUP, MATH, YEAR, STUDENT, TEACHER, ADMIN = (str(uuid.uuid4()) for _ in range(6))
SCALE = pb.DemoExamScale(
    version=2,
    effective_from=LocalDate(year=2026, month=9, day=1),
    author_id=ADMIN,
    bands=[
        pb.DemoExamBand(from_percent="0", to_percent="49.99", mark="2"),
        pb.DemoExamBand(from_percent="50", to_percent="100", mark="5"),
    ],
)
RESULT = pb.DemoExamResult(
    result_id=str(uuid.uuid4()),
    student_id=STUDENT,
    group_id=GROUP,
    discipline_id=MATH,
    year_id=YEAR,
    semester=1,
    exam_date=LocalDate(year=2026, month=12, day=20),
    points="56",
    maximum="80",
    percent="70.00",
    scale_version=2,
    mark="5",
    recorded_by=TEACHER,
)
SCALE_JSON = {
    "version": 2,
    "effective_from": "2026-09-01",
    "author_id": ADMIN,
    "bands": [
        {"from_percent": "0", "to_percent": "49.99", "mark": "2"},
        {"from_percent": "50", "to_percent": "100", "mark": "5"},
    ],
}


async def test_the_table_is_read_and_a_new_version_set(client, bearer, fakes) -> None:
    fakes.journal.reply("GetDemoExamScale", pb.GetDemoExamScaleResponse(scale=SCALE))
    response = await client.get("/api/v1/demo-exam/scale?version=2", headers=bearer(("teacher",)))
    assert (response.status_code, response.json()) == (200, SCALE_JSON)
    assert fakes.journal.last("GetDemoExamScale").request.version == 2
    fakes.journal.reply("SetDemoExamScale", pb.SetDemoExamScaleResponse(scale=SCALE))
    body = {"bands": SCALE_JSON["bands"], "effective_from": "2026-09-01"}
    response = await client.post("/api/v1/demo-exam/scale/versions", json=body, headers=bearer(("admin",)))
    assert (response.status_code, response.json()) == (201, SCALE_JSON)
    sent = fakes.journal.last("SetDemoExamScale").request
    assert ([b.to_percent for b in sent.bands], sent.effective_from.month) == (["49.99", "100"], 9)
    fakes.journal.fail("SetDemoExamScale", grpc.StatusCode.INVALID_ARGUMENT, "Пропуск между…", "scale_gap")
    response = await client.post("/api/v1/demo-exam/scale/versions", json=body, headers=bearer(("admin",)))
    assert (response.status_code, response.json()["error"]["code"]) == (400, "scale_gap")
    calls = len(fakes.journal.calls)
    for bad in ({"bands": [{"from_percent": "0"}]}, {"effective_from": "завтра"}, {"extra": 1}):
        response = await client.post(
            "/api/v1/demo-exam/scale/versions", json={**body, **bad}, headers=bearer(("admin",))
        )
        assert response.status_code == 400
    response = await client.get("/api/v1/demo-exam/scale?version=-1", headers=bearer(("teacher",)))
    assert response.status_code == 400
    assert len(fakes.journal.calls) == calls


async def test_a_result_is_recorded_and_the_group_results_read(client, bearer, fakes) -> None:
    fakes.journal.reply("RecordDemoExamResult", pb.RecordDemoExamResultResponse(result=RESULT))
    body = {
        "discipline_id": MATH,
        "year_id": YEAR,
        "semester": 1,
        "student_id": STUDENT,
        "points": "56",
        "maximum": "80",
        "exam_date": "2026-12-20",
    }
    response = await client.post(
        f"/api/v1/groups/{GROUP}/demo-exam/results", json=body, headers=bearer(("teacher",))
    )
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("percent", "mark", "scale_version", "final_id")} == {
        "percent": "70.00",
        "mark": "5",
        "scale_version": 2,
        "final_id": "",
    }
    sent = fakes.journal.last("RecordDemoExamResult").request
    assert (sent.group_id, sent.points, sent.maximum, sent.exam_date.day) == (GROUP, "56", "80", 20)
    fakes.journal.fail(
        "RecordDemoExamResult",
        grpc.StatusCode.FAILED_PRECONDITION,
        "По учебному плану у дисциплины в этом семестре нет демонстрационного экзамена",
        "not_a_demo_exam",
    )
    response = await client.post(
        f"/api/v1/groups/{GROUP}/demo-exam/results", json=body, headers=bearer(("teacher",))
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "not_a_demo_exam")
    fakes.journal.reply("ListDemoExamResults", pb.ListDemoExamResultsResponse(results=[RESULT]))
    response = await client.get(
        f"/api/v1/groups/{GROUP}/demo-exam/results?discipline={MATH}&year_id={YEAR}&semester=1",
        headers=bearer(("class_teacher",)),
    )
    assert (response.status_code, [r["mark"] for r in response.json()["results"]]) == (200, ["5"])
    calls = len(fakes.journal.calls)
    for bad in ({"semester": "первый"}, {"student_id": "кто-то"}, {"points": "1" * 17}):
        response = await client.post(
            f"/api/v1/groups/{GROUP}/demo-exam/results", json={**body, **bad}, headers=bearer(("teacher",))
        )
        assert response.status_code == 400
    response = await client.get(
        f"/api/v1/groups/{GROUP}/demo-exam/results?discipline={MATH}&year_id={YEAR}&semester=3",
        headers=bearer(("teacher",)),
    )
    assert response.status_code == 400
    assert len(fakes.journal.calls) == calls
