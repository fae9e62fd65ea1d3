"""A parent's access to an adult student's data (issue 8 item 5, 152-ФЗ): the one rule and its errors.

A guardian link gives a parent access to the student's data while the student is a minor on the
college's today, or when the student's consent is in force (granted and not withdrawn). A student
whose birth date is not recorded is treated as a minor: the link alone gives access, as before.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from chassis.errors import InvalidArgument, NotFound

AGE_OF_MAJORITY = 18
# The earliest birth date the college records (anything earlier is a typing mistake).
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def coming_of_age(birth_date: date) -> date:
    """Return the day the person turns 18. Born on 29 February: 28 February in a common year
    (ГК РФ ст. 192 п. 3: a term ending in a month without that day ends on its last day)."""
    year = birth_date.year + AGE_OF_MAJORITY
    day = min(birth_date.day, calendar.monthrange(year, birth_date.month)[1])
    return date(year, birth_date.month, day)


def is_adult(birth_date: date | None, today: date) -> bool:
    """Return True from the 18th birthday on; no birth date recorded → a minor."""
    return birth_date is not None and today >= coming_of_age(birth_date)


def access_until(birth_date: date | None, consent_in_force: bool) -> date | None:
    """THE rule as a date: the first day a linked parent no longer reads the student's data — the
    18th birthday, unless the student's consent is in force; None while no end is known (consent in
    force, or no birth date recorded). Published to other services as it is (ADR 0013)."""
    if consent_in_force or birth_date is None:
        return None
    return coming_of_age(birth_date)


def parent_may_read(birth_date: date | None, consent_in_force: bool, today: date) -> bool:
    """A linked parent reads the student's data while the student is a minor, or with the student's
    consent in force: before `access_until`, if it has one."""
    until = access_until(birth_date, consent_in_force)
    return until is None or today < until


@dataclass(frozen=True)
class ParentAccess:
    """A parent linked to a student, with the student's consent as recorded."""

    parent_id: uuid.UUID
    granted_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def consent(self) -> bool:
        """True while the consent is in force: granted and not withdrawn since."""
        return self.granted_at is not None and self.withdrawn_at is None


def parse_birth_date(value: str, today: date) -> date | None:
    """Return the birth date of `YYYY-MM-DD` (empty → None, clearing it); refuse the impossible."""
    if not value.strip():
        return None
    try:
        born = date.fromisoformat(value.strip())
    except ValueError:
        raise BirthDateInvalid() from None
    if not EARLIEST_BIRTH_DATE <= born <= today:
        raise BirthDateInvalid()
    return born


class BirthDateInvalid(InvalidArgument):
    """The birth date is not a real date in the past in the form YYYY-MM-DD."""

    def __init__(self) -> None:
        super().__init__(
            "Дата рождения указана неверно: нужна прошедшая дата в виде ГГГГ-ММ-ДД, например 2008-09-01",
            code="invalid_birth_date",
        )


class ParentNotLinked(NotFound):
    """The parent named is not linked to the student (or does not exist)."""

    def __init__(self) -> None:
        super().__init__("Этот родитель (законный представитель) к вам не привязан", code="parent_not_linked")
