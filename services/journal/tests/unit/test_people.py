"""People the journal refers to exist and have the right role: the projection, its feeds, the refusals."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.consumer import PoisonMessage
from chassis.errors import ServiceUnavailable
from chassis.events import Delivery
from chassis.principal import Principal
from ejournal.identity.v1 import events_pb2 as identity_events
from ejournal.identity.v1 import identity_pb2 as ipb
from journal_service.api.consumers import person_created_command
from journal_service.application.disciplines import CreateDiscipline
from journal_service.application.groups import CreateGroup, EnrollStudent
from journal_service.application.handlers import JournalHandlers
from journal_service.application.people import ProjectPersonCreated
from journal_service.application.teaching_load import AssignTeachingLoad
from journal_service.domain import errors, model

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
ROLES = (
    "admin",
    "director",
    "deputy",
    "curator",
    "class_teacher",
    "teacher",
    "head_of_commission",
    "master",
    "student",
    "parent",
)
# «преподаватель / мастер п/о» (§4): who may be given a teaching load.
TEACHING_ROLES = ("teacher", "class_teacher", "head_of_commission", "master")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def identity() -> FakePersonDirectory:
    return FakePersonDirectory()


@pytest.fixture
def handlers(store: FakeStore, identity: FakePersonDirectory) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: date(2026, 10, 15),
        people=person_directory(identity),
    )


def delivery() -> Delivery:
    return Delivery(str(uuid.uuid4()), "journal-people", "identity.person.created.v1")


async def projected(handlers: JournalHandlers, role: str) -> uuid.UUID:
    person_id = uuid.uuid4()
    assert await handlers.people.project_person_created(ProjectPersonCreated(person_id, role), delivery())
    return person_id


async def group_and_discipline(handlers: JournalHandlers) -> tuple[uuid.UUID, uuid.UUID]:
    group = await handlers.groups.create(CreateGroup(name="ИС-21"), ADMIN)
    discipline = await handlers.disciplines.create(
        CreateDiscipline(code="ОП.01", name="Математика", kind=model.DisciplineKind.DISCIPLINE), ADMIN
    )
    return group.id, discipline.id


def written(store: FakeStore) -> tuple[object, ...]:
    return (set(store.groups.enrollments), list(store.loads.items), list(store.events), store.commits)


# -- EnrollStudent ----------------------------------------------------------------------------------


async def test_a_projected_student_is_enrolled_without_asking_identity(
    handlers: JournalHandlers, store: FakeStore, identity: FakePersonDirectory
) -> None:
    group_id, _ = await group_and_discipline(handlers)
    student = await projected(handlers, "student")
    identity.down = True  # not asked at all

    assert await handlers.groups.enroll_student(EnrollStudent(group_id, student), ADMIN)
    assert (group_id, student) in store.groups.enrollments
    assert identity.asked == []


@pytest.mark.parametrize("role", [r for r in ROLES if r != "student"])
async def test_a_person_of_another_role_is_not_enrolled_and_nothing_is_written(
    handlers: JournalHandlers, store: FakeStore, role: str
) -> None:
    group_id, _ = await group_and_discipline(handlers)
    person_id = await projected(handlers, role)
    before = written(store)

    with pytest.raises(errors.PersonNotStudent) as refused:
        await handlers.groups.enroll_student(EnrollStudent(group_id, person_id), ADMIN)

    assert refused.value.code == "person_not_student"
    assert written(store) == before


async def test_a_person_identity_does_not_know_is_not_found_and_nothing_is_written(
    handlers: JournalHandlers, store: FakeStore, identity: FakePersonDirectory
) -> None:
    group_id, _ = await group_and_discipline(handlers)
    nobody = uuid.uuid4()
    before = written(store)

    with pytest.raises(errors.PersonNotFound) as refused:
        await handlers.groups.enroll_student(EnrollStudent(group_id, nobody), ADMIN)

    assert refused.value.code == "person_not_found"
    assert identity.asked == [[nobody]]
    assert written(store) == before
    assert nobody not in store.people.roles


async def test_a_person_whose_event_is_still_in_flight_is_asked_of_identity_once_and_remembered(
    handlers: JournalHandlers, store: FakeStore, identity: FakePersonDirectory
) -> None:
    group_id, _ = await group_and_discipline(handlers)
    fresh, parent = uuid.uuid4(), uuid.uuid4()
    identity.roles.update({fresh: "student", parent: "parent"})

    assert await handlers.groups.enroll_student(EnrollStudent(group_id, fresh), ADMIN)
    assert not await handlers.groups.enroll_student(EnrollStudent(group_id, fresh), ADMIN)
    with pytest.raises(errors.PersonNotStudent):
        await handlers.groups.enroll_student(EnrollStudent(group_id, parent), ADMIN)

    assert identity.asked == [[fresh], [parent]]  # the second enrolment found the projection
    assert store.people.roles[fresh] == "student"
    assert store.people.roles[parent] == "parent"
    assert (group_id, parent) not in store.groups.enrollments


async def test_identity_unreachable_for_an_unknown_person_is_unavailable_never_a_refusal(
    handlers: JournalHandlers, store: FakeStore, identity: FakePersonDirectory
) -> None:
    group_id, discipline_id = await group_and_discipline(handlers)
    person_id = uuid.uuid4()
    identity.roles[person_id] = "student"
    identity.down = True
    before = written(store)

    with pytest.raises(ServiceUnavailable):
        await handlers.groups.enroll_student(EnrollStudent(group_id, person_id), ADMIN)
    with pytest.raises(ServiceUnavailable):
        await handlers.loads.assign(AssignTeachingLoad(person_id, group_id, discipline_id), ADMIN)

    assert written(store) == before


async def test_an_unknown_group_is_still_group_not_found(handlers: JournalHandlers) -> None:
    student = await projected(handlers, "student")
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.enroll_student(EnrollStudent(uuid.uuid4(), student), ADMIN)


# -- AssignTeachingLoad -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", TEACHING_ROLES)
async def test_teachers_and_class_teachers_are_given_a_load(
    handlers: JournalHandlers, store: FakeStore, role: str
) -> None:
    group_id, discipline_id = await group_and_discipline(handlers)
    teacher = await projected(handlers, role)
    load = await handlers.loads.assign(AssignTeachingLoad(teacher, group_id, discipline_id), ADMIN)
    assert store.loads.items == [load]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in TEACHING_ROLES])
async def test_a_load_for_a_person_who_does_not_teach_is_refused_and_nothing_is_written(
    handlers: JournalHandlers, store: FakeStore, role: str
) -> None:
    group_id, discipline_id = await group_and_discipline(handlers)
    person_id = await projected(handlers, role)
    before = written(store)

    with pytest.raises(errors.PersonNotTeacher) as refused:
        await handlers.loads.assign(AssignTeachingLoad(person_id, group_id, discipline_id), ADMIN)

    assert refused.value.code == "person_not_teacher"
    assert written(store) == before


async def test_a_load_for_an_unknown_person_is_not_found_and_a_fresh_teacher_is_asked_once(
    handlers: JournalHandlers, store: FakeStore, identity: FakePersonDirectory
) -> None:
    group_id, discipline_id = await group_and_discipline(handlers)
    before = written(store)
    with pytest.raises(errors.PersonNotFound):
        await handlers.loads.assign(AssignTeachingLoad(uuid.uuid4(), group_id, discipline_id), ADMIN)
    assert written(store) == before

    fresh = uuid.uuid4()
    identity.roles[fresh] = "teacher"
    await handlers.loads.assign(AssignTeachingLoad(fresh, group_id, discipline_id), ADMIN)
    await handlers.loads.assign(AssignTeachingLoad(fresh, group_id, discipline_id), ADMIN)
    assert [load.teacher_id for load in store.loads.items] == [fresh]
    assert identity.asked[-1:] == [[fresh]] and len(identity.asked) == 2


# -- the projection's feeds -------------------------------------------------------------------------


async def test_a_person_created_event_is_applied_once(handlers: JournalHandlers, store: FakeStore) -> None:
    person_id, once = uuid.uuid4(), delivery()
    cmd = ProjectPersonCreated(person_id, "parent")
    assert await handlers.people.project_person_created(cmd, once)
    commits = store.commits
    assert not await handlers.people.project_person_created(cmd, once)
    assert store.commits == commits
    assert store.people.roles == {person_id: "parent"}


def test_the_event_becomes_a_command_and_bad_payloads_are_poison() -> None:
    person_id = uuid.uuid4()
    event = identity_events.PersonCreated(person_id=str(person_id), role=ipb.ROLE_CLASS_TEACHER)
    assert person_created_command(event) == ProjectPersonCreated(person_id, "class_teacher")
    assert {
        person_created_command(identity_events.PersonCreated(person_id=str(person_id), role=value)).role
        for value in ipb.Role.values()
        if value != ipb.ROLE_UNSPECIFIED
    } == set(ROLES)
    for bad in (
        identity_events.PersonCreated(person_id="42", role=ipb.ROLE_STUDENT),
        identity_events.PersonCreated(person_id=str(person_id), role=ipb.ROLE_UNSPECIFIED),
        identity_events.PersonCreated(person_id=str(person_id), role=99),  # type: ignore[arg-type]
    ):
        with pytest.raises(PoisonMessage):
            person_created_command(bad)


async def test_catch_up_pages_through_identity_into_the_projection(
    handlers: JournalHandlers, store: FakeStore, identity: FakePersonDirectory
) -> None:
    people = {uuid.uuid4(): role for role in ROLES[:5]}
    identity.roles.update(people)

    assert await handlers.people.catch_up(page_size=2) == 5

    assert store.people.roles == people
    assert len(identity.asked) == 3


async def test_catch_up_on_start_retries_until_identity_answers(
    handlers: JournalHandlers, store: FakeStore, identity: FakePersonDirectory
) -> None:
    person_id = uuid.uuid4()
    identity.roles[person_id] = "teacher"
    identity.down = True
    original = identity.page
    failures = 0

    async def flaky(
        after: uuid.UUID | None, size: int
    ) -> tuple[list[tuple[uuid.UUID, str]], uuid.UUID | None]:
        nonlocal failures
        if identity.down:
            failures += 1
            identity.down = failures < 2
        return await original(after, size)

    identity.page = flaky  # type: ignore[method-assign]
    await handlers.people.catch_up_until_done(retry_seconds=0)

    assert failures == 2
    assert store.people.roles == {person_id: "teacher"}
