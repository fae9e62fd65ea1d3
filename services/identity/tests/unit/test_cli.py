"""The admin CLI: arguments, the system actor, and idempotent create-person / link-guardian."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any, cast

import pytest
from identity_service import cli
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.ports import NewAccount
from identity_service.domain import errors

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def accounts() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def handlers(store: FakeStore, accounts: FakeAccounts) -> IdentityHandlers:
    return IdentityHandlers(uow=lambda: fake_unit_of_work(store), accounts=accounts)


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


def test_the_system_actor_is_a_named_admin() -> None:
    assert cli.SYSTEM.subject == "system:identity-admin-cli"
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


# -- batch ------------------------------------------------------------------------------------------


def person_argv(role: str, last: str, first: str, *extra: str) -> list[str]:
    return ["create-person", "--role", role, "--last-name", last, "--first-name", first, *extra]


FAMILY_PLAN = [
    {"id": "mum", "argv": person_argv("parent", "Сидорова", "Анна", "--username", "sidorova")},
    {"id": "kid", "argv": person_argv("student", "Сидоров", "Иван")},
    {"argv": ["link-guardian", "--parent-id", "${mum.person_id}", "--student-id", "${kid.person_id}"]},
]


def test_a_plan_is_checked_whole_before_it_runs() -> None:
    steps = cli.parse_plan(json.dumps(FAMILY_PLAN))
    assert [s.id for s in steps] == ["mum", "kid", None]
    assert steps[2].argv[2] == "${mum.person_id}"


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ("not json", "not JSON"),
        ('{"argv": []}', "JSON list"),
        ('[{"args": ["link-guardian"]}]', "step 0: expected an object"),
        ('[{"argv": []}]', "non-empty list"),
        ('[{"argv": ["create-person", 5]}]', "non-empty list of strings"),
        ('[{"argv": ["batch"]}]', "cannot contain a batch"),
        (
            '[{"argv": ["create-person", "--role", "janitor", "--last-name", "X", "--first-name", "Y"]}]',
            "step 0",
        ),
        (json.dumps([FAMILY_PLAN[2]]), "refers to no earlier step"),
        (json.dumps([FAMILY_PLAN[0], FAMILY_PLAN[0]]), "step 1: 'id'"),
        (json.dumps([{"argv": ["link-guardian", "--parent-id", "x", "--student-id", "y"]}]), "step 0"),
    ],
)
def test_a_malformed_plan_is_refused(plan: str, message: str) -> None:
    with pytest.raises(cli.PlanError, match=message):
        cli.parse_plan(plan)


async def test_a_batch_runs_in_order_and_fills_in_references(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    done: list[dict[str, Any]] = []
    await cli.run_steps(handlers, cli.parse_plan(json.dumps(FAMILY_PLAN)), done)

    mum, kid, link = done
    assert (mum["username"], mum["created"], kid["role"]) == ("sidorova", True, "student")
    assert link == {"parent_id": mum["person_id"], "student_id": kid["person_id"], "created": True}
    assert store.links == [(uuid.UUID(mum["person_id"]), uuid.UUID(kid["person_id"]))]


async def test_a_batch_stops_at_the_first_refusal_and_keeps_what_ran(
    handlers: IdentityHandlers, accounts: FakeAccounts
) -> None:
    await accounts.create_account(NewAccount(username="taken", first_name="X", last_name="Y", email=None))
    plan = [
        FAMILY_PLAN[0],
        {"argv": person_argv("student", "Петров", "Олег", "--username", "taken")},
        FAMILY_PLAN[1],
    ]
    done: list[dict[str, Any]] = []
    with pytest.raises(cli.StepRefused) as refused:
        await cli.run_steps(handlers, cli.parse_plan(json.dumps(plan)), done)
    assert refused.value.index == 1
    assert refused.value.error.code == "username_taken"
    assert [d["username"] for d in done] == ["sidorova"]


async def test_a_reference_to_a_missing_field_is_a_plan_error(handlers: IdentityHandlers) -> None:
    plan = [
        FAMILY_PLAN[0],
        {"argv": ["link-guardian", "--parent-id", "${mum.nope}", "--student-id", "${mum.person_id}"]},
    ]
    with pytest.raises(cli.PlanError, match="no 'nope'"):
        await cli.run_steps(handlers, cli.parse_plan(json.dumps(plan)), [])


def test_an_invalid_plan_exits_2_before_connecting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("[1]"))

    def never(*_: object) -> None:
        raise AssertionError("must not connect")

    monkeypatch.setattr(cli, "run_batch", never)
    assert cli._main_batch(cast(Any, None)) == 2
    error = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert error["error"] == "invalid_plan"
