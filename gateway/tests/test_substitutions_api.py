"""REST substitutions and curriculum execution (issue 7 items 7, 9): mapped to RecordSubstitution,
CancelSubstitution, ListSubstitutions, GetCurriculumExecution and ListCurriculumLag, the journal's
refusals passed on with their codes, bad input refused at the edge."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import journal_service_pb2 as pb

GROUP, MATH, SUBSTITUTE = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def substitution(**changes: object) -> pb.Substitution:
    fields: dict[str, object] = {
        "substitution_id": str(uuid.uuid4()),
        "group_id": GROUP,
        "discipline_id": MATH,
        "lesson_date": LocalDate(year=2026, month=10, day=14),
        "pair_number": 1,
        "teacher_id": str(uuid.uuid4()),
        "substitute_teacher_id": SUBSTITUTE,
        "reason": pb.SUBSTITUTION_REASON_SICK_LEAVE,
        "recorded_by": str(uuid.uuid4()),
    }
    fields.update(changes)
    return pb.Substitution(**fields)  # type: ignore[arg-type]


BODY = {
    "group_id": GROUP,
    "discipline_id": MATH,
    "lesson_date": "2026-10-14",
    "pair_number": 1,
    "substitute_teacher_id": SUBSTITUTE,
    "reason": "sick_leave",
}


async def test_post_records_a_substitution(client, bearer, fakes) -> None:
    recorded = substitution()
    fakes.journal.reply("RecordSubstitution", pb.RecordSubstitutionResponse(substitution=recorded))
    response = await client.post("/api/v1/substitutions", json=BODY, headers=bearer(("deputy",)))
    assert response.status_code == 201
    body = response.json()
    assert (
        body["substitution_id"],
        body["reason"],
        body["lesson_date"],
        body["subgroup_id"],
        body["taught_by"],
    ) == (
        recorded.substitution_id,
        "sick_leave",
        "2026-10-14",
        None,
        None,
    )
    request = fakes.journal.last("RecordSubstitution").request
    assert (request.group_id, request.subgroup_id, request.pair_number, request.reason) == (
        GROUP,
        "",
        1,
        pb.SUBSTITUTION_REASON_SICK_LEAVE,
    )
    assert (request.lesson_date.year, request.lesson_date.month, request.lesson_date.day) == (2026, 10, 14)


@pytest.mark.parametrize(
    "changes",
    [
        {"reason": "болезнь"},
        {"pair_number": 9},
        {"lesson_date": "14.10.2026"},
        {"substitute_teacher_id": "Иванов"},
        {"room": "214"},
    ],
)
async def test_bad_bodies_are_refused_at_the_edge(client, bearer, fakes, changes) -> None:
    response = await client.post(
        "/api/v1/substitutions", json={**BODY, **changes}, headers=bearer(("admin",))
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"]
    assert [c for c in fakes.journal.calls if c.method == "RecordSubstitution"] == []


@pytest.mark.parametrize(
    ("status", "http", "code"),
    [
        (grpc.StatusCode.FAILED_PRECONDITION, 409, "substitute_busy"),
        (grpc.StatusCode.FAILED_PRECONDITION, 409, "slot_not_in_timetable"),
        (grpc.StatusCode.ALREADY_EXISTS, 409, "substitution_exists"),
        (grpc.StatusCode.NOT_FOUND, 404, "person_not_found"),
        (grpc.StatusCode.PERMISSION_DENIED, 403, "role_required"),
    ],
)
async def test_the_journals_refusals_keep_their_codes(client, bearer, fakes, status, http, code) -> None:
    fakes.journal.fail("RecordSubstitution", status, "Отказ журнала", code)
    response = await client.post("/api/v1/substitutions", json=BODY, headers=bearer(("admin",)))
    assert response.status_code == http
    assert response.json() == {"error": {"code": code, "message": "Отказ журнала"}}


async def test_cancel_and_list(client, bearer, fakes) -> None:
    cancelled = substitution(cancelled=True, lesson_id="", taught_by="")
    fakes.journal.reply("CancelSubstitution", pb.CancelSubstitutionResponse(substitution=cancelled))
    response = await client.post(
        f"/api/v1/substitutions/{cancelled.substitution_id}/cancel", headers=bearer(("admin",))
    )
    assert (response.status_code, response.json()["cancelled"]) == (200, True)
    assert fakes.journal.last("CancelSubstitution").request.substitution_id == cancelled.substitution_id

    taught = substitution(lesson_id=str(uuid.uuid4()), taught_by=SUBSTITUTE)
    fakes.journal.reply("ListSubstitutions", pb.ListSubstitutionsResponse(substitutions=[taught]))
    response = await client.get(
        "/api/v1/substitutions",
        params={"from": "2026-10-12", "to": "2026-10-18", "group_id": GROUP},
        headers=bearer(("curator",)),
    )
    assert response.status_code == 200
    assert [(s["lesson_id"], s["taught_by"]) for s in response.json()["substitutions"]] == [
        (taught.lesson_id, SUBSTITUTE)
    ]
    request = fakes.journal.last("ListSubstitutions").request
    assert (request.group_id, request.from_date.day, request.to_date.day, request.include_cancelled) == (
        GROUP,
        12,
        18,
        False,
    )
    missing = await client.get(
        "/api/v1/substitutions", params={"from": "2026-10-12"}, headers=bearer(("admin",))
    )
    assert missing.status_code in (400, 422)


async def test_curriculum_execution_and_lag(client, bearer, fakes) -> None:
    year_id = str(uuid.uuid4())
    row = pb.CurriculumExecutionRow(
        discipline_id=MATH,
        planned_hours=72,
        ktp_hours=72,
        ktp_topics=36,
        planned_hours_to_date=12,
        planned_topics_to_date=6,
        delivered_hours=6,
        delivered_topics=3,
        lag_hours=6,
        lag_topics=3,
    )
    fakes.journal.reply(
        "GetCurriculumExecution",
        pb.GetCurriculumExecutionResponse(
            group_id=GROUP,
            year_id=year_id,
            semester=1,
            as_of=LocalDate(year=2026, month=10, day=15),
            rows=[row],
        ),
    )
    response = await client.get(
        f"/api/v1/groups/{GROUP}/curriculum-execution",
        params={"year_id": year_id, "semester": 1, "as_of": "2026-10-15"},
        headers=bearer(("class_teacher",)),
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["as_of"], body["rows"][0]["lag_hours"], body["rows"][0]["delivered_topics"]) == (
        "2026-10-15",
        6,
        3,
    )
    request = fakes.journal.last("GetCurriculumExecution").request
    assert (request.year_id, request.semester, request.as_of.day) == (year_id, 1, 15)
    bad = await client.get(
        f"/api/v1/groups/{GROUP}/curriculum-execution",
        params={"year_id": year_id, "semester": 3},
        headers=bearer(("admin",)),
    )
    assert bad.status_code in (400, 422)

    fakes.journal.reply(
        "ListCurriculumLag",
        pb.ListCurriculumLagResponse(
            as_of=LocalDate(year=2026, month=10, day=15),
            rows=[pb.CurriculumLagRow(group_id=GROUP, execution=row)],
        ),
    )
    response = await client.get(
        f"/api/v1/academic-years/{year_id}/curriculum-lag", headers=bearer(("deputy",))
    )
    assert response.status_code == 200
    assert [(r["group_id"], r["execution"]["lag_hours"]) for r in response.json()["rows"]] == [(GROUP, 6)]
    assert not fakes.journal.last("ListCurriculumLag").request.HasField("as_of")
