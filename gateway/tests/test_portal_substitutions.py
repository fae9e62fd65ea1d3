"""Portal «Замены», «Выполнение программы» and «Отставание от программ» (issue 7 items 7, 9) with the
services faked: the week's substitutions named, the form for the admin and the deputy only (the
substitute found by name), a refusal next to the form with the typed values kept, cancelling, the
group's execution table with the lag highlighted, the college's lag list, and the teacher's day marking
a substituted pair."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

from .test_portal_group_plan import (
    GROUP,
    IVANOV,
    MATH,
    PETROV,
    YEAR,
    day,
    log_in,
    person,
    token_of,
    year,
)

pb = journal_service_pb2
SUBSTITUTION = str(uuid.uuid4())


def college(fakes, *, lesson: bool = False) -> None:
    j = fakes.journal
    j.reply("ListGroups", pb.ListGroupsResponse(groups=[journal_pb2.Group(group_id=GROUP, name="ИС-21")]))
    j.reply(
        "GetBellSchedule",
        pb.GetBellScheduleResponse(pairs=[journal_pb2.BellPair(number=n) for n in (1, 2, 3)]),
    )
    j.reply(
        "ListDisciplines",
        pb.ListDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика")]
        ),
    )
    j.reply(
        "FindDisciplines",
        pb.FindDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика")]
        ),
    )
    j.reply(
        "ListSubstitutions",
        pb.ListSubstitutionsResponse(
            substitutions=[
                pb.Substitution(
                    substitution_id=SUBSTITUTION,
                    group_id=GROUP,
                    discipline_id=MATH,
                    lesson_date=day(2026, 10, 14),
                    pair_number=1,
                    teacher_id=PETROV,
                    substitute_teacher_id=IVANOV,
                    reason=pb.SUBSTITUTION_REASON_SICK_LEAVE,
                    lesson_id=str(uuid.uuid4()) if lesson else "",
                    taught_by=IVANOV if lesson else "",
                )
            ]
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[person(PETROV, "Петров", "Пётр"), person(IVANOV, "Иванов", "Иван")]
        ),
    )


async def test_the_week_is_listed_with_names_and_the_form(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("deputy",))
    college(fakes)
    page = (await client.get("/substitutions", params={"week": "2026-10-15"})).text
    request = fakes.journal.last("ListSubstitutions").request
    assert ((request.from_date.day, request.to_date.day)) == (12, 18)
    for text in ("14.10.2026, среда", "ИС-21", "ЕН.01", "Петров Пётр", "Иванов Иван", "больничный лист"):
        assert text in page
    assert "ещё не записано" in page
    assert f'action="/substitutions/{SUBSTITUTION}/cancel"' in page
    assert 'action="/substitutions" class="card no-print form"' in page


@pytest.mark.parametrize("role", ["director", "curator"])
async def test_the_other_readers_get_no_form(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    college(fakes)
    page = (await client.get("/substitutions")).text
    assert "Иванов Иван" in page
    assert "Записать замену" not in page and "/cancel" not in page


@pytest.mark.parametrize("role", ["teacher", "class_teacher", "student", "parent"])
async def test_the_page_is_the_administrations(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    college(fakes)
    assert (await client.get("/substitutions")).status_code == 403


FORM = {
    "group_id": GROUP,
    "discipline_id": MATH,
    "lesson_date": "2026-10-14",
    "pair_number": "1",
    "reason": "sick_leave",
    "substitute_id": IVANOV,
}


async def test_the_admin_records_a_substitution(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    fakes.journal.reply("RecordSubstitution", pb.RecordSubstitutionResponse())
    response = await client.post("/substitutions", data={**FORM, "csrf_token": token_of(client)})
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/substitutions?week=2026-10-12&saved=1",
    )
    request = fakes.journal.last("RecordSubstitution").request
    assert (request.substitute_teacher_id, request.pair_number, request.reason) == (
        IVANOV,
        1,
        pb.SUBSTITUTION_REASON_SICK_LEAVE,
    )


async def test_a_refusal_is_shown_with_the_values_kept(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    message = "У заменяющего преподавателя 14.10.2026 на 1-й паре своё занятие"
    fakes.journal.fail("RecordSubstitution", grpc.StatusCode.FAILED_PRECONDITION, message, "substitute_busy")
    response = await client.post("/substitutions", data={**FORM, "csrf_token": token_of(client)})
    assert response.status_code == 409
    page = response.text
    assert message in page
    assert f'<option value="{IVANOV}" selected>Иванов Иван</option>' in page
    assert 'name="lesson_date" type="date" value="2026-10-14"' in page
    assert page.count('aria-invalid="true"') == 2  # the substitute and the pair


async def test_missing_values_are_asked_for_before_the_journal(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    response = await client.post(
        "/substitutions", data={**FORM, "substitute_id": "", "csrf_token": token_of(client)}
    )
    assert response.status_code == 400
    assert "Выберите заменяющего преподавателя" in response.text
    assert not [c for c in fakes.journal.calls if c.method == "RecordSubstitution"]


async def test_a_teacher_is_searched_by_name(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    fakes.identity.reply(
        "SearchPeople", identity_service_pb2.SearchPeopleResponse(people=[person(IVANOV, "Иванов", "Иван")])
    )
    page = (await client.get("/substitutions", params={"teacher_query": "Иван"})).text
    assert f'<option value="{IVANOV}">Иванов Иван</option>' in page
    assert "Найдено преподавателей: 1" in page


async def test_cancelling_and_a_refused_cancel(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    fakes.journal.reply("CancelSubstitution", pb.CancelSubstitutionResponse())
    response = await client.post(
        f"/substitutions/{SUBSTITUTION}/cancel", data={"week": "2026-10-14", "csrf_token": token_of(client)}
    )
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/substitutions?week=2026-10-12&cancelled=1",
    )
    message = "Заменяющий преподаватель уже записал это занятие — замену нельзя отменить"
    fakes.journal.fail(
        "CancelSubstitution", grpc.StatusCode.FAILED_PRECONDITION, message, "substitution_used"
    )
    refused = await client.post(
        f"/substitutions/{SUBSTITUTION}/cancel", data={"week": "2026-10-14", "csrf_token": token_of(client)}
    )
    assert refused.status_code == 409 and message in refused.text
    # The deputy's colleagues who only read may not cancel.
    await log_in(client, idp, roles=("curator",))
    assert (
        await client.post(f"/substitutions/{SUBSTITUTION}/cancel", data={"csrf_token": token_of(client)})
    ).status_code == 403


def execution(fakes) -> None:
    j = fakes.journal
    j.reply("ListAcademicYears", pb.ListAcademicYearsResponse(years=[year(YEAR, 2026)]))
    j.reply("GetGroup", pb.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-21")))
    j.reply(
        "ListDisciplines",
        pb.ListDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика")]
        ),
    )
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
    j.reply(
        "GetCurriculumExecution",
        pb.GetCurriculumExecutionResponse(group_id=GROUP, year_id=YEAR, as_of=day(2026, 10, 15), rows=[row]),
    )
    j.reply(
        "ListCurriculumLag",
        pb.ListCurriculumLagResponse(
            as_of=day(2026, 10, 15), rows=[pb.CurriculumLagRow(group_id=GROUP, execution=row)]
        ),
    )
    j.reply("ListGroups", pb.ListGroupsResponse(groups=[journal_pb2.Group(group_id=GROUP, name="ИС-21")]))


async def test_the_groups_execution_highlights_the_lag(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("class_teacher",))
    execution(fakes)
    page = (await client.get(f"/groups/{GROUP}/curriculum-execution", params={"semester": 1})).text
    assert "Выполнение программы — ИС-21" in page
    assert '<tr class="lag">' in page and "Отстают дисциплин: 1" in page
    assert "ЕН.01" in page and "72 (36)" in page and "на 15.10.2026" in page
    request = fakes.journal.last("GetCurriculumExecution").request
    assert (request.group_id, request.year_id, request.semester, request.HasField("as_of")) == (
        GROUP,
        YEAR,
        1,
        False,
    )


async def test_the_journals_not_found_is_the_portals(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    execution(fakes)
    fakes.journal.fail(
        "GetCurriculumExecution", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found"
    )
    assert (await client.get(f"/groups/{GROUP}/curriculum-execution")).status_code == 404


async def test_the_colleges_lag(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("director",))
    execution(fakes)
    page = (await client.get("/curriculum-lag", params={"as_of": "2026-10-15"})).text
    assert f"/groups/{GROUP}/curriculum-execution?year_id={YEAR}" in page and "ИС-21" in page
    assert fakes.journal.last("ListCurriculumLag").request.as_of.day == 15
    await log_in(client, idp, roles=("class_teacher",))
    assert (await client.get("/curriculum-lag")).status_code == 403


async def test_the_teachers_day_marks_a_substituted_pair(client, idp, fakes) -> None:
    from .test_portal_today import a_day, pair
    from .test_portal_today import log_in as log_in_teacher

    await log_in_teacher(client, idp)
    a_day(fakes)
    taken = pair(2, GROUP, MATH)
    taken.substitution_id, taken.replaced_teacher_id = SUBSTITUTION, PETROV
    given = pair(4, GROUP, MATH)
    given.substitution_id, given.substitute_teacher_id = str(uuid.uuid4()), IVANOV
    fakes.journal.reply("GetTeacherDay", pb.GetTeacherDayResponse(pairs=[taken, given]))
    page = (await client.get("/")).text
    assert "(замена: вы заменяете преподавателя этой пары)" in page
    assert "(замена: пару ведёт другой преподаватель)" in page


async def test_the_journal_page_marks_a_lesson_a_substitute_taught(client, idp, fakes) -> None:
    from . import test_portal_journal as journal_page

    await journal_page.log_in(client, idp)
    journal_page.a_journal(fakes)
    fakes.journal.reply(
        "ListSubstitutions",
        pb.ListSubstitutionsResponse(
            substitutions=[
                pb.Substitution(
                    substitution_id=SUBSTITUTION,
                    group_id=journal_page.GROUP,
                    lesson_id=journal_page.LESSON_1,
                    taught_by=IVANOV,
                    substitute_teacher_id=IVANOV,
                )
            ]
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                person(IVANOV, "Иванов", "Иван"),
                person(journal_page.ANNA, "Аннина", "Анна"),
                person(journal_page.BORIS, "Борисов", "Борис"),
            ]
        ),
    )
    page = (await client.get(journal_page.PAGE)).text
    assert page.count("замена: Иванов Иван") == 2  # the grid's column and the lessons' list
    assert fakes.journal.last("ListSubstitutions").request.group_id == journal_page.GROUP
