"""Portal «Сегодня» and the staff's home navigation: a teacher's pairs from the timetable, linked to
the journal; the class teacher's group; the administration's choice of a group's journals."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

GROUP = str(uuid.uuid4())
OTHER_GROUP = str(uuid.uuid4())
MATHS = str(uuid.uuid4())
PHYSICS = str(uuid.uuid4())
SUBGROUP = str(uuid.uuid4())
LESSON = str(uuid.uuid4())


async def log_in(client, idp, *, roles=("teacher",), subject=None):
    """Run the portal's login round trip with the fake Keycloak; return the subject."""
    subject = subject or str(uuid.uuid4())
    started = await client.get("/login")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    idp.issue_tokens(subject, roles, nonce=query["nonce"])
    await client.get("/auth/callback", params={"code": "code-1", "state": query["state"]})
    return subject


def college_today() -> date:
    """Return today in the college's time zone (the settings' default), as the portal counts days."""
    return datetime.now(ZoneInfo("Europe/Moscow")).date()


def local(day: date) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=day.year, month=day.month, day=day.day)


def pair(
    number: int, group: str, discipline: str, *, lesson_id: str = "", subgroup: str = "", room: str = ""
):
    return journal_service_pb2.TeacherDayPair(
        entry=journal_service_pb2.TimetableEntry(
            pair_number=number, discipline_id=discipline, subgroup_id=subgroup, room=room
        ),
        group_id=group,
        starts_at_minute=510 + (number - 1) * 100,
        ends_at_minute=600 + (number - 1) * 100,
        lesson_id=lesson_id,
    )


def a_day(fakes, class_teacher: str = "") -> None:
    """Two pairs today: ИС-21 maths (recorded) at 1, ИС-22 physics for a subgroup at 3 (not yet)."""
    fakes.journal.reply(
        "GetTeacherDay",
        journal_service_pb2.GetTeacherDayResponse(
            pairs=[
                pair(3, OTHER_GROUP, PHYSICS, subgroup=SUBGROUP, room="214"),
                pair(1, GROUP, MATHS, lesson_id=LESSON),
            ]
        ),
    )
    fakes.journal.reply(
        "ListGroups",
        journal_service_pb2.ListGroupsResponse(
            groups=[
                journal_pb2.Group(group_id=GROUP, name="ИС-21", class_teacher_id=class_teacher),
                journal_pb2.Group(group_id=OTHER_GROUP, name="ИС-22"),
            ]
        ),
    )
    fakes.journal.reply(
        "ListDisciplines",
        journal_service_pb2.ListDisciplinesResponse(
            disciplines=[
                journal_pb2.Discipline(discipline_id=MATHS, code="ОП.01", name="Математика"),
                journal_pb2.Discipline(discipline_id=PHYSICS, code="ОП.02", name="Физика"),
            ]
        ),
    )


async def test_the_teachers_home_lists_todays_pairs_linked_to_the_journal(client, idp, fakes) -> None:
    subject = await log_in(client, idp)
    a_day(fakes)
    page = (await client.get("/")).text
    assert "Сегодня," in page and 'name="student_id"' not in page
    assert "1 пара, 08:30–10:00" in page and "3 пара, 11:50–13:20" in page
    assert page.index("1 пара") < page.index("3 пара")
    assert "ИС-21 — ОП.01 Математика" in page and "ИС-22 (подгруппа) — ОП.02 Физика, ауд. 214" in page
    assert f'href="/journal/{GROUP}/{MATHS}?lesson={LESSON}">Открыть журнал' in page
    today = college_today().isoformat()
    assert (
        f'href="/journal/{OTHER_GROUP}/{PHYSICS}?subgroup={SUBGROUP}&amp;date={today}&amp;pair=3#lesson-form">'
        "Записать занятие"
    ) in page
    assert "Мои группы и дисциплины" in page
    asked = [c.request for c in fakes.journal.calls if c.method == "GetTeacherDay"]
    assert {r.teacher_id for r in asked} == {subject}
    assert len(asked) == 6  # the day itself and the rest of its week (Monday to Saturday)
    assert local(college_today()) in [r.date for r in asked]


async def test_a_day_without_pairs_says_so(client, idp, fakes) -> None:
    await log_in(client, idp)
    page = (await client.get("/")).text
    assert "По расписанию пар нет." in page


async def test_the_home_page_still_opens_when_the_timetable_is_refused_or_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.fail("GetTeacherDay", grpc.StatusCode.UNAVAILABLE, "down")
    response = await client.get("/")
    assert response.status_code == 200 and "Расписание сейчас недоступно" in response.text
    fakes.journal.fail("GetTeacherDay", grpc.StatusCode.UNIMPLEMENTED, "not yet")
    assert (await client.get("/")).status_code == 200


