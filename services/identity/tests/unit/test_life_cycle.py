"""The account life cycle against in-memory fakes: the administrator disables and enables an account
(sessions ended, audited, idempotent, Keycloak down → nothing recorded but the failed attempt); the
journal's movement events disable a student on expulsion or graduation and enable them on return,
once per event, in date order; the consumer's mapping of events and its poison cases."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.consumer import PoisonMessage
from chassis.errors import DomainError, PermissionDenied
from chassis.events import Delivery
from chassis.principal import Principal
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1 import identity_service_pb2 as spb
from ejournal.journal.v1 import events_pb2 as journal_events
from ejournal.journal.v1 import journal_pb2 as jpb
from identity_service.api.life_cycle import ACCOUNT_LIFE_CYCLE, account_state_to_pb, movement_command
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.life_cycle import (
    ApplyMovement,
    DisableAccount,
    EnableAccount,
    GetAccountState,
)
from identity_service.domain import errors, life_cycle, model
from identity_service.domain.life_cycle import AccountState, DisabledReason, MovementKind, change_for_movement

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
STUDENT = uuid.uuid4()
NOV_2, NOV_20 = date(2026, 11, 2), date(2026, 11, 20)


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.people[STUDENT] = model.Person(
        id=STUDENT, username="ivanov.ps", role=model.Role.STUDENT, last_name="Иванов", first_name="Пётр"
    )
    return store


@pytest.fixture
def accounts() -> FakeAccounts:
    accounts = FakeAccounts()
    accounts.accounts[str(STUDENT)] = {"id": str(STUDENT), "enabled": True}
    return accounts


@pytest.fixture
def handlers(store: FakeStore, accounts: FakeAccounts) -> IdentityHandlers:
    return IdentityHandlers(uow=lambda: fake_unit_of_work(store), accounts=accounts)


def delivery() -> Delivery:
    return Delivery(
        event_id=str(uuid.uuid4()), consumer=ACCOUNT_LIFE_CYCLE, subject="journal.student.moved.v1"
    )


# -- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "kind", "expected"),
    [
        (AccountState(STUDENT), MovementKind.EXPULSION, (False, DisabledReason.EXPULSION)),
        (AccountState(STUDENT), MovementKind.GRADUATION, (False, DisabledReason.GRADUATION)),
        (AccountState(STUDENT), MovementKind.RETURN, None),
        (AccountState(STUDENT, False, DisabledReason.EXPULSION), MovementKind.RETURN, (True, None)),
        (AccountState(STUDENT, False, DisabledReason.EXPULSION), MovementKind.EXPULSION, None),
        # The administrator's decision stays theirs.
        (AccountState(STUDENT, False, DisabledReason.BY_ADMIN), MovementKind.RETURN, None),
        # An older movement than the last one applied changes nothing.
        (AccountState(STUDENT, last_movement_on=NOV_20), MovementKind.EXPULSION, None),
    ],
)
def test_what_a_movement_does_to_the_account(
    state: AccountState, kind: MovementKind, expected: tuple[bool, DisabledReason | None] | None
) -> None:
    change = change_for_movement(state, kind, NOV_2)
    assert (None if change is None else (change.enable, change.reason)) == expected


# -- the administrator ----------------------------------------------------------------------------


async def test_the_admin_disables_an_account_ending_its_sessions_and_enables_it_again(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    done = await handlers.life_cycle.disable(DisableAccount(STUDENT), ADMIN)

    assert (done.changed, done.state.enabled, done.state.reason) == (True, False, DisabledReason.BY_ADMIN)
    assert accounts.accounts[str(STUDENT)]["enabled"] is False
    assert accounts.logged_out == [str(STUDENT)]
    again = await handlers.life_cycle.disable(DisableAccount(STUDENT), ADMIN)
    assert again.changed is False and accounts.logged_out == [str(STUDENT)]

    enabled = await handlers.life_cycle.enable(EnableAccount(STUDENT), ADMIN)

    assert (enabled.changed, enabled.state.enabled, enabled.state.reason) == (True, True, None)
    assert accounts.accounts[str(STUDENT)]["enabled"] is True
    assert [(a.action, a.actor_id, a.resource_id, a.subject_person_id) for a in store.audits] == [
        ("account.disabled:by_admin", ADMIN.subject, str(STUDENT), str(STUDENT)),
        ("account.enabled", ADMIN.subject, str(STUDENT), str(STUDENT)),
    ]
    assert store.account_states[STUDENT][1] == ADMIN.subject
    state = await handlers.life_cycle.state(GetAccountState(STUDENT), ADMIN)
    assert state.enabled is True
    assert account_state_to_pb(state).changed_at.startswith("2026-11-30T10:00")


@pytest.mark.parametrize(
    "role", ["director", "deputy", "curator", "class_teacher", "teacher", "student", "service"]
)
async def test_only_the_admin_disables_enables_and_reads_account_states(
    handlers: IdentityHandlers, accounts: FakeAccounts, role: str
) -> None:
    actor = Principal(subject=str(uuid.uuid4()), roles=frozenset({role}), token="t")
    for call in (
        handlers.life_cycle.disable(DisableAccount(STUDENT), actor),
        handlers.life_cycle.enable(EnableAccount(STUDENT), actor),
        handlers.life_cycle.state(GetAccountState(STUDENT), actor),
    ):
        with pytest.raises(PermissionDenied):
            await call
    assert accounts.accounts[str(STUDENT)]["enabled"] is True


async def test_unknown_people_and_the_admins_own_account_are_refused(handlers: IdentityHandlers) -> None:
    with pytest.raises(life_cycle.AccountPersonNotFound):
        await handlers.life_cycle.disable(DisableAccount(uuid.uuid4()), ADMIN)
    with pytest.raises(DomainError) as refused:
        await handlers.life_cycle.disable(DisableAccount(uuid.UUID(ADMIN.subject)), ADMIN)
    assert refused.value.code == "own_account"


async def test_keycloak_down_records_no_change_but_the_failed_attempt(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    accounts.failing["set_enabled"] = errors.AccountDirectoryUnavailable()

    with pytest.raises(errors.AccountDirectoryUnavailable) as refused:
        await handlers.life_cycle.disable(DisableAccount(STUDENT), ADMIN)

    assert refused.value.code == "accounts_unavailable"
    assert store.account_states == {}
    assert [a.action for a in store.audits] == ["account.disabled:by_admin:failed:accounts_unavailable"]


# -- the journal's movements ----------------------------------------------------------------------


async def test_an_expulsion_disables_the_student_and_a_return_enables_them_once_per_event(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    expelled = delivery()
    assert await handlers.life_cycle.apply_movement(
        ApplyMovement(STUDENT, MovementKind.EXPULSION, NOV_2), expelled
    )
    assert accounts.accounts[str(STUDENT)]["enabled"] is False
    assert accounts.logged_out == [str(STUDENT)]
    # The same event again: claimed already, nothing happens.
    assert not await handlers.life_cycle.apply_movement(
        ApplyMovement(STUDENT, MovementKind.EXPULSION, NOV_2), expelled
    )
    assert accounts.logged_out == [str(STUDENT)]

    assert await handlers.life_cycle.apply_movement(
        ApplyMovement(STUDENT, MovementKind.RETURN, NOV_20), delivery()
    )

    assert accounts.accounts[str(STUDENT)]["enabled"] is True
    state, changed_by = store.account_states[STUDENT]
    assert (state.enabled, state.last_movement_on, changed_by) == (True, NOV_20, "service:identity")
    assert [(a.action, a.actor_id, a.resource_id) for a in store.audits] == [
        ("account.disabled:expulsion", "service:identity", str(STUDENT)),
        ("account.enabled", "service:identity", str(STUDENT)),
    ]
    # A late event about the older expulsion changes nothing.
    assert not await handlers.life_cycle.apply_movement(
        ApplyMovement(STUDENT, MovementKind.EXPULSION, NOV_2), delivery()
    )
    assert accounts.accounts[str(STUDENT)]["enabled"] is True


async def test_keycloak_down_leaves_the_event_to_be_retried(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    accounts.failing["end_sessions"] = errors.AccountDirectoryUnavailable()
    graduated = delivery()
    with pytest.raises(errors.AccountDirectoryUnavailable):
        await handlers.life_cycle.apply_movement(
            ApplyMovement(STUDENT, MovementKind.GRADUATION, NOV_2), graduated
        )
    assert store.account_states == {} and not store.claimed and not store.audits

    del accounts.failing["end_sessions"]
    assert await handlers.life_cycle.apply_movement(
        ApplyMovement(STUDENT, MovementKind.GRADUATION, NOV_2), graduated
    )
    assert store.account_states[STUDENT][0].reason is DisabledReason.GRADUATION


async def test_a_movement_of_someone_identity_does_not_know_is_only_claimed(
    handlers: IdentityHandlers, store: FakeStore, accounts: FakeAccounts
) -> None:
    assert not await handlers.life_cycle.apply_movement(
        ApplyMovement(uuid.uuid4(), MovementKind.EXPULSION, NOV_2), delivery()
    )
    assert len(store.claimed) == 1 and not store.audits and not accounts.logged_out


def moved(
    kind: jpb.MovementKind.ValueType, student: str = str(STUDENT), day: LocalDate | None = None
) -> journal_events.StudentMoved:
    return journal_events.StudentMoved(
        student_id=student, kind=kind, on_date=day or LocalDate(year=2026, month=11, day=2)
    )


def test_the_consumer_maps_the_kinds_that_change_an_account() -> None:
    assert movement_command(moved(jpb.MOVEMENT_KIND_EXPULSION)) == ApplyMovement(
        STUDENT, MovementKind.EXPULSION, NOV_2
    )
    assert movement_command(moved(jpb.MOVEMENT_KIND_GRADUATION)).kind is MovementKind.GRADUATION  # type: ignore[union-attr]
    assert movement_command(moved(jpb.MOVEMENT_KIND_RETURN)).kind is MovementKind.RETURN  # type: ignore[union-attr]
    for kind in (jpb.MOVEMENT_KIND_TRANSFER, jpb.MOVEMENT_KIND_ACADEMIC_LEAVE, jpb.MOVEMENT_KIND_ENROLMENT):
        assert movement_command(moved(kind)) is None


@pytest.mark.parametrize(
    "event",
    [
        moved(jpb.MOVEMENT_KIND_EXPULSION, student="not-a-uuid"),
        moved(jpb.MOVEMENT_KIND_EXPULSION, day=LocalDate(year=2026, month=2, day=30)),
    ],
)
def test_a_malformed_movement_is_poison(event: journal_events.StudentMoved) -> None:
    with pytest.raises(PoisonMessage):
        movement_command(event)


def test_every_disabled_reason_has_its_proto_value() -> None:
    names = {name.removeprefix("ACCOUNT_DISABLED_REASON_") for name, _ in spb.AccountDisabledReason.items()}
    assert names - {"UNSPECIFIED"} == {r.name for r in DisabledReason}
