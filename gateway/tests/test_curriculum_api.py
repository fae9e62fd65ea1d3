"""REST routes of the curriculum: the plan put whole and read back, control forms by name, the
journal's refusals mapped with their codes, bad bodies refused at the edge."""

from __future__ import annotations

import uuid

import grpc
from ejournal.journal.v1 import journal_service_pb2 as pb


async def test_the_plan_is_put_whole_and_read_back(client, bearer, fakes) -> None:
    group_id, year_id, math = (str(uuid.uuid4()) for _ in range(3))
    row = pb.CurriculumRow(
        discipline_id=math, semester=1, total_hours=72, weekly_hours=4, control_form=pb.CONTROL_FORM_EXAM
    )
    expected = {
        "discipline_id": math,
        "semester": 1,
        "total_hours": 72,
        "weekly_hours": 4,
        "control_form": "exam",
    }
    fakes.journal.reply("SetCurriculum", pb.SetCurriculumResponse(rows=[row]))
    url = f"/api/v1/groups/{group_id}/curriculum?year_id={year_id}"
    response = await client.put(url, json={"rows": [expected]}, headers=bearer(("admin",)))
    assert (response.status_code, response.json()) == (200, {"rows": [expected]})
    sent = fakes.journal.last("SetCurriculum").request
    assert (sent.group_id, sent.year_id, list(sent.rows)) == (group_id, year_id, [row])

    fakes.journal.reply("GetCurriculum", pb.GetCurriculumResponse(rows=[row]))
    response = await client.get(url, headers=bearer(("class_teacher",)))
    assert (response.status_code, response.json()) == (200, {"rows": [expected]})
    sent = fakes.journal.last("GetCurriculum").request
    assert (sent.group_id, sent.year_id) == (group_id, year_id)

    for status, grpc_status, code in [
        (403, grpc.StatusCode.PERMISSION_DENIED, "role_required"),
        (404, grpc.StatusCode.NOT_FOUND, "discipline_not_found"),
        (400, grpc.StatusCode.INVALID_ARGUMENT, "duplicate_curriculum_row"),
    ]:
        fakes.journal.fail("SetCurriculum", grpc_status, "Отказ", code)
        response = await client.put(url, json={"rows": [expected]}, headers=bearer(("teacher",)))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    fakes.journal.fail("GetCurriculum", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(url, headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "group_not_found")

    calls = len(fakes.journal.calls)
    for bad in (
        {"control_form": "oral"},
        {"total_hours": 10**12},
        {"semester": "первый"},
        {"discipline_id": "x"},
        {"extra": 1},
    ):
        response = await client.put(url, json={"rows": [{**expected, **bad}]}, headers=bearer(("admin",)))
        assert response.status_code == 400
    response = await client.put(
        f"/api/v1/groups/{group_id}/curriculum", json={"rows": []}, headers=bearer(("admin",))
    )
    assert response.status_code == 400
    assert len(fakes.journal.calls) == calls
