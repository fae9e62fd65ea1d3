"""Logins from names: transliteration, initials, suffixes and given logins."""

from __future__ import annotations

import itertools

import pytest
from identity_service.domain import errors
from identity_service.domain.usernames import (
    normalize_username,
    transliterate,
    username_base,
    username_candidates,
)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Иванов", "ivanov"),
        ("Пётр", "petr"),
        ("Жуков", "zhukov"),
        ("Хрущёв", "khrushchev"),
        ("Щукин", "shchukin"),
        ("Цой", "tsoi"),
        ("Юлия", "iuliia"),
        ("Объедков", "obieedkov"),
        ("Мамин-Сибиряк", "mamin-sibiriak"),
        ("Д'Артаньян", "dartanian"),
        ("Ван  дер Берг", "van-der-berg"),
        ("Smith", "smith"),
        ("Эльдар", "eldar"),
    ],
)
def test_transliterate_follows_the_passport_table(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic) == latin


def test_username_is_surname_and_initials() -> None:
    assert username_base("Иванов", "Пётр") == "ivanov.p"
    assert username_base("Иванов", "Пётр", "Сергеевич") == "ivanov.ps"
    assert username_base("Жукова", "Юлия", "Щорсовна") == "zhukova.iushch"


def test_username_of_a_very_long_surname_is_cut() -> None:
    base = username_base("Б" * 100, "Анна")
    assert base == "b" * 40 + ".a"


def test_username_of_a_surname_without_latin_spelling_falls_back() -> None:
    assert username_base("Ь", "Анна") == "user.a"


def test_candidates_add_numeric_suffixes() -> None:
    assert list(itertools.islice(username_candidates("ivanov.p"), 3)) == [
        "ivanov.p",
        "ivanov.p2",
        "ivanov.p3",
    ]
    assert len(list(username_candidates("x.y"))) == 999


def test_given_username_is_lower_cased() -> None:
    assert normalize_username("  Admin.Demo ") == "admin.demo"


@pytest.mark.parametrize("bad", ["", "ab", "иванов", "-admin", "a b c", "x" * 65, "admin@college"])
def test_given_username_must_be_plain_latin(bad: str) -> None:
    with pytest.raises(errors.UsernameInvalid):
        normalize_username(bad)
