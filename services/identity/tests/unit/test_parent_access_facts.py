"""Parents' access as a date (ADR 0013): identity stages `identity.parent_access.changed.v1` with
the link's access end whenever a link, a consent or a birth date changes, and serves the paged
snapshot ListParentAccessFacts to services only. One rule: `access_until` and `parent_may_read`
always agree."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from chassis.principal import Principal
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb
from identity_service.application import commands
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.parent_access import SetBirthDate
from identity_service.application.parent_access_facts import ListParentAccessFacts
from identity_service.domain import errors, model
from identity_service.domain.parent_access import access_until, parent_may_read
from identity_service.domain.parent_access_facts import PageTokenInvalid, page_token, parse_page_token

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
MESSAGING = Principal(subject="service-account-ejournal-messaging", roles=frozenset({"service"}), token="t")
BORN, BIRTHDAY = date(2008, 12, 1), date(2026, 12, 1)
TODAY = date(2026, 11, 30)


@pytest.mark.parametrize("born", [None, BORN, date(2008, 2, 29)])
@pytest.mark.parametrize("consent", [False, True])
def test_access_until_is_the_rule_itself(born: date | None, consent: bool) -> None:
    until = access_until(born, consent)
    for today in (date(2026, 2, 27), date(2026, 2, 28), TODAY, BIRTHDAY, BIRTHDAY + timedelta(days=1)):
        assert parent_may_read(born, consent, today) == (until is None or today < until)


def test_access_until_is_the_18th_birthday_without_consent() -> None:
    assert access_until(BORN, False) == BIRTHDAY
    assert access_until(BORN, True) is None
    assert access_until(None, False) is None


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def handlers(store: FakeStore) -> IdentityHandlers:
    return IdentityHandlers(
        uow=lambda: fake_unit_of_work(store), accounts=FakeAccounts(), today=lambda: TODAY
    )


async def _person(handlers: IdentityHandlers, role: model.Role) -> model.Person:
    cmd = commands.CreatePerson(role=role, last_name="Ученикова", first_name="Анна")
    return (await handlers.create_person(cmd, ADMIN)).person


def _facts(store: FakeStore) -> list[tuple[str, str, str]]:
    """The committed facts as (student, parent, access_until or '')."""
    return [
        (
            e.fact.student_id,
            e.fact.parent_id,
            date(e.fact.access_until.year, e.fact.access_until.month, e.fact.access_until.day).isoformat()
            if e.fact.HasField("access_until")
            else "",
        )
        for e in store.events_of(facts_pb.ParentAccessChanged)
    ]


async def test_a_link_a_birth_date_and_the_consent_each_stage_the_fact(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    student, parent = await _person(handlers, model.Role.STUDENT), await _person(handlers, model.Role.PARENT)
    s, p = str(student.id), str(parent.id)
    await handlers.link_guardian(commands.LinkGuardian(parent_id=parent.id, student_id=student.id), ADMIN)
    assert _facts(store) == [(s, p, "")]
    await handlers.parent_access.set_birth_date(SetBirthDate(student.id, BORN.isoformat()), ADMIN)
    assert _facts(store)[-1] == (s, p, BIRTHDAY.isoformat())
    me = Principal(subject=s, roles=frozenset({"student"}), token="t")
    await handlers.parent_access.grant(parent.id, me)
    assert _facts(store)[-1] == (s, p, "")
    await handlers.parent_access.withdraw(parent.id, me)
    assert _facts(store)[-1] == (s, p, BIRTHDAY.isoformat())
    await handlers.parent_access.set_birth_date(SetBirthDate(student.id, ""), ADMIN)
    assert _facts(store)[-1] == (s, p, "")
    # Ids and a date only: no names in the event.
    assert "Ученикова" not in str(store.events_of(facts_pb.ParentAccessChanged))


async def test_nothing_changed_stages_nothing(handlers: IdentityHandlers, store: FakeStore) -> None:
    student, parent = await _person(handlers, model.Role.STUDENT), await _person(handlers, model.Role.PARENT)
    await handlers.link_guardian(commands.LinkGuardian(parent_id=parent.id, student_id=student.id), ADMIN)
    await handlers.link_guardian(commands.LinkGuardian(parent_id=parent.id, student_id=student.id), ADMIN)
    await handlers.parent_access.set_birth_date(SetBirthDate(student.id, BORN.isoformat()), ADMIN)
    await handlers.parent_access.set_birth_date(SetBirthDate(student.id, BORN.isoformat()), ADMIN)
    me = Principal(subject=str(student.id), roles=frozenset({"student"}), token="t")
    await handlers.parent_access.withdraw(parent.id, me)
    assert len(_facts(store)) == 2
    # A parent's own birth date changes no link's fact.
    await handlers.parent_access.set_birth_date(SetBirthDate(parent.id, "1980-01-01"), ADMIN)
    assert len(_facts(store)) == 2


async def test_a_birth_date_stages_every_link_of_the_student(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    student = await _person(handlers, model.Role.STUDENT)
    parents = [await _person(handlers, model.Role.PARENT) for _ in range(2)]
    for parent in parents:
        await handlers.link_guardian(commands.LinkGuardian(parent_id=parent.id, student_id=student.id), ADMIN)
    await handlers.parent_access.set_birth_date(SetBirthDate(student.id, BORN.isoformat()), ADMIN)
    assert sorted(_facts(store)[-2:]) == sorted(
        (str(student.id), str(p.id), BIRTHDAY.isoformat()) for p in parents
    )


async def test_the_snapshot_pages_through_every_link_for_services_only(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    links = []
    for _ in range(3):
        student, parent = (
            await _person(handlers, model.Role.STUDENT),
            await _person(handlers, model.Role.PARENT),
        )
        await handlers.link_guardian(commands.LinkGuardian(parent_id=parent.id, student_id=student.id), ADMIN)
        links.append((student.id, parent.id))
    await handlers.parent_access.set_birth_date(SetBirthDate(links[0][0], BORN.isoformat()), ADMIN)
    facts = handlers.parent_access_facts
    first = await facts.list_facts(ListParentAccessFacts(None, None, 2), MESSAGING)
    rest = await facts.list_facts(
        ListParentAccessFacts(None, parse_page_token(page_token(first[-1])), 2), MESSAGING
    )
    assert [(f.student_id, f.parent_id) for f in first + rest] == sorted(links)
    assert {f.student_id: f.access_until for f in first + rest}[links[0][0]] == BIRTHDAY
    one = await facts.list_facts(ListParentAccessFacts(links[1][0], None, 500), MESSAGING)
    assert [(f.student_id, f.parent_id, f.access_until) for f in one] == [(*links[1], None)]
    # Each page read is audited with the service as the actor.
    assert [a.action for a in store.audits].count("parent_access_facts.read") == 3
    with pytest.raises(errors.RoleRequired):
        await facts.list_facts(ListParentAccessFacts(None, None, 2), ADMIN)


@pytest.mark.parametrize("token", ["x", "1:2", f"{uuid.uuid4()}", f"{uuid.uuid4()}:"])
def test_a_page_token_not_given_by_the_rpc_is_refused(token: str) -> None:
    with pytest.raises(PageTokenInvalid) as refused:
        parse_page_token(token)
    assert refused.value.code == "invalid_page_token"
