"""Adult students and their parents' access (issue 8 item 5, 152-ФЗ): the rule at the 18th birthday,
the student's consent, and the rule applied by CheckGuardianship, ListChildren, GetPerson, GetPeople."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.principal import Principal
from chassis.testing import AuditEntry
from ejournal.identity.v1 import events_pb2
from identity_service.application import commands
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.parent_access import SetBirthDate
from identity_service.domain import errors, model
from identity_service.domain.parent_access import (
    BirthDateInvalid,
    ParentNotLinked,
    coming_of_age,
    is_adult,
    parent_may_read,
)

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
SERVICE = Principal(subject="service-account-ejournal-journal", roles=frozenset({"service"}), token="t")
BORN = date(2008, 12, 1)
DAY_BEFORE, BIRTHDAY = date(2026, 11, 30), date(2026, 12, 1)


def test_the_rule_at_the_18th_birthday() -> None:
    assert coming_of_age(BORN) == BIRTHDAY
    assert not is_adult(BORN, DAY_BEFORE) and is_adult(BORN, BIRTHDAY)
    # The day before: a minor, the link alone gives access; the day of: only the consent does.
    assert parent_may_read(BORN, consent_in_force=False, today=DAY_BEFORE)
    assert not parent_may_read(BORN, consent_in_force=False, today=BIRTHDAY)
    assert parent_may_read(BORN, consent_in_force=True, today=BIRTHDAY)
    # No birth date recorded: treated as a minor.
    assert parent_may_read(None, consent_in_force=False, today=BIRTHDAY)


def test_born_on_29_february_comes_of_age_on_28_february_of_a_common_year() -> None:
    assert coming_of_age(date(2008, 2, 29)) == date(2026, 2, 28)
    assert coming_of_age(date(2006, 2, 29 - 1)) == date(2024, 2, 28)


class Clock:
    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def clock() -> Clock:
    return Clock(DAY_BEFORE)


@pytest.fixture
def handlers(store: FakeStore, clock: Clock) -> IdentityHandlers:
    return IdentityHandlers(uow=lambda: fake_unit_of_work(store), accounts=FakeAccounts(), today=clock)


async def family(handlers: IdentityHandlers, born: date | None = BORN) -> tuple[model.Person, model.Person]:
    async def make(role: model.Role, last_name: str) -> model.Person:
        cmd = commands.CreatePerson(role=role, last_name=last_name, first_name="Анна")
        return (await handlers.create_person(cmd, ADMIN)).person

    student, parent = await make(model.Role.STUDENT, "Ученикова"), await make(model.Role.PARENT, "Родителева")
    await handlers.link_guardian(commands.LinkGuardian(parent_id=parent.id, student_id=student.id), ADMIN)
    if born is not None:
        await handlers.parent_access.set_birth_date(SetBirthDate(student.id, born.isoformat()), ADMIN)
    return student, parent


def as_person(person: model.Person) -> Principal:
    return Principal(subject=str(person.id), roles=frozenset({person.role.value}), token="t")


async def reads(handlers: IdentityHandlers, student: model.Person, parent: model.Person) -> tuple[bool, ...]:
    """What each guardian path answers the parent: CheckGuardianship, ListChildren, GetPeople."""
    check = commands.CheckGuardianship(parent_id=parent.id, student_id=student.id)
    children = await handlers.list_children(commands.ListChildren(parent_id=parent.id), as_person(parent))
    named = await handlers.get_people(commands.GetPeople(person_ids=(student.id,)), as_person(parent))
    return (
        await handlers.check_guardianship(check, SERVICE),
        [c.id for c in children] == [student.id],
        [p.id for p in named] == [student.id],
    )


async def test_a_parent_reads_until_the_18th_birthday_then_only_with_consent(
    handlers: IdentityHandlers, store: FakeStore, clock: Clock
) -> None:
    student, parent = await family(handlers)
    assert await reads(handlers, student, parent) == (True, True, True)
    clock.today = BIRTHDAY
    assert await reads(handlers, student, parent) == (False, False, False)
    ended = await handlers.children_with_access(commands.ListChildren(parent_id=parent.id), as_person(parent))
    assert ended == ([], [student.id])
    with pytest.raises(errors.PersonNotVisible):
        await handlers.get_person(commands.GetPerson(person_id=student.id), as_person(parent))

    granted = await handlers.parent_access.grant(parent.id, as_person(student))
    assert (granted.changed, granted.access, granted.parent.consent) == (True, True, True)
    assert await reads(handlers, student, parent) == (True, True, True)
    again = await handlers.parent_access.grant(parent.id, as_person(student))
    assert not again.changed

    withdrawn = await handlers.parent_access.withdraw(parent.id, as_person(student))
    assert (withdrawn.changed, withdrawn.access, withdrawn.parent.consent) == (True, False, False)
    assert await reads(handlers, student, parent) == (False, False, False)
    assert not (await handlers.parent_access.withdraw(parent.id, as_person(student))).changed

    ids = {"student_id": str(student.id), "parent_id": str(parent.id)}
    assert [(e.student_id, e.parent_id) for e in store.events_of(events_pb2.ParentAccessGranted)] == [
        (ids["student_id"], ids["parent_id"])
    ]
    assert len(store.events_of(events_pb2.ParentAccessWithdrawn)) == 1
    consent_audits = [a for a in store.audits if a.action.startswith("parent_access.")]
    assert consent_audits == [
        AuditEntry(action, str(student.id), "guardianship", f"{parent.id}/{student.id}", str(student.id))
        for action in ("parent_access.granted", "parent_access.withdrawn")
    ]


async def test_no_birth_date_is_a_minor(handlers: IdentityHandlers, clock: Clock) -> None:
    student, parent = await family(handlers, born=None)
    clock.today = date(2040, 1, 1)
    assert await reads(handlers, student, parent) == (True, True, True)


async def test_the_student_lists_their_parents_with_the_consent(
    handlers: IdentityHandlers, clock: Clock
) -> None:
    student, parent = await family(handlers)
    listed = await handlers.parent_access.list(as_person(student))
    assert (listed.adult, [(p.parent_id, p.consent, may) for p, may in listed.parents]) == (
        False,
        [(parent.id, False, True)],
    )
    clock.today = BIRTHDAY
    listed = await handlers.parent_access.list(as_person(student))
    assert (listed.adult, [(p.consent, may) for p, may in listed.parents]) == (True, [(False, False)])


async def test_only_the_student_consents_and_only_for_a_linked_parent(handlers: IdentityHandlers) -> None:
    student, parent = await family(handlers)
    other_student, _ = await family(handlers)
    with pytest.raises(ParentNotLinked):
        await handlers.parent_access.grant(parent.id, as_person(other_student))
    with pytest.raises(ParentNotLinked):
        await handlers.parent_access.withdraw(uuid.uuid4(), as_person(student))
    for caller in (as_person(parent), ADMIN, SERVICE):
        with pytest.raises(errors.RoleRequired):
            await handlers.parent_access.grant(parent.id, caller)
        with pytest.raises(errors.RoleRequired):
            await handlers.parent_access.list(caller)


async def test_birth_date_set_by_the_admin_checked_and_audited(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    student, _ = await family(handlers, born=None)
    set_it = handlers.parent_access.set_birth_date
    assert await set_it(SetBirthDate(student.id, "2008-12-01"), ADMIN) == (BORN, True)
    assert await set_it(SetBirthDate(student.id, "2008-12-01"), ADMIN) == (BORN, False)
    assert store.people[student.id].birth_date == BORN
    assert [a.action for a in store.audits].count("person.birth_date_set") == 1
    for wrong in ("01.12.2008", "2008-13-01", "2027-01-01", "1899-12-31"):
        with pytest.raises(BirthDateInvalid):
            await set_it(SetBirthDate(student.id, wrong), ADMIN)
    with pytest.raises(errors.PersonNotFound):
        await set_it(SetBirthDate(uuid.uuid4(), "2008-12-01"), ADMIN)
    with pytest.raises(errors.RoleRequired):
        await set_it(SetBirthDate(student.id, "2008-12-01"), as_person(student))
    assert await set_it(SetBirthDate(student.id, ""), ADMIN) == (None, True)


async def test_list_guardians_readable_only_leaves_out_a_parent_without_consent(
    handlers: IdentityHandlers, clock: Clock
) -> None:
    student, parent = await family(handlers)
    everyone = commands.ListGuardians(student_id=student.id)
    readable = commands.ListGuardians(student_id=student.id, readable_only=True)
    assert await handlers.list_guardians(readable, SERVICE) == [parent.id]
    clock.today = BIRTHDAY
    assert await handlers.list_guardians(readable, SERVICE) == []
    assert await handlers.list_guardians(everyone, SERVICE) == [parent.id]
    await handlers.parent_access.grant(parent.id, as_person(student))
    assert await handlers.list_guardians(readable, SERVICE) == [parent.id]
