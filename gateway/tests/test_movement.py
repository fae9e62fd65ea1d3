"""Student movement through the gateway: POST /students/{id}/movements → MoveStudent; enrolment dates
and the group's students on a date."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2


async def test_a_movement_is_forwarded_and_mapped(client, bearer, fakes) -> None:
    student, old, new = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "MoveStudent",
        journal_service_pb2.MoveStudentResponse(
            movement=journal_pb2.StudentMovement(
                movement_id="m-1",
                student_id=student,
                kind=journal_pb2.MOVEMENT_KIND_TRANSFER,
                from_group_id=old,
                to_group_id=new,
                on_date=common_pb2.LocalDate(year=2026, month=11, day=2),
                order_number="№ 12-к",
            )
        ),
    )
    body = {"kind": "transfer", "on_date": "2026-11-02", "order_number": "№ 12-к", "to_group_id": new}

    response = await client.post(
        f"/api/v1/students/{student}/movements", json=body, headers=bearer(("admin",))
    )

    assert response.status_code == 201
    assert response.json() == {
        "movement_id": "m-1",
        "student_id": student,
        "kind": "transfer",
        "from_group_id": old,
        "to_group_id": new,
        "on_date": "2026-11-02",
        "order_number": "№ 12-к",
    }
    sent = fakes.journal.last("MoveStudent").request
    assert (sent.student_id, sent.kind, sent.to_group_id, sent.from_group_id, sent.order_number) == (
        student,
        journal_pb2.MOVEMENT_KIND_TRANSFER,
        new,
        "",
        "№ 12-к",
    )
    assert (sent.on_date.year, sent.on_date.month, sent.on_date.day) == (2026, 11, 2)


async def test_bad_movements_are_400_and_the_journals_refusal_keeps_its_code(client, bearer, fakes) -> None:
    student = str(uuid.uuid4())
    for body in (
        {"kind": "vacation", "on_date": "2026-11-02", "order_number": "1"},
        {"kind": "expulsion", "on_date": "02.11.2026", "order_number": "1"},
        {"kind": "expulsion", "on_date": "2026-11-02"},
        {"kind": "expulsion", "on_date": "2026-11-02", "order_number": "1", "extra": 1},
    ):
        response = await client.post(
            f"/api/v1/students/{student}/movements", json=body, headers=bearer(("admin",))
        )
        assert response.status_code == 400, body
    assert not [c for c in fakes.journal.calls if c.method == "MoveStudent"]
    fakes.journal.fail(
        "MoveStudent",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Обучающийся не числится в группе",
        "student_not_in_group",
    )
    response = await client.post(
        f"/api/v1/students/{student}/movements",
        json={"kind": "expulsion", "on_date": "2026-11-02", "order_number": "1"},
        headers=bearer(("admin",)),
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "student_not_in_group")


async def test_enrolment_date_and_students_on_a_date_are_forwarded(client, bearer, fakes) -> None:
    group, student = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply("EnrollStudent", journal_service_pb2.EnrollStudentResponse(created=True))
    response = await client.post(
        f"/api/v1/groups/{group}/students",
        json={"student_id": student, "enrolled_on": "2026-10-01"},
        headers=bearer(("admin",)),
    )
    assert response.status_code == 201
    sent = fakes.journal.last("EnrollStudent").request
    assert sent.HasField("enrolled_on") and (sent.enrolled_on.month, sent.enrolled_on.day) == (10, 1)
    await client.post(
        f"/api/v1/groups/{group}/students", json={"student_id": student}, headers=bearer(("admin",))
    )
    assert not fakes.journal.last("EnrollStudent").request.HasField("enrolled_on")

    fakes.journal.reply(
        "ListGroupStudents", journal_service_pb2.ListGroupStudentsResponse(student_ids=[student])
    )
    response = await client.get(
        f"/api/v1/groups/{group}/students", params={"on_date": "2026-11-02"}, headers=bearer()
    )
    assert response.json() == {"student_ids": [student]}
    asked = fakes.journal.last("ListGroupStudents").request
    assert asked.HasField("on_date") and asked.on_date.day == 2
    await client.get(f"/api/v1/groups/{group}/students", headers=bearer())
    assert not fakes.journal.last("ListGroupStudents").request.HasField("on_date")
