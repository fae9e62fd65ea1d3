"""Portal «Отчёт о заменах» (slice L) with the services faked: the period's substitutions named (per
teacher counts, then the list), the month by default, a malformed date or reports' refusal next to the
form with the dates kept, the page the administration's only, and the link from «Замены»."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from ejournal.reports.v1 import reports_service_pb2 as rpb

from .test_portal_group_plan import GROUP, IVANOV, MATH, PETROV, log_in, person

URL = "/reports/substitutions"


def day(d: int) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=2026, month=11, day=d)


def college(fakes) -> None:
    fakes.journal.reply(
        "ListGroups",
        journal_service_pb2.ListGroupsResponse(groups=[journal_pb2.Group(group_id=GROUP, name="ИС-21")]),
    )
    fakes.journal.reply(
        "ListDisciplines",
        journal_service_pb2.ListDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика")]
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[person(IVANOV, "Иванов", "Иван"), person(PETROV, "Петров", "Пётр")]
        ),
    )
    fakes.reports.reply(
        "GetSubstitutionReport",
        rpb.GetSubstitutionReportResponse(
            date_from=day(1),
            date_to=day(30),
            teachers=[
                rpb.TeacherSubstitutions(teacher_id=IVANOV, pairs_replaced=1),
                rpb.TeacherSubstitutions(teacher_id=PETROV, pairs_substituted=1),
            ],
            substitutions=[
                rpb.SubstitutionLine(
                    substitution_id=str(uuid.uuid4()),
                    group_id=GROUP,
                    discipline_id=MATH,
                    lesson_date=day(11),
                    pair_number=2,
                    teacher_id=IVANOV,
                    substitute_teacher_id=PETROV,
                )
            ],
        ),
    )


@pytest.mark.parametrize("role", ["admin", "director", "deputy"])
async def test_the_period_is_reported_with_names(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    college(fakes)
    response = await client.get(URL, params={"date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert response.status_code == 200
    page = response.text
    for text in ("Отчёт о заменах", "01.11.2026", "30.11.2026", "11.11.2026, среда", "ИС-21", "ЕН.01"):
        assert text in page
    assert "Иванов Иван" in page and "Петров Пётр" in page
    assert "Замен (не отменённых): 1" in page
    sent = fakes.reports.last("GetSubstitutionReport").request
    assert (sent.date_from, sent.date_to) == (day(1), day(30))


async def test_without_dates_the_current_month_is_asked(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    assert (await client.get(URL)).status_code == 200
    sent = fakes.reports.last("GetSubstitutionReport").request
    assert sent.date_from.day == 1 and sent.date_to.day >= 28
    assert sent.date_from.month == sent.date_to.month


async def test_a_malformed_date_is_refused_in_place_before_reports(client, idp, fakes) -> None:
    await log_in(client, idp)
    response = await client.get(URL, params={"date_from": "01.11.2026", "date_to": "2026-11-30"})
    assert response.status_code == 400
    assert "Дата начала периода — в виде ГГГГ-ММ-ДД" in response.text
    assert 'value="01.11.2026"' in response.text and 'aria-invalid="true"' in response.text
    assert [c for c in fakes.reports.calls if c.method == "GetSubstitutionReport"] == []


async def test_reports_refusal_of_the_period_is_shown_next_to_the_form(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.reports.fail(
        "GetSubstitutionReport",
        grpc.StatusCode.INVALID_ARGUMENT,
        "Дата окончания периода раньше даты начала",
        "invalid_period",
    )
    response = await client.get(URL, params={"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert response.status_code == 400
    assert "Дата окончания периода раньше даты начала" in response.text
    assert 'value="2026-11-30"' in response.text
    assert "Замен (не отменённых)" not in response.text and "замен нет" not in response.text


@pytest.mark.parametrize("role", ["teacher", "curator", "student"])
async def test_the_page_is_the_administrations(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    assert (await client.get(URL)).status_code == 403


async def test_substitutions_page_links_to_the_report(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("deputy",))
    fakes.journal.reply("ListSubstitutions", journal_service_pb2.ListSubstitutionsResponse())
    fakes.journal.reply("ListGroups", journal_service_pb2.ListGroupsResponse())
    fakes.journal.reply("GetBellSchedule", journal_service_pb2.GetBellScheduleResponse())
    assert 'href="/reports/substitutions"' in (await client.get("/substitutions")).text
