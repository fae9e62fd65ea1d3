"""ListGroups and GetGroup: who reads which groups, by name, in one query each."""

from __future__ import annotations

import uuid

import pytest
from journal_service.application.groups import CreateGroup, GetGroup, ListGroups
from journal_service.application.handlers import JournalHandlers
from journal_service.domain import errors, model, year

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory
from .test_handlers import ADMIN, TODAY, person, setup_class


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


def everything(prefix: str = "") -> ListGroups:
    return ListGroups(name_prefix=prefix, page_size=200)


async def groups_of(handlers: JournalHandlers, *names: str) -> list[model.Group]:
    return [await handlers.groups.create(CreateGroup(name=n), ADMIN) for n in names]


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator"])
async def test_the_administration_lists_every_group_by_name_with_attributes(
    handlers: JournalHandlers, store: FakeStore, role: str
) -> None:
    await groups_of(handlers, "ТМ-11", "ИС-22")
    await handlers.groups.create(
        CreateGroup(
            name="ИС-21",
            attributes=year.GroupAttributes(course_year=2, specialty_code="09.02.07", specialty_name="ИСП"),
        ),
        ADMIN,
    )
    found = await handlers.groups.list_groups(everything(), person(role))
    assert [g.name for g in found] == ["ИС-21", "ИС-22", "ТМ-11"]
    assert (found[0].course_year, found[0].specialty_code, found[0].specialty_name) == (2, "09.02.07", "ИСП")
    assert [g.name for g in await handlers.groups.list_groups(everything("ИС"), person(role))] == [
        "ИС-21",
        "ИС-22",
    ]
    limited = await handlers.groups.list_groups(ListGroups(name_prefix="", page_size=1), person(role))
    assert [g.name for g in limited] == ["ИС-21"]


async def test_a_teacher_lists_the_groups_they_teach_in_one_query(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    ctx = await setup_class(handlers)  # the teacher has a load in ИС-21
    await groups_of(handlers, "ИС-22")
    store.groups.searches = 0
    found = await handlers.groups.list_groups(everything(), ctx["teacher"])
    assert [g.id for g in found] == [ctx["group"].id]
    assert store.groups.searches == 1


async def test_a_class_teacher_lists_their_own_group_and_those_they_teach(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    ctx = await setup_class(handlers)
    led, _other = await groups_of(handlers, "ИС-23", "ИС-24")
    teacher_id = uuid.UUID(ctx["teacher"].subject)
    store.groups.items[led.id].class_teacher_id = teacher_id
    class_teacher = person("teacher", "class_teacher", subject=str(teacher_id))
    found = await handlers.groups.list_groups(everything(), class_teacher)
    assert [g.name for g in found] == ["ИС-21", "ИС-23"]
    only_led = person("class_teacher", subject=str(teacher_id))
    assert [g.name for g in await handlers.groups.list_groups(everything("ИС-23"), only_led)] == ["ИС-23"]


@pytest.mark.parametrize("role", ["student", "parent", "service"])
async def test_others_may_not_list_groups(handlers: JournalHandlers, role: str) -> None:
    await groups_of(handlers, "ИС-21")
    with pytest.raises(errors.RoleRequired):
        await handlers.groups.list_groups(everything(), person(role))


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator"])
async def test_the_administration_reads_a_group(handlers: JournalHandlers, role: str) -> None:
    (group,) = await groups_of(handlers, "ИС-21")
    assert (await handlers.groups.get_group(GetGroup(group.id), person(role))).name == "ИС-21"


async def test_a_teacher_and_a_class_teacher_read_only_their_groups(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    ctx = await setup_class(handlers)
    led, other = await groups_of(handlers, "ИС-23", "ИС-24")
    assert (await handlers.groups.get_group(GetGroup(ctx["group"].id), ctx["teacher"])).name == "ИС-21"
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.get_group(GetGroup(other.id), ctx["teacher"])
    class_teacher = person("class_teacher")
    store.groups.items[led.id].class_teacher_id = uuid.UUID(class_teacher.subject)
    assert (await handlers.groups.get_group(GetGroup(led.id), class_teacher)).name == "ИС-23"
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.get_group(GetGroup(other.id), class_teacher)


@pytest.mark.parametrize("role", ["teacher", "class_teacher", "student", "parent", "service"])
async def test_others_do_not_learn_a_group(handlers: JournalHandlers, role: str) -> None:
    (group,) = await groups_of(handlers, "ИС-21")
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.get_group(GetGroup(group.id), person(role))


async def test_an_unknown_group_is_not_found(handlers: JournalHandlers) -> None:
    with pytest.raises(errors.GroupNotFound):
        await handlers.groups.get_group(GetGroup(uuid.uuid4()), ADMIN)
