"""Routes of the read models and «Пропуски»: the journal page, the group view, the diary, a group's week
of absences and the correction of their reasons — requests sent, JSON shapes (checked against their
documented models), the journal's refusals with their HTTP status, bad input refused at the edge."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from gateway.resources.absences import CorrectionsOut, WeekOfAbsencesOut
from gateway.resources.diary import DiaryOut
from gateway.resources.journal_page import GroupOverviewOut, JournalPageOut

pb = journal_service_pb2


def local(value: str) -> common_pb2.LocalDate:
    year, month, day = (int(part) for part in value.split("-"))
    return common_pb2.LocalDate(year=year, month=month, day=day)


def cell_mark(value: str, weight: int = 1) -> pb.CellMark:
    return pb.CellMark(
        mark_id=f"m-{value}", value=value, kind_of_work=journal_pb2.KIND_OF_WORK_CONTROL_WORK, weight=weight
    )


async def test_the_journal_page(client, bearer, fakes) -> None:
    group_id, discipline_id, subgroup_id = (str(uuid.uuid4()) for _ in range(3))
    lesson = journal_pb2.Lesson(
        lesson_id="l-1",
        group_id=group_id,
        discipline_id=discipline_id,
        teacher_id="t-1",
        lesson_date=local("2026-10-12"),
        pair_number=1,
        topic="Пределы",
        kind=journal_pb2.LESSON_KIND_LECTURE,
        homework="№ 1",
        homework_deadline=local("2026-10-19"),
        homework_kind=journal_pb2.HOMEWORK_KIND_HOMEWORK,
        homework_student_ids=["s-2"],
        ktp_topic_id="k-1",
    )
    reply = pb.GetJournalPageResponse(
        student_ids=["s-1", "s-2", "s-3"],
        lessons=[
            lesson,
            journal_pb2.Lesson(lesson_id="l-2", subgroup_id="g-1", lesson_date=local("2026-10-13")),
        ],
        cells=pb.PageCells(
            student=[0, 1, 1, 2],
            lesson=[0, 0, 1, 1],
            status=[
                journal_pb2.ATTENDANCE_STATUS_UNSPECIFIED,
                journal_pb2.ATTENDANCE_STATUS_ABSENT,
                journal_pb2.ATTENDANCE_STATUS_PRESENT,
                journal_pb2.ATTENDANCE_STATUS_UNSPECIFIED,
            ],
            reason=[0, journal_pb2.ABSENCE_REASON_ILLNESS, journal_pb2.ABSENCE_REASON_ILLNESS, 0],
        ),
        marks=pb.PageMarks(
            cell=[0, 0, 3],
            mark_id=["m-5", "m-4", 'm-н/"а\\'],
            value=["5", "4", 'н/"а\\'],  # escaped in JSON
            kind_of_work=[journal_pb2.KIND_OF_WORK_CONTROL_WORK] * 3,
            weight=[2, 1, 1],
        ),
        marks_without_lesson=[
            pb.DatedMark(
                student_id="s-1",
                discipline_id=discipline_id,
                lesson_date=local("2026-10-13"),
                mark=cell_mark("3"),
            )
        ],
        averages=pb.PageAverages(mean=["4.00", "", ""], weighted_mean=["4.25", "", ""]),
        lessons_with_attendance=["l-1", "l-2"],
    )
    fakes.journal.reply("GetJournalPage", reply)
    url = f"/api/v1/groups/{group_id}/disciplines/{discipline_id}/journal?date_from=2026-10-12&date_to=2026-10-18"

    response = await client.get(f"{url}&subgroup_id={subgroup_id}", headers=bearer(("teacher",)))

    assert response.status_code == 200
    body = response.json()
    JournalPageOut.model_validate(body)
    assert body["student_ids"] == ["s-1", "s-2", "s-3"]
    assert body["lessons"][0] == {
        "lesson_id": "l-1",
        "lesson_date": "2026-10-12",
        "pair_number": 1,
        "subgroup_id": None,
        "teacher_id": "t-1",
        "topic": "Пределы",
        "kind": "lecture",
        "homework": "№ 1",
        "homework_deadline": "2026-10-19",
        "homework_kind": "homework",
        "homework_student_ids": ["s-2"],
        "ktp_topic_id": "k-1",
    }
    assert (body["lessons"][1]["subgroup_id"], body["lessons"][1]["homework_kind"]) == ("g-1", None)
    assert body["cells"] == {
        "student": [0, 1, 1, 2],
        "lesson": [0, 0, 1, 1],
        "status": [None, "absent", "present", None],
        "reason": [None, "illness", None, None],  # a reason only with an absence or a lateness
    }
    assert body["marks"] == {
        "cell": [0, 0, 3],
        "mark_id": ["m-5", "m-4", 'm-н/"а\\'],
        "value": ["5", "4", 'н/"а\\'],
        "kind_of_work": ["control_work"] * 3,
        "weight": [2, 1, 1],
    }
    assert body["marks_without_lesson"][0]["mark"]["value"] == "3"
    assert body["averages"] == {"mean": ["4.00", None, None], "weighted_mean": ["4.25", None, None]}
    assert body["lessons_with_attendance"] == ["l-1", "l-2"]
    sent = fakes.journal.last("GetJournalPage").request
    assert (sent.group_id, sent.discipline_id, sent.subgroup_id, sent.date_from, sent.date_to) == (
        group_id,
        discipline_id,
        subgroup_id,
        local("2026-10-12"),
        local("2026-10-18"),
    )
    await client.get(url, headers=bearer(("teacher",)))
    assert fakes.journal.last("GetJournalPage").request.subgroup_id == ""

    for status, grpc_status, code in [
        (404, grpc.StatusCode.NOT_FOUND, "group_not_found"),
        (404, grpc.StatusCode.NOT_FOUND, "subgroup_not_found"),
        (400, grpc.StatusCode.INVALID_ARGUMENT, "invalid_lesson_range"),
    ]:
        fakes.journal.fail("GetJournalPage", grpc_status, "Отказ", code)
        response = await client.get(url, headers=bearer(("student",)))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    for bad in (
        f"/api/v1/groups/{group_id}/disciplines/{discipline_id}/journal?date_from=2026-10-12",
        f"/api/v1/groups/{group_id}/disciplines/{discipline_id}/journal?date_from=x&date_to=2026-10-18",
        f"/api/v1/groups/not-a-uuid/disciplines/{discipline_id}/journal?date_from=2026-10-12&date_to=2026-10-18",
    ):
        assert (await client.get(bad, headers=bearer())).status_code == 400
    assert (await client.get(url)).status_code == 401


async def test_the_group_overview(client, bearer, fakes) -> None:
    group_id = str(uuid.uuid4())
    fakes.journal.reply(
        "GetGroupOverview",
        pb.GetGroupOverviewResponse(
            student_ids=["s-1"],
            disciplines=[
                journal_pb2.Discipline(
                    discipline_id="d-1",
                    code="ОП.01",
                    name="Математика",
                    kind=journal_pb2.DISCIPLINE_KIND_DISCIPLINE,
                )
            ],
            cells=[
                pb.GroupOverviewCell(
                    student_id="s-1",
                    discipline_id="d-1",
                    mean="4.50",
                    weighted_mean="4.25",
                    mark_count=2,
                    absences=3,
                    absences_without_valid_reason=1,
                    lateness=1,
                )
            ],
        ),
    )
    response = await client.get(
        f"/api/v1/groups/{group_id}/overview?date_from=2026-09-01&date_to=2026-12-31",
        headers=bearer(("class_teacher",)),
    )
    assert response.status_code == 200
    body = GroupOverviewOut.model_validate(response.json())
    assert (body.cells[0].mean, body.cells[0].absences_without_valid_reason, body.disciplines[0].code) == (
        "4.50",
        1,
        "ОП.01",
    )
    sent = fakes.journal.last("GetGroupOverview").request
    assert (sent.group_id, sent.date_to) == (group_id, local("2026-12-31"))
    fakes.journal.fail("GetGroupOverview", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(
        f"/api/v1/groups/{group_id}/overview?date_from=2026-09-01&date_to=2026-12-31",
        headers=bearer(("parent",)),
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "group_not_found")


async def test_the_diary(client, bearer, fakes) -> None:
    student_id = str(uuid.uuid4())
    fakes.journal.reply(
        "GetStudentDiary",
        pb.GetStudentDiaryResponse(
            days=[
                pb.DiaryDay(
                    date=local("2026-10-12"),
                    lessons=[
                        pb.DiaryLesson(
                            lesson_id="l-1",
                            discipline_id="d-1",
                            pair_number=1,
                            topic="Пределы",
                            kind=journal_pb2.LESSON_KIND_PRACTICAL,
                            homework="№ 1",
                            homework_deadline=local("2026-10-19"),
                            marks=[cell_mark("5")],
                            status=journal_pb2.ATTENDANCE_STATUS_LATE,
                            reason=journal_pb2.ABSENCE_REASON_UNSPECIFIED,
                        )
                    ],
                    marks_without_lesson=[
                        pb.DatedMark(
                            student_id=student_id,
                            discipline_id="d-1",
                            lesson_date=local("2026-10-12"),
                            mark=cell_mark("4"),
                        )
                    ],
                )
            ],
            disciplines=[
                journal_pb2.Discipline(
                    discipline_id="d-1",
                    code="ОП.01",
                    name="Математика",
                    kind=journal_pb2.DISCIPLINE_KIND_DISCIPLINE,
                )
            ],
            averages=[pb.DisciplineAverage(discipline_id="d-1", mean="4.50", weighted_mean="4.50")],
        ),
    )
    url = f"/api/v1/students/{student_id}/diary?date_from=2026-10-12&date_to=2026-10-18"
    response = await client.get(url, headers=bearer(("parent",)))
    assert response.status_code == 200
    body = response.json()
    DiaryOut.model_validate(body)
    [lesson] = body["days"][0]["lessons"]
    assert (lesson["kind"], lesson["homework_deadline"], lesson["status"], lesson["reason"]) == (
        "practical",
        "2026-10-19",
        "late",
        "unspecified",
    )
    assert [m["value"] for m in lesson["marks"]] == ["5"]
    assert body["days"][0]["date"] == "2026-10-12"
    assert body["disciplines"] == [
        {"discipline_id": "d-1", "code": "ОП.01", "name": "Математика", "kind": "discipline"}
    ]
    assert body["averages"] == [{"discipline_id": "d-1", "mean": "4.50", "weighted_mean": "4.50"}]
    assert fakes.journal.last("GetStudentDiary").request.student_id == student_id
    fakes.journal.fail(
        "GetStudentDiary", grpc.StatusCode.NOT_FOUND, "Обучающийся не найден", "student_not_found"
    )
    response = await client.get(url, headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "student_not_found")


async def test_absences_of_a_week_and_their_correction(client, bearer, fakes) -> None:
    group_id, lesson_id, student_id = (str(uuid.uuid4()) for _ in range(3))
    fakes.journal.reply(
        "ListGroupAbsences",
        pb.ListGroupAbsencesResponse(
            student_ids=[student_id],
            absences=[
                pb.GroupAbsence(
                    student_id=student_id,
                    lesson_id=lesson_id,
                    lesson_date=local("2026-10-12"),
                    pair_number=2,
                    discipline_id="d-1",
                    status=journal_pb2.ATTENDANCE_STATUS_ABSENT,
                    reason=journal_pb2.ABSENCE_REASON_UNSPECIFIED,
                )
            ],
        ),
    )
    response = await client.get(
        f"/api/v1/groups/{group_id}/absences?week_start=2026-10-12", headers=bearer(("class_teacher",))
    )
    assert response.status_code == 200
    week = WeekOfAbsencesOut.model_validate(response.json())
    assert (week.absences[0].status, week.absences[0].reason, week.absences[0].lesson_date.isoformat()) == (
        "absent",
        "unspecified",
        "2026-10-12",
    )
    assert fakes.journal.last("ListGroupAbsences").request.week_start == local("2026-10-12")

    fakes.journal.reply(
        "CorrectAbsenceReasons",
        pb.CorrectAbsenceReasonsResponse(
            corrected=[
                pb.CorrectedAbsence(
                    lesson_id=lesson_id,
                    student_id=student_id,
                    old_reason=journal_pb2.ABSENCE_REASON_UNSPECIFIED,
                    reason=journal_pb2.ABSENCE_REASON_DOCUMENTED,
                )
            ]
        ),
    )
    url = f"/api/v1/groups/{group_id}/absences/corrections"
    body = {"corrections": [{"lesson_id": lesson_id, "student_id": student_id, "reason": "documented"}]}
    response = await client.post(url, json=body, headers=bearer(("class_teacher",)))
    assert response.status_code == 200
    assert CorrectionsOut.model_validate(response.json()).corrected[0].model_dump() == {
        "lesson_id": lesson_id,
        "student_id": student_id,
        "old_reason": "unspecified",
        "reason": "documented",
    }
    sent = fakes.journal.last("CorrectAbsenceReasons").request
    assert (sent.group_id, sent.corrections[0].reason) == (group_id, journal_pb2.ABSENCE_REASON_DOCUMENTED)

    for status, grpc_status, code in [
        (409, grpc.StatusCode.FAILED_PRECONDITION, "not_an_absence"),
        (409, grpc.StatusCode.FAILED_PRECONDITION, "lesson_of_another_group"),
        (403, grpc.StatusCode.PERMISSION_DENIED, "not_class_teacher"),
        (404, grpc.StatusCode.NOT_FOUND, "lesson_not_found"),
    ]:
        fakes.journal.fail("CorrectAbsenceReasons", grpc_status, "Отказ", code)
        response = await client.post(url, json=body, headers=bearer(("class_teacher",)))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    item = body["corrections"][0]
    for bad in (
        {"corrections": []},
        {"corrections": [{**item, "reason": "flu"}]},  # a category only, never free text
        {"corrections": [{**item, "reason": "unspecified"}]},
        {"corrections": [{**item, "comment": "справка"}]},
        {"corrections": [{**item, "lesson_id": "x"}]},
    ):
        response = await client.post(url, json=bad, headers=bearer(("class_teacher",)))
        assert response.status_code == 400, bad
