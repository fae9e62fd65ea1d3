"""Scoped role assignments (slice H4, issue 8 item 1, ADR 0012): the rules, the realm roles following the
assignments (first in, last out, the primary role kept), compensation, events, audit and who may ask."""

from __future__ import annotations

import uuid

import pytest
from chassis.errors import DomainError
from chassis.principal import Principal
from ejournal.identity.v1 import events_pb2
from ejournal.identity.v1 import identity_pb2 as ipb
from identity_service.application import commands
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.role_assignments import AssignRole
from identity_service.domain import errors, model
from identity_service.domain import role_assignments as ra
from identity_service.domain.model import Role

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
SERVICE = Principal(subject="service-account-ejournal-journal", roles=frozenset({"service"}), token="t")
GROUP, DISCIPLINE, DEPARTMENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
IN_GROUP = ra.Scope(ra.ScopeKind.DISCIPLINE_IN_GROUP, GROUP, DISCIPLINE)


def person(role: Role) -> model.Person:
    return model.Person(
        id=uuid.uuid4(), username=f"u{uuid.uuid4().hex[:6]}", role=role, last_name="А", first_name="Б"
    )


def held(p: model.Person, role: Role, scope: ra.Scope = ra.COLLEGE) -> ra.RoleAssignment:
    return ra.RoleAssignment(uuid.uuid4(), p.id, role, scope, assigned_by="")


# --- the domain -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ids"),
    [
        (ra.ScopeKind.COLLEGE, {"group_id": GROUP}),
        (ra.ScopeKind.DEPARTMENT, {}),
        (ra.ScopeKind.DEPARTMENT, {"department_id": DEPARTMENT, "group_id": GROUP}),
        (ra.ScopeKind.GROUP, {}),
        (ra.ScopeKind.GROUP, {"group_id": GROUP, "discipline_id": DISCIPLINE}),
        (ra.ScopeKind.DISCIPLINE_IN_GROUP, {"group_id": GROUP}),
        (ra.ScopeKind.DISCIPLINE_IN_GROUP, {"discipline_id": DISCIPLINE}),
    ],
)
def test_a_scope_takes_exactly_the_ids_of_its_kind(kind: ra.ScopeKind, ids: dict[str, uuid.UUID]) -> None:
    with pytest.raises(ra.ScopeInvalid) as refused:
        ra.new_scope(kind, **ids)
    assert refused.value.code == "invalid_scope"
    assert "Для области" in refused.value.message


def test_scopes_keep_their_ids() -> None:
    assert ra.new_scope(ra.ScopeKind.COLLEGE) == ra.COLLEGE
    assert ra.new_scope(ra.ScopeKind.DEPARTMENT, department_id=DEPARTMENT).department_id == DEPARTMENT
    scope = ra.new_scope(ra.ScopeKind.DISCIPLINE_IN_GROUP, group_id=GROUP, discipline_id=DISCIPLINE)
    assert (scope.group_id, scope.discipline_id, scope.department_id) == (GROUP, DISCIPLINE, None)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TEACHER, Role.HEAD_OF_COMMISSION, Role.PARENT])
def test_a_student_gets_no_other_role(role: Role) -> None:
    with pytest.raises(ra.RoleNotForPerson) as refused:
        ra.check_assignment(person(Role.STUDENT), role, ra.COLLEGE, [])
    assert refused.value.code == "role_not_for_person"


@pytest.mark.parametrize("role", [Role.STUDENT, Role.PARENT])
def test_staff_are_not_made_students_or_parents(role: Role) -> None:
    with pytest.raises(ra.RoleNotForPerson):
        ra.check_assignment(person(Role.TEACHER), role, ra.COLLEGE, [])


