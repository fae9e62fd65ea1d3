"""Staff and scoped roles through the gateway (slice H4): GET /staff → ListStaff, POST /staff → CreatePerson
with a staff role and the slip PDF, GET/POST /people/{id}/roles → ListRoleAssignments / AssignRole,
DELETE /people/{id}/roles/{assignment} → RevokeRole after checking the assignment is that person's."""

from __future__ import annotations

import uuid

import grpc
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb

PERSON, GROUP, DISCIPLINE = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def assignment(
    role: int = ipb.ROLE_HEAD_OF_COMMISSION, assignment_id: str | None = None
) -> pb.RoleAssignment:
    scope = ipb.RoleScope(kind=ipb.SCOPE_KIND_DISCIPLINE_IN_GROUP, group_id=GROUP, discipline_id=DISCIPLINE)
    return pb.RoleAssignment(
        assignment_id=assignment_id or str(uuid.uuid4()),
        person_id=PERSON,
        role=role,
        scope=scope,
        assigned_at="2026-11-30T10:00:00+00:00",
        assigned_by="admin-1",
    )


async def test_the_staff_list_maps_roles_scopes_and_account_state(client, bearer, fakes) -> None:
    name = pb.PersonName(person_id=PERSON, role=ipb.ROLE_TEACHER, last_name="Иванова", first_name="Анна")
    member = pb.StaffMember(person=name, username="ivanova.a", assignments=[assignment()], enabled=False)
    fakes.identity.reply("ListStaff", pb.ListStaffResponse(staff=[member]))
    reply = await client.get("/api/v1/staff", headers=bearer(("admin",)))
    assert reply.status_code == 200
    [staff] = reply.json()["staff"]
    assert (staff["last_name"], staff["role"], staff["username"], staff["enabled"]) == (
        "Иванова",
        "teacher",
        "ivanova.a",
        False,
    )
    [role] = staff["assignments"]
    assert role["role"] == "head_of_commission"
    assert role["scope"] == {
        "kind": "discipline_in_group",
        "department_id": None,
        "group_id": GROUP,
        "discipline_id": DISCIPLINE,
    }


async def test_adding_staff_answers_the_slip_pdf_with_the_id(client, bearer, fakes) -> None:
    person = ipb.Person(
        person_id=PERSON, username="petrov.ii", role=ipb.ROLE_MASTER, last_name="Петров", first_name="Иван"
    )
    fakes.identity.reply(
        "CreatePerson", pb.CreatePersonResponse(person=person, temporary_password="Xy7kLm2pQr9sTz")
    )
    body = {"role": "master", "last_name": "Петров", "first_name": "Иван"}
    reply = await client.post("/api/v1/staff", json=body, headers=bearer(("admin",)))
    assert reply.status_code == 201
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["x-person-id"] == PERSON and reply.headers["cache-control"] == "no-store"
    assert reply.content.startswith(b"%PDF")
    assert fakes.identity.last("CreatePerson").request.role == ipb.ROLE_MASTER


async def test_students_and_parents_are_not_added_as_staff(client, bearer, fakes) -> None:
    body = {"role": "student", "last_name": "Петров", "first_name": "Иван"}
    reply = await client.post("/api/v1/staff", json=body, headers=bearer(("admin",)))
    assert (reply.status_code, reply.json()["error"]["code"]) == (400, "role_not_staff")
    assert "классный руководитель" in reply.json()["error"]["message"]
    assert fakes.total_calls() == 0


async def test_assign_and_revoke_map_the_scope_and_check_the_person(client, bearer, fakes) -> None:
    made = assignment()
    fakes.identity.reply("AssignRole", pb.AssignRoleResponse(assignment=made))
    body = {
        "role": "head_of_commission",
        "scope": {"kind": "discipline_in_group", "group_id": GROUP, "discipline_id": DISCIPLINE},
    }
    admin = bearer(("admin",))
    added = await client.post(f"/api/v1/people/{PERSON}/roles", json=body, headers=admin)
    assert added.status_code == 201 and added.json()["assignment_id"] == made.assignment_id
    sent = fakes.identity.last("AssignRole").request
    assert (sent.person_id, sent.role, sent.scope.kind, sent.scope.group_id, sent.scope.department_id) == (
        PERSON,
        ipb.ROLE_HEAD_OF_COMMISSION,
        ipb.SCOPE_KIND_DISCIPLINE_IN_GROUP,
        GROUP,
        "",
    )

    fakes.identity.reply("ListRoleAssignments", pb.ListRoleAssignmentsResponse(assignments=[made]))
    fakes.identity.reply("RevokeRole", pb.RevokeRoleResponse(assignment=made))
    gone = await client.delete(f"/api/v1/people/{PERSON}/roles/{made.assignment_id}", headers=admin)
    assert gone.status_code == 200 and gone.json()["role"] == "head_of_commission"
    # An assignment of someone else under this person's path: 404, nothing revoked.
    before = len([c for c in fakes.identity.calls if c.method == "RevokeRole"])
    other = await client.delete(f"/api/v1/people/{PERSON}/roles/{uuid.uuid4()}", headers=admin)
    assert (other.status_code, other.json()["error"]["code"]) == (404, "assignment_not_found")
    assert len([c for c in fakes.identity.calls if c.method == "RevokeRole"]) == before
    listed = await client.get(f"/api/v1/people/{PERSON}/roles", headers=admin)
    assert [a["assignment_id"] for a in listed.json()["assignments"]] == [made.assignment_id]


async def test_refusals_pass_with_their_codes_and_bad_input_is_refused_at_the_edge(
    client, bearer, fakes
) -> None:
    fakes.identity.fail(
        "AssignRole",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Роль «администратор журнала» нельзя назначить: человек записан как «родитель (законный представитель)»",
        "role_not_for_person",
    )
    body = {"role": "admin", "scope": {"kind": "college"}}
    refused = await client.post(f"/api/v1/people/{PERSON}/roles", json=body, headers=bearer(("admin",)))
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "role_not_for_person")
    fakes.identity.fail(
        "ListStaff", grpc.StatusCode.PERMISSION_DENIED, "Только администратор", "role_required"
    )
    denied = await client.get("/api/v1/staff", headers=bearer(("teacher",)))
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "role_required")
    calls = fakes.total_calls()
    for bad in (
        {"role": "admin", "scope": {"kind": "planet"}},
        {"role": "wizard", "scope": {"kind": "college"}},
        {"role": "master", "scope": {"kind": "group", "group_id": "21-ИС"}},
    ):
        reply = await client.post(f"/api/v1/people/{PERSON}/roles", json=bad, headers=bearer(("admin",)))
        assert reply.status_code in (400, 422), bad
    assert (
        await client.delete(f"/api/v1/people/{PERSON}/roles/nope", headers=bearer(("admin",)))
    ).status_code in (
        400,
        422,
    )
    assert fakes.total_calls() == calls
