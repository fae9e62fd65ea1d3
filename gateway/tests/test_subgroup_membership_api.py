"""Dated subgroup membership through the gateway (slice J): POST /students/{id}/subgroup-movements →
MoveStudentBetweenSubgroups, GET /groups/{id}/subgroup-memberships → ListSubgroupMemberships, and the
journal page's per-student joining and leaving."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb

STUDENT, FIRST, SECOND = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def day(y: int, m: int, d: int) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=y, month=m, day=d)


async def test_a_transfer_between_subgroups_is_forwarded_and_mapped(client, bearer, fakes) -> None:
    fakes.journal.reply(
        "MoveStudentBetweenSubgroups",
        pb.MoveStudentBetweenSubgroupsResponse(
            closed=pb.SubgroupMembership(
                subgroup_id=FIRST, student_id=STUDENT, from_date=day(2026, 9, 1), to_date=day(2026, 11, 10)
            ),
            opened=pb.SubgroupMembership(subgroup_id=SECOND, student_id=STUDENT, from_date=day(2026, 11, 10)),
        ),
    )
    body = {"from_subgroup_id": FIRST, "to_subgroup_id": SECOND, "on_date": "2026-11-10"}
    response = await client.post(
        f"/api/v1/students/{STUDENT}/subgroup-movements", json=body, headers=bearer(("deputy",))
    )
    assert response.status_code == 201
    assert response.json() == {
        "closed": {
            "subgroup_id": FIRST,
            "student_id": STUDENT,
            "from_date": "2026-09-01",
            "to_date": "2026-11-10",
        },
        "opened": {"subgroup_id": SECOND, "student_id": STUDENT, "from_date": "2026-11-10", "to_date": None},
    }
    request = fakes.journal.last("MoveStudentBetweenSubgroups").request
    assert (request.student_id, request.from_subgroup_id, request.to_subgroup_id, request.on_date.day) == (
        STUDENT,
        FIRST,
        SECOND,
        10,
    )


async def test_bad_input_is_refused_at_the_edge_and_the_journals_refusal_passed_on(
    client, bearer, fakes
) -> None:
    for body in (
        {"from_subgroup_id": "x", "to_subgroup_id": SECOND, "on_date": "2026-11-10"},
        {"from_subgroup_id": FIRST, "to_subgroup_id": SECOND, "on_date": "10.11.2026"},
        {"from_subgroup_id": FIRST, "on_date": "2026-11-10"},
        {"from_subgroup_id": FIRST, "to_subgroup_id": SECOND, "on_date": "2026-11-10", "extra": 1},
    ):
        response = await client.post(
            f"/api/v1/students/{STUDENT}/subgroup-movements", json=body, headers=bearer(("admin",))
        )
        assert response.status_code == 400, body
    assert not fakes.journal.calls
    fakes.journal.fail(
        "MoveStudentBetweenSubgroups",
        grpc.StatusCode.FAILED_PRECONDITION,
        "У обучающегося уже есть перевод между подгруппами в эту дату или позже",
        "movement_overlaps",
    )
    response = await client.post(
        f"/api/v1/students/{STUDENT}/subgroup-movements",
        json={"from_subgroup_id": FIRST, "to_subgroup_id": SECOND, "on_date": "2026-11-10"},
        headers=bearer(("admin",)),
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "movement_overlaps")


async def test_the_memberships_and_the_journal_pages_joining_and_leaving_are_mapped(
    client, bearer, fakes
) -> None:
    group, discipline = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "ListSubgroupMemberships",
        pb.ListSubgroupMembershipsResponse(
            memberships=[
                pb.SubgroupMembership(subgroup_id=FIRST, student_id=STUDENT, from_date=day(2026, 9, 1))
            ]
        ),
    )
    response = await client.get(f"/api/v1/groups/{group}/subgroup-memberships", headers=bearer(("teacher",)))
    assert response.json() == {
        "memberships": [
            {"subgroup_id": FIRST, "student_id": STUDENT, "from_date": "2026-09-01", "to_date": None}
        ]
    }
    fakes.journal.reply(
        "GetJournalPage",
        pb.GetJournalPageResponse(
            student_ids=[STUDENT, SECOND],
            memberships=[
                pb.PageMembership(left_on=day(2026, 11, 10), left_by="subgroup_transfer"),
                pb.PageMembership(),
            ],
        ),
    )
    response = await client.get(
        f"/api/v1/groups/{group}/disciplines/{discipline}/journal",
        params={"date_from": "2026-11-01", "date_to": "2026-11-30", "subgroup_id": FIRST},
        headers=bearer(("teacher",)),
    )
    assert response.json()["memberships"] == [
        {"joined_on": None, "left_on": "2026-11-10", "joined_by": None, "left_by": "subgroup_transfer"},
        {"joined_on": None, "left_on": None, "joined_by": None, "left_by": None},
    ]
