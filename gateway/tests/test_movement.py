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


def movement(student: str, kind: int, day: int, **groups: str) -> journal_pb2.StudentMovement:
    return journal_pb2.StudentMovement(
        movement_id=f"m-{day}",
        student_id=student,
        kind=kind,
        on_date=common_pb2.LocalDate(year=2026, month=11, day=day),
        order_number="№ 12-к",
        **groups,
    )


async def test_a_group_graduates_through_one_post(client, bearer, fakes) -> None:
    group, a, b = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "GraduateGroup",
        journal_service_pb2.GraduateGroupResponse(
            movements=[
                movement(s, journal_pb2.MOVEMENT_KIND_GRADUATION, 27, from_group_id=group) for s in (a, b)
            ]
        ),
    )

    response = await client.post(
        f"/api/v1/groups/{group}/graduation",
        json={"on_date": "2026-11-27", "order_number": "№ 300-в"},
        headers=bearer(("admin",)),
    )

    assert response.status_code == 201
    assert [(m["student_id"], m["kind"], m["from_group_id"]) for m in response.json()["movements"]] == [
        (a, "graduation", group),
        (b, "graduation", group),
    ]
    sent = fakes.journal.last("GraduateGroup").request
    assert (sent.group_id, sent.order_number, sent.on_date.day) == (group, "№ 300-в", 27)
    for body in ({"on_date": "2026-11-27"}, {"on_date": "27.11.2026", "order_number": "1"}):
        bad = await client.post(f"/api/v1/groups/{group}/graduation", json=body, headers=bearer(("admin",)))
        assert bad.status_code == 400
    fakes.journal.fail(
        "GraduateGroup",
        grpc.StatusCode.FAILED_PRECONDITION,
        "В группе нет обучающихся",
        "group_has_no_students",
    )
    refused = await client.post(
        f"/api/v1/groups/{group}/graduation",
        json={"on_date": "2026-11-27", "order_number": "1"},
        headers=bearer(("admin",)),
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "group_has_no_students")


async def test_histories_of_a_student_and_of_a_group_are_read(client, bearer, fakes) -> None:
    student, old, new = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    history = [
        movement(student, journal_pb2.MOVEMENT_KIND_ENROLMENT, 2, to_group_id=old),
        movement(student, journal_pb2.MOVEMENT_KIND_TRANSFER, 16, from_group_id=old, to_group_id=new),
    ]
    fakes.journal.reply(
        "GetStudentMovements", journal_service_pb2.GetStudentMovementsResponse(movements=history)
    )
    fakes.journal.reply(
        "ListGroupMovements", journal_service_pb2.ListGroupMovementsResponse(movements=history[1:])
    )

    mine = await client.get(f"/api/v1/students/{student}/movements", headers=bearer(("student",)))
    group = await client.get(f"/api/v1/groups/{new}/movements", headers=bearer(("class_teacher",)))

    assert [(m["kind"], m["on_date"]) for m in mine.json()["movements"]] == [
        ("enrolment", "2026-11-02"),
        ("transfer", "2026-11-16"),
    ]
    assert [m["to_group_id"] for m in group.json()["movements"]] == [new]
    assert fakes.journal.last("GetStudentMovements").request.student_id == student
    assert fakes.journal.last("ListGroupMovements").request.group_id == new
    fakes.journal.fail(
        "GetStudentMovements", grpc.StatusCode.NOT_FOUND, "Обучающийся не найден", "student_not_found"
    )
    hidden = await client.get(f"/api/v1/students/{student}/movements", headers=bearer(("parent",)))
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "student_not_found")
    assert (
        await client.get("/api/v1/groups/not-a-uuid/movements", headers=bearer(("admin",)))
    ).status_code == 400
