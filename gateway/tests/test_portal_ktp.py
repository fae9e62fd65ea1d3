"""Portal «КТП»: a group's plan of a discipline read and edited server-side (add, move, remove rows; one
save), refusals in place with every row kept, and the administration's «Дисциплины без КТП»."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

from .test_portal_absences import log_in, token_of

GROUP, MATHS, TOPIC_1, TOPIC_2 = (str(uuid.uuid4()) for _ in range(4))
PAGE = f"/ktp/{GROUP}/{MATHS}"


def a_plan(fakes, *topics: tuple[str, str, int]) -> None:
    fakes.journal.reply(
        "GetGroup",
        journal_service_pb2.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-21")),
    )
    fakes.journal.reply(
        "ListDisciplines",
        journal_service_pb2.ListDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=MATHS, code="ЕН.01", name="Математика")]
        ),
    )
    fakes.journal.reply(
        "GetKtp",
        journal_service_pb2.GetKtpResponse(
            ktp=journal_service_pb2.Ktp(
                ktp_id=str(uuid.uuid4()),
                group_id=GROUP,
                discipline_id=MATHS,
                topics=[
                    journal_service_pb2.KtpTopic(
                        topic_id=topic_id,
                        position=i,
                        title=title,
                        hours=hours,
                        kind=journal_pb2.LESSON_KIND_LECTURE,
                    )
                    for i, (topic_id, title, hours) in enumerate(topics, start=1)
                ],
                total_hours=sum(h for *_, h in topics),
            )
        ),
    )


def rows(*items: tuple[str, str, str, str]) -> list[tuple[str, str]]:
    form: list[tuple[str, str]] = []
    for topic_id, title, hours, kind in items:
        form += [("topic_id", topic_id), ("title", title), ("hours", hours), ("kind", kind)]
    return form


async def post(client, items: list[tuple[str, str]]):
    """Post a form whose fields repeat (httpx's data= takes a mapping)."""
    body = urlencode([("csrf_token", token_of(client)), *items])
    return await client.post(
        PAGE, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


TWO = rows((TOPIC_1, "Пределы", "2", "lecture"), (TOPIC_2, "Производная", "4", "practical"))


async def test_the_teacher_reads_the_plan_as_a_form(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    a_plan(fakes, (TOPIC_1, "Пределы", 2), (TOPIC_2, "Производная", 4))
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert "КТП: ЕН.01 Математика" in page.text and "всего часов по плану: 6" in page.text
    assert page.text.index('value="Пределы"') < page.text.index('value="Производная"')
    assert "Сохранить КТП" in page.text and f'href="/journal/{GROUP}/{MATHS}"' in page.text
    assert fakes.journal.last("GetKtp").request.group_id == GROUP


async def test_the_administrations_reader_sees_it_read_only(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("deputy",))
    a_plan(fakes, (TOPIC_1, "Пределы", 2))
    page = (await client.get(PAGE)).text
    assert "Пределы" in page and "Сохранить КТП" not in page and "Лекция" in page


@pytest.mark.parametrize(
    ("op", "titles"),
    [
        ("add", ["Пределы", "Производная", ""]),
        ("up:1", ["Производная", "Пределы"]),
        ("down:0", ["Производная", "Пределы"]),
        ("remove:0", ["Производная"]),
        ("up:0", ["Пределы", "Производная"]),
        ("remove:9", ["Пределы", "Производная"]),
    ],
)
async def test_rows_are_added_moved_and_removed_without_saving(client, idp, fakes, op, titles) -> None:
    await log_in(client, idp, roles=("teacher",))
    a_plan(fakes)
    response = await post(client, [*TWO, ("op", op)])
    assert response.status_code == 200
    shown = [
        line.split('value="')[1].split('"')[0]
        for line in response.text.splitlines()
        if 'name="title"' in line
    ]
    assert shown == titles
    assert [c for c in fakes.journal.calls if c.method == "SetKtp"] == []


async def test_one_save_sends_every_row_in_order(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    fakes.journal.reply("SetKtp", journal_service_pb2.SetKtpResponse())
    response = await post(client, [*TWO, ("op", "save")])
    assert (response.status_code, response.headers["location"]) == (303, f"{PAGE}?saved=1")
    sent = fakes.journal.last("SetKtp").request
    assert (sent.group_id, sent.discipline_id, sent.subgroup_id) == (GROUP, MATHS, "")
    assert [(t.topic_id, t.title, t.hours, t.kind) for t in sent.topics] == [
        (TOPIC_1, "Пределы", 2, journal_pb2.LESSON_KIND_LECTURE),
        (TOPIC_2, "Производная", 4, journal_pb2.LESSON_KIND_PRACTICAL),
    ]
    a_plan(fakes, (TOPIC_1, "Пределы", 2))
    assert "КТП сохранён." in (await client.get(response.headers["location"])).text


async def test_a_refused_save_keeps_every_row_and_says_why(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    a_plan(fakes)
    message = "Тема «Пределы» уже пройдена на занятии: её нельзя убрать из КТП"
    fakes.journal.fail("SetKtp", grpc.StatusCode.FAILED_PRECONDITION, message, "ktp_topic_in_use")
    response = await post(client, [*TWO[4:], ("op", "save")])
    assert response.status_code == 409 and message in response.text
    assert 'value="Производная"' in response.text and 'value="Пределы"' not in response.text


@pytest.mark.parametrize("hours", ["", "два", "-1"])
async def test_hours_not_a_number_are_refused_before_the_journal(client, idp, fakes, hours) -> None:
    await log_in(client, idp, roles=("teacher",))
    a_plan(fakes)
    form = rows((TOPIC_1, "Пределы", hours, "lecture"))
    response = await post(client, [*form, ("op", "save")])
    assert response.status_code == 400 and "Строка 1: часы" in response.text
    assert 'aria-invalid="true"' in response.text
    assert [c for c in fakes.journal.calls if c.method == "SetKtp"] == []


@pytest.mark.parametrize("role", ["student", "parent"])
async def test_students_and_parents_get_the_russian_403(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    assert (await client.get(PAGE)).status_code == 403
    assert (await client.get("/ktp-missing")).status_code == 403
    assert fakes.journal.calls == []


async def test_the_administration_lists_the_disciplines_without_a_ktp(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    year_id, teacher = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "ListAcademicYears",
        journal_service_pb2.ListAcademicYearsResponse(
            years=[journal_pb2.AcademicYear(year_id=year_id, name="2026/2027")]
        ),
    )
    fakes.journal.reply(
        "ListDisciplinesWithoutKtp",
        journal_service_pb2.ListDisciplinesWithoutKtpResponse(
            loads=[
                journal_service_pb2.LoadWithoutKtp(group_id=GROUP, discipline_id=MATHS, teacher_id=teacher)
            ],
            deadline=common_pb2.LocalDate(year=2026, month=9, day=10),
            past_deadline=True,
            as_of=common_pb2.LocalDate(year=2026, month=11, day=30),
        ),
    )
    a_plan(fakes)
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                identity_service_pb2.PersonName(
                    person_id=teacher, last_name="Петрова", first_name="Ольга", middle_name="Ивановна"
                )
            ]
        ),
    )
    page = await client.get("/ktp-missing")
    assert page.status_code == 200
    assert "ИС-21" in page.text and "ЕН.01 Математика" in page.text and "Петрова" in page.text
    assert "срок прошёл" in page.text and f'href="{PAGE}"' in page.text
    assert fakes.journal.last("ListDisciplinesWithoutKtp").request.year_id == year_id


async def test_a_teacher_may_not_open_the_administrations_list(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    assert (await client.get("/ktp-missing")).status_code == 403
