"""People by name (SearchPeople) and names by id (GetPeople) against the fakes: matching, access, audit."""

from __future__ import annotations

import uuid

import pytest
from chassis.principal import Principal
from identity_service.application import commands
from identity_service.application.handlers import IdentityHandlers
from identity_service.domain import errors, model
from identity_service.domain.search import search_words

from .fakes import FakeAccounts, FakeStore, fake_unit_of_work


def principal(*roles: str, subject: str | None = None) -> Principal:
    return Principal(subject=subject or str(uuid.uuid4()), roles=frozenset(roles), token="t")


ADMIN = principal("admin")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def handlers(store: FakeStore) -> IdentityHandlers:
    return IdentityHandlers(uow=lambda: fake_unit_of_work(store), accounts=FakeAccounts())


def person(store: FakeStore, role: model.Role, last: str, first: str, middle: str = "") -> model.Person:
    someone = model.Person(
        id=uuid.uuid4(),
        username=f"u{uuid.uuid4().hex[:8]}",
        role=role,
        last_name=last,
        first_name=first,
        middle_name=middle,
    )
    store.people[someone.id] = someone
    return someone


def search(query: str, role: model.Role | None = None, page_size: int = 20) -> commands.SearchPeople:
    return commands.SearchPeople(words=search_words(query), role=role, page_size=page_size)


# -- the query ------------------------------------------------------------------------------------


def test_query_words_are_folded_lower_case_with_yo_as_ye() -> None:
    assert search_words("  Ёлкин   ПЁТР ") == ("елкин", "петр")
    assert search_words("Мамин-Сиб") == ("мамин-сиб",)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("", errors.SearchQueryMissing),
        ("   ", errors.SearchQueryMissing),
        ("Иванов Пётр Сергеевич Лишний", errors.SearchQueryTooLong),
        ("И" * 101, errors.SearchQueryTooLong),
        ("Иванов%", errors.SearchQueryInvalid),
        ("ivan_", errors.SearchQueryInvalid),
        ("Иван1", errors.SearchQueryInvalid),
    ],
)
def test_bad_queries_are_refused_with_their_code(query: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        search_words(query)


# -- SearchPeople ---------------------------------------------------------------------------------


async def test_search_matches_the_start_of_any_name_case_and_yo_folded(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    elkin = person(store, model.Role.TEACHER, "Ёлкин", "Пётр", "Сергеевич")
    elkina = person(store, model.Role.CLASS_TEACHER, "Елкина", "Анна")
    person(store, model.Role.TEACHER, "Белкин", "Пётр")  # «елк» inside, not at the start

    assert await handlers.search_people(search("елк"), ADMIN) == [elkin, elkina]
    assert await handlers.search_people(search("ЁЛКИН"), ADMIN) == [elkin, elkina]
    assert await handlers.search_people(search("елк петр"), ADMIN) == [elkin]
    assert await handlers.search_people(search("серг ёлк"), ADMIN) == [elkin]
    assert await handlers.search_people(search("елк", model.Role.CLASS_TEACHER), ADMIN) == [elkina]
    assert await handlers.search_people(search("елк", page_size=1), ADMIN) == [elkin]


async def test_search_audits_each_person_found_and_nothing_when_none(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    found = person(store, model.Role.TEACHER, "Ёлкин", "Пётр")
    person(store, model.Role.TEACHER, "Орлов", "Иван")

    await handlers.search_people(search("Зайцев"), ADMIN)
    assert store.audits == []
    await handlers.search_people(search("Ёлк"), ADMIN)
    assert [(a.action, a.actor_id, a.subject_person_id) for a in store.audits] == [
        ("person.read", ADMIN.subject, str(found.id))
    ]


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator"])
async def test_the_administration_searches(handlers: IdentityHandlers, store: FakeStore, role: str) -> None:
    found = person(store, model.Role.TEACHER, "Ёлкин", "Пётр")
    assert await handlers.search_people(search("елкин"), principal(role)) == [found]


@pytest.mark.parametrize("role", ["class_teacher", "teacher", "student", "parent", "service"])
async def test_others_may_not_search(handlers: IdentityHandlers, store: FakeStore, role: str) -> None:
    person(store, model.Role.TEACHER, "Ёлкин", "Пётр")
    with pytest.raises(errors.RoleRequired):
        await handlers.search_people(search("елкин"), principal(role))
    assert store.audits == []


# -- GetPeople ------------------------------------------------------------------------------------


async def test_staff_and_services_get_anyone_by_name_and_each_read_is_audited(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    a = person(store, model.Role.STUDENT, "Борисова", "Анна")
    b = person(store, model.Role.STUDENT, "Антонов", "Олег")
    for role in ("admin", "director", "deputy", "curator", "class_teacher", "teacher", "service"):
        reader = principal(role)
        found = await handlers.get_people(commands.GetPeople((a.id, b.id, uuid.uuid4())), reader)
        assert found == [b, a]  # by name; the unknown id left out
        assert {x.subject_person_id for x in store.audits if x.actor_id == reader.subject} == {
            str(a.id),
            str(b.id),
        }


async def test_a_parent_gets_themself_and_their_children_only(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    mum = person(store, model.Role.PARENT, "Петрова", "Мария")
    child = person(store, model.Role.STUDENT, "Петров", "Иван")
    stranger = person(store, model.Role.STUDENT, "Сидоров", "Олег")
    store.links.append((mum.id, child.id))
    actor = principal("parent", subject=str(mum.id))

    found = await handlers.get_people(commands.GetPeople((mum.id, child.id, stranger.id)), actor)

    assert found == [child, mum]  # by name
    # Reading one's own name is no read of another person's data.
    assert [a.subject_person_id for a in store.audits] == [str(child.id)]


async def test_a_student_gets_only_themself_and_it_is_not_audited(
    handlers: IdentityHandlers, store: FakeStore
) -> None:
    me = person(store, model.Role.STUDENT, "Петров", "Иван")
    classmate = person(store, model.Role.STUDENT, "Сидоров", "Олег")
    actor = principal("student", subject=str(me.id))

    assert await handlers.get_people(commands.GetPeople((me.id, classmate.id)), actor) == [me]
    assert store.audits == []
    # A parent's role without being linked: nothing but themself either.
    outsider = principal("parent")
    assert await handlers.get_people(commands.GetPeople((classmate.id,)), outsider) == []
