"""REST routes of finals (issue 7 items 1-2): the rule read and versioned, proposals with the verdict,
a final put with the confirmation passed on, the group's and the student's finals, «Мало оценок»; the
journal's refusals mapped with their codes, bad bodies and queries refused at the edge."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb

GROUP, MATH, YEAR, STUDENT, TEACHER = (str(uuid.uuid4()) for _ in range(5))
RULE = pb.FinalRule(
    version=2,
    kind=jpb.FINAL_RULE_KIND_WEIGHTED_MEAN,
    rounding=jpb.FINAL_ROUNDING_IN_FAVOUR_OF_STUDENT,
    effective_from=LocalDate(year=2026, month=9, day=1),
    author_id=TEACHER,
)
FINAL = jpb.Final(
    final_id=str(uuid.uuid4()),
    student_id=STUDENT,
    group_id=GROUP,
    discipline_id=MATH,
    period=jpb.FinalPeriod(year_id=YEAR, semester=1, kind=jpb.FINAL_KIND_EXAM),
    value="5",
    proposed_value="4",
    rule_version=2,
    set_by=TEACHER,
    marks_count=4,
    required_marks=5,
    not_enough_marks_confirmed=True,
    mark_of_record=True,
)


async def test_the_rule_is_read_and_a_new_version_set(client, bearer, fakes) -> None:
    fakes.journal.reply("GetFinalRule", pb.GetFinalRuleResponse(rule=RULE, versions=[RULE]))
    response = await client.get("/api/v1/final-rule", headers=bearer(("teacher",)))
    expected = {
        "version": 2,
        "kind": "weighted_mean",
        "rounding": "in_favour_of_student",
        "effective_from": "2026-09-01",
        "author_id": TEACHER,
    }
    assert (response.status_code, response.json()) == (200, {"rule": expected, "versions": [expected]})
    fakes.journal.reply("SetFinalRule", pb.SetFinalRuleResponse(rule=RULE))
    body = {"kind": "weighted_mean", "rounding": "in_favour_of_student", "effective_from": "2026-09-01"}
    response = await client.post("/api/v1/final-rule/versions", json=body, headers=bearer(("admin",)))
    assert (response.status_code, response.json()) == (201, expected)
    sent = fakes.journal.last("SetFinalRule").request
    assert (sent.kind, sent.rounding, sent.effective_from.day) == (
        jpb.FINAL_RULE_KIND_WEIGHTED_MEAN,
        jpb.FINAL_ROUNDING_IN_FAVOUR_OF_STUDENT,
        1,
    )
    fakes.journal.fail(
        "SetFinalRule", grpc.StatusCode.PERMISSION_DENIED, "Недостаточно прав", "role_required"
    )
    response = await client.post("/api/v1/final-rule/versions", json=body, headers=bearer(("teacher",)))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "role_required")
    calls = len(fakes.journal.calls)
    for bad in ({"rounding": "up"}, {"kind": "median"}, {"effective_from": "вчера"}, {"extra": 1}):
        response = await client.post(
            "/api/v1/final-rule/versions", json={**body, **bad}, headers=bearer(("admin",))
        )
        assert response.status_code == 400
    assert len(fakes.journal.calls) == calls


async def test_proposals_and_a_final_put_with_the_confirmation(client, bearer, fakes) -> None:
    fakes.journal.reply(
        "ProposeFinals",
        pb.ProposeFinalsResponse(
            rule=RULE,
            students=[
                pb.ProposedFinal(
                    student_id=STUDENT,
                    marks_count=4,
                    required_marks=5,
                    enough_marks=False,
                    mean="4.25",
                    weighted_mean="4.50",
                    proposed_value="5",
                    final=FINAL,
                ),
                pb.ProposedFinal(student_id=TEACHER, required_marks=5),
            ],
            allowed_values=["5", "4", "3", "2", "н/а"],
            weekly_hours=2,
        ),
    )
    url = f"/api/v1/groups/{GROUP}/finals?discipline={MATH}&year_id={YEAR}&semester=1&kind=exam"
    response = await client.get(url, headers=bearer(("teacher",)))
    assert response.status_code == 200
    body = response.json()
    assert (body["weekly_hours"], body["allowed_values"], body["rule"]["version"]) == (
        2,
        ["5", "4", "3", "2", "н/а"],
        2,
    )
    first, second = body["students"]
    assert (first["enough_marks"], first["mean"], first["proposed_value"]) == (False, "4.25", "5")
    assert (first["final"]["kind"], first["final"]["value"], first["final"]["mark_of_record"]) == (
        "exam",
        "5",
        True,
    )
    assert (second["final"], second["proposed_value"]) == (None, "")
    sent = fakes.journal.last("ProposeFinals").request
    assert (
        sent.group_id,
        sent.discipline_id,
        sent.period.year_id,
        sent.period.semester,
        sent.period.kind,
    ) == (
        GROUP,
        MATH,
        YEAR,
        1,
        jpb.FINAL_KIND_EXAM,
    )

    fakes.journal.reply("SetFinal", pb.SetFinalResponse(final=FINAL, changed=True))
    put = {
        "discipline_id": MATH,
        "year_id": YEAR,
        "semester": 1,
        "kind": "exam",
        "value": "5",
        "reason": "Ответ на экзамене",
        "confirm_not_enough_marks": True,
    }
    response = await client.put(
        f"/api/v1/groups/{GROUP}/finals/{STUDENT}", json=put, headers=bearer(("teacher",))
    )
    assert response.status_code == 200
    assert (response.json()["changed"], response.json()["final"]["not_enough_marks_confirmed"]) == (
        True,
        True,
    )
    sent_final = fakes.journal.last("SetFinal").request
    assert (
        sent_final.student_id,
        sent_final.value,
        sent_final.reason,
        sent_final.confirm_not_enough_marks,
    ) == (
        STUDENT,
        "5",
        "Ответ на экзамене",
        True,
    )
    for status, grpc_status, code in [
        (409, grpc.StatusCode.FAILED_PRECONDITION, "not_enough_marks"),
        (409, grpc.StatusCode.FAILED_PRECONDITION, "final_kind_not_in_curriculum"),
        (409, grpc.StatusCode.FAILED_PRECONDITION, "student_not_in_group"),
        (409, grpc.StatusCode.FAILED_PRECONDITION, "period_closed"),
        (400, grpc.StatusCode.INVALID_ARGUMENT, "invalid_final_value"),
        (403, grpc.StatusCode.PERMISSION_DENIED, "not_teaching_this_group"),
        (404, grpc.StatusCode.NOT_FOUND, "group_not_found"),
    ]:
        fakes.journal.fail("SetFinal", grpc_status, "Отказ", code)
        response = await client.put(
            f"/api/v1/groups/{GROUP}/finals/{STUDENT}", json=put, headers=bearer(("teacher",))
        )
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    calls = len(fakes.journal.calls)
    for bad in ({"kind": "oral"}, {"value": "5" * 17}, {"reason": "п" * 501}, {"year_id": "x"}, {"extra": 1}):
        response = await client.put(
            f"/api/v1/groups/{GROUP}/finals/{STUDENT}", json={**put, **bad}, headers=bearer(("teacher",))
        )
        assert response.status_code == 400
    for bad_query in ("kind=oral", "semester=3", "discipline=x"):
        response = await client.get(
            f"/api/v1/groups/{GROUP}/finals?discipline={MATH}&year_id={YEAR}&semester=1&kind=exam&{bad_query}",
            headers=bearer(("teacher",)),
        )
        assert response.status_code == 400
    assert len(fakes.journal.calls) == calls


async def test_the_group_and_student_finals_and_too_few_marks(client, bearer, fakes) -> None:
    fakes.journal.reply("GetGroupFinals", pb.GetGroupFinalsResponse(finals=[FINAL]))
    response = await client.get(
        f"/api/v1/groups/{GROUP}/finals-sheet?year_id={YEAR}&semester=0", headers=bearer(("class_teacher",))
    )
    assert (response.status_code, response.json()["finals"][0]["final_id"]) == (200, FINAL.final_id)
    assert fakes.journal.last("GetGroupFinals").request.semester == 0
    fakes.journal.reply(
        "GetStudentFinals", pb.GetStudentFinalsResponse(finals=[FINAL], marks_of_record=[FINAL])
    )
    response = await client.get(
        f"/api/v1/students/{STUDENT}/finals?year_id={YEAR}", headers=bearer(("student",))
    )
    assert (response.status_code, response.json()["finals"][0]["value"]) == (200, "5")
    fakes.journal.fail(
        "GetStudentFinals", grpc.StatusCode.NOT_FOUND, "Обучающийся не найден", "student_not_found"
    )
    response = await client.get(
        f"/api/v1/students/{STUDENT}/finals?year_id={YEAR}", headers=bearer(("parent",))
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "student_not_found")

    fakes.journal.reply(
        "ListStudentsWithTooFewMarks",
        pb.ListStudentsWithTooFewMarksResponse(
            disciplines=[
                pb.DisciplineTooFewMarks(
                    discipline_id=MATH,
                    weekly_hours=2,
                    required_marks=5,
                    students=[pb.StudentMarksCount(student_id=STUDENT, marks_count=2)],
                )
            ]
        ),
    )
    url = f"/api/v1/groups/{GROUP}/too-few-marks?year_id={YEAR}&semester=1"
    response = await client.get(url, headers=bearer(("class_teacher",)))
    assert (response.status_code, response.json()) == (
        200,
        {
            "disciplines": [
                {
                    "discipline_id": MATH,
                    "weekly_hours": 2,
                    "required_marks": 5,
                    "students": [{"student_id": STUDENT, "marks_count": 2}],
                }
            ]
        },
    )
    response = await client.get(
        f"/api/v1/groups/{GROUP}/too-few-marks?year_id={YEAR}&semester=0", headers=bearer(("class_teacher",))
    )
    assert response.status_code == 400
