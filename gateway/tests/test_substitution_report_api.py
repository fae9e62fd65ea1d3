"""REST «Отчёт о заменах» (slice L): GET /api/v1/reports/substitutions maps reports' report, passes
the period on, refuses a malformed date before asking reports and relays reports' refusals."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.reports.v1 import reports_service_pb2 as pb

URL = "/api/v1/reports/substitutions"
TEACHER, SUBSTITUTE, GROUP, MATH, SUBSTITUTION = (str(uuid.uuid4()) for _ in range(5))


def day(d: int) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=2026, month=11, day=d)


async def test_the_report_of_a_period(client, bearer, fakes) -> None:
    fakes.reports.reply(
        "GetSubstitutionReport",
        pb.GetSubstitutionReportResponse(
            date_from=day(1),
            date_to=day(30),
            teachers=[
                pb.TeacherSubstitutions(teacher_id=TEACHER, pairs_replaced=1),
                pb.TeacherSubstitutions(teacher_id=SUBSTITUTE, pairs_substituted=1),
            ],
            substitutions=[
                pb.SubstitutionLine(
                    substitution_id=SUBSTITUTION,
                    group_id=GROUP,
                    discipline_id=MATH,
                    lesson_date=day(10),
                    pair_number=2,
                    teacher_id=TEACHER,
                    substitute_teacher_id=SUBSTITUTE,
                )
            ],
        ),
    )
    response = await client.get(
        URL, params={"date_from": "2026-11-01", "date_to": "2026-11-30"}, headers=bearer(("deputy",))
    )
    assert response.status_code == 200
    assert response.json() == {
        "date_from": "2026-11-01",
        "date_to": "2026-11-30",
        "teachers": [
            {"teacher_id": TEACHER, "pairs_substituted": 0, "pairs_replaced": 1},
            {"teacher_id": SUBSTITUTE, "pairs_substituted": 1, "pairs_replaced": 0},
        ],
        "substitutions": [
            {
                "substitution_id": SUBSTITUTION,
                "group_id": GROUP,
                "discipline_id": MATH,
                "lesson_date": "2026-11-10",
                "pair_number": 2,
                "teacher_id": TEACHER,
                "substitute_teacher_id": SUBSTITUTE,
            }
        ],
    }
    sent = fakes.reports.last("GetSubstitutionReport").request
    assert (sent.date_from, sent.date_to) == (day(1), day(30))


@pytest.mark.parametrize(
    "params", [{"date_from": "2026-11-01"}, {"date_from": "01.11.2026", "date_to": "2026-11-30"}]
)
async def test_a_missing_or_malformed_date_is_400_before_reports(client, bearer, fakes, params) -> None:
    response = await client.get(URL, params=params, headers=bearer(("admin",)))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert fakes.total_calls() == 0


@pytest.mark.parametrize(
    ("status", "code", "http"),
    [
        (grpc.StatusCode.PERMISSION_DENIED, "role_required", 403),
        (grpc.StatusCode.INVALID_ARGUMENT, "invalid_period", 400),
    ],
)
async def test_reports_refusals_are_relayed(client, bearer, fakes, status, code, http) -> None:
    fakes.reports.fail("GetSubstitutionReport", status, "Отказ отчётов", code)
    response = await client.get(
        URL, params={"date_from": "2026-11-30", "date_to": "2026-11-01"}, headers=bearer(("teacher",))
    )
    assert response.status_code == http
    assert response.json()["error"]["code"] == code
