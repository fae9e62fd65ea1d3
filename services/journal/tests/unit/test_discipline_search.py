"""Finding disciplines by code or name (issue 6 item 9) against in-memory fakes: the query's rules
(prefix of the code or of a word of the name, case and ё folded, ≤ 64 characters), the page, staff only."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import InvalidArgument, PermissionDenied
from journal_service.application.disciplines import FindDisciplines
from journal_service.application.handlers import JournalHandlers
from journal_service.domain import model
from journal_service.domain.teaching_load import discipline_matches, discipline_query

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

KIND = model.DisciplineKind.DISCIPLINE
DISCIPLINES = [
    ("ОП.01", "Математика"),
    ("ОГСЭ.04", "Физическая культура"),
    ("МДК.01.01", "Технология разработки программного обеспечения"),
    ("ЕН.02", "Основы учёта (бухгалтерский)"),
]


def staff(role: str) -> Principal:
    return Principal(subject=str(uuid.uuid4()), roles=frozenset({role}), token="t")


@pytest.fixture
def handlers() -> JournalHandlers:
    store = FakeStore()
    for code, name in DISCIPLINES:
        store.disciplines.add(model.Discipline(uuid.uuid4(), code, name, KIND))
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: date(2026, 10, 15),
        people=person_directory(FakePersonDirectory()),
    )


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("", ["ЕН.02", "МДК.01.01", "ОГСЭ.04", "ОП.01"]),
        ("оп", ["ОП.01"]),
        ("мдк.01", ["МДК.01.01"]),
        ("КУЛЬТ", ["ОГСЭ.04"]),
        ("физическая к", ["ОГСЭ.04"]),
        ("учет", ["ЕН.02"]),
        ("бухгалтерский", ["ЕН.02"]),
        ("программ", ["МДК.01.01"]),
        ("ическая", []),
        ("100%", []),
    ],
)
async def test_a_prefix_of_the_code_or_of_a_word_of_the_name_finds(
    handlers: JournalHandlers, query: str, codes: list[str]
) -> None:
    found = await handlers.disciplines.find(FindDisciplines(discipline_query(query), 50), staff("teacher"))
    assert [d.code for d in found.disciplines] == codes
    assert not found.truncated


async def test_a_page_is_cut_and_says_so(handlers: JournalHandlers) -> None:
    found = await handlers.disciplines.find(FindDisciplines("", 3), staff("admin"))
    assert [d.code for d in found.disciplines] == ["ЕН.02", "МДК.01.01", "ОГСЭ.04"]
    assert found.truncated


@pytest.mark.parametrize("role", ["student", "parent", "service"])
async def test_only_staff_find_disciplines(handlers: JournalHandlers, role: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        await handlers.disciplines.find(FindDisciplines("", 50), staff(role))
    assert refused.value.code == "role_required"


@pytest.mark.parametrize("role", ["admin", "director", "deputy", "curator", "teacher", "class_teacher"])
async def test_staff_find_disciplines(handlers: JournalHandlers, role: str) -> None:
    assert (await handlers.disciplines.find(FindDisciplines("оп", 50), staff(role))).disciplines


def test_a_query_is_folded_and_at_most_64_characters() -> None:
    assert discipline_query("  Ёлки   Палки ") == "елки палки"
    assert discipline_query("я" * 64) == "я" * 64
    with pytest.raises(InvalidArgument) as refused:
        discipline_query("я" * 65)
    assert refused.value.code == "discipline_query_too_long"
    assert discipline_matches("ОП.01", "Счёт", "сче")
