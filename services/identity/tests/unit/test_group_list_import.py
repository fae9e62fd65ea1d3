"""ImportGroupList against in-memory fakes: every row checked first, all accounts or none, the sweeper."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from chassis.errors import ServiceUnavailable
from chassis.principal import Principal
from ejournal.identity.v1 import events_pb2
from identity_service.application.group_list_import import GroupListImportHandlers, ImportGroupList
from identity_service.domain import errors, model
from identity_service.domain.group_list_import import (
    GroupListAlreadyImported,
    GroupListPlan,
    ParentInput,
    RowInput,
    plan_group_list,
)
from identity_service.domain.group_scope import GroupNotFound, NotClassTeacherOfGroup

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work

TODAY = date(2026, 11, 30)
GROUP = uuid.uuid4()
TEACHER = Principal(subject=str(uuid.uuid4()), roles=frozenset({"class_teacher"}), token="t")
OTHER_TEACHER = Principal(subject=str(uuid.uuid4()), roles=frozenset({"class_teacher"}), token="t")
ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")


def row(n: int, last: str, first: str = "Анна", *parents: ParentInput, born: str = "") -> RowInput:
    return RowInput(row=n, last_name=last, first_name=first, middle_name="", birth_date=born, parents=parents)


MOTHER = ParentInput("Смирнова", "Ольга", "Петровна", "olga@example.ru")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.group_leads[GROUP] = uuid.UUID(TEACHER.subject)
    return store


@pytest.fixture
def accounts() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def handlers(store: FakeStore, accounts: FakeAccounts) -> GroupListImportHandlers:
    counter = iter(range(1000))
    return GroupListImportHandlers(
        uow=lambda: fake_unit_of_work(store),
        accounts=accounts,
        passwords=lambda: f"Pass-{next(counter):04d}-word",
        today=lambda: TODAY,
    )


# -- the rows, checked before anything exists -----------------------------------------------------


def test_every_bad_field_is_named_by_row_and_column() -> None:
    refused = plan_group_list(
        [
            row(2, "Иванов", "Пётр", born="31.02.2008"),
            row(3, "", "Анна", ParentInput("Пет3ров", "", "", "not-an-email")),
            row(4, "Сидоров", "Иван", born="2099-01-01"),
        ],
        TODAY,
    )
    assert isinstance(refused, list)
    assert [(e.row, e.column, e.code) for e in refused] == [
        (2, "Дата рождения", "invalid_birth_date"),
        (3, "Фамилия студента", "missing_last_name"),
        (3, "Фамилия родителя 1", "invalid_last_name"),
        (3, "Имя родителя 1", "missing_first_name"),
        (3, "E-mail родителя 1", "invalid_email"),
        (4, "Дата рождения", "invalid_birth_date"),
    ]
    assert all(e.message for e in refused)


def test_a_student_twice_and_a_parent_twice_for_one_student_are_refused() -> None:
    refused = plan_group_list(
        [
            row(2, "Иванов", "Пётр", MOTHER, MOTHER),
            row(3, "Иванов", "Пётр"),
        ],
        TODAY,
    )
    assert isinstance(refused, list)
    assert [(e.row, e.code) for e in refused] == [(2, "parent_listed_twice"), (3, "student_listed_twice")]
    assert "строке 2" in refused[1].message


def test_one_parent_of_two_siblings_is_one_person_with_two_links() -> None:
    plan = plan_group_list([row(2, "Смирнов", "Пётр", MOTHER), row(3, "Смирнова", "Анна", MOTHER)], TODAY)
    assert isinstance(plan, GroupListPlan)
    assert len(plan.students) == 2 and len(plan.parents) == 1
    assert plan.parents[0].rows == [2, 3] and plan.links == 2


def test_empty_and_too_long_lists_are_refused_as_a_whole() -> None:
    empty = plan_group_list([], TODAY)
    assert isinstance(empty, list) and empty[0].code == "empty_group_list"
    many = plan_group_list([row(n, f"Студент{'а' * (n % 5)}") for n in range(2, 63)], TODAY)
    assert isinstance(many, list) and [e.code for e in many] == ["too_many_rows"]


def test_birth_dates_in_both_spellings() -> None:
    plan = plan_group_list([row(2, "Иванов", born="05.03.2008"), row(3, "Петров", born="2008-03-06")], TODAY)
    assert isinstance(plan, GroupListPlan)
    assert [s.birth_date for s in plan.students] == [date(2008, 3, 5), date(2008, 3, 6)]


# -- the import ----------------------------------------------------------------------------------


async def test_import_creates_accounts_links_audit_and_one_event(
    handlers: GroupListImportHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    cmd = ImportGroupList(
        GROUP, [row(2, "Смирнов", "Пётр", MOTHER, born="05.03.2008"), row(3, "Смирнова", "Анна", MOTHER)]
    )
    outcome = await handlers.import_group_list(cmd, TEACHER)
    assert not outcome.errors and outcome.import_id is not None
    assert [a.person.role for a in outcome.accounts] == [
        model.Role.STUDENT,
        model.Role.STUDENT,
        model.Role.PARENT,
    ]
    assert [a.person.username for a in outcome.accounts] == ["smirnov.p", "smirnova.a", "smirnova.op"]
    students = [a.person.id for a in outcome.accounts[:2]]
    assert outcome.accounts[2].student_ids == students and outcome.accounts[2].rows == [2, 3]
    # A student keeps the issued password (R1.3); a parent changes it at the first login.
    temporary = [accounts.accounts[str(a.person.id)]["temporary"] for a in outcome.accounts]
    assert temporary == [False, False, True]
    assert store.people[students[0]].birth_date == date(2008, 3, 5)
    assert sorted(store.links) == sorted((outcome.accounts[2].person.id, s) for s in students)
    [event] = store.events_of(events_pb2.GroupListImported)
    assert event.group_id == str(GROUP) and list(event.student_ids) == [str(s) for s in students]
    assert (event.imported_on.year, event.imported_on.month, event.imported_on.day) == (2026, 11, 30)
    assert event.import_id == str(outcome.import_id)
    actions = [a.action for a in store.audits]
    assert actions.count("person.created") == 3 and actions.count("guardian.linked") == 2
    assert actions[-1] == "group_list.imported"
    assert store.audits[-1].resource_id == f"{outcome.import_id}:2:1:2"
    assert not store.pending_logins


async def test_a_generated_password_the_policy_refuses_is_replaced_on_the_printed_list(
    handlers: GroupListImportHandlers, accounts: FakeAccounts
) -> None:
    accounts.refused_passwords = 1
    outcome = await handlers.import_group_list(
        ImportGroupList(GROUP, [row(2, "Смирнов", "Пётр", MOTHER)]), TEACHER
    )
    assert not outcome.errors and len(accounts.refused) == 1
    for issued in outcome.accounts:
        assert issued.password == accounts.accounts[str(issued.person.id)]["password"]
        assert issued.password not in accounts.refused


async def test_a_refused_row_creates_nothing(
    handlers: GroupListImportHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    outcome = await handlers.import_group_list(
        ImportGroupList(GROUP, [row(2, "Смирнов", "Пётр"), row(3, "Смирнов", "Пётр")]), TEACHER
    )
    assert [e.code for e in outcome.errors] == ["student_listed_twice"]
    assert not accounts.accounts and not store.people and not store.events and not store.imports


async def test_the_same_list_twice_is_refused(
    handlers: GroupListImportHandlers, accounts: FakeAccounts
) -> None:
    cmd = ImportGroupList(GROUP, [row(2, "Смирнов", "Пётр", MOTHER)])
    await handlers.import_group_list(cmd, TEACHER)
    with pytest.raises(GroupListAlreadyImported):
        await handlers.import_group_list(cmd, ADMIN)
    assert len(accounts.accounts) == 2


async def test_only_the_admin_or_the_groups_class_teacher_imports(handlers: GroupListImportHandlers) -> None:
    cmd = ImportGroupList(GROUP, [row(2, "Смирнов", "Пётр")])
    with pytest.raises(NotClassTeacherOfGroup):
        await handlers.import_group_list(cmd, OTHER_TEACHER)
    with pytest.raises(GroupNotFound):
        await handlers.import_group_list(ImportGroupList(uuid.uuid4(), cmd.rows), ADMIN)


async def test_keycloak_failing_midway_removes_every_account_of_the_import(
    handlers: GroupListImportHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    made: list[str] = []
    create = accounts.create_account

    async def third_fails(account: object) -> str:
        if len(made) == 2:
            raise errors.AccountDirectoryUnavailable()
        made.append(await create(account))  # type: ignore[arg-type]
        return made[-1]

    accounts.create_account = third_fails  # type: ignore[method-assign]
    cmd = ImportGroupList(GROUP, [row(n, f"Смирнов{'а' * n}", "Пётр") for n in range(2, 8)])
    with pytest.raises(ServiceUnavailable):
        await handlers.import_group_list(cmd, TEACHER)
    assert not accounts.accounts and sorted(accounts.deleted) == sorted(made)
    assert not store.people and not store.events and not store.pending_logins
    [state] = store.imports.values()
    assert state["status"] == "failed"
    # The same list may be tried again once Keycloak is back.
    accounts.create_account = create  # type: ignore[method-assign]
    outcome = await handlers.import_group_list(cmd, TEACHER)
    assert len(outcome.accounts) == 6


async def test_the_sweeper_deletes_what_a_failed_clean_up_left(
    handlers: GroupListImportHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    accounts.failing["assign_role"] = errors.AccountDirectoryUnavailable()
    accounts.failing["delete_account"] = errors.AccountDirectoryUnavailable()
    with pytest.raises(ServiceUnavailable):
        await handlers.import_group_list(ImportGroupList(GROUP, [row(2, "Смирнов", "Пётр", MOTHER)]), TEACHER)
    assert accounts.accounts and store.pending_logins
    with pytest.raises(ServiceUnavailable):
        await handlers.sweep_abandoned_accounts()
    accounts.failing.clear()
    assert await handlers.sweep_abandoned_accounts() == 2
    assert not accounts.accounts and not store.pending_logins
    assert [a.action for a in store.audits] == ["account.deleted:group_list_interrupted"] * 2


async def test_the_sweeper_leaves_an_import_in_progress_alone(
    handlers: GroupListImportHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    import_id = uuid.uuid4()
    store.imports[import_id] = {"group_id": GROUP, "digest": "x", "status": "creating", "created_at": _now()}
    store.pending_logins.add((import_id, "smirnov.p"))
    assert await handlers.sweep_abandoned_accounts() == 0
    assert store.pending_logins
    assert await handlers.sweep_abandoned_accounts(older_than=timedelta(0)) == 0
    assert not store.pending_logins and store.imports[import_id]["status"] == "failed"


def _now() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)
