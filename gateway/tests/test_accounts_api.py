"""A group's accounts through the gateway with fake services (slice H1): GET
/groups/{id}/accounts → ListGroupAccounts; POST …/accounts/credentials → IssueCredentials, answered
with the slips PDF (one page per person, not cached); POST /students/{id}/parents → IssueParentAccount;
the journal's refusal of the group stops the issue before identity is asked; refusals keep their codes."""

from __future__ import annotations

import uuid

import grpc
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as jspb

from .test_accounts_slips import page_count

GROUP, STUDENT, PARENT = (str(uuid.uuid4()) for _ in range(3))


def account(pid: str, role: ipb.Role.ValueType, last: str, issued: str = "") -> pb.GroupAccount:
    return pb.GroupAccount(
        person_id=pid, last_name=last, first_name="Анна", username=f"{pid[:4]}", role=role, enabled=True,
        credentials_issued_at=issued,
    )  # fmt: skip


def credential(pid: str, role: ipb.Role.ValueType) -> pb.IssuedCredential:
    return pb.IssuedCredential(
        person_id=pid, last_name="Ученикова", first_name="Анна", username="uchenikova.a",
        password="aB3dE5fG7hJ8kM", role=role, temporary=role != ipb.ROLE_STUDENT,
        issued_at="2026-11-30T10:00:00+00:00",
    )  # fmt: skip


def group(fakes) -> None:
    fakes.journal.reply("GetGroup", jspb.GetGroupResponse(group=jpb.Group(group_id=GROUP, name="ИС-21")))


async def test_the_class_teacher_lists_the_group_accounts(client, bearer, fakes) -> None:
    fakes.identity.reply(
        "ListGroupAccounts",
        pb.ListGroupAccountsResponse(
            students=[
                pb.StudentAccounts(
                    student=account(STUDENT, ipb.ROLE_STUDENT, "Ученикова", "2026-11-30T10:00:00+00:00"),
                    parents=[account(PARENT, ipb.ROLE_PARENT, "Родителева")],
                )
            ]
        ),
    )
    listed = await client.get(f"/api/v1/groups/{GROUP}/accounts", headers=bearer(("class_teacher",)))
    assert listed.status_code == 200
    [row] = listed.json()["students"]
    assert (row["student"]["role"], row["student"]["credentials_issued_at"]) == (
        "student",
        "2026-11-30T10:00:00Z",
    )
    assert [(p["person_id"], p["role"], p["credentials_issued_at"]) for p in row["parents"]] == [
        (PARENT, "parent", None)
    ]
    assert fakes.identity.last("ListGroupAccounts").request.group_id == GROUP


async def test_issued_passwords_come_back_as_slips(client, bearer, fakes) -> None:
    group(fakes)
    fakes.identity.reply(
        "IssueCredentials",
        pb.IssueCredentialsResponse(
            credentials=[credential(STUDENT, ipb.ROLE_STUDENT), credential(PARENT, ipb.ROLE_PARENT)]
        ),
    )
    done = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/credentials",
        json={"person_ids": [STUDENT, PARENT]},
        headers=bearer(("class_teacher",)),
    )
    assert done.status_code == 200
    assert done.headers["content-type"] == "application/pdf"
    assert done.headers["cache-control"] == "no-store"
    assert page_count(done.content) == 2
    assert list(fakes.identity.last("IssueCredentials").request.person_ids) == [STUDENT, PARENT]


async def test_refusals_keep_their_codes_and_a_foreign_group_changes_nothing(client, bearer, fakes) -> None:
    fakes.journal.fail("GetGroup", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    foreign = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/credentials",
        json={"person_ids": [STUDENT]},
        headers=bearer(("class_teacher",)),
    )
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, "group_not_found")
    assert not [c for c in fakes.identity.calls if c.method == "IssueCredentials"]
    del fakes.journal.errors["GetGroup"]
    group(fakes)
    fakes.identity.fail(
        "IssueCredentials",
        grpc.StatusCode.PERMISSION_DENIED,
        "Классный руководитель выдаёт пароли только обучающимся своей группы и их родителям",
        "person_not_in_your_group",
    )
    refused = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/credentials",
        json={"person_ids": [STUDENT]},
        headers=bearer(("class_teacher",)),
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "person_not_in_your_group")
    assert "своей группы" in refused.json()["error"]["message"]
    bad = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/credentials",
        json={"person_ids": ["x"]},
        headers=bearer(("class_teacher",)),
    )
    assert bad.status_code in (400, 422) and "error" in bad.json()