def test_a_parent_cannot_be_given_admin() -> None:
    with pytest.raises(ra.RoleNotForPerson) as refused:
        ra.check_assignment(person(Role.PARENT), Role.ADMIN, ra.COLLEGE, [])
    assert "администратор журнала" in refused.value.message


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.ADMIN, ra.Scope(ra.ScopeKind.GROUP, GROUP)),
        (Role.DIRECTOR, ra.Scope(ra.ScopeKind.DEPARTMENT, DEPARTMENT)),
        # The journal owns these two: a class teacher's group and a teacher's loads (ADR 0012).
        (Role.CLASS_TEACHER, ra.Scope(ra.ScopeKind.GROUP, GROUP)),
        (Role.TEACHER, IN_GROUP),
        (Role.CURATOR, IN_GROUP),
        (Role.MASTER, IN_GROUP),
        (Role.HEAD_OF_COMMISSION, ra.Scope(ra.ScopeKind.GROUP, GROUP)),
    ],
)
def test_the_scope_must_fit_the_role(role: Role, scope: ra.Scope) -> None:
    with pytest.raises(ra.ScopeNotForRole) as refused:
        ra.check_assignment(person(Role.TEACHER), role, scope, [])
    assert refused.value.code == "scope_not_for_role"


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.HEAD_OF_COMMISSION, IN_GROUP),
        (Role.HEAD_OF_COMMISSION, ra.Scope(ra.ScopeKind.DEPARTMENT, DEPARTMENT)),
        (Role.CURATOR, ra.Scope(ra.ScopeKind.DEPARTMENT, DEPARTMENT)),
        (Role.DEPUTY, ra.COLLEGE),
        (Role.MASTER, ra.Scope(ra.ScopeKind.GROUP, GROUP)),
        (Role.ADMIN, ra.COLLEGE),
    ],
)
def test_fitting_scopes_pass(role: Role, scope: ra.Scope) -> None:
    ra.check_assignment(person(Role.TEACHER), role, scope, [])


def test_the_same_role_in_the_same_scope_twice_is_refused_another_scope_is_not() -> None:
    teacher = person(Role.TEACHER)
    in_force = [held(teacher, Role.TEACHER), held(teacher, Role.HEAD_OF_COMMISSION, IN_GROUP)]
    with pytest.raises(ra.RoleAlreadyAssigned) as refused:
        ra.check_assignment(teacher, Role.HEAD_OF_COMMISSION, IN_GROUP, in_force)
    assert refused.value.code == "role_already_assigned"
    other = ra.Scope(ra.ScopeKind.DISCIPLINE_IN_GROUP, GROUP, uuid.uuid4())
    ra.check_assignment(teacher, Role.HEAD_OF_COMMISSION, other, in_force)


def test_an_admin_keeps_their_last_admin_assignment() -> None:
    admin = person(Role.ADMIN)
    last = held(admin, Role.ADMIN)
    with pytest.raises(ra.OwnLastAdmin) as refused:
        ra.check_revoke(admin.id, last, [last])
    assert refused.value.code == "own_last_admin"
    # Another admin may revoke it; and with a second admin assignment the admin may revoke one.
    ra.check_revoke(uuid.uuid4(), last, [last])
    ra.check_revoke(admin.id, last, [last, held(admin, Role.ADMIN, ra.Scope(ra.ScopeKind.COLLEGE))])


def test_the_realm_role_comes_with_the_first_and_goes_with_the_last_but_the_primary_stays() -> None:
    teacher = person(Role.TEACHER)
    primary = held(teacher, Role.TEACHER)
    assert ra.adds_realm_role(teacher, Role.HEAD_OF_COMMISSION, [primary])
    first = held(teacher, Role.HEAD_OF_COMMISSION, IN_GROUP)
    assert not ra.adds_realm_role(teacher, Role.HEAD_OF_COMMISSION, [primary, first])
    second = held(teacher, Role.HEAD_OF_COMMISSION, ra.Scope(ra.ScopeKind.DEPARTMENT, DEPARTMENT))
    assert not ra.removes_realm_role(teacher, first, [primary, first, second])
    assert ra.removes_realm_role(teacher, first, [primary, first])
    assert not ra.removes_realm_role(teacher, primary, [primary])


# --- the handlers -----------------------------------------------------------------------------


@pytest.fixture
def world() -> tuple[IdentityHandlers, FakeStore, FakeAccounts]:
    store, accounts = FakeStore(), FakeAccounts()
    return IdentityHandlers(uow=lambda: fake_unit_of_work(store), accounts=accounts), store, accounts


async def create(handlers: IdentityHandlers, role: Role) -> model.Person:
    cmd = commands.CreatePerson(role=role, last_name="Петрова", first_name="Анна")
    return (await handlers.create_person(cmd, ADMIN)).person


async def test_a_new_person_holds_their_primary_role_for_the_college(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts],
) -> None:
    handlers, _, _ = world
    teacher = await create(handlers, Role.TEACHER)
    [primary] = await handlers.role_assignments.of_person(teacher.id, ADMIN)
    assert (primary.role, primary.scope) == (Role.TEACHER, ra.COLLEGE)


