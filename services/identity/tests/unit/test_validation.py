"""Names, e-mail, roles and temporary passwords are checked before anything is written."""

from __future__ import annotations

import string

import pytest
from chassis.errors import InvalidArgument
from identity_service.api import mappers
from identity_service.domain import errors, model
from identity_service.domain.passwords import temporary_password


def details(**overrides: str) -> model.PersonDetails:
    fields = {"last_name": "Иванов", "first_name": "Пётр", "middle_name": "", "email": ""}
    fields.update(overrides)
    return model.PersonDetails.parse(**fields)


def test_names_are_trimmed_and_optional_parts_may_be_empty() -> None:
    parsed = details(last_name="  Мамин-Сибиряк ", first_name="Анна   Мария", middle_name=" ")
    assert parsed == model.PersonDetails("Мамин-Сибиряк", "Анна Мария", "", None)


@pytest.mark.parametrize("name", ["Д'Артаньян", "О’Коннор", "Smith", "Ёлкина", "Али оглы"])
def test_letters_spaces_hyphens_apostrophes_are_accepted(name: str) -> None:
    assert details(last_name=name).last_name == name


@pytest.mark.parametrize(
    ("field", "value", "error", "code"),
    [
        ("last_name", "", errors.NameMissing, "missing_last_name"),
        ("first_name", "   ", errors.NameMissing, "missing_first_name"),
        ("last_name", "Иванов2", errors.NameInvalid, "invalid_last_name"),
        ("first_name", "Пётр!", errors.NameInvalid, "invalid_first_name"),
        ("middle_name", "-Сергеевич", errors.NameInvalid, "invalid_middle_name"),
        ("last_name", "Иванов--Петров", errors.NameInvalid, "invalid_last_name"),
        ("last_name", "<script>", errors.NameInvalid, "invalid_last_name"),
        ("middle_name", "Я" * 101, errors.NameTooLong, "too_long_middle_name"),
    ],
)
def test_bad_names_are_rejected_with_a_code_per_field(
    field: str, value: str, error: type[InvalidArgument], code: str
) -> None:
    with pytest.raises(error) as caught:
        details(**{field: value})
    assert caught.value.code == code
    assert caught.value.message  # a Russian sentence for the portal


def test_hundred_characters_are_allowed() -> None:
    assert details(first_name="Я" * 100).first_name == "Я" * 100


def test_email_is_optional_and_its_domain_lower_cased() -> None:
    assert details(email="").email is None
    assert details(email=" Ivanov@College.RU ").email == "Ivanov@college.ru"


@pytest.mark.parametrize(
    "bad", ["ivanov", "ivanov@", "@college.ru", "a b@c.ru", "ivanov@college", "иванов@почта.рф"]
)
def test_bad_email_is_rejected(bad: str) -> None:
    with pytest.raises(errors.EmailInvalid):
        details(email=bad)


def test_temporary_password_is_strong_letters_and_digits() -> None:
    for _ in range(200):
        password = temporary_password()
        assert len(password) >= 12
        assert set(password) <= set(string.ascii_letters + string.digits)
        assert any(c.islower() for c in password)
        assert any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password)
    assert len({temporary_password() for _ in range(50)}) == 50


def test_temporary_password_refuses_short_lengths() -> None:
    with pytest.raises(ValueError):
        temporary_password(8)


def test_every_role_maps_to_protobuf_and_back() -> None:
    for role in model.Role:
        assert mappers.role_from_pb(mappers.role_to_pb(role)) is role


@pytest.mark.parametrize("value", [0, 99])
def test_unspecified_or_unknown_role_is_rejected(value: int) -> None:
    with pytest.raises(errors.RoleMissing):
        mappers.role_from_pb(value)
