"""Portal «Сотрудники» (slice H4): the staff named with roles and scopes in Russian (a discipline in a
group by code, name and group name), account state; the admin adds a member of staff (login and the
one-time password shown), assigns a role with a scope (sent to AssignRole), revokes one (after checking
it is that person's), disables an account; a refusal comes back in Russian with the values kept; others
get the portal's 403."""

from __future__ import annotations

import uuid

import grpc
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as jpb

from .test_portal_group_plan import log_in, token_of

PERSON, GROUP, DISCIPLINE, ASSIGNMENT = (str(uuid.uuid4()) for _ in range(4))


def college(fakes, *, enabled: bool = True) -> None:
    scope = ipb.RoleScope(kind=ipb.SCOPE_KIND_DISCIPLINE_IN_GROUP, group_id=GROUP, discipline_id=DISCIPLINE)
    member = pb.StaffMember(
        person=pb.PersonName(person_id=PERSON, role=ipb.ROLE_TEACHER, last_name="Иванова", first_name="Анна"),
        username="ivanova.a",
        enabled=enabled,
        assignments=[
            pb.RoleAssignment(
                assignment_id=str(uuid.uuid4()),
                person_id=PERSON,
                role=ipb.ROLE_TEACHER,
                scope=ipb.RoleScope(kind=ipb.SCOPE_KIND_COLLEGE),
            ),
            pb.RoleAssignment(
                assignment_id=ASSIGNMENT, person_id=PERSON, role=ipb.ROLE_HEAD_OF_COMMISSION, scope=scope
            ),
        ],
    )
    fakes.identity.reply("ListStaff", pb.ListStaffResponse(staff=[member]))
    fakes.journal.reply(
        "ListGroups", jpb.ListGroupsResponse(groups=[journal_pb2.Group(group_id=GROUP, name="ИС-21")])
    )
    fakes.journal.reply(
        "ListTeachingLoads",
        jpb.ListTeachingLoadsResponse(
            loads=[journal_pb2.TeachingLoad(group_id=GROUP, discipline_id=DISCIPLINE)]
        ),
    )
    fakes.journal.reply(
        "ListDisciplines",
        jpb.ListDisciplinesResponse(
            disciplines=[journal_pb2.Discipline(discipline_id=DISCIPLINE, code="ОП.01", name="Математика")]
        ),
    )


async def test_the_staff_are_listed_with_roles_scopes_and_accounts(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes, enabled=False)
    page = await client.get("/staff", params={"group_id": GROUP})
    assert page.status_code == 200
    text = page.text
    assert "Иванова Анна" in text and "ivanova.a" in text
    assert "Преподаватель — весь колледж" in text
    assert "Председатель ПЦК — ОП.01 Математика в группе ИС-21" in text
    assert "Отключена" in text and f'action="/staff/{PERSON}/enable"' in text
    assert f'<option value="{DISCIPLINE}">ОП.01 Математика</option>' in text
    assert 'class="cards staff"' in text and "Ctrl+P" in text
    home = (await client.get("/")).text
    assert 'href="/staff"' in home


