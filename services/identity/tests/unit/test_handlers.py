"""Identity use cases against in-memory fakes: rules, access, what is committed and what is undone."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from chassis.errors import ServiceUnavailable
from chassis.events import subject_of
from chassis.principal import Principal
from chassis.testing import AuditEntry
from ejournal.identity.v1 import events_pb2, identity_pb2, parent_access_facts_pb2
from identity_service.application import accounts as accounts_module
from identity_service.application import commands
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.ports import NewAccount
from identity_service.domain import errors, model

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work


def principal(*roles: str, subject: str | None = None) -> Principal:
    return Principal(subject=subject or str(uuid.uuid4()), roles=frozenset(roles), token="t")


ADMIN = principal("admin")
SERVICE = principal("service", subject="service-account-ejournal-journal")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def accounts() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def handlers(store: FakeStore, accounts: FakeAccounts) -> IdentityHandlers:
    return IdentityHandlers(uow=lambda: fake_unit_of_work(store), accounts=accounts)


def create(role: model.Role = model.Role.TEACHER, **fields: Any) -> commands.CreatePerson:
    values: dict[str, Any] = {"last_name": "Иванов", "first_name": "Пётр"}
    values.update(fields)
    return commands.CreatePerson(role=role, **values)


async def make(handlers: IdentityHandlers, role: model.Role, last_name: str = "Петрова") -> model.Person:
    created = await handlers.create_person(create(role, last_name=last_name, first_name="Анна"), ADMIN)
    return created.person


# -- CreatePerson ---------------------------------------------------------------------------------


async def test_create_person_makes_account_person_event_and_audit(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    created = await handlers.create_person(create(middle_name="Сергеевич", email="ivanov@college.ru"), ADMIN)

    person = created.person
    assert person.username == "ivanov.ps"
    assert (person.last_name, person.first_name, person.middle_name) == ("Иванов", "Пётр", "Сергеевич")
    assert store.people[person.id] is person
    account = accounts.accounts[str(person.id)]
    assert account["username"] == "ivanov.ps"
    assert account["email"] == "ivanov@college.ru"
    assert account["roles"] == ["teacher"]
    assert account["require_password_change"] is True
    assert account["temporary"] is True
    assert account["password"] == created.temporary_password
    assert len(created.temporary_password) >= 12 and created.temporary_password.isalnum()

    assert store.subjects == [subject_of(events_pb2.PersonCreated)] == ["identity.person.created.v1"]
    [event] = store.events_of(events_pb2.PersonCreated)
    assert event.person_id == str(person.id)
    assert event.role == identity_pb2.ROLE_TEACHER
    # Events carry ids and the role, never personal data.
    assert {f.name for f, _ in event.ListFields()} == {"event_id", "occurred_at", "person_id", "role"}
    assert store.audits == [
        AuditEntry(
            action="person.created",
            actor_id=ADMIN.subject,
            resource_type="person",
            resource_id=str(person.id),
            subject_person_id=str(person.id),
        )
    ]


async def test_only_admin_creates_people(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    for role in ("director", "class_teacher", "service"):
        with pytest.raises(errors.RoleRequired):
            await handlers.create_person(create(), principal(role))
    assert not accounts.accounts and not store.people


async def test_invalid_input_touches_nothing(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    with pytest.raises(errors.NameInvalid):
        await handlers.create_person(create(first_name="Пётр1"), ADMIN)
    with pytest.raises(errors.EmailInvalid):
        await handlers.create_person(create(email="not-an-email"), ADMIN)
    assert not accounts.accounts and not store.people and not store.events


async def test_taken_usernames_get_a_suffix_checked_in_db_and_keycloak(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    first = await handlers.create_person(create(), ADMIN)
    # An account made outside this service (the Keycloak console) holds the next candidate.
    await accounts.create_account(_outside_account("ivanov.p2"))

    second = await handlers.create_person(create(), ADMIN)
    third = await handlers.create_person(create(first_name="Павел"), ADMIN)

    assert first.person.username == "ivanov.p"
    assert second.person.username == "ivanov.p3"
    assert third.person.username == "ivanov.p4"


async def test_database_failure_deletes_the_new_keycloak_account(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    store.fail_commit = RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        await handlers.create_person(create(), ADMIN)

    assert len(accounts.deleted) == 1
    assert accounts.accounts == {}
    assert not store.people and not store.events and not store.audits


async def test_a_failure_after_the_commit_keeps_the_account(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    store.fail_close_after_commit = RuntimeError("connection lost while closing")

    with pytest.raises(RuntimeError, match="closing"):
        await handlers.create_person(create(), ADMIN)

    # The person is committed: deleting the account now would leave a person who cannot log in.
    assert not accounts.deleted and len(accounts.accounts) == 1
    assert len(store.people) == 1


@pytest.mark.parametrize("step", ["set_password", "assign_role"])
async def test_keycloak_failure_after_creation_deletes_the_account(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts, step: str
) -> None:
    accounts.failing[step] = errors.AccountDirectoryUnavailable()

    with pytest.raises(errors.AccountDirectoryUnavailable):
        await handlers.create_person(create(), ADMIN)

    assert len(accounts.deleted) == 1 and accounts.accounts == {}
    assert not store.people and not store.events


async def test_failed_compensation_still_raises_the_original_error(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    store.fail_commit = RuntimeError("database went away")
    accounts.failing["delete_account"] = errors.AccountDirectoryUnavailable()

    with pytest.raises(RuntimeError, match="database went away"):
        await handlers.create_person(create(), ADMIN)


@pytest.mark.parametrize("step", ["username_taken", "create_account"])
async def test_keycloak_down_writes_nothing(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts, step: str
) -> None:
    accounts.failing[step] = errors.AccountDirectoryUnavailable()

    with pytest.raises(ServiceUnavailable) as caught:
        await handlers.create_person(create(), ADMIN)

    assert caught.value.code == "accounts_unavailable"
    assert "недоступна" in caught.value.message
    assert not accounts.accounts and not accounts.deleted
    assert not store.people and not store.events and not store.audits


async def test_a_generated_password_the_policy_refuses_is_replaced(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    accounts.refused_passwords = 2
    created = await handlers.create_person(create(), ADMIN)

    account = accounts.accounts[str(created.person.id)]
    assert account["password"] == created.temporary_password
    assert len(accounts.refused) == 2 and created.temporary_password not in accounts.refused
    assert account["roles"] == ["teacher"] and not accounts.deleted


async def test_a_generated_password_is_given_up_after_five_refusals(
    handlers: IdentityHandlers, accounts: FakeAccounts, store: FakeStore
) -> None:
    accounts.refused_passwords = accounts_module.GENERATED_PASSWORD_TRIES
    with pytest.raises(errors.PasswordRejected):
        await handlers.create_person(create(), ADMIN)
    assert len(set(accounts.refused)) == accounts_module.GENERATED_PASSWORD_TRIES
    assert not accounts.accounts and len(accounts.deleted) == 1 and not store.people


async def test_a_chosen_password_the_policy_refuses_is_refused_at_once(
    handlers: IdentityHandlers, accounts: FakeAccounts, store: FakeStore
) -> None:
    accounts.refused_passwords = 1
    with pytest.raises(errors.PasswordRejected):
        await handlers.create_person(create(username="own.login", password="Chosen-Passw0rd"), ADMIN)
    assert accounts.refused == ["Chosen-Passw0rd"]
    assert not accounts.accounts and not store.people


async def test_given_username_and_password_make_a_permanent_account(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    created = await handlers.create_person(
        create(model.Role.ADMIN, username="Admin.Demo", password="Demo-Passw0rd"), ADMIN
    )

    assert created.person.username == "admin.demo"
    assert created.temporary_password == ""
    account = accounts.accounts[str(created.person.id)]
    assert account["password"] == "Demo-Passw0rd"
    assert account["temporary"] is False
    assert account["require_password_change"] is False


async def test_given_username_that_is_taken_is_refused(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    await handlers.create_person(create(username="demo.teacher"), ADMIN)
    with pytest.raises(errors.UsernameTaken):
        await handlers.create_person(create(username="demo.teacher"), ADMIN)
    await accounts.create_account(_outside_account("kc.only"))
    with pytest.raises(errors.UsernameTaken):
        await handlers.create_person(create(username="kc.only"), ADMIN)
    assert len(accounts.accounts) == 2


async def test_find_person_by_username_is_for_admin(handlers: IdentityHandlers) -> None:
    created = await handlers.create_person(create(username="demo.teacher"), ADMIN)
    found = await handlers.find_person_by_username(commands.FindPersonByUsername("Demo.Teacher"), ADMIN)
    assert found is created.person
    with pytest.raises(errors.RoleRequired):
        await handlers.find_person_by_username(commands.FindPersonByUsername("demo.teacher"), SERVICE)
    with pytest.raises(errors.PersonNotFound):
        await handlers.find_person_by_username(commands.FindPersonByUsername("nobody"), ADMIN)


# -- GetPerson ------------------------------------------------------------------------------------


async def test_a_person_reads_themself_without_audit(handlers: IdentityHandlers, store: FakeStore) -> None:
    student = await make(handlers, model.Role.STUDENT)
    audits = len(store.audits)

    found = await handlers.get_person(
        commands.GetPerson(student.id), principal("student", subject=str(student.id))
    )

    assert found.id == student.id
    assert len(store.audits) == audits


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator", "service"])
async def test_staff_and_services_read_others_and_are_audited(
    handlers: IdentityHandlers, store: FakeStore, role: str
) -> None:
    student = await make(handlers, model.Role.STUDENT)

    reader = principal(role)
    found = await handlers.get_person(commands.GetPerson(student.id), reader)

    assert found.id == student.id
    assert store.audits[-1] == AuditEntry(
        action="person.read",
        actor_id=reader.subject,
        resource_type="person",
        resource_id=str(student.id),
        subject_person_id=str(student.id),
    )


async def test_students_do_not_read_others(handlers: IdentityHandlers) -> None:
    other = await make(handlers, model.Role.STUDENT)
    with pytest.raises(errors.PersonNotVisible):
        await handlers.get_person(commands.GetPerson(other.id), principal("student"))


async def test_a_parent_reads_only_linked_children(handlers: IdentityHandlers) -> None:
    parent = await make(handlers, model.Role.PARENT, "Сидорова")
    child = await make(handlers, model.Role.STUDENT, "Сидоров")
    stranger = await make(handlers, model.Role.STUDENT, "Кузнецов")
    await handlers.link_guardian(commands.LinkGuardian(parent.id, child.id), ADMIN)
    as_parent = principal("parent", subject=str(parent.id))

    assert (await handlers.get_person(commands.GetPerson(child.id), as_parent)).id == child.id
    with pytest.raises(errors.PersonNotVisible):
        await handlers.get_person(commands.GetPerson(stranger.id), as_parent)


async def test_unknown_person_is_not_found(handlers: IdentityHandlers) -> None:
    with pytest.raises(errors.PersonNotFound):
        await handlers.get_person(commands.GetPerson(uuid.uuid4()), ADMIN)
    missing = uuid.uuid4()
    with pytest.raises(errors.PersonNotFound):
        await handlers.get_person(commands.GetPerson(missing), principal("student", subject=str(missing)))


# -- guardians ------------------------------------------------------------------------------------


async def test_link_guardian_is_idempotent_with_one_event_and_audit(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    parent = await make(handlers, model.Role.PARENT, "Сидорова")
    child = await make(handlers, model.Role.STUDENT, "Сидоров")
    published = len(store.events)

    assert await handlers.link_guardian(commands.LinkGuardian(parent.id, child.id), ADMIN) is True
    assert await handlers.link_guardian(commands.LinkGuardian(parent.id, child.id), ADMIN) is False

    # With the link's access fact for messaging's projection (ADR 0013), in the same transaction.
    assert store.subjects[published:] == [
        subject_of(events_pb2.GuardianLinked),
        subject_of(parent_access_facts_pb2.ParentAccessChanged),
    ]
    [event] = store.events_of(events_pb2.GuardianLinked)
    assert (event.parent_id, event.student_id) == (str(parent.id), str(child.id))
    [linked] = [a for a in store.audits if a.action == "guardian.linked"]
    assert (linked.actor_id, linked.resource_id, linked.subject_person_id) == (
        ADMIN.subject,
        f"{parent.id}/{child.id}",
        str(child.id),
    )
    assert store.links == [(parent.id, child.id)]


async def test_link_guardian_needs_a_parent_and_a_student(handlers: IdentityHandlers) -> None:
    parent = await make(handlers, model.Role.PARENT, "Сидорова")
    child = await make(handlers, model.Role.STUDENT, "Сидоров")
    teacher = await make(handlers, model.Role.TEACHER, "Орлов")
    cases = [
        (uuid.uuid4(), child.id, errors.ParentNotFound, "parent_not_found"),
        (parent.id, uuid.uuid4(), errors.StudentNotFound, "student_not_found"),
        (teacher.id, child.id, errors.PersonNotParent, "person_not_parent"),
        (parent.id, teacher.id, errors.PersonNotStudent, "person_not_student"),
        (child.id, parent.id, errors.PersonNotParent, "person_not_parent"),
    ]
    for parent_id, student_id, error, code in cases:
        with pytest.raises(error) as caught:
            await handlers.link_guardian(commands.LinkGuardian(parent_id, student_id), ADMIN)
        assert caught.value.code == code


async def test_only_admin_links_guardians(handlers: IdentityHandlers) -> None:
    parent = await make(handlers, model.Role.PARENT, "Сидорова")
    child = await make(handlers, model.Role.STUDENT, "Сидоров")
    for actor in (principal("class_teacher"), SERVICE, principal("parent", subject=str(parent.id))):
        with pytest.raises(errors.RoleRequired):
            await handlers.link_guardian(commands.LinkGuardian(parent.id, child.id), actor)


async def test_list_and_check_guardians(handlers: IdentityHandlers) -> None:
    mother = await make(handlers, model.Role.PARENT, "Сидорова")
    father = await make(handlers, model.Role.PARENT, "Сидоров")
    child = await make(handlers, model.Role.STUDENT, "Сидоров")
    for parent in (mother, father):
        await handlers.link_guardian(commands.LinkGuardian(parent.id, child.id), ADMIN)

    for actor in (ADMIN, SERVICE):
        assert await handlers.list_guardians(commands.ListGuardians(child.id), actor) == [
            mother.id,
            father.id,
        ]
    with pytest.raises(errors.RoleRequired):
        await handlers.list_guardians(commands.ListGuardians(child.id), principal("teacher"))

    as_mother = principal("parent", subject=str(mother.id))
    assert await handlers.check_guardianship(commands.CheckGuardianship(mother.id, child.id), as_mother)
    assert not await handlers.check_guardianship(commands.CheckGuardianship(mother.id, mother.id), as_mother)
    assert await handlers.check_guardianship(commands.CheckGuardianship(father.id, child.id), SERVICE)
    assert await handlers.check_guardianship(commands.CheckGuardianship(father.id, child.id), ADMIN)
    with pytest.raises(errors.GuardianshipNotVisible):
        await handlers.check_guardianship(commands.CheckGuardianship(father.id, child.id), as_mother)


# -- ListChildren ---------------------------------------------------------------------------------


async def test_a_parent_lists_their_children_by_name_and_each_read_is_audited(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    parent = await make(handlers, model.Role.PARENT, "Сидорова")
    older = await handlers.create_person(
        create(model.Role.STUDENT, last_name="Сидоров", first_name="Илья"), ADMIN
    )
    younger = await handlers.create_person(
        create(model.Role.STUDENT, last_name="Андреева", first_name="Юлия"), ADMIN
    )
    stranger = await make(handlers, model.Role.STUDENT, "Кузнецов")
    for child in (older.person, younger.person):
        await handlers.link_guardian(commands.LinkGuardian(parent.id, child.id), ADMIN)
    audits, commits = len(store.audits), store.commits

    children = await handlers.list_children(
        commands.ListChildren(parent.id), principal("parent", subject=str(parent.id))
    )

    assert [c.id for c in children] == [younger.person.id, older.person.id]
    assert stranger.id not in {c.id for c in children}
    assert store.audits[audits:] == [
        AuditEntry(
            action="person.read",
            actor_id=str(parent.id),
            resource_type="person",
            resource_id=str(child.id),
            subject_person_id=str(child.id),
        )
        for child in children
    ]
    assert store.commits == commits + 1


async def test_children_are_listed_for_admin_and_services_and_nobody_else(handlers: IdentityHandlers) -> None:
    parent = await make(handlers, model.Role.PARENT, "Сидорова")
    child = await make(handlers, model.Role.STUDENT, "Сидоров")
    await handlers.link_guardian(commands.LinkGuardian(parent.id, child.id), ADMIN)
    query = commands.ListChildren(parent.id)

    for actor in (ADMIN, SERVICE):
        assert [c.id for c in await handlers.list_children(query, actor)] == [child.id]
    other_parent = await make(handlers, model.Role.PARENT, "Орлова")
    for actor in (
        principal("parent", subject=str(other_parent.id)),
        principal("teacher"),
        principal("director"),
        principal("student", subject=str(child.id)),
    ):
        with pytest.raises(errors.ChildrenNotVisible):
            await handlers.list_children(query, actor)


async def test_a_parent_without_children_gets_an_empty_list_and_nothing_is_written(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    parent = await make(handlers, model.Role.PARENT, "Орлова")
    audits, commits = len(store.audits), store.commits

    children = await handlers.list_children(
        commands.ListChildren(parent.id), principal("parent", subject=str(parent.id))
    )

    assert children == []
    assert (len(store.audits), store.commits) == (audits, commits)


def _outside_account(username: str) -> NewAccount:
    return NewAccount(username=username, first_name="X", last_name="Y", email=None)


# -- ListPersonRoles ------------------------------------------------------------------------------


async def test_services_page_through_person_ids_and_roles_in_id_order(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    people = [await make(handlers, role, "Ролева") for role in (model.Role.STUDENT, model.Role.PARENT)]
    people.append(await make(handlers, model.Role.TEACHER, "Учителева"))
    everyone = sorted((p.id, p.role) for p in people)
    audits, commits = len(store.audits), store.commits

    first = await handlers.list_person_roles(commands.ListPersonRoles((), None, 2), SERVICE)
    rest = await handlers.list_person_roles(commands.ListPersonRoles((), first[-1][0], 2), SERVICE)
    chosen = await handlers.list_person_roles(
        commands.ListPersonRoles((people[1].id, uuid.uuid4()), None, 10), SERVICE
    )

    assert first + rest == everyone
    assert chosen == [(people[1].id, model.Role.PARENT)]
    # Ids and roles are not personal data: nothing is audited, nothing is written.
    assert (len(store.audits), store.commits) == (audits, commits)


@pytest.mark.parametrize("role", [r.value for r in model.Role])
async def test_person_roles_are_refused_to_every_caller_but_a_service(
    handlers: IdentityHandlers, role: str
) -> None:
    with pytest.raises(errors.RoleRequired):
        await handlers.list_person_roles(commands.ListPersonRoles((), None, 10), principal(role))
