"""Portal «Нагрузка группы» and «Учебный план группы» (issue 6 item 9): «Снять» per load for the admin
(RemoveTeachingLoad; a refusal shown next to that load, the other loads kept), none for the readers;
every discipline of the college offered in the forms (FindDisciplines), so a brand-new group gets its
first load by hand."""

from __future__ import annotations

import uuid

import grpc
import pytest
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

from .test_portal_group_plan import GROUP, MATH, PETROV, READ_ONLY, group_with_plan, log_in, token_of

pb = journal_service_pb2
LOAD = str(uuid.uuid4())
PHYSICS = str(uuid.uuid4())


def one_load(fakes) -> None:
    group_with_plan(fakes)
    fakes.journal.reply(
        "ListTeachingLoads",
        pb.ListTeachingLoadsResponse(
            loads=[
                journal_pb2.TeachingLoad(load_id=LOAD, teacher_id=PETROV, group_id=GROUP, discipline_id=MATH)
            ]
        ),
    )


async def test_the_admin_gets_a_remove_button_per_load(client, idp, fakes) -> None:
    await log_in(client, idp)
    one_load(fakes)
    page = (await client.get(f"/groups/{GROUP}/loads")).text
    assert f'action="/groups/{GROUP}/loads/{LOAD}/remove"' in page
    assert ">Снять</button>" in page


@pytest.mark.parametrize("role", READ_ONLY)
async def test_the_readers_get_no_remove_button(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    one_load(fakes)
    page = (await client.get(f"/groups/{GROUP}/loads")).text
    assert "/remove" not in page and ">Снять<" not in page
    assert not [c for c in fakes.journal.calls if c.method == "FindDisciplines"]


async def test_the_admin_removes_a_load(client, idp, fakes) -> None:
    await log_in(client, idp)
    one_load(fakes)
    response = await client.post(
        f"/groups/{GROUP}/loads/{LOAD}/remove", data={"csrf_token": token_of(client)}
    )
    assert (response.status_code, response.headers["location"]) == (303, f"/groups/{GROUP}/loads?removed=1")
    assert fakes.journal.last("RemoveTeachingLoad").request == pb.RemoveTeachingLoadRequest(load_id=LOAD)
    assert "Нагрузка снята" in (await client.get(f"/groups/{GROUP}/loads?removed=1")).text


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("load_has_lessons", "По этой нагрузке уже записаны занятия или оценки преподавателя"),
        (
            "load_in_timetable",
            "Нагрузка стоит в расписании группы: сначала уберите эти занятия из расписания",
        ),
    ],
)
async def test_a_refused_removal_is_shown_next_to_its_load(client, idp, fakes, code, message) -> None:
    await log_in(client, idp)
    one_load(fakes)
    fakes.journal.fail("RemoveTeachingLoad", grpc.StatusCode.FAILED_PRECONDITION, message, code)
    response = await client.post(
        f"/groups/{GROUP}/loads/{LOAD}/remove", data={"csrf_token": token_of(client)}
    )
    assert response.status_code == 409
    page = response.text
    form = page.index(f'action="/groups/{GROUP}/loads/{LOAD}/remove"')
    assert 'aria-describedby="removal-problem"' in page[form : form + 200]
    assert page.index(f'id="removal-problem" role="alert">{message}') > form
    assert '<td data-label="Дисциплина">ЕН.01 — Математика</td>' in page


async def test_a_removal_survives_the_journal_being_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    for rpc in ("RemoveTeachingLoad", "GetGroup", "ListTeachingLoads"):
        fakes.journal.fail(rpc, grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.post(
        f"/groups/{GROUP}/loads/{LOAD}/remove", data={"csrf_token": token_of(client)}
    )
    assert response.status_code == 503
    assert "Журнал сейчас не отвечает" in response.text


@pytest.mark.parametrize("role", (*READ_ONLY, "teacher", "student"))
async def test_only_the_admin_removes(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    one_load(fakes)
    response = await client.post(
        f"/groups/{GROUP}/loads/{LOAD}/remove", data={"csrf_token": token_of(client)}
    )
    assert response.status_code == 403
    assert not [c for c in fakes.journal.calls if c.method == "RemoveTeachingLoad"]


async def test_a_removal_without_the_token_is_refused(client, idp, fakes) -> None:
    await log_in(client, idp)
    response = await client.post(f"/groups/{GROUP}/loads/{LOAD}/remove", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert not [c for c in fakes.journal.calls if c.method == "RemoveTeachingLoad"]


@pytest.mark.parametrize("page", ["loads", "curriculum"])
async def test_every_discipline_of_the_college_is_offered(client, idp, fakes, page) -> None:
    await log_in(client, idp)
    group_with_plan(fakes)
    physics = journal_pb2.Discipline(discipline_id=PHYSICS, code="ОП.05", name="Физика")
    fakes.journal.reply("FindDisciplines", pb.FindDisciplinesResponse(disciplines=[physics], truncated=True))
    text = (await client.get(f"/groups/{GROUP}/{page}")).text
    assert f'<option value="{PHYSICS}">ОП.05 — Физика</option>' in text
    assert f'<option value="{MATH}">ЕН.01 — Математика</option>' in text
    assert "все дисциплины колледжа (первые" in text
    assert fakes.journal.last("FindDisciplines").request == pb.FindDisciplinesRequest(page_size=200)


async def test_a_brand_new_group_gets_its_first_load(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.reply(
        "GetGroup", pb.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-11"))
    )
    physics = journal_pb2.Discipline(discipline_id=PHYSICS, code="ОП.05", name="Физика")
    fakes.journal.reply("FindDisciplines", pb.FindDisciplinesResponse(disciplines=[physics]))
    text = (await client.get(f"/groups/{GROUP}/loads")).text
    assert "У группы пока нет нагрузки" in text
    assert f'<option value="{PHYSICS}">ОП.05 — Физика</option>' in text
    assert "(первые" not in text