async def test_the_admin_adds_a_member_of_staff_and_sees_the_password_once(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    person = ipb.Person(
        person_id=PERSON, username="petrov.i", role=ipb.ROLE_MASTER, last_name="Петров", first_name="Иван"
    )
    fakes.identity.reply(
        "CreatePerson", pb.CreatePersonResponse(person=person, temporary_password="Xy7kLm2pQr9sTz")
    )
    form = {"csrf_token": token_of(client), "last_name": "Петров", "first_name": "Иван", "role": "master"}
    page = await client.post("/staff", data=form)
    assert page.status_code == 201
    assert "Сотрудник добавлен" in page.text and "petrov.i" in page.text and "Xy7kLm2pQr9sTz" in page.text
    assert "Мастер производственного обучения" in page.text
    assert fakes.identity.last("CreatePerson").request.role == ipb.ROLE_MASTER
    # A student is not staff: refused in place, nothing sent.
    created = [c for c in fakes.identity.calls if c.method == "CreatePerson"]
    refused = await client.post("/staff", data={**form, "role": "student"})
    assert refused.status_code == 400 and "Выберите должность" in refused.text
    assert 'value="Петров"' in refused.text
    assert [c for c in fakes.identity.calls if c.method == "CreatePerson"] == created


async def test_the_admin_assigns_and_a_refusal_keeps_the_values(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    fakes.identity.reply("AssignRole", pb.AssignRoleResponse())
    form = {
        "csrf_token": token_of(client),
        "person_id": PERSON,
        "role": "head_of_commission",
        "scope_kind": "discipline_in_group",
        "group_id": GROUP,
        "discipline_id": DISCIPLINE,
        "department_id": "",
    }
    saved = await client.post("/staff/roles", data=form)
    assert (saved.status_code, saved.headers["location"]) == (303, f"/staff?saved=assigned&person={PERSON}")
    sent = fakes.identity.last("AssignRole").request
    assert (sent.person_id, sent.role, sent.scope.kind, sent.scope.group_id, sent.scope.discipline_id) == (
        PERSON,
        ipb.ROLE_HEAD_OF_COMMISSION,
        ipb.SCOPE_KIND_DISCIPLINE_IN_GROUP,
        GROUP,
        DISCIPLINE,
    )
    fakes.identity.fail(
        "AssignRole",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Роль «классный руководитель» не назначается на область «группа»; возможно: «весь колледж»",
        "scope_not_for_role",
    )
    refused = await client.post("/staff/roles", data={**form, "role": "class_teacher", "scope_kind": "group"})
    assert refused.status_code == 409
    assert "не назначается на область «группа»" in refused.text
    assert '<option value="class_teacher" selected>' in refused.text
    assert 'aria-invalid="true"' in refused.text


async def test_revoke_and_disable(client, idp, fakes) -> None:
    await log_in(client, idp)
    college(fakes)
    listed = pb.ListRoleAssignmentsResponse(assignments=[pb.RoleAssignment(assignment_id=ASSIGNMENT)])
    fakes.identity.reply("ListRoleAssignments", listed)
    fakes.identity.reply("RevokeRole", pb.RevokeRoleResponse())
    token = token_of(client)
    gone = await client.post(f"/staff/{PERSON}/roles/{ASSIGNMENT}/revoke", data={"csrf_token": token})
    assert (gone.status_code, gone.headers["location"]) == (303, f"/staff?saved=revoked&person={PERSON}")
    assert fakes.identity.last("RevokeRole").request.assignment_id == ASSIGNMENT
    stranger = await client.post(f"/staff/{PERSON}/roles/{uuid.uuid4()}/revoke", data={"csrf_token": token})
    assert stranger.status_code == 404 and "не найдено" in stranger.text
    fakes.identity.reply("DisableAccount", pb.DisableAccountResponse())
    off = await client.post(f"/staff/{PERSON}/disable", data={"csrf_token": token})
    assert (off.status_code, off.headers["location"]) == (303, f"/staff?saved=disabled&person={PERSON}")
    assert fakes.identity.last("DisableAccount").request.person_id == PERSON


async def test_only_the_admin_opens_the_page(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("director",))
    page = await client.get("/staff")
    assert page.status_code == 403 and "администратор журнала" in page.text
    assert 'href="/staff"' not in (await client.get("/")).text


async def test_the_list_is_searched_paged_and_shows_the_person_acted_on(client, idp, fakes) -> None:
    """150 teachers: 50 to a page with «страница 1 из 3» and the next page's link; a search by a word
    of the name or the login («ё» as «е», any case); after an action, the person alone."""
    await log_in(client, idp)
    college(fakes)
    people = [
        pb.StaffMember(
            person=pb.PersonName(
                person_id=str(uuid.uuid4()),
                role=ipb.ROLE_TEACHER,
                last_name=f"Учителева{n:03d}",
                first_name="Алёна" if n == 77 else "Анна",
            ),
            username=f"teacher{n:03d}",
            enabled=True,
        )
        for n in range(150)
    ]
    fakes.identity.reply("ListStaff", pb.ListStaffResponse(staff=people))

    def names(html: str) -> list[str]:
        table = (
            html.split('<table class="cards staff">')[1].split("</table>", maxsplit=1)[0]
            if "<table" in html
            else ""
        )
        return [p.person.last_name for p in people if f">{p.person.last_name} " in table]

    first = await client.get("/staff")
    assert first.status_code == 200
    assert names(first.text) == [f"Учителева{n:03d}" for n in range(50)]
    assert "Сотрудников: 150, страница 1 из 3." in first.text
    assert 'href="/staff?q=&amp;page=2" rel="next"' in first.text and 'rel="prev"' not in first.text
    last = await client.get("/staff?page=3")
    assert names(last.text) == [f"Учителева{n:03d}" for n in range(100, 150)]
    assert "страница 3 из 3" in last.text and 'rel="next"' not in last.text
    beyond = await client.get("/staff?page=99")
    assert "страница 3 из 3" in beyond.text
    found = await client.get("/staff", params={"q": "АЛЕНА учителева077"})
    assert names(found.text) == ["Учителева077"] and "Найдено сотрудников: 1." in found.text
    by_login = await client.get("/staff", params={"q": "teacher14"})
    assert names(by_login.text) == [f"Учителева14{n}" for n in range(10)]
    nobody = await client.get("/staff", params={"q": "Петров"})
    assert "Никого не найдено" in nobody.text and names(nobody.text) == []
    one = await client.get("/staff", params={"person": people[120].person.person_id, "saved": "assigned"})
    assert names(one.text) == ["Учителева120"] and "Показан один сотрудник" in one.text
    # The role form still offers every member of staff, whichever page is shown, the one shown first.
    assert one.text.count('<option value="' + people[0].person.person_id) == 1
    assert f'<option value="{people[120].person.person_id}" selected>' in one.text
