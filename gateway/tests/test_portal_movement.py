"""Portal «Движение контингента»: the group's movements named (students, groups, kinds in Russian),
the admin's forms — a student picked by name, the kind, date, order and group sent to MoveStudent, a
refusal shown next to the form with every value kept — and the whole group graduated; readers get no
forms, others the portal's 403."""

from __future__ import annotations

import uuid

import grpc
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_pb2, identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from gateway.web.movement import KIND_LABELS

from .test_portal_group_plan import log_in, token_of

GROUP, OTHER = str(uuid.uuid4()), str(uuid.uuid4())
STUDENT, FOUND = str(uuid.uuid4()), str(uuid.uuid4())


def person(person_id: str, last: str) -> identity_service_pb2.PersonName:
    return identity_service_pb2.PersonName(
        person_id=person_id, role=identity_pb2.ROLE_STUDENT, last_name=last, first_name="Анна"
    )


def college(fakes) -> None:
    fakes.journal.reply(
        "GetGroup",
        journal_service_pb2.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-21")),
    )
    fakes.journal.reply(
        "ListGroups",
        journal_service_pb2.ListGroupsResponse(
            groups=[
                journal_pb2.Group(group_id=GROUP, name="ИС-21"),
                journal_pb2.Group(group_id=OTHER, name="ИС-22"),
            ]
        ),
    )
    fakes.journal.reply(
        "ListGroupMovements",
        journal_service_pb2.ListGroupMovementsResponse(
            movements=[
                journal_pb2.StudentMovement(
                    movement_id="m-1",
                    student_id=STUDENT,
                    kind=journal_pb2.MOVEMENT_KIND_TRANSFER,
                    from_group_id=GROUP,
                    to_group_id=OTHER,
                    on_date=common_pb2.LocalDate(year=2026, month=11, day=16),
                    order_number="№ 12-к",
                )
            ]
        ),
    )
    fakes.journal.reply(
        "ListGroupStudents", journal_service_pb2.ListGroupStudentsResponse(student_ids=[STUDENT])
    )
    fakes.identity.reply(
        "GetPeople", identity_service_pb2.GetPeopleResponse(people=[person(STUDENT, "Переводова")])
    )


def test_every_movement_kind_has_a_russian_label() -> None:
    assert set(KIND_LABELS) == {
        name.removeprefix("MOVEMENT_KIND_").lower()
        for name, value in journal_pb2.MovementKind.items()
        if value != journal_pb2.MOVEMENT_KIND_UNSPECIFIED
    }


async def test_the_groups_movements_are_listed_by_name_and_printable(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("deputy",))
    college(fakes)

    page = (await client.get(f"/groups/{GROUP}/movements")).text

    assert "Движение контингента: группа ИС-21" in page
    assert "16.11.2026" in page and "Переводова Анна" in page and "Перевод в другую группу" in page
    assert ">ИС-22<" in page and "№ 12-к" in page
    assert "Ctrl+P" in page and 'class="cards movements"' in page
    assert "Записать движение" not in page  # the forms are the admin's


async def test_the_admin_finds_a_student_and_records_a_transfer(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    fakes.identity.reply(
        "SearchPeople", identity_service_pb2.SearchPeopleResponse(people=[person(FOUND, "Новикова")])
    )

    page = (await client.get(f"/groups/{GROUP}/movements", params={"student_query": "Нов"})).text

    assert fakes.identity.last("SearchPeople").request.role == identity_pb2.ROLE_STUDENT
    assert f'<option value="{FOUND}">Новикова Анна</option>' in page
    assert f'<option value="{STUDENT}">Переводова Анна</option>' in page
    fakes.journal.reply("MoveStudent", journal_service_pb2.MoveStudentResponse())
    form = {
        "csrf_token": token_of(client),
        "student_id": STUDENT,
        "kind": "transfer",
        "on_date": "2026-11-16",
        "order_number": "№ 12-к",
        "to_group_id": OTHER,
    }

    saved = await client.post(f"/groups/{GROUP}/movements", data=form)

    assert (saved.status_code, saved.headers["location"]) == (
        303,
        f"/groups/{GROUP}/movements?saved=movement",
    )
    sent = fakes.journal.last("MoveStudent").request
    assert (sent.student_id, sent.kind, sent.from_group_id, sent.to_group_id, sent.order_number) == (
        STUDENT,
        journal_pb2.MOVEMENT_KIND_TRANSFER,
        GROUP,
        OTHER,
        "№ 12-к",
    )
    assert (sent.on_date.year, sent.on_date.month, sent.on_date.day) == (2026, 11, 16)


async def test_a_refused_movement_comes_back_with_the_journals_reason_and_the_values(
    client, idp, fakes
) -> None:
    await log_in(client, idp)
    college(fakes)
    fakes.journal.fail(
        "MoveStudent",
        grpc.StatusCode.FAILED_PRECONDITION,
        "У обучающегося уже есть движение на эту дату; в один день вносится одно движение",
        "movement_same_day",
    )
    form = {
        "csrf_token": token_of(client),
        "student_id": STUDENT,
        "kind": "expulsion",
        "on_date": "16.11.2026",
        "order_number": "№ 13-к",
        "to_group_id": "",
    }

    page = await client.post(f"/groups/{GROUP}/movements", data=form)

    assert page.status_code == 409
    assert "в один день вносится одно движение" in page.text
    assert 'id="on_date" name="on_date" type="date" value="16.11.2026" aria-invalid="true"' in page.text
    assert 'value="№ 13-к"' in page.text and '<option value="expulsion" selected>' in page.text
    assert fakes.journal.last("MoveStudent").request.from_group_id == GROUP
    # Missing fields are named before the journal is asked.
    calls = len(fakes.journal.calls)
    empty = await client.post(f"/groups/{GROUP}/movements", data={"csrf_token": token_of(client)})
    assert empty.status_code == 400
    assert "Выберите обучающегося; выберите вид движения" in empty.text
    assert not [c for c in fakes.journal.calls[calls:] if c.method == "MoveStudent"]


async def test_the_admin_graduates_the_group(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    fakes.journal.reply("GraduateGroup", journal_service_pb2.GraduateGroupResponse())
    form = {"csrf_token": token_of(client), "on_date": "2027-07-01", "order_number": "№ 300-в"}

    done = await client.post(f"/groups/{GROUP}/graduation", data=form)

    assert done.headers["location"] == f"/groups/{GROUP}/movements?saved=graduation"
    sent = fakes.journal.last("GraduateGroup").request
    assert (sent.group_id, sent.order_number, sent.on_date.year) == (GROUP, "№ 300-в", 2027)
    fakes.journal.fail("GraduateGroup", grpc.StatusCode.UNAVAILABLE, "down", "unavailable")
    down = await client.post(f"/groups/{GROUP}/graduation", data=form)
    assert down.status_code == 503 and 'value="№ 300-в"' in down.text


async def test_only_the_administration_opens_the_page_and_only_the_admin_writes(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("teacher",))
    assert (await client.get(f"/groups/{GROUP}/movements")).status_code == 403
    await log_in(client, idp, roles=("director",))
    college(fakes)
    refused = await client.post(
        f"/groups/{GROUP}/graduation", data={"csrf_token": token_of(client), "on_date": "2027-07-01"}
    )
    assert refused.status_code == 403
    assert not [c for c in fakes.journal.calls if c.method == "GraduateGroup"]
