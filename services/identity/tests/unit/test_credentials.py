"""Credential issue and reset against in-memory fakes (slice H1): the class teacher issues to their
group's students (final passwords) and those students' parents (temporary ones), every session ended
and each issue audited; a person outside the group refuses the whole batch before Keycloak is
touched; Keycloak down records nothing as issued; the group's accounts; a parent added to a student."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.errors import DomainError
from chassis.principal import Principal
from identity_service.application.credentials import (
    IssueCredentials,
    IssueParentAccount,
    ListGroupAccounts,
)
from identity_service.application.handlers import IdentityHandlers
from identity_service.domain import errors, group_scope, model
from identity_service.domain.group_scope import Membership

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work

TEACHER_ID = uuid.uuid4()
TEACHER = Principal(subject=str(TEACHER_ID), roles=frozenset({"class_teacher"}), token="t")
ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
GROUP, OTHER_GROUP = uuid.uuid4(), uuid.uuid4()
STUDENT, PARENT, STRANGER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TODAY = date(2026, 11, 30)


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    for pid, role, last, first in [
        (STUDENT, model.Role.STUDENT, "Иванов", "Пётр"),
        (PARENT, model.Role.PARENT, "Иванова", "Мария"),
        (STRANGER, model.Role.STUDENT, "Петров", "Илья"),
    ]:
        store.people[pid] = model.Person(
            id=pid, username=f"u{str(pid)[:8]}", role=role, last_name=last, first_name=first
        )
    store.links.append((PARENT, STUDENT))
    store.group_leads.update({GROUP: TEACHER_ID, OTHER_GROUP: uuid.uuid4()})
    store.stays += [
        Membership(GROUP, STUDENT, date(2026, 9, 1)),
        Membership(OTHER_GROUP, STRANGER, date(2026, 9, 1)),
    ]
    return store


@pytest.fixture
def accounts(store: FakeStore) -> FakeAccounts:
    accounts = FakeAccounts()
    for pid, person in store.people.items():
        accounts.accounts[str(pid)] = {"id": str(pid), "username": person.username, "password": "old"}
    return accounts


@pytest.fixture
def handlers(store: FakeStore, accounts: FakeAccounts) -> IdentityHandlers:
    passwords = iter(f"Passw0rdNumber{i}" for i in range(100))
    return IdentityHandlers(
        uow=lambda: fake_unit_of_work(store),
        accounts=accounts,
        passwords=lambda: next(passwords),
        today=lambda: TODAY,
    )


async def test_the_class_teacher_issues_to_their_student_and_the_parent(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    issued = await handlers.credentials.issue(IssueCredentials((STUDENT, PARENT, STUDENT)), TEACHER)
    assert [(i.person.id, i.temporary) for i in issued] == [(STUDENT, False), (PARENT, True)]
    assert accounts.accounts[str(STUDENT)]["password"] == issued[0].password
    assert accounts.accounts[str(STUDENT)]["temporary"] is False
    assert accounts.accounts[str(PARENT)]["temporary"] is True
    assert accounts.logged_out == [str(STUDENT), str(PARENT)]
    assert set(store.issues) == {STUDENT, PARENT} and store.issues[STUDENT][1] == str(TEACHER_ID)
    assert [(a.action, a.actor_id, a.resource_id) for a in store.audits] == [
        ("credentials.issued", str(TEACHER_ID), str(STUDENT)),
        ("credentials.issued", str(TEACHER_ID), str(PARENT)),
    ]
    assert all(i.password not in str(a) for i in issued for a in store.audits)


async def test_an_issued_password_the_policy_refuses_is_replaced_and_the_slip_shows_the_one_set(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    accounts.refused_passwords = 1
    (issued,) = await handlers.credentials.issue(IssueCredentials((STUDENT,)), TEACHER)
    assert accounts.refused == ["Passw0rdNumber0"]
    assert issued.password == accounts.accounts[str(STUDENT)]["password"] == "Passw0rdNumber1"


async def test_one_person_outside_the_group_refuses_the_whole_batch_before_keycloak(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    with pytest.raises(group_scope.PersonNotInYourGroup):
        await handlers.credentials.issue(IssueCredentials((STUDENT, STRANGER)), TEACHER)
    assert accounts.accounts[str(STUDENT)]["password"] == "old"
    assert not accounts.logged_out and not store.issues and not store.audits


@pytest.mark.parametrize(
    ("ids", "code"), [((), "no_person_ids"), (tuple(uuid.uuid4() for _ in range(101)), "too_many_person_ids")]
)
async def test_bad_batches(handlers: IdentityHandlers, ids: tuple[uuid.UUID, ...], code: str) -> None:
    with pytest.raises(DomainError) as refused:
        await handlers.credentials.issue(IssueCredentials(ids), ADMIN)
    assert refused.value.code == code


async def test_keycloak_down_records_nothing_as_issued(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    accounts.failing["end_sessions"] = errors.AccountDirectoryUnavailable()
    with pytest.raises(errors.AccountDirectoryUnavailable):
        await handlers.credentials.issue(IssueCredentials((STUDENT,)), TEACHER)
    assert not store.issues
    assert [a.action for a in store.audits] == ["credentials.issued:failed:accounts_unavailable"]


async def test_the_group_accounts_list_students_with_parents_and_audits_each_read(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    await handlers.credentials.issue(IssueCredentials((STUDENT,)), TEACHER)
    store.audits.clear()
    [row] = await handlers.credentials.group_accounts(ListGroupAccounts(GROUP), TEACHER)
    assert row.student.person.id == STUDENT and row.student.enabled and row.student.issued_at is not None
    assert [(p.person.id, p.issued_at) for p in row.parents] == [(PARENT, None)]
    assert sorted(a.resource_id for a in store.audits) == sorted([str(STUDENT), str(PARENT)])
    with pytest.raises(group_scope.NotClassTeacherOfGroup):
        await handlers.credentials.group_accounts(ListGroupAccounts(OTHER_GROUP), TEACHER)


async def test_the_class_teacher_adds_a_parent_to_their_student(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    cmd = IssueParentAccount(STUDENT, "Иванов", "Сергей", "Петрович", "")
    issued = await handlers.credentials.issue_parent_account(cmd, TEACHER)
    parent = issued.person
    assert parent.role is model.Role.PARENT and issued.temporary
    assert (parent.id, STUDENT) in store.links and parent.id in store.people
    assert accounts.accounts[str(parent.id)]["password"] == issued.password
    assert {a.action for a in store.audits} == {"person.created", "guardian.linked", "credentials.issued"}
    # The same ФИО again (case and «ё» aside) is refused; nothing more is created.
    before = len(accounts.accounts)
    with pytest.raises(group_scope.ParentAlreadyLinked) as refused:
        await handlers.credentials.issue_parent_account(
            IssueParentAccount(STUDENT, "иванов", "сергей", "петрович", ""), TEACHER
        )
    assert refused.value.code == "parent_already_linked" and len(accounts.accounts) == before


async def test_a_parent_for_a_student_of_another_group_is_refused(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    before = len(accounts.accounts)
    with pytest.raises(group_scope.PersonNotInYourGroup):
        await handlers.credentials.issue_parent_account(
            IssueParentAccount(STRANGER, "Петрова", "Анна", "", ""), TEACHER
        )
    assert len(accounts.accounts) == before


async def test_a_failed_transaction_deletes_the_new_parent_account(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    store.fail_commit = RuntimeError("database gone")
    with pytest.raises(RuntimeError):
        await handlers.credentials.issue_parent_account(
            IssueParentAccount(STUDENT, "Иванов", "Олег", "", ""), ADMIN
        )
    assert len(accounts.deleted) == 1 and accounts.deleted[0] not in accounts.accounts
    assert not store.links[1:]
