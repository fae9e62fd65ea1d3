"""REST routes of the KTP and of a lesson's KTP topic and homework recipients: the KTP put and read
back (no KTP yet: ktp_id null), the loads without a KTP on a date, the journal's refusals mapped."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb


def local(value: str) -> common_pb2.LocalDate:
    year, month, day = (int(part) for part in value.split("-"))
    return common_pb2.LocalDate(year=year, month=month, day=day)


async def test_the_ktp_is_put_and_read_back(client, bearer, fakes) -> None:
    group_id, math, ktp_id, kept = (str(uuid.uuid4()) for _ in range(4))
    ktp = pb.Ktp(
        ktp_id=ktp_id,
        group_id=group_id,
        discipline_id=math,
        topics=[
            pb.KtpTopic(
                topic_id=kept,
                position=1,
                title="Тема 1.1. Пределы",
                hours=2,
                kind=journal_pb2.LESSON_KIND_LECTURE,
            )
        ],
        total_hours=2,
    )
    fakes.journal.reply("SetKtp", pb.SetKtpResponse(ktp=ktp))
    url = f"/api/v1/groups/{group_id}/disciplines/{math}/ktp"
    body = {"topics": [{"topic_id": kept, "title": "Тема 1.1. Пределы", "hours": 2, "kind": "lecture"}]}
    response = await client.put(url, json=body, headers=bearer(("teacher",)))
    expected = {
        "ktp_id": ktp_id,
        "group_id": group_id,
        "subgroup_id": None,
        "discipline_id": math,
        "topics": [
            {"topic_id": kept, "position": 1, "title": "Тема 1.1. Пределы", "hours": 2, "kind": "lecture"}
        ],
        "total_hours": 2,
    }
    assert (response.status_code, response.json()) == (200, expected)
    sent = fakes.journal.last("SetKtp").request
    assert (
        sent.group_id,
        sent.discipline_id,
        sent.subgroup_id,
        sent.topics[0].topic_id,
        sent.topics[0].kind,
    ) == (
        group_id,
        math,
        "",
        kept,
        journal_pb2.LESSON_KIND_LECTURE,
    )

    subgroup = str(uuid.uuid4())
    fakes.journal.reply("GetKtp", pb.GetKtpResponse(ktp=pb.Ktp(group_id=group_id, discipline_id=math)))
    response = await client.get(f"{url}?subgroup_id={subgroup}", headers=bearer(("class_teacher",)))
    assert (response.status_code, response.json()["ktp_id"], response.json()["topics"]) == (200, None, [])
    assert fakes.journal.last("GetKtp").request.subgroup_id == subgroup

    for status, grpc_status, code in [
        (409, grpc.StatusCode.FAILED_PRECONDITION, "ktp_topic_in_use"),
        (403, grpc.StatusCode.PERMISSION_DENIED, "not_teaching_this_group"),
        (404, grpc.StatusCode.NOT_FOUND, "ktp_topic_not_found"),
        (400, grpc.StatusCode.INVALID_ARGUMENT, "empty_ktp"),
    ]:
        fakes.journal.fail("SetKtp", grpc_status, "Отказ", code)
        response = await client.put(url, json=body, headers=bearer(("teacher",)))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    calls = len(fakes.journal.calls)
    topic = body["topics"][0]
    for bad in ({"kind": "lecturex"}, {"hours": 10**10}, {"title": "a\x00b"}, {"topic_id": "x"}):
        response = await client.put(url, json={"topics": [{**topic, **bad}]}, headers=bearer(("teacher",)))
        assert response.status_code == 400
    assert len(fakes.journal.calls) == calls


async def test_the_loads_without_a_ktp(client, bearer, fakes) -> None:
    year_id, group_id, math, teacher = (str(uuid.uuid4()) for _ in range(4))
    fakes.journal.reply(
        "ListDisciplinesWithoutKtp",
        pb.ListDisciplinesWithoutKtpResponse(
            loads=[pb.LoadWithoutKtp(group_id=group_id, discipline_id=math, teacher_id=teacher)],
            deadline=local("2026-09-10"),
            past_deadline=True,
            as_of=local("2026-09-15"),
        ),
    )
    response = await client.get(
        f"/api/v1/ktp/missing?year_id={year_id}&as_of=2026-09-15", headers=bearer(("deputy",))
    )
    assert (response.status_code, response.json()) == (
        200,
        {
            "as_of": "2026-09-15",
            "deadline": "2026-09-10",
            "past_deadline": True,
            "loads": [{"group_id": group_id, "discipline_id": math, "teacher_id": teacher}],
        },
    )
    sent = fakes.journal.last("ListDisciplinesWithoutKtp").request
    assert (sent.year_id, sent.as_of) == (year_id, local("2026-09-15"))
    await client.get(f"/api/v1/ktp/missing?year_id={year_id}", headers=bearer(("admin",)))
    assert not fakes.journal.last("ListDisciplinesWithoutKtp").request.HasField("as_of")
    fakes.journal.fail(
        "ListDisciplinesWithoutKtp", grpc.StatusCode.PERMISSION_DENIED, "Недостаточно прав", "role_required"
    )
    response = await client.get(f"/api/v1/ktp/missing?year_id={year_id}", headers=bearer(("teacher",)))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "role_required")
    for query in ("", f"?year_id={year_id}&as_of=15.09.2026", "?year_id=x"):
        response = await client.get(f"/api/v1/ktp/missing{query}", headers=bearer(("admin",)))
        assert response.status_code == 400


async def test_a_lesson_takes_a_ktp_topic_and_homework_for_chosen_students(client, bearer, fakes) -> None:
    group_id, math, topic_id, lesson_id = (str(uuid.uuid4()) for _ in range(4))
    students = sorted(str(uuid.uuid4()) for _ in range(2))
    lesson = journal_pb2.Lesson(
        lesson_id=lesson_id,
        group_id=group_id,
        discipline_id=math,
        teacher_id="t-1",
        lesson_date=local("2026-10-14"),
        pair_number=1,
        topic="Тема 1.1. Пределы",
        kind=journal_pb2.LESSON_KIND_LECTURE,
        homework="Реферат",
        ktp_topic_id=topic_id,
        homework_kind=journal_pb2.HOMEWORK_KIND_INDEPENDENT_WORK,
        homework_student_ids=students,
    )
    fakes.journal.reply("RecordLesson", pb.RecordLessonResponse(lesson=lesson, created=True))
    body = {
        "group_id": group_id,
        "discipline_id": math,
        "lesson_date": "2026-10-14",
        "pair_number": 1,
        "kind": "lecture",
        "ktp_topic_id": topic_id,
        "homework": "Реферат",
        "homework_kind": "independent_work",
        "homework_student_ids": students,
    }
    response = await client.post("/api/v1/lessons", json=body, headers=bearer(("teacher",)))
    assert response.status_code == 201
    out = response.json()["lesson"]
    assert (out["topic"], out["ktp_topic_id"], out["homework_kind"], out["homework_student_ids"]) == (
        "Тема 1.1. Пределы",
        topic_id,
        "independent_work",
        students,
    )
    sent = fakes.journal.last("RecordLesson").request
    assert (sent.topic, sent.ktp_topic_id, sent.homework_kind, list(sent.homework_student_ids)) == (
        "",
        topic_id,
        journal_pb2.HOMEWORK_KIND_INDEPENDENT_WORK,
        students,
    )
    for status, grpc_status, code in [
        (409, grpc.StatusCode.FAILED_PRECONDITION, "ktp_topic_of_other_discipline"),
        (409, grpc.StatusCode.FAILED_PRECONDITION, "student_not_in_group"),
    ]:
        fakes.journal.fail("RecordLesson", grpc_status, "Отказ", code)
        response = await client.post("/api/v1/lessons", json=body, headers=bearer(("teacher",)))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    for bad in ({"homework_kind": "essay"}, {"homework_student_ids": ["x"]}, {"ktp_topic_id": "x"}):
        response = await client.post("/api/v1/lessons", json={**body, **bad}, headers=bearer(("teacher",)))
        assert response.status_code == 400
