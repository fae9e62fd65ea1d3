"""Adult students and their parents' access through the gateway (issue 8 item 5): PUT
/people/{id}/birth-date → SetBirthDate, GET /me/parent-access → ListParentAccess, POST
…/{parent}/grant and …/withdraw, GET /me/children's access_ended_student_ids; refusals keep their codes."""

from __future__ import annotations

import uuid

import grpc
from ejournal.identity.v1 import identity_service_pb2 as pb

PARENT, STUDENT = str(uuid.uuid4()), str(uuid.uuid4())


def access(*, consent: bool, granted: str = "", withdrawn: str = "") -> pb.ParentAccess:
    return pb.ParentAccess(
        parent_id=PARENT,
        consent=consent,
        granted_at=granted,
        withdrawn_at=withdrawn,
        access=consent,
        last_name="Родителева",
        first_name="Анна",
    )


async def test_the_admin_records_a_birth_date(client, bearer, fakes) -> None:
    fakes.identity.reply(
        "SetBirthDate", pb.SetBirthDateResponse(person_id=STUDENT, birth_date="2008-12-01", changed=True)
    )
    done = await client.put(
        f"/api/v1/people/{STUDENT}/birth-date", json={"birth_date": "2008-12-01"}, headers=bearer(("admin",))
    )
    assert done.status_code == 200
    assert done.json() == {"person_id": STUDENT, "birth_date": "2008-12-01", "changed": True}
    assert fakes.identity.last("SetBirthDate").request.birth_date == "2008-12-01"
    cleared = await client.put(
        f"/api/v1/people/{STUDENT}/birth-date", json={"birth_date": None}, headers=bearer(("admin",))
    )
    assert cleared.status_code == 200
    assert fakes.identity.last("SetBirthDate").request.birth_date == ""
    bad = await client.put(
        f"/api/v1/people/{STUDENT}/birth-date", json={"birth_date": "01.12.2008"}, headers=bearer(("admin",))
    )
    assert bad.status_code in (400, 422) and "error" in bad.json()


async def test_the_student_lists_grants_and_withdraws(client, bearer, fakes) -> None:
    fakes.identity.reply(
        "ListParentAccess", pb.ListParentAccessResponse(adult=True, parents=[access(consent=False)])
    )
    fakes.identity.reply(
        "GrantParentAccess",
        pb.GrantParentAccessResponse(
            parent=access(consent=True, granted="2026-12-01T09:00:00+00:00"), changed=True
        ),
    )
    fakes.identity.reply(
        "WithdrawParentAccess",
        pb.WithdrawParentAccessResponse(
            parent=access(
                consent=False, granted="2026-12-01T09:00:00+00:00", withdrawn="2026-12-02T09:00:00+00:00"
            ),
            changed=True,
        ),
    )
    student = bearer(("student",))
    listed = await client.get("/api/v1/me/parent-access", headers=student)
    assert listed.status_code == 200
    assert listed.json()["adult"] is True
    assert [
        (p["parent_id"], p["last_name"], p["consent"], p["access"]) for p in listed.json()["parents"]
    ] == [(PARENT, "Родителева", False, False)]
    granted = await client.post(f"/api/v1/me/parent-access/{PARENT}/grant", headers=student)
    assert (granted.json()["consent"], granted.json()["changed"], granted.json()["granted_at"]) == (
        True,
        True,
        "2026-12-01T09:00:00Z",
    )
    assert fakes.identity.last("GrantParentAccess").request.parent_id == PARENT
    withdrawn = await client.post(f"/api/v1/me/parent-access/{PARENT}/withdraw", headers=student)
    assert (withdrawn.json()["consent"], withdrawn.json()["withdrawn_at"]) == (False, "2026-12-02T09:00:00Z")


async def test_refusals_keep_their_codes(client, bearer, fakes) -> None:
    fakes.identity.fail(
        "GrantParentAccess",
        grpc.StatusCode.NOT_FOUND,
        "Этот родитель (законный представитель) к вам не привязан",
        "parent_not_linked",
    )
    refused = await client.post(f"/api/v1/me/parent-access/{PARENT}/grant", headers=bearer(("student",)))
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "parent_not_linked")
    fakes.identity.fail(
        "SetBirthDate", grpc.StatusCode.PERMISSION_DENIED, "Недостаточно прав", "role_required"
    )
    denied = await client.put(
        f"/api/v1/people/{STUDENT}/birth-date",
        json={"birth_date": "2008-12-01"},
        headers=bearer(("teacher",)),
    )
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "role_required")
    bad = await client.post("/api/v1/me/parent-access/nobody/withdraw", headers=bearer(("student",)))
    assert bad.status_code == 400


async def test_a_parent_learns_which_childrens_access_ended(client, bearer, fakes) -> None:
    fakes.identity.reply("ListChildren", pb.ListChildrenResponse(access_ended_student_ids=[STUDENT]))
    children = await client.get("/api/v1/me/children", headers=bearer(("parent",), subject=PARENT))
    assert children.json() == {"children": [], "access_ended_student_ids": [STUDENT]}
