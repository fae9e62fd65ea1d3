"""The admin CLI: arguments, the system actor, and idempotent create-person / link-guardian."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from identity_service import cli
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.ports import NewAccount
from identity_service.domain import errors

from .fakes import FakeAccounts, FakeStore, FakeUnitOfWork


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def accounts() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def handlers(store: FakeStore, accounts: FakeAccounts) -> IdentityHandlers:
    factory: Any = lambda: FakeUnitOfWork(store)  # noqa: E731
    return IdentityHandlers(uow=factory, accounts=accounts)


def parse(*argv: str) -> Any:
    return cli.build_parser().parse_args(argv)


DEMO_ADMIN = (
    "create-person",
    "--role",
    "admin",
    "--last-name",
    "Администратор",
    "--first-name",
    "Демо",
    "--username",
    "demo.admin",
    "--password",
    "Demo-Passw0rd",
)


def test_the_system_actor_is_an_admin_without_a_subject() -> None:
    assert cli.SYSTEM.subject == ""
    assert cli.SYSTEM.has_any("admin")


def test_unknown_role_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        parse("create-person", "--role", "janitor", "--last-name", "Иванов", "--first-name", "Пётр")


async def test_create_person_prints_the_existing_person_on_repeat(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    first = await cli.create_person(handlers, parse(*DEMO_ADMIN))
    again = await cli.create_person(handlers, parse(*DEMO_ADMIN))

    assert first["created"] is True and again["created"] is False
    assert first["person_id"] == again["person_id"]
    assert (first["username"], first["role"]) == ("demo.admin", "admin")
    assert "temporary_password" not in first
    assert accounts.accounts[first["person_id"]]["temporary"] is False
    assert len(accounts.accounts) == 1


async def test_create_person_without_password_prints_the_temporary_one(handlers: IdentityHandlers) -> None:
    args = parse("create-person", "--role", "student", "--last-name", "Иванов", "--first-name", "Пётр")
    result = await cli.create_person(handlers, args)
    assert result["username"] == "ivanov.p"
    assert len(result["temporary_password"]) >= 12


async def test_a_login_held_only_by_keycloak_is_not_adopted(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    await accounts.create_account(
        NewAccount(username="demo.admin", first_name="X", last_name="Y", email=None)
    )
    with pytest.raises(errors.UsernameTaken):
        await cli.create_person(handlers, parse(*DEMO_ADMIN))


async def test_link_guardian_repeats_harmlessly(handlers: IdentityHandlers) -> None:
    parent = await cli.create_person(
        handlers,
        parse("create-person", "--role", "parent", "--last-name", "Сидорова", "--first-name", "Анна"),
    )
    child = await cli.create_person(
        handlers,
        parse("create-person", "--role", "student", "--last-name", "Сидоров", "--first-name", "Иван"),
    )
    argv = ("link-guardian", "--parent-id", parent["person_id"], "--student-id", child["person_id"])

    first = await cli.link_guardian(handlers, parse(*argv))
    again = await cli.link_guardian(handlers, parse(*argv))

    assert first == {"parent_id": parent["person_id"], "student_id": child["person_id"], "created": True}
    assert again["created"] is False


def test_link_guardian_needs_uuids() -> None:
    with pytest.raises(SystemExit):
        parse("link-guardian", "--parent-id", "x", "--student-id", str(uuid.uuid4()))