async def test_assign_adds_the_realm_role_once_with_event_and_audit(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts],
) -> None:
    handlers, store, accounts = world
    teacher = await create(handlers, Role.TEACHER)
    store.audits.clear()
    store.events.clear()
    assignment = await handlers.role_assignments.assign(
        AssignRole(teacher.id, Role.HEAD_OF_COMMISSION, IN_GROUP), ADMIN
    )
    assert accounts.accounts[str(teacher.id)]["roles"] == ["teacher", "head_of_commission"]
    assert assignment.assigned_by == ADMIN.subject and assignment.assigned_at is not None
    [event] = store.events_of(events_pb2.RoleAssigned)
    assert (event.person_id, event.role, event.scope.group_id, event.scope.discipline_id) == (
        str(teacher.id),
        ipb.ROLE_HEAD_OF_COMMISSION,
        str(GROUP),
        str(DISCIPLINE),
    )
    [entry] = store.audits
    assert (entry.action, entry.actor_id, entry.resource_id) == (
        "role.assigned",
        ADMIN.subject,
        str(assignment.id),
    )
    # A second scope of the same role: the realm role is there already.
    other = ra.Scope(ra.ScopeKind.DEPARTMENT, DEPARTMENT)
    await handlers.role_assignments.assign(AssignRole(teacher.id, Role.HEAD_OF_COMMISSION, other), ADMIN)
    assert accounts.accounts[str(teacher.id)]["roles"] == ["teacher", "head_of_commission"]


async def test_revoke_removes_the_realm_role_with_the_last_assignment_of_it(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts],
) -> None:
    handlers, store, accounts = world
    teacher = await create(handlers, Role.TEACHER)
    first = await handlers.role_assignments.assign(
        AssignRole(teacher.id, Role.HEAD_OF_COMMISSION, IN_GROUP), ADMIN
    )
    second = await handlers.role_assignments.assign(
        AssignRole(teacher.id, Role.HEAD_OF_COMMISSION, ra.Scope(ra.ScopeKind.DEPARTMENT, DEPARTMENT)), ADMIN
    )
    await handlers.role_assignments.revoke(first.id, ADMIN)
    assert "head_of_commission" in accounts.accounts[str(teacher.id)]["roles"]
    store.events.clear()
    revoked = await handlers.role_assignments.revoke(second.id, ADMIN)
    assert accounts.accounts[str(teacher.id)]["roles"] == ["teacher"]
    assert revoked.revoked_by == ADMIN.subject and revoked.revoked_at is not None
    [event] = store.events_of(events_pb2.RoleRevoked)
    assert event.assignment_id == str(second.id)
    assert store.audits[-1].action == "role.revoked"
    [primary] = await handlers.role_assignments.of_person(teacher.id, ADMIN)
    assert primary.role is Role.TEACHER
    # Revoked already: not found; the primary role's realm role stays when its assignment goes.
    with pytest.raises(ra.AssignmentNotFound):
        await handlers.role_assignments.revoke(second.id, ADMIN)
    await handlers.role_assignments.revoke(primary.id, ADMIN)
    assert accounts.accounts[str(teacher.id)]["roles"] == ["teacher"]


async def test_a_failed_write_takes_the_keycloak_step_back(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts],
) -> None:
    handlers, store, accounts = world
    teacher = await create(handlers, Role.TEACHER)
    store.fail_commit = RuntimeError("database gone")
    with pytest.raises(RuntimeError):
        await handlers.role_assignments.assign(AssignRole(teacher.id, Role.MASTER, ra.COLLEGE), ADMIN)
    assert accounts.accounts[str(teacher.id)]["roles"] == ["teacher"]
    store.fail_commit = None
    master = await handlers.role_assignments.assign(AssignRole(teacher.id, Role.MASTER, ra.COLLEGE), ADMIN)
    store.fail_commit = RuntimeError("database gone")
    with pytest.raises(RuntimeError):
        await handlers.role_assignments.revoke(master.id, ADMIN)
    assert accounts.accounts[str(teacher.id)]["roles"] == ["teacher", "master"]
    assert len(await handlers.role_assignments.of_person(teacher.id, ADMIN)) == 2


