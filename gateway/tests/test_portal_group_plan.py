"""Portal «Нагрузка группы», «Расписание группы», «Учебный план группы»: the pages for the administration
(the admin's forms, the others read-only, everyone else the Russian 403), a load added with the teacher
picked by name, the timetable and the curriculum sent whole, each refusal shown next to the row it
names with the typed values kept, the journal down (503) with the values kept, the group page's links."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_pb2, identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from gateway.auth.session import SessionCookie

pb = journal_service_pb2
GROUP = str(uuid.uuid4())
YEAR = str(uuid.uuid4())
OLD_YEAR = str(uuid.uuid4())
MATH = str(uuid.uuid4())
INFO = str(uuid.uuid4())
SUB = str(uuid.uuid4())
PETROV = str(uuid.uuid4())
SIDOROVA = str(uuid.uuid4())
IVANOV = str(uuid.uuid4())
READ_ONLY = ("director", "deputy", "curator")
OTHERS = ("teacher", "class_teacher", "student", "parent")
PAGES = ("loads", "timetable", "curriculum")


async def log_in(client, idp, *, roles=("admin",)) -> str:
    subject = str(uuid.uuid4())
    started = await client.get("/login")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    idp.issue_tokens(subject, roles, nonce=query["nonce"])
    await client.get("/auth/callback", params={"code": "code-1", "state": query["state"]})
    return subject


def token_of(client) -> str:
    session_id = SessionCookie("test-session-secret", secure=False).load(
        client.cookies.get("ejournal_session")
    )
    assert session_id
    return hmac.new(b"test-session-secret", f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def day(y: int, m: int, d: int) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=y, month=m, day=d)


def year(year_id: str, first: int) -> journal_pb2.AcademicYear:
    return journal_pb2.AcademicYear(
        year_id=year_id,
        name=f"{first}/{first + 1}",
        span=journal_pb2.DateSpan(starts_on=day(first, 9, 1), ends_on=day(first + 1, 6, 30)),
        semester1=journal_pb2.DateSpan(starts_on=day(first, 9, 1), ends_on=day(first, 12, 28)),
        semester2=journal_pb2.DateSpan(starts_on=day(first + 1, 1, 12), ends_on=day(first + 1, 6, 30)),
    )


def person(
    person_id: str, last: str, first: str, role: int = identity_pb2.ROLE_TEACHER
) -> identity_pb2.Person:
    return identity_service_pb2.PersonName(person_id=person_id, last_name=last, first_name=first, role=role)


def group_with_plan(fakes) -> None:
    """ИС-21 with two disciplines, a subgroup of informatics, two loads, two years and three pairs."""
    j = fakes.journal
    j.reply("GetGroup", pb.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-21")))
    j.reply(
        "ListTeachingLoads",
        pb.ListTeachingLoadsResponse(
            loads=[
                journal_pb2.TeachingLoad(load_id="l1", teacher_id=PETROV, group_id=GROUP, discipline_id=MATH),
                journal_pb2.TeachingLoad(
                    load_id="l2", teacher_id=SIDOROVA, group_id=GROUP, discipline_id=INFO, subgroup_id=SUB
                ),
            ]
        ),
    )
    j.reply(
        "ListSubgroups",
        pb.ListSubgroupsResponse(
            subgroups=[
                journal_pb2.Subgroup(subgroup_id=SUB, group_id=GROUP, discipline_id=INFO, name="подгруппа 1")
            ]
        ),
    )
    j.reply("ListAcademicYears", pb.ListAcademicYearsResponse(years=[year(YEAR, 2026), year(OLD_YEAR, 2025)]))
    j.reply(
        "ListDisciplines",
        pb.ListDisciplinesResponse(
            disciplines=[
                journal_pb2.Discipline(discipline_id=MATH, code="ЕН.01", name="Математика"),
                journal_pb2.Discipline(discipline_id=INFO, code="ОП.02", name="Информатика"),
            ]
        ),
    )
    j.reply(
        "GetBellSchedule",
        pb.GetBellScheduleResponse(
            pairs=[
                journal_pb2.BellPair(number=1, starts_at_minute=510, ends_at_minute=600),
                journal_pb2.BellPair(number=2, starts_at_minute=610, ends_at_minute=700),
                journal_pb2.BellPair(number=3, starts_at_minute=730, ends_at_minute=820),
            ]
        ),
    )
    j.reply(
        "GetGroupTimetable",
        pb.GetGroupTimetableResponse(
            entries=[
                pb.TimetableEntry(
                    entry_id="e1",
                    weekday=1,
                    pair_number=1,
                    parity=pb.WEEK_PARITY_EVERY,
                    discipline_id=MATH,
                    teacher_id=PETROV,
                    room="301",
                ),
                pb.TimetableEntry(
                    entry_id="e2",
                    weekday=3,
                    pair_number=2,
                    parity=pb.WEEK_PARITY_ODD,
                    discipline_id=INFO,
                    subgroup_id=SUB,
                    teacher_id=SIDOROVA,
                    room="Лаб-2",
                ),
            ]
        ),
    )
    j.reply(
        "GetCurriculum",
        pb.GetCurriculumResponse(
            rows=[
                pb.CurriculumRow(
                    discipline_id=MATH,
                    semester=1,
                    total_hours=72,
                    weekly_hours=4,
                    control_form=pb.CONTROL_FORM_EXAM,
                ),
                pb.CurriculumRow(
                    discipline_id=INFO,
                    semester=2,
                    total_hours=54,
                    weekly_hours=3,
                    control_form=pb.CONTROL_FORM_DIFFERENTIATED_CREDIT,
                ),
            ]
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[person(PETROV, "Петров", "Пётр"), person(SIDOROVA, "Сидорова", "Анна")]
        ),
    )


# -- every page: who reads, who writes ---------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
async def test_the_admin_gets_the_page_with_its_form(client, idp, fakes, page) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    response = await client.get(f"/groups/{GROUP}/{page}")
    assert response.status_code == 200
    assert "ИС-21" in response.text
    assert f'method="post" action="/groups/{GROUP}/{page}"' in response.text
    assert 'name="csrf_token"' in response.text


@pytest.mark.parametrize("role", READ_ONLY)
@pytest.mark.parametrize("page", PAGES)
async def test_the_administration_reads_the_pages_without_forms(client, idp, fakes, role, page) -> None:
    await log_in(client, idp, roles=(role,))
    group_with_plan(fakes)
    response = await client.get(f"/groups/{GROUP}/{page}")
    assert response.status_code == 200
    assert "Математика" in response.text
    assert 'method="post"' not in response.text.replace('method="post" action="/logout"', "")
    assert "csrf_token" not in response.text


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("page", PAGES)
async def test_other_roles_get_the_russian_403(client, idp, fakes, role, page) -> None:
    await log_in(client, idp, roles=(role,))
    group_with_plan(fakes)
    response = await client.get(f"/groups/{GROUP}/{page}")
    assert response.status_code == 403
    assert "доступна администрации колледжа" in response.text
    assert not [c for c in fakes.journal.calls if c.method != "ListAcademicYears"]


@pytest.mark.parametrize("role", READ_ONLY + OTHERS)
@pytest.mark.parametrize("page", PAGES)
async def test_only_the_admin_may_post(client, idp, fakes, role, page) -> None:
    await log_in(client, idp, roles=(role,))
    group_with_plan(fakes)
    response = await client.post(
        f"/groups/{GROUP}/{page}", data={"csrf_token": token_of(client), "year_id": YEAR}
    )
    assert response.status_code == 403
    assert not [c for c in fakes.journal.calls if c.method.startswith(("Set", "Assign"))]


@pytest.mark.parametrize("page", PAGES)
async def test_a_post_without_the_token_is_refused(client, idp, fakes, page) -> None:
    await log_in(client, idp)
    response = await client.post(f"/groups/{GROUP}/{page}", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert "Форма устарела" in response.text


@pytest.mark.parametrize("page", PAGES)
async def test_the_journal_down_is_the_russian_503_page(client, idp, fakes, page) -> None:
    await log_in(client, idp)
    fakes.journal.fail("ListTeachingLoads", grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.get(f"/groups/{GROUP}/{page}")
    assert response.status_code == 503
    assert "Сервис временно недоступен" in response.text


async def test_the_group_page_links_the_plan_pages(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("director",))
    group_with_plan(fakes)
    page = (await client.get(f"/groups/{GROUP}")).text
    for part in PAGES:
        assert f'href="/groups/{GROUP}/{part}"' in page


# -- «Нагрузка группы» -------------------------------------------------------------------------------


async def test_the_loads_are_listed_with_discipline_subgroup_and_teacher_by_name(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    page = (await client.get(f"/groups/{GROUP}/loads")).text
    assert '<td data-label="Дисциплина">ЕН.01 — Математика</td>' in page
    assert '<td data-label="Кому">вся группа</td>' in page
    assert '<td data-label="Кому">подгруппа 1</td>' in page
    assert '<td data-label="Преподаватель">Петров Пётр</td>' in page
    assert '<td data-label="Преподаватель">Сидорова Анна</td>' in page
    assert f'<option value="{SUB}">ОП.02 — Информатика: подгруппа 1</option>' in page
    assert "Снять можно нагрузку" in page
    # The disciplines come from the loads, the subgroups and the curricula of every year.
    years = {c.request.year_id for c in fakes.journal.calls if c.method == "GetCurriculum"}
    assert years == {YEAR, OLD_YEAR}


async def test_a_teacher_is_found_by_name_and_offered_for_the_load(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    fakes.identity.reply(
        "SearchPeople",
        identity_service_pb2.SearchPeopleResponse(
            people=[
                person(IVANOV, "Иванов", "Иван"),
                person(str(uuid.uuid4()), "Иванова", "Мария", identity_pb2.ROLE_STUDENT),
            ]
        ),
    )
    page = (await client.get(f"/groups/{GROUP}/loads", params={"teacher_query": "Иван"})).text
    assert fakes.identity.last("SearchPeople").request.query == "Иван"
    assert f'<option value="{IVANOV}">Иванов Иван</option>' in page
    assert "Иванова Мария" not in page
    assert "Найдено преподавателей: 1" in page


async def test_the_admin_adds_a_load(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    response = await client.post(
        f"/groups/{GROUP}/loads",
        data={
            "csrf_token": token_of(client),
            "discipline_id": INFO,
            "subgroup_id": SUB,
            "teacher_id": IVANOV,
        },
    )
    assert (response.status_code, response.headers["location"]) == (303, f"/groups/{GROUP}/loads?saved=1")
    assert fakes.journal.last("AssignTeachingLoad").request == pb.AssignTeachingLoadRequest(
        group_id=GROUP, discipline_id=INFO, subgroup_id=SUB, teacher_id=IVANOV
    )
    assert "Нагрузка назначена" in (await client.get(f"/groups/{GROUP}/loads?saved=1")).text


async def test_a_load_without_a_teacher_is_refused_before_the_journal(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    response = await client.post(
        f"/groups/{GROUP}/loads", data={"csrf_token": token_of(client), "discipline_id": MATH}
    )
    assert response.status_code == 400
    assert "Выберите преподавателя" in response.text
    assert f'<option value="{MATH}" selected>' in response.text
    assert not [c for c in fakes.journal.calls if c.method == "AssignTeachingLoad"]


async def test_a_load_the_journal_refuses_is_explained_with_the_choice_kept(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    fakes.journal.fail(
        "AssignTeachingLoad",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Нагрузку получает только преподаватель",
        "person_not_teacher",
    )
    response = await client.post(
        f"/groups/{GROUP}/loads",
        data={"csrf_token": token_of(client), "discipline_id": MATH, "subgroup_id": "", "teacher_id": IVANOV},
    )
    assert response.status_code == 409
    page = response.text
    assert "Нагрузку получает только преподаватель" in page
    assert f'<option value="{MATH}" selected>' in page
    assert f'<option value="{IVANOV}" selected>' in page
    assert 'id="teacher_id" name="teacher_id"\n            aria-invalid="true"' in page


async def test_a_load_survives_the_journal_being_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    for rpc in ("AssignTeachingLoad", "GetGroup", "ListTeachingLoads", "ListSubgroups", "ListAcademicYears"):
        fakes.journal.fail(rpc, grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.post(
        f"/groups/{GROUP}/loads",
        data={
            "csrf_token": token_of(client),
            "discipline_id": MATH,
            "subgroup_id": SUB,
            "teacher_id": IVANOV,
        },
    )
    assert response.status_code == 503
    page = response.text
    assert "Журнал сейчас не отвечает" in page
    for value in (MATH, SUB, IVANOV):
        assert f'<option value="{value}" selected>' in page


# -- «Расписание группы» -----------------------------------------------------------------------------

TIMETABLE_FORM = {
    "year_id": YEAR,
    "semester": "1",
    "weekday_1": "1", "pair_1": "1", "parity_1": "every", "discipline_1": MATH, "teacher_1": PETROV, "room_1": "301",
    "weekday_2": "3", "pair_2": "2", "parity_2": "odd", "discipline_2": INFO, "subgroup_2": SUB,
    "teacher_2": SIDOROVA, "room_2": "Лаб-2",
    "weekday_4": "1", "pair_4": "1", "parity_4": "every", "discipline_4": INFO, "subgroup_4": SUB,
    "teacher_4": SIDOROVA, "room_4": "",
}  # fmt: skip


async def test_the_timetable_is_a_week_grid_of_pairs_and_days(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("deputy",))
    group_with_plan(fakes)
    response = await client.get(f"/groups/{GROUP}/timetable", params={"year_id": YEAR, "semester": "2"})
    page = response.text
    assert fakes.journal.last("GetGroupTimetable").request == pb.GetGroupTimetableRequest(
        group_id=GROUP, year_id=YEAR, semester=2
    )
    assert "2 семестр 2026/2027" in page
    assert "Понедельник" in page and "Суббота" in page
    assert "08:30–10:00" in page and "12:10–13:40" in page
    assert "ЕН.01 — Математика" in page and "Петров Пётр" in page and "ауд. 301" in page
    assert "подгруппа 1" in page and "Сидорова Анна" in page and "нечётные недели" in page


async def test_the_timetable_defaults_to_the_newest_year_and_the_first_semester(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    page = (await client.get(f"/groups/{GROUP}/timetable")).text
    assert fakes.journal.last("GetGroupTimetable").request.year_id == YEAR
    assert fakes.journal.last("GetGroupTimetable").request.semester == 1
    # The form starts with the stored entries and four blank rows.
    assert f'<option value="{PETROV}" selected>Петров Пётр</option>' in page
    assert 'name="room_1" value="301"' in page
    assert 'name="weekday_6"' in page and 'name="weekday_7"' not in page


async def test_the_admin_replaces_the_timetable_whole(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    form = dict(TIMETABLE_FORM, csrf_token=token_of(client), remove_4="1")
    response = await client.post(f"/groups/{GROUP}/timetable", data=form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/groups/{GROUP}/timetable?year_id={YEAR}&semester=1&saved=1"
    sent = fakes.journal.last("SetGroupTimetable").request
    assert (sent.group_id, sent.year_id, sent.semester) == (GROUP, YEAR, 1)
    assert list(sent.entries) == [
        pb.TimetableEntry(
            weekday=1, pair_number=1, parity=pb.WEEK_PARITY_EVERY, discipline_id=MATH, teacher_id=PETROV, room="301"
        ),
        pb.TimetableEntry(
            weekday=3, pair_number=2, parity=pb.WEEK_PARITY_ODD, discipline_id=INFO, subgroup_id=SUB,
            teacher_id=SIDOROVA, room="Лаб-2",
        ),
    ]  # fmt: skip


async def test_a_clash_is_shown_next_to_the_row_it_names_with_the_rows_kept(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    fakes.journal.fail(
        "SetGroupTimetable",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Занятие №3: у группы в это время уже есть другое занятие",
        "timetable_group_clash",
    )
    response = await client.post(
        f"/groups/{GROUP}/timetable", data=dict(TIMETABLE_FORM, csrf_token=token_of(client))
    )
    assert response.status_code == 409
    page = response.text
    # Row 4 of the form was the third filled one: it comes back as row 3, marked, the message under it.
    refused = page[page.index('class="refused"') :]
    assert (
        refused.index('name="weekday_3"') < refused.index("row-problem") < refused.index('name="weekday_4"')
    )
    assert 'name="weekday_3" aria-label="Занятие 3, день" aria-invalid="true"' in page
    assert 'name="pair_3" aria-label="Занятие 3, пара" aria-invalid="true"' in page
    assert 'name="weekday_1" aria-label="Занятие 1, день" aria-invalid' not in page
    assert page.count("Занятие №3: у группы в это время уже есть другое занятие") == 2
    assert 'name="room_2" value="Лаб-2"' in page


async def test_a_teacher_clash_marks_the_teacher_of_its_row(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    fakes.journal.fail(
        "SetGroupTimetable",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Занятие №2: у преподавателя в это время уже есть занятие",
        "timetable_teacher_clash",
    )
    page = (
        await client.post(
            f"/groups/{GROUP}/timetable", data=dict(TIMETABLE_FORM, csrf_token=token_of(client))
        )
    ).text
    assert 'name="teacher_2" aria-label="Занятие 2, преподаватель" aria-invalid="true"' in page


@pytest.mark.parametrize(
    ("code", "message", "field"),
    [
        ("pair_not_found", "Занятие №1: пары №9 нет в расписании звонков", "pair_1"),
        ("teacher_has_no_load", "Занятие №1: у преподавателя нет нагрузки по этой дисциплине", "teacher_1"),
    ],
)
async def test_other_refusals_mark_their_field(client, idp, fakes, code, message, field) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    fakes.journal.fail("SetGroupTimetable", grpc.StatusCode.INVALID_ARGUMENT, message, code)
    response = await client.post(
        f"/groups/{GROUP}/timetable", data=dict(TIMETABLE_FORM, csrf_token=token_of(client))
    )
    assert message in response.text
    n = field.split("_")[1]
    assert f'name="{field}" aria-label="Занятие {n}, ' in response.text
    marked = response.text.split(f'name="{field}"')[1].split(">")[0]
    assert 'aria-invalid="true"' in marked


async def test_an_incomplete_row_is_refused_before_the_journal(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    form = {
        "csrf_token": token_of(client),
        "year_id": YEAR,
        "semester": "1",
        "weekday_1": "2",
        "room_1": "12",
    }
    response = await client.post(f"/groups/{GROUP}/timetable", data=form)
    assert response.status_code == 400
    assert "Занятие №1: выберите пару, дисциплину, преподавателя" in response.text
    assert 'name="room_1" value="12"' in response.text
    assert not [c for c in fakes.journal.calls if c.method == "SetGroupTimetable"]


async def test_the_timetable_survives_the_journal_being_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    for rpc in (
        "SetGroupTimetable",
        "GetGroup",
        "ListTeachingLoads",
        "ListSubgroups",
        "ListAcademicYears",
        "GetBellSchedule",
    ):
        fakes.journal.fail(rpc, grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.post(
        f"/groups/{GROUP}/timetable", data=dict(TIMETABLE_FORM, csrf_token=token_of(client))
    )
    assert response.status_code == 503
    page = response.text
    assert "Журнал сейчас не отвечает" in page
    assert 'name="room_2" value="Лаб-2"' in page
    assert f'<option value="{SUB}" selected>' in page and f'<option value="{SIDOROVA}" selected>' in page
    assert '<option value="3" selected>Среда</option>' in page
    assert f'name="year_id" value="{YEAR}"' in page


# -- «Учебный план группы» ---------------------------------------------------------------------------

CURRICULUM_FORM = {
    "year_id": YEAR,
    "discipline_1": MATH, "semester_1": "1", "total_1": "72", "weekly_1": "4", "control_1": "exam",
    "discipline_2": INFO, "semester_2": "2", "total_2": "54", "weekly_2": "3", "control_2": "differentiated_credit",
    "discipline_3": INFO, "semester_3": "1", "total_3": "36", "weekly_3": "2", "control_3": "none",
}  # fmt: skip


async def test_the_curriculum_is_listed_with_russian_control_forms(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("curator",))
    group_with_plan(fakes)
    page = (await client.get(f"/groups/{GROUP}/curriculum", params={"year_id": OLD_YEAR})).text
    assert fakes.journal.last("GetCurriculum").request == pb.GetCurriculumRequest(
        group_id=GROUP, year_id=OLD_YEAR
    )
    assert "Учебный план на 2025/2026" in page
    assert '<td data-label="Дисциплина">ЕН.01 — Математика</td>' in page
    assert '<td data-label="Всего часов">72</td>' in page
    assert '<td data-label="Форма контроля">Экзамен</td>' in page
    assert '<td data-label="Форма контроля">Дифференцированный зачёт</td>' in page


def test_every_control_form_and_parity_has_a_russian_label() -> None:
    from gateway.resources.curriculum import CONTROL_FORMS
    from gateway.resources.timetable import PARITIES
    from gateway.web.group_plan import CONTROL_FORM_LABELS, PARITY_LABELS

    assert set(CONTROL_FORM_LABELS) == set(CONTROL_FORMS.names)
    assert set(PARITY_LABELS) == set(PARITIES.names)


async def test_the_admin_replaces_the_curriculum_whole(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    response = await client.post(
        f"/groups/{GROUP}/curriculum", data=dict(CURRICULUM_FORM, csrf_token=token_of(client), remove_2="1")
    )
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/groups/{GROUP}/curriculum?year_id={YEAR}&saved=1",
    )
    assert fakes.journal.last("SetCurriculum").request == pb.SetCurriculumRequest(
        group_id=GROUP,
        year_id=YEAR,
        rows=[
            pb.CurriculumRow(
                discipline_id=MATH,
                semester=1,
                total_hours=72,
                weekly_hours=4,
                control_form=pb.CONTROL_FORM_EXAM,
            ),
            pb.CurriculumRow(
                discipline_id=INFO,
                semester=1,
                total_hours=36,
                weekly_hours=2,
                control_form=pb.CONTROL_FORM_NONE,
            ),
        ],
    )


async def test_a_curriculum_refusal_is_shown_next_to_its_row(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    fakes.journal.fail(
        "SetCurriculum",
        grpc.StatusCode.INVALID_ARGUMENT,
        "Строка №2: часов в неделю — число от 0 до 54",
        "invalid_weekly_hours",
    )
    form = dict(CURRICULUM_FORM, csrf_token=token_of(client), weekly_2="60")
    response = await client.post(f"/groups/{GROUP}/curriculum", data=form)
    assert response.status_code == 400
    page = response.text
    assert 'name="weekly_2" value="60" aria-label="Строка 2, часов в неделю"' in page
    marked = page.split('name="weekly_2"')[1].split(">")[0]
    assert 'aria-invalid="true"' in marked
    refused = page[page.index('class="refused"') :]
    assert refused.index('name="weekly_2"') < refused.index("row-problem") < refused.index('name="weekly_3"')
    assert '<option value="differentiated_credit" selected>Дифференцированный зачёт</option>' in page


async def test_malformed_hours_are_refused_before_the_journal(client, idp, fakes) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    form = dict(CURRICULUM_FORM, csrf_token=token_of(client), total_3="много")
    response = await client.post(f"/groups/{GROUP}/curriculum", data=form)
    assert response.status_code == 400
    assert "Строка №3: всего часов — целое число" in response.text
    assert 'name="total_3" value="много"' in response.text
    assert not [c for c in fakes.journal.calls if c.method == "SetCurriculum"]


async def test_the_curriculum_survives_the_journal_being_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    for rpc in ("SetCurriculum", "GetGroup", "ListTeachingLoads", "ListSubgroups", "ListAcademicYears"):
        fakes.journal.fail(rpc, grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.post(
        f"/groups/{GROUP}/curriculum", data=dict(CURRICULUM_FORM, csrf_token=token_of(client))
    )
    assert response.status_code == 503
    page = response.text
    assert "Журнал сейчас не отвечает" in page
    assert 'name="total_2" value="54"' in page
    assert f'<option value="{INFO}" selected>' in page
    assert '<option value="exam" selected>Экзамен</option>' in page
