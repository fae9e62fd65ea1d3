"""Portal «Доступ родителей» (issue 8 item 5, 152-ФЗ) with fake services: the student's parents by
name with their consent, «Разрешить» / «Отозвать» sent to identity, a refusal shown in place; the
parent's home page says an adult child's data is no longer shown instead of listing their diary."""

from __future__ import annotations

import uuid

import grpc
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as pb

from .test_portal_absences import log_in, token_of

PARENT, STUDENT, OTHER = (str(uuid.uuid4()) for _ in range(3))


def parents(*, consent: bool) -> pb.ListParentAccessResponse:
    return pb.ListParentAccessResponse(
        adult=True,
        parents=[
            pb.ParentAccess(
                parent_id=PARENT,
                consent=consent,
                access=consent,
                granted_at="2026-12-01T09:00:00+00:00" if consent else "",
                last_name="Родителева",
                first_name="Анна",
                middle_name="Петровна",
            )
        ],
    )


async def test_the_student_reads_and_grants_parent_access(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("student",), subject=STUDENT)
    fakes.identity.reply("ListParentAccess", parents(consent=False))
    page = await client.get("/parent-access")
    assert page.status_code == 200
    text = page.text
    assert "Родителева Анна Петровна" in text and "152-ФЗ" in text and "исполнилось 18 лет" in text
    assert 'value="grant"' in text and "Разрешить" in text and "не давалось" in text

    fakes.identity.reply("GrantParentAccess", pb.GrantParentAccessResponse(changed=True))
    done = await client.post(
        "/parent-access", data={"csrf_token": token_of(client), "parent_id": PARENT, "action": "grant"}
    )
    assert (done.status_code, done.headers["location"]) == (303, "/parent-access?saved=grant")
    assert fakes.identity.last("GrantParentAccess").request.parent_id == PARENT

    fakes.identity.reply("ListParentAccess", parents(consent=True))
    after = await client.get("/parent-access?saved=grant")
    assert "Доступ разрешён." in after.text and 'value="withdraw"' in after.text and "Отозвать" in after.text
    assert "01.12.2026" in after.text


async def test_a_refusal_is_shown_in_place_and_a_form_without_csrf_is_refused(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("student",), subject=STUDENT)
    fakes.identity.reply("ListParentAccess", parents(consent=True))
    fakes.identity.fail(
        "WithdrawParentAccess",
        grpc.StatusCode.NOT_FOUND,
        "Этот родитель (законный представитель) к вам не привязан",
        "parent_not_linked",
    )
    refused = await client.post(
        "/parent-access", data={"csrf_token": token_of(client), "parent_id": OTHER, "action": "withdraw"}
    )
    assert refused.status_code == 404
    assert "к вам не привязан" in refused.text
    odd = await client.post("/parent-access", data={"csrf_token": token_of(client), "action": "delete"})
    assert odd.status_code == 400 and "Разрешить" in odd.text
    forged = await client.post("/parent-access", data={"parent_id": PARENT, "action": "withdraw"})
    assert forged.status_code == 403


async def test_the_parent_sees_that_access_ended(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("parent",), subject=PARENT)
    fakes.identity.reply(
        "ListChildren",
        pb.ListChildrenResponse(
            children=[
                identity_pb2.Person(
                    person_id=OTHER, last_name="Младшая", first_name="Вера", role=identity_pb2.ROLE_STUDENT
                )
            ],
            access_ended_student_ids=[STUDENT],
        ),
    )
    home = await client.get("/")
    assert "Младшая Вера" in home.text
    assert "Доступ к дневнику вашего ребёнка закрыт: ему исполнилось 18 лет" in home.text
    assert f"/diary/{STUDENT}" not in home.text
    fakes.identity.reply("ListChildren", pb.ListChildrenResponse(access_ended_student_ids=[STUDENT]))
    alone = await client.get("/")
    assert "закрыт" in alone.text and "пока не привязан ни один обучающийся" not in alone.text
