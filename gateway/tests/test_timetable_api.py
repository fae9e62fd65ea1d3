"""Routes of the timetable, the teacher's day and the subgroup's teaching load: requests sent, JSON
shapes, today in the college's time zone by default, the journal's refusals with their HTTP status, bad
input refused at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import grpc
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

pb = journal_service_pb2


def local(value: str) -> common_pb2.LocalDate:
    year, month, day = (int(part) for part in value.split("-"))
    return common_pb2.LocalDate(year=year, month=month, day=day)


async def test_the_admin_sets_a_group_s_timetable_and_its_people_read_it(client, bearer, fakes) -> None:
    group_id, year_id, discipline_id, teacher_id, subgroup_id = (str(uuid.uuid4()) for _ in range(5))
    stored = [
        pb.TimetableEntry(
            entry_id="e-1",
            weekday=1,
            pair_number=2,
            parity=pb.WEEK_PARITY_ODD,
            discipline_id=discipline_id,
            subgroup_id=subgroup_id,
            teacher_id=teacher_id,
            room="214",
        ),
        pb.TimetableEntry(
            entry_id="e-2", weekday=3, pair_number=1, parity=pb.WEEK_PARITY_EVERY, discipline_id=discipline_id,
            teacher_id=teacher_id,
        ),
    ]  # fmt: skip
    fakes.journal.reply("SetGroupTimetable", pb.SetGroupTimetableResponse(entries=stored))
    url = f"/api/v1/groups/{group_id}/timetable?year_id={year_id}&semester=1"
    body = {
        "entries": [
            {
                "weekday": 1,
                "pair_number": 2,
                "parity": "odd",
                "discipline_id": discipline_id,
                "subgroup_id": subgroup_id,
                "teacher_id": teacher_id,
                "room": "214",
            },
            {"weekday": 3, "pair_number": 1, "discipline_id": discipline_id, "teacher_id": teacher_id},
        ]
    }
    response = await client.put(url, json=body, headers=bearer())
    assert response.status_code == 200
    assert response.json()["entries"] == [
        {
            "entry_id": "e-1",
            "weekday": 1,
            "pair_number": 2,
            "parity": "odd",
            "discipline_id": discipline_id,
            "subgroup_id": subgroup_id,
            "teacher_id": teacher_id,
            "room": "214",
        },
        {
            "entry_id": "e-2",
            "weekday": 3,
            "pair_number": 1,
            "parity": "every",
            "discipline_id": discipline_id,
            "subgroup_id": None,
            "teacher_id": teacher_id,
            "room": "",
        },
    ]
    sent = fakes.journal.last("SetGroupTimetable").request
    assert (sent.group_id, sent.year_id, sent.semester) == (group_id, year_id, 1)
    assert [(e.parity, e.subgroup_id, e.room) for e in sent.entries] == [
        (pb.WEEK_PARITY_ODD, subgroup_id, "214"),
        (pb.WEEK_PARITY_EVERY, "", ""),
    ]

    fakes.journal.reply("GetGroupTimetable", pb.GetGroupTimetableResponse(entries=stored))
    read = await client.get(url.replace("semester=1", "semester=2"), headers=bearer(("parent",)))
    assert (read.status_code, len(read.json()["entries"])) == (200, 2)
    asked = fakes.journal.last("GetGroupTimetable").request
    assert (asked.group_id, asked.year_id, asked.semester) == (group_id, year_id, 2)


async def test_the_journal_s_refusals_and_bad_input(client, bearer, fakes) -> None:
    group_id, year_id, some = (str(uuid.uuid4()) for _ in range(3))
    url = f"/api/v1/groups/{group_id}/timetable?year_id={year_id}&semester=1"
    entry = {"weekday": 1, "pair_number": 1, "discipline_id": some, "teacher_id": some}
    for status, grpc_status, code in (
        (409, grpc.StatusCode.FAILED_PRECONDITION, "timetable_teacher_clash"),
        (409, grpc.StatusCode.FAILED_PRECONDITION, "timetable_group_clash"),
        (400, grpc.StatusCode.INVALID_ARGUMENT, "pair_not_found"),
        (403, grpc.StatusCode.PERMISSION_DENIED, "role_required"),
    ):
        fakes.journal.fail("SetGroupTimetable", grpc_status, "Занятие №1: отказ", code)
        response = await client.put(url, json={"entries": [entry]}, headers=bearer())
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    fakes.journal.fail("GetGroupTimetable", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(url, headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "group_not_found")
    calls = len(fakes.journal.calls)
    for bad in (
        {"entries": [{**entry, "parity": "weekly"}]},
        {"entries": [{**entry, "room": "x" * 33}]},
        {"entries": [{**entry, "teacher_id": "nope"}]},
        {"entries": [entry] * 201},
    ):
        assert (await client.put(url, json=bad, headers=bearer())).status_code in (400, 422)
    for bad_url in (
        url.replace(year_id, "nope"),
        url.replace("&semester=1", ""),
        "/api/v1/groups/x/timetable",
    ):
        assert (await client.get(bad_url, headers=bearer())).status_code in (400, 422)
    assert len(fakes.journal.calls) == calls
    assert (await client.get(url)).status_code == 401


def day_reply(group_id: str, teacher_id: str) -> pb.GetTeacherDayResponse:
    entry = pb.TimetableEntry(
        entry_id="e-1", weekday=3, pair_number=2, discipline_id="d-1", teacher_id=teacher_id, room="214",
        parity=pb.WEEK_PARITY_EVERY,
    )  # fmt: skip
    return pb.GetTeacherDayResponse(
        date=local("2026-10-14"),
        year_id="y-1",
        semester=1,
        week_number=7,
        pairs=[
            pb.TeacherDayPair(
                entry=entry, group_id=group_id, starts_at_minute=610, ends_at_minute=700, lesson_id="l-1"
            ),
            pb.TeacherDayPair(
                entry=pb.TimetableEntry(
                    entry_id="e-2", pair_number=3, subgroup_id="s-1", discipline_id="d-2"
                ),
                group_id=group_id,
                starts_at_minute=740,
                ends_at_minute=830,
            ),
        ],
    )


async def test_a_teacher_s_day_and_my_day_default_to_today_in_the_college(client, bearer, fakes) -> None:
    group_id, teacher_id = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply("GetTeacherDay", day_reply(group_id, teacher_id))
    response = await client.get(f"/api/v1/teachers/{teacher_id}/day?date=2026-10-14", headers=bearer())
    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-10-14",
        "year_id": "y-1",
        "semester": 1,
        "week_number": 7,
        "pairs": [
            {
                "group_id": group_id,
                "subgroup_id": None,
                "discipline_id": "d-1",
                "pair_number": 2,
                "starts_at": "10:10",
                "ends_at": "11:40",
                "room": "214",
                "parity": "every",
                "entry_id": "e-1",
                "lesson_id": "l-1",
            },
            {
                "group_id": group_id,
                "subgroup_id": "s-1",
                "discipline_id": "d-2",
                "pair_number": 3,
                "starts_at": "12:20",
                "ends_at": "13:50",
                "room": "",
                "parity": "unspecified",
                "entry_id": "e-2",
                "lesson_id": None,
            },
        ],
    }
    sent = fakes.journal.last("GetTeacherDay").request
    assert (sent.teacher_id, sent.date) == (teacher_id, local("2026-10-14"))

    me = await client.get("/api/v1/me/day", headers=bearer(("teacher",), subject=teacher_id))
    assert me.status_code == 200
    sent = fakes.journal.last("GetTeacherDay").request
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    assert (sent.teacher_id, (sent.date.year, sent.date.month, sent.date.day)) == (
        teacher_id,
        (today.year, today.month, today.day),
    )
    fakes.journal.reply("GetTeacherDay", pb.GetTeacherDayResponse(date=local("2026-12-31")))
    empty = await client.get(
        "/api/v1/me/day?date=2026-12-31", headers=bearer(("teacher",), subject=teacher_id)
    )
    assert empty.json() == {
        "date": "2026-12-31", "year_id": None, "semester": None, "week_number": None, "pairs": []
    }  # fmt: skip
    fakes.journal.fail("GetTeacherDay", grpc.StatusCode.PERMISSION_DENIED, "Нельзя", "role_required")
    refused = await client.get(f"/api/v1/teachers/{teacher_id}/day", headers=bearer(("student",)))
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "role_required")
    calls = len(fakes.journal.calls)
    assert (await client.get("/api/v1/me/day?date=2026-13-01", headers=bearer(("teacher",)))).status_code in (
        400,
        422,
    )
    assert (await client.get("/api/v1/teachers/nope/day", headers=bearer())).status_code in (400, 422)
    assert len(fakes.journal.calls) == calls


async def test_a_load_for_a_subgroup(client, bearer, fakes) -> None:
    ids = {k: str(uuid.uuid4()) for k in ("teacher_id", "group_id", "discipline_id", "subgroup_id")}
    fakes.journal.reply(
        "AssignTeachingLoad",
        pb.AssignTeachingLoadResponse(load=journal_pb2.TeachingLoad(load_id="load-1", **ids)),
    )
    response = await client.post("/api/v1/teaching-loads", json=ids, headers=bearer())
    assert (response.status_code, response.json()) == (201, {"load_id": "load-1", **ids})
    assert fakes.journal.last("AssignTeachingLoad").request.subgroup_id == ids["subgroup_id"]
    fakes.journal.fail(
        "AssignTeachingLoad",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Подгруппа чужая",
        "subgroup_of_other_group",
    )
    refused = await client.post("/api/v1/teaching-loads", json=ids, headers=bearer())
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "subgroup_of_other_group")


async def test_a_group_s_loads_with_their_subgroups(client, bearer, fakes) -> None:
    group_id, subgroup_id = str(uuid.uuid4()), str(uuid.uuid4())
    loads = [
        journal_pb2.TeachingLoad(load_id="l-1", teacher_id="t-1", group_id=group_id, discipline_id="d-1"),
        journal_pb2.TeachingLoad(
            load_id="l-2", teacher_id="t-2", group_id=group_id, discipline_id="d-1", subgroup_id=subgroup_id
        ),
    ]
    fakes.journal.reply("ListTeachingLoads", pb.ListTeachingLoadsResponse(loads=loads))
    response = await client.get(
        f"/api/v1/groups/{group_id}/teaching-loads", headers=bearer(("class_teacher",))
    )
    assert response.status_code == 200
    assert [(load["load_id"], load["subgroup_id"]) for load in response.json()["loads"]] == [
        ("l-1", None),
        ("l-2", subgroup_id),
    ]
    assert fakes.journal.last("ListTeachingLoads").request.group_id == group_id
    fakes.journal.fail("ListTeachingLoads", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    refused = await client.get(f"/api/v1/groups/{group_id}/teaching-loads", headers=bearer(("student",)))
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "group_not_found")
    assert (await client.get("/api/v1/groups/nope/teaching-loads", headers=bearer())).status_code in (
        400,
        422,
    )
