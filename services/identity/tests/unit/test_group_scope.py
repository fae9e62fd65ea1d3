"""Identity's projection of the journal's groups and the one scope rule of credential issue (slice
H1) against in-memory fakes: the journal's events become stays and class teachers, once per event;
the admin issues to anyone but themself, a class teacher to their group's current students and those
students' parents, nobody else to anybody."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.events import Delivery
from chassis.principal import Principal
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import events_pb2 as journal_events
from ejournal.journal.v1 import journal_pb2 as jpb
from identity_service.api.group_scope import (
    LOADS_ASSIGNED,
    LOADS_REMOVED,
    STUDENTS_MOVED,
    enrolled_command,
    group_created_command,
    group_updated_command,
    load_assigned_command,
    load_removed_command,
    moved_command,
)
from identity_service.application import commands
from identity_service.application import group_scope as scope
from identity_service.application.handlers import IdentityHandlers
from identity_service.domain import errors, group_scope, model

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
TEACHER_ID, OTHER_TEACHER_ID = uuid.uuid4(), uuid.uuid4()
TEACHER = Principal(subject=str(TEACHER_ID), roles=frozenset({"class_teacher"}), token="t")
OTHER_TEACHER = Principal(subject=str(OTHER_TEACHER_ID), roles=frozenset({"class_teacher"}), token="t")
GROUP, OTHER_GROUP = uuid.uuid4(), uuid.uuid4()
STUDENT, MOVED, PARENT, STAFF = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
SEP_1, NOV_2, TODAY = date(2026, 9, 1), date(2026, 11, 2), date(2026, 11, 30)


def _person(pid: uuid.UUID, role: model.Role, last: str) -> model.Person:
    return model.Person(id=pid, username=last.lower(), role=role, last_name=last, first_name="Имя")


def _delivery(consumer: str = STUDENTS_MOVED) -> Delivery:
    return Delivery(event_id=str(uuid.uuid4()), consumer=consumer, subject="journal.x.v1")


def _date(d: date) -> LocalDate:
    return LocalDate(year=d.year, month=d.month, day=d.day)


@pytest.fixture
async def store() -> FakeStore:
    """A group led by TEACHER with STUDENT (and PARENT linked) and MOVED, who went to OTHER_GROUP."""
    store = FakeStore()
    for pid, role, last in [
        (STUDENT, model.Role.STUDENT, "Иванов"),
        (MOVED, model.Role.STUDENT, "Петров"),
        (PARENT, model.Role.PARENT, "Иванова"),
        (STAFF, model.Role.TEACHER, "Сидоров"),
    ]:
        store.people[pid] = _person(pid, role, last)
    store.links.append((PARENT, STUDENT))
    projection = scope.GroupScopeProjection(lambda: fake_unit_of_work(store))
    created = journal_events.GroupCreated(group_id=str(GROUP), class_teacher_id=str(TEACHER_ID))
    await projection.record_group(group_created_command(created), _delivery())
    other = journal_events.GroupUpdated(group_id=str(OTHER_GROUP), class_teacher_id=str(OTHER_TEACHER_ID))
    await projection.record_group(group_updated_command(other), _delivery())
    for student in (STUDENT, MOVED):
        enrolled = journal_events.StudentEnrolled(
            group_id=str(GROUP), student_id=str(student), enrolled_on=_date(SEP_1)
        )
        await projection.record_membership(enrolled_command(enrolled), _delivery())
    transfer = journal_events.StudentMoved(
        student_id=str(MOVED),
        kind=jpb.MOVEMENT_KIND_TRANSFER,
        from_group_id=str(GROUP),
        to_group_id=str(OTHER_GROUP),
        on_date=_date(NOV_2),
    )
    await projection.record_membership(moved_command(transfer), _delivery())
    return store


async def test_the_projection_holds_the_journal_facts(store: FakeStore) -> None:
    uow = fake_unit_of_work(store)
    assert await scope.class_teacher_groups(uow, TEACHER_ID) == {GROUP}
    assert await scope.current_students(uow, GROUP, TODAY) == [STUDENT]
    assert await scope.current_students(uow, OTHER_GROUP, TODAY) == [MOVED]
    # Before the transfer's day MOVED was still in the first group.
    assert set(await scope.current_students(uow, GROUP, date(2026, 11, 1))) == {STUDENT, MOVED}


async def test_a_creation_heard_after_an_update_keeps_the_newer_class_teacher(store: FakeStore) -> None:
    projection = scope.GroupScopeProjection(lambda: fake_unit_of_work(store))
    late = journal_events.GroupCreated(group_id=str(OTHER_GROUP), class_teacher_id="")
    await projection.record_group(group_created_command(late), _delivery())
    assert store.group_leads[OTHER_GROUP] == OTHER_TEACHER_ID


async def test_an_event_is_applied_once(store: FakeStore) -> None:
    projection = scope.GroupScopeProjection(lambda: fake_unit_of_work(store))
    delivery = _delivery()
    expelled = journal_events.StudentMoved(
        student_id=str(STUDENT),
        kind=jpb.MOVEMENT_KIND_EXPULSION,
        from_group_id=str(GROUP),
        on_date=_date(NOV_2),
    )
    assert await projection.record_membership(moved_command(expelled), delivery)
    assert not await projection.record_membership(moved_command(expelled), delivery)
    assert await scope.current_students(fake_unit_of_work(store), GROUP, TODAY) == []


async def test_an_enrolment_heard_after_the_transfer_that_followed_it_ends_there(store: FakeStore) -> None:
    late = uuid.uuid4()
    projection = scope.GroupScopeProjection(lambda: fake_unit_of_work(store))
    transfer = journal_events.StudentMoved(
        student_id=str(late),
        kind=jpb.MOVEMENT_KIND_TRANSFER,
        from_group_id=str(GROUP),
        to_group_id=str(OTHER_GROUP),
        on_date=_date(NOV_2),
    )
    await projection.record_membership(moved_command(transfer), _delivery())
    enrolled = journal_events.StudentEnrolled(
        group_id=str(GROUP), student_id=str(late), enrolled_on=_date(SEP_1)
    )
    await projection.record_membership(enrolled_command(enrolled), _delivery())
    uow = fake_unit_of_work(store)
    assert late not in await scope.current_students(uow, GROUP, TODAY)
    assert late in await scope.current_students(uow, OTHER_GROUP, TODAY)


async def test_the_admin_manages_any_known_group(store: FakeStore) -> None:
    uow = fake_unit_of_work(store)
    assert (
        await scope.ensure_may_issue_for_group(uow, actor=ADMIN, group_id=GROUP)
    ).class_teacher_id == TEACHER_ID
    with pytest.raises(group_scope.GroupNotFound):
        await scope.ensure_may_issue_for_group(uow, actor=ADMIN, group_id=uuid.uuid4())


async def test_a_class_teacher_manages_only_their_own_group(store: FakeStore) -> None:
    uow = fake_unit_of_work(store)
    await scope.ensure_may_issue_for_group(uow, actor=TEACHER, group_id=GROUP)
    for group in (OTHER_GROUP, uuid.uuid4()):
        with pytest.raises(group_scope.NotClassTeacherOfGroup) as refused:
            await scope.ensure_may_issue_for_group(uow, actor=TEACHER, group_id=group)
        assert refused.value.code == "not_class_teacher_of_group"


@pytest.mark.parametrize("person", [STUDENT, PARENT])
async def test_a_class_teacher_issues_to_their_student_and_the_students_parent(
    store: FakeStore, person: uuid.UUID
) -> None:
    await scope.ensure_may_issue_for_person(
        fake_unit_of_work(store), actor=TEACHER, person_id=person, today=TODAY
    )


@pytest.mark.parametrize(
    ("actor", "person"),
    [
        (TEACHER, MOVED),  # transferred out: now the other class teacher's
        (TEACHER, STAFF),
        (TEACHER, uuid.uuid4()),  # unknown: the same answer, nothing learnt
        (OTHER_TEACHER, STUDENT),
        (OTHER_TEACHER, PARENT),
        (Principal(subject=str(uuid.uuid4()), roles=frozenset({"teacher"}), token="t"), STUDENT),
        (Principal(subject=str(STUDENT), roles=frozenset({"student"}), token="t"), PARENT),
        (Principal(subject=str(PARENT), roles=frozenset({"parent"}), token="t"), STUDENT),
    ],
)
async def test_anyone_else_is_refused(store: FakeStore, actor: Principal, person: uuid.UUID) -> None:
    with pytest.raises(group_scope.PersonNotInYourGroup) as refused:
        await scope.ensure_may_issue_for_person(
            fake_unit_of_work(store), actor=actor, person_id=person, today=TODAY
        )
    assert refused.value.code == "person_not_in_your_group"


async def test_the_other_class_teacher_issues_to_the_transferred_student(store: FakeStore) -> None:
    await scope.ensure_may_issue_for_person(
        fake_unit_of_work(store), actor=OTHER_TEACHER, person_id=MOVED, today=TODAY
    )


async def test_the_admin_issues_to_anyone_but_themself(store: FakeStore) -> None:
    uow = fake_unit_of_work(store)
    for person in (STUDENT, PARENT, STAFF):
        await scope.ensure_may_issue_for_person(uow, actor=ADMIN, person_id=person, today=TODAY)
    with pytest.raises(errors.PersonNotFound):
        await scope.ensure_may_issue_for_person(uow, actor=ADMIN, person_id=uuid.uuid4(), today=TODAY)
    with pytest.raises(group_scope.OwnCredentials):
        await scope.ensure_may_issue_for_person(
            uow, actor=ADMIN, person_id=uuid.UUID(ADMIN.subject), today=TODAY
        )


# -- whose profile a member of staff reads (issue 8 item 11) ----------------------------------------

SUBJECT_TEACHER_ID = uuid.uuid4()
SUBJECT_TEACHER = Principal(subject=str(SUBJECT_TEACHER_ID), roles=frozenset({"teacher"}), token="t")


async def _with_a_load_in(store: FakeStore, group: uuid.UUID, *, removed: bool = False) -> None:
    projection = scope.GroupScopeProjection(lambda: fake_unit_of_work(store))
    load = journal_events.TeachingLoadAssigned(
        load_id=str(uuid.uuid5(uuid.NAMESPACE_URL, str(group))),
        teacher_id=str(SUBJECT_TEACHER_ID),
        group_id=str(group),
        discipline_id=str(uuid.uuid4()),
    )
    await projection.record_load(load_assigned_command(load), _delivery(LOADS_ASSIGNED))
    if removed:
        gone = journal_events.TeachingLoadRemoved(load_id=load.load_id, teacher_id=load.teacher_id)
        await projection.record_load(load_removed_command(gone), _delivery(LOADS_REMOVED))


async def _reads(store: FakeStore, actor: Principal, person: uuid.UUID) -> bool:
    return await scope.may_read_profile(fake_unit_of_work(store), actor, store.people[person])


async def test_a_teacher_reads_the_students_and_parents_of_the_groups_they_teach(store: FakeStore) -> None:
    assert not await _reads(store, SUBJECT_TEACHER, STUDENT)
    await _with_a_load_in(store, GROUP)
    assert await _reads(store, SUBJECT_TEACHER, STUDENT)
    assert await _reads(store, SUBJECT_TEACHER, PARENT)
    # MOVED left GROUP for OTHER_GROUP: their teacher of last term still reads who they taught.
    assert await _reads(store, SUBJECT_TEACHER, MOVED)


async def test_a_removed_load_no_longer_opens_the_group(store: FakeStore) -> None:
    await _with_a_load_in(store, GROUP, removed=True)
    assert not await _reads(store, SUBJECT_TEACHER, STUDENT)
    assert not await _reads(store, SUBJECT_TEACHER, PARENT)


async def test_a_class_teacher_reads_their_group_and_not_another(store: FakeStore) -> None:
    assert await _reads(store, TEACHER, STUDENT) and await _reads(store, TEACHER, PARENT)
    store.stays = [m for m in store.stays if m.student_id != MOVED]
    assert not await _reads(store, OTHER_TEACHER, STUDENT)
    assert not await _reads(store, OTHER_TEACHER, PARENT)


async def test_staff_read_colleagues_and_the_administration_reads_everyone(store: FakeStore) -> None:
    assert await _reads(store, SUBJECT_TEACHER, STAFF)
    assert await _reads(store, ADMIN, STUDENT)
    deputy = Principal(subject=str(uuid.uuid4()), roles=frozenset({"deputy"}), token="t")
    assert await _reads(store, deputy, PARENT)
    student = Principal(subject=str(uuid.uuid4()), roles=frozenset({"student"}), token="t")
    assert not await _reads(store, student, STAFF)


async def test_get_person_refuses_a_teacher_outside_the_group_and_an_unknown_id_alike(
    store: FakeStore,
) -> None:
    handlers = IdentityHandlers(uow=lambda: fake_unit_of_work(store), accounts=FakeAccounts())
    for person in (STUDENT, PARENT, uuid.uuid4()):
        with pytest.raises(errors.PersonNotVisible):
            await handlers.get_person(commands.GetPerson(person), SUBJECT_TEACHER)
    await _with_a_load_in(store, GROUP)
    assert (await handlers.get_person(commands.GetPerson(STUDENT), SUBJECT_TEACHER)).id == STUDENT