async def test_keycloak_down_writes_nothing(world: tuple[IdentityHandlers, FakeStore, FakeAccounts]) -> None:
    handlers, _, accounts = world
    teacher = await create(handlers, Role.TEACHER)
    accounts.failing["assign_role"] = errors.AccountDirectoryUnavailable()
    with pytest.raises(errors.AccountDirectoryUnavailable):
        await handlers.role_assignments.assign(AssignRole(teacher.id, Role.DEPUTY, ra.COLLEGE), ADMIN)
    assert [a.role for a in await handlers.role_assignments.of_person(teacher.id, ADMIN)] == [Role.TEACHER]


async def test_an_admin_cannot_revoke_their_own_last_admin_assignment(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts],
) -> None:
    handlers, _, _ = world
    admin = await create(handlers, Role.ADMIN)
    me = Principal(subject=str(admin.id), roles=frozenset({"admin"}), token="t")
    [own] = await handlers.role_assignments.of_person(admin.id, me)
    with pytest.raises(ra.OwnLastAdmin):
        await handlers.role_assignments.revoke(own.id, me)
    await handlers.role_assignments.revoke(own.id, ADMIN)


@pytest.mark.parametrize(
    "caller",
    [Principal(subject=str(uuid.uuid4()), roles=frozenset({r}), token="t") for r in ("director", "teacher")]
    + [SERVICE],
)
async def test_only_the_admin_assigns_and_revokes(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts], caller: Principal
) -> None:
    handlers, _, _ = world
    teacher = await create(handlers, Role.TEACHER)
    [primary] = await handlers.role_assignments.of_person(teacher.id, ADMIN)
    for call in (
        handlers.role_assignments.assign(AssignRole(teacher.id, Role.MASTER, ra.COLLEGE), caller),
        handlers.role_assignments.revoke(primary.id, caller),
        handlers.role_assignments.staff(caller),
    ):
        with pytest.raises(errors.RoleRequired):
            await call


async def test_who_reads_assignments_and_scopes(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts],
) -> None:
    handlers, _, _ = world
    teacher = await create(handlers, Role.TEACHER)
    themself = Principal(subject=str(teacher.id), roles=frozenset({"teacher"}), token="t")
    stranger = Principal(subject=str(uuid.uuid4()), roles=frozenset({"teacher"}), token="t")
    assert len(await handlers.role_assignments.of_person(teacher.id, themself)) == 1
    with pytest.raises(errors.RoleRequired):
        await handlers.role_assignments.of_person(teacher.id, stranger)
    assert len(await handlers.role_assignments.scopes(teacher.id, SERVICE)) == 1
    for caller in (themself, stranger):
        with pytest.raises(errors.RoleRequired):
            await handlers.role_assignments.scopes(teacher.id, caller)


async def test_unknown_person_and_refusals_carry_codes(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts],
) -> None:
    handlers, _, accounts = world
    with pytest.raises(errors.PersonNotFound):
        await handlers.role_assignments.assign(AssignRole(uuid.uuid4(), Role.MASTER, ra.COLLEGE), ADMIN)
    parent = await create(handlers, Role.PARENT)
    refusals: list[DomainError] = []
    for role, scope in ((Role.ADMIN, ra.COLLEGE), (Role.PARENT, ra.COLLEGE)):
        try:
            await handlers.role_assignments.assign(AssignRole(parent.id, role, scope), ADMIN)
        except DomainError as exc:
            refusals.append(exc)
    assert [e.code for e in refusals] == ["role_not_for_person", "role_already_assigned"]
    assert accounts.accounts[str(parent.id)]["roles"] == ["parent"]


async def test_the_staff_list_leaves_out_students_and_parents_and_audits_each(
    world: tuple[IdentityHandlers, FakeStore, FakeAccounts],
) -> None:
    handlers, store, _ = world
    teacher = await create(handlers, Role.TEACHER)
    await create(handlers, Role.STUDENT)
    await create(handlers, Role.PARENT)
    await handlers.role_assignments.assign(AssignRole(teacher.id, Role.HEAD_OF_COMMISSION, IN_GROUP), ADMIN)
    store.audits.clear()
    [member] = await handlers.role_assignments.staff(ADMIN)
    assert member.person.id == teacher.id and member.enabled
    assert [a.role for a in member.assignments] == [Role.TEACHER, Role.HEAD_OF_COMMISSION]
    assert [(e.action, e.resource_id) for e in store.audits] == [("person.read", str(teacher.id))]
