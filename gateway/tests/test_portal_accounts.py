"""Portal «Учётные записи» with fake services (slice H1): the class teacher sees the group's students
and parents with logins and states, ticks people and downloads the slips PDF, resets one, adds a
parent; a refusal stands in place; a form without the CSRF token is refused."""

from __future__ import annotations

import uuid

import grpc
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb

from .test_accounts_api import GROUP, PARENT, STUDENT, account, credential, group
from .test_accounts_slips import page_count
from .test_portal_absences import log_in, token_of


def accounts() -> pb.ListGroupAccountsResponse:
    return pb.ListGroupAccountsResponse(
        students=[
            pb.StudentAccounts(
                student=account(STUDENT, ipb.ROLE_STUDENT, "Ученикова", "2026-11-30T10:00:00+00:00"),
                parents=[account(PARENT, ipb.ROLE_PARENT, "Родителева")],
            )
        ]
    )


async def test_the_class_teacher_issues_and_resets_from_the_page(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("class_teacher",), subject=str(uuid.uuid4()))
    group(fakes)
    fakes.identity.reply("ListGroupAccounts", accounts())
    page = await client.get(f"/groups/{GROUP}/accounts")
    assert page.status_code == 200
    text = page.text
    assert "Учётные записи группы ИС-21" in text and "Ученикова Анна" in text and "Родителева Анна" in text
    assert "Выдать пароли и распечатать" in text and "Сбросить пароль" in text and "не выдавался" in text

    fakes.identity.reply(
        "IssueCredentials",
        pb.IssueCredentialsResponse(
            credentials=[credential(STUDENT, ipb.ROLE_STUDENT), credential(PARENT, ipb.ROLE_PARENT)]
        ),
    )
    pdf = await client.post(
        f"/groups/{GROUP}/accounts/credentials",
        data={"csrf_token": token_of(client), "person_ids": [STUDENT, PARENT]},
    )
    assert (pdf.status_code, pdf.headers["content-type"], page_count(pdf.content)) == (
        200,
        "application/pdf",
        2,
    )
    assert list(fakes.identity.last("IssueCredentials").request.person_ids) == [STUDENT, PARENT]

    nothing = await client.post(
        f"/groups/{GROUP}/accounts/credentials", data={"csrf_token": token_of(client)}
    )
    assert nothing.status_code == 400 and "Отметьте хотя бы одного" in nothing.text
    forged = await client.post(f"/groups/{GROUP}/accounts/credentials", data={"person_ids": [STUDENT]})
    assert forged.status_code == 403


async def test_adding_a_parent_and_a_refusal_in_place(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("class_teacher",), subject=str(uuid.uuid4()))
    group(fakes)
    fakes.identity.reply("ListGroupAccounts", accounts())
    fakes.identity.reply(
        "IssueParentAccount", pb.IssueParentAccountResponse(credential=credential(PARENT, ipb.ROLE_PARENT))
    )
    form = {
        "csrf_token": token_of(client),
        "student_id": STUDENT,
        "last_name": "Родителев",
        "first_name": "Олег",
    }
    pdf = await client.post(f"/groups/{GROUP}/accounts/parents", data=form)
    assert (pdf.status_code, page_count(pdf.content)) == (200, 1)
    fakes.identity.fail(
        "IssueParentAccount",
        grpc.StatusCode.ALREADY_EXISTS,
        "У этого обучающегося уже есть родитель с такими фамилией, именем и отчеством",
        "parent_already_linked",
    )
    twice = await client.post(f"/groups/{GROUP}/accounts/parents", data=form)
    assert twice.status_code == 409
    assert "уже есть родитель" in twice.text and 'value="Родителев"' in twice.text