async def test_the_today_page_walks_day_by_day(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_day(fakes)
    # A day that is never the college's today (the page says «Сегодня» then, not «Расписание на день»).
    response = await client.get("/today?date=01.12.2020")
    assert response.status_code == 200
    assert "Расписание на день" in response.text and "01.12.2020 (вторник)" in response.text
    assert (
        'href="/today?date=2020-11-30"' in response.text and 'href="/today?date=2020-12-02"' in response.text
    )
    asked = [c.request.date for c in fakes.journal.calls if c.method == "GetTeacherDay"]
    assert local(date(2020, 12, 1)) in asked and local(date(2020, 11, 30)) in asked
    assert "date=2020-12-01&amp;pair=3" in response.text


async def test_the_today_page_shows_the_journals_refusal(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.fail("GetTeacherDay", grpc.StatusCode.PERMISSION_DENIED, "Только свой день", "denied")
    response = await client.get("/today")
    assert response.status_code == 403 and "Только свой день" in response.text


async def test_a_bad_date_is_a_russian_400(client, idp, fakes) -> None:
    await log_in(client, idp)
    response = await client.get("/today?date=31.02.2026")
    assert response.status_code == 400 and "ДД.ММ.ГГГГ" in response.text
    assert fakes.journal.calls == []


@pytest.mark.parametrize("role", ["student", "parent", "admin", "class_teacher"])
async def test_today_is_a_teachers_page(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    response = await client.get("/today")
    assert response.status_code == 403 and "расписание преподавателя" in response.text
    assert fakes.journal.calls == []


@pytest.mark.parametrize("role", ["student", "parent"])
async def test_students_and_parents_homes_ask_nothing_of_the_timetable(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    page = (await client.get("/")).text
    assert "Сегодня," not in page and "Журналы группы" not in page
    assert [c for c in fakes.journal.calls if c.method in {"GetTeacherDay", "ListGroups"}] == []


async def test_the_class_teachers_home_leads_to_the_groups_absences_and_journals(client, idp, fakes) -> None:
    subject = await log_in(client, idp, roles=("class_teacher", "teacher"))
    a_day(fakes, class_teacher="")
    fakes.journal.responses["ListGroups"].groups[0].class_teacher_id = subject
    page = (await client.get("/")).text
    assert "Моя группа" in page
    assert f'href="/absences/{GROUP}">Пропуски' in page and f'href="/journal/{GROUP}">Журналы' in page
    assert f'href="/absences/{OTHER_GROUP}"' not in page


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator"])
async def test_the_administration_home_opens_any_groups_journals(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    a_day(fakes)
    page = (await client.get("/")).text
    assert 'name="student_id"' not in page and "Сегодня," not in page
    assert '<form method="get" action="/journal"' in page
    assert f'<option value="{GROUP}">ИС-21</option>' in page
    response = await client.get(f"/journal?group_id={GROUP}")
    assert (response.status_code, response.headers["location"]) == (303, f"/journal/{GROUP}")
    response = await client.get("/journal?group_id=ИС-21")
    assert response.status_code == 400 and "Выберите группу из списка" in response.text


async def test_the_administration_home_opens_when_the_journal_is_down(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    fakes.journal.fail("ListGroups", grpc.StatusCode.UNAVAILABLE, "down")
    response = await client.get("/")
    assert response.status_code == 200 and "Список групп сейчас недоступен" in response.text


def an_overview(fakes) -> None:
    student = str(uuid.uuid4())
    fakes.journal.reply(
        "GetGroup",
        journal_service_pb2.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-21")),
    )
    fakes.journal.reply(
        "GetGroupOverview",
        journal_service_pb2.GetGroupOverviewResponse(
            student_ids=[student],
            disciplines=[journal_pb2.Discipline(discipline_id=MATHS, code="ОП.01", name="Математика")],
            cells=[
                journal_service_pb2.GroupOverviewCell(
                    student_id=student,
                    discipline_id=MATHS,
                    mean="4.25",
                    weighted_mean="4.40",
                    absences=3,
                    absences_without_valid_reason=1,
                    lateness=2,
                )
            ],
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[identity_service_pb2.PersonName(person_id=student, last_name="Петров", first_name="Пётр")]
        ),
    )


@pytest.mark.parametrize("role", ["admin", "class_teacher", "teacher"])
async def test_a_groups_journals_list_its_disciplines_and_the_overview(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    an_overview(fakes)
    response = await client.get(f"/journal/{GROUP}")
    assert response.status_code == 200
    page = response.text
    assert "Журналы группы ИС-21" in page
    assert f'<a href="/journal/{GROUP}/{MATHS}">ОП.01 Математика</a>' in page
    assert "Петров Пётр" in page and "4.25" in page and "(4.40)" in page and "н 3 (1), оп 2" in page
    asked = fakes.journal.last("GetGroupOverview").request
    today = college_today()
    first = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    assert (asked.date_from, asked.date_to) == (local(first), local(today))


@pytest.mark.parametrize("role", ["student", "parent"])
async def test_a_groups_journals_are_not_for_students_and_parents(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    response = await client.get(f"/journal/{GROUP}")
    assert response.status_code == 403 and "Журнал группы доступен преподавателям" in response.text
    assert fakes.journal.calls == []


async def test_a_groups_journals_show_the_journals_refusal(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    fakes.journal.fail("GetGroupOverview", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(f"/journal/{GROUP}")
    assert response.status_code == 404 and "Группа не найдена" in response.text


async def test_the_day_before_is_linked_a_week_back(client, idp, fakes) -> None:
    await log_in(client, idp)
    yesterday = college_today() - timedelta(days=1)
    page = (await client.get("/today")).text
    assert f'href="/today?date={yesterday.isoformat()}"' in page


async def test_the_today_page_is_a_503_saying_so_when_the_journal_is_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.fail("GetTeacherDay", grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.get("/today")
    assert response.status_code == 503
    assert "Расписание сейчас недоступно" in response.text and "connection refused" not in response.text
