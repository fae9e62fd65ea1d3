"""R1.3: a student keeps the password the college issued: no «change it at the first login» for students.

Staff and parents get a temporary password and change it at the first login (Keycloak's
UPDATE_PASSWORD); a student's generated password is final, and the realm gives students no way to
change it (no account-console roles; see deploy/keycloak and tests/e2e/test_realm_settings.py).
"""

from __future__ import annotations

import uuid

import pytest
from chassis.principal import Principal
from identity_service.application import commands
from identity_service.application.handlers import IdentityHandlers
from identity_service.domain import model

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")


@pytest.fixture
def accounts() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def handlers(accounts: FakeAccounts) -> IdentityHandlers:
    store = FakeStore()
    return IdentityHandlers(uow=lambda: fake_unit_of_work(store), accounts=accounts)


def create(role: model.Role, password: str | None = None) -> commands.CreatePerson:
    return commands.CreatePerson(role=role, last_name="Иванов", first_name="Пётр", password=password)


async def test_a_students_generated_password_is_final(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    created = await handlers.create_person(create(model.Role.STUDENT), ADMIN)
    account = accounts.accounts[str(created.person.id)]
    assert created.temporary_password and account["password"] == created.temporary_password
    assert account["temporary"] is False
    assert account["require_password_change"] is False


@pytest.mark.parametrize(
    "role", [r for r in model.Role if r is not model.Role.STUDENT], ids=lambda r: str(r.value)
)
async def test_staff_and_parents_change_the_generated_password_at_first_login(
    handlers: IdentityHandlers, accounts: FakeAccounts, role: model.Role
) -> None:
    created = await handlers.create_person(create(role), ADMIN)
    account = accounts.accounts[str(created.person.id)]
    assert created.temporary_password and account["password"] == created.temporary_password
    assert account["temporary"] is True
    assert account["require_password_change"] is True


async def test_a_password_given_by_the_admin_is_not_temporary(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    created = await handlers.create_person(create(model.Role.TEACHER, "Own-Passw0rd-2026"), ADMIN)
    account = accounts.accounts[str(created.person.id)]
    assert created.temporary_password == ""
    assert (account["temporary"], account["require_password_change"]) == (False, False)