async def test_a_parent_is_added_and_their_slip_returned(client, bearer, fakes) -> None:
    fakes.identity.reply(
        "IssueParentAccount", pb.IssueParentAccountResponse(credential=credential(PARENT, ipb.ROLE_PARENT))
    )
    done = await client.post(
        f"/api/v1/students/{STUDENT}/parents",
        json={"last_name": "Родителева", "first_name": "Анна", "middle_name": "Петровна"},
        headers=bearer(("class_teacher",)),
    )
    assert (done.status_code, done.headers["content-type"], page_count(done.content)) == (
        200,
        "application/pdf",
        1,
    )
    sent = fakes.identity.last("IssueParentAccount").request
    assert (sent.student_id, sent.last_name, sent.middle_name) == (STUDENT, "Родителева", "Петровна")
    fakes.identity.fail(
        "IssueParentAccount",
        grpc.StatusCode.ALREADY_EXISTS,
        "У этого обучающегося уже есть родитель с такими фамилией, именем и отчеством",
        "parent_already_linked",
    )
    twice = await client.post(
        f"/api/v1/students/{STUDENT}/parents",
        json={"last_name": "Родителева", "first_name": "Анна"},
        headers=bearer(("class_teacher",)),
    )
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "parent_already_linked")


def goes_to_login(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code in (302, 303, 307) and "/login" in response.headers["location"]


async def test_a_new_password_ends_the_persons_portal_sessions_at_once(client, bearer, fakes, idp) -> None:
    """Identity ends the Keycloak sessions; the portal's own session of the student ends with them, so
    the student's next page asks for the new password (not only at the portal's next token refresh).
    A portal session of someone else stays."""
    from .test_portal import log_in

    await log_in(client, idp, roles=("student",), subject=STUDENT)
    assert not goes_to_login(await client.get("/diary"))
    student_cookie = client.cookies.get("ejournal_session")
    client.cookies.clear()
    await log_in(client, idp, roles=("student",), subject=str(uuid.uuid4()))
    other_cookie = client.cookies.get("ejournal_session")
    client.cookies.clear()
    group(fakes)
    fakes.identity.reply(
        "IssueCredentials", pb.IssueCredentialsResponse(credentials=[credential(STUDENT, ipb.ROLE_STUDENT)])
    )
    done = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/credentials",
        json={"person_ids": [STUDENT]},
        headers=bearer(("class_teacher",)),
    )
    assert done.status_code == 200
    client.cookies.set("ejournal_session", student_cookie)
    assert goes_to_login(await client.get("/diary"))
    client.cookies.set("ejournal_session", other_cookie)
    assert not goes_to_login(await client.get("/diary"))


async def test_disabling_an_account_ends_its_portal_sessions(client, bearer, fakes, idp) -> None:
    from .test_portal import log_in

    await log_in(client, idp, roles=("student",), subject=STUDENT)
    cookie = client.cookies.get("ejournal_session")
    assert not goes_to_login(await client.get("/diary"))
    client.cookies.clear()
    fakes.identity.reply(
        "DisableAccount",
        pb.DisableAccountResponse(account=pb.AccountState(person_id=STUDENT, enabled=False), changed=True),
    )
    done = await client.post(f"/api/v1/people/{STUDENT}/account/disable", headers=bearer(("admin",)))
    assert done.status_code == 200
    client.cookies.set("ejournal_session", cookie)
    assert goes_to_login(await client.get("/diary"))
