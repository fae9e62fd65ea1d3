"""The lane's semesters, as the end-to-end tests that need teaching days in the past pick them.

Any date runs those tests: the semester used is the one holding today when enough of its teaching
days (Monday to Friday) have passed, else the one before it — the previous academic year's second
semester, opened in the lane when missing. A test never skips for the calendar's sake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import httpx

WEEKDAYS = (1, 2, 3, 4, 5)  # the test groups' timetables: Monday to Friday


class Admin(Protocol):
    """An administrator's client to the gateway (the tests' own `Api` classes)."""

    client: httpx.Client


@dataclass(frozen=True)
class Semester:
    year_id: str
    number: int
    starts_on: date
    ends_on: date

    def past_days(self, today: date) -> list[date]:
        """Its weekdays before today, oldest first."""
        last = min(self.ends_on, today - timedelta(days=1))
        span = (last - self.starts_on).days + 1
        days = [self.starts_on + timedelta(days=n) for n in range(max(0, span))]
        return [day for day in days if day.isoweekday() in WEEKDAYS]


def _send(admin: Admin, method: str, path: str, body: object, expected: tuple[int, ...]) -> object:
    response = admin.client.request(method, path, json=body)
    assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def semesters_of(admin: Admin) -> list[Semester]:
    """Every semester of the lane's academic years."""
    reply = _send(admin, "GET", "/api/v1/academic-years", None, (200,))
    assert isinstance(reply, dict)
    return [
        Semester(
            year_id=year["year_id"],
            number=number,
            starts_on=date.fromisoformat(year[f"semester{number}"]["starts_on"]),
            ends_on=date.fromisoformat(year[f"semester{number}"]["ends_on"]),
        )
        for year in reply["years"]
        for number in (1, 2)
    ]


def holding(admin: Admin, day: date) -> Semester | None:
    """The lane's semester holding `day`; the academic year of `day` is opened when no year holds it."""
    found = [s for s in semesters_of(admin) if s.starts_on <= day <= s.ends_on]
    if not found:
        first = day.year if day.month >= 9 else day.year - 1
        _send(
            admin,
            "POST",
            "/api/v1/academic-years",
            {
                "name": f"{first}/{first + 1}",
                "starts_on": f"{first}-09-01",
                "ends_on": f"{first + 1}-08-31",
                "semester1": {"starts_on": f"{first}-09-01", "ends_on": f"{first + 1}-01-15"},
                "semester2": {"starts_on": f"{first + 1}-01-16", "ends_on": f"{first + 1}-08-31"},
            },
            (201, 409),  # 409: a year of that name with other dates — then it is not there
        )
        found = [s for s in semesters_of(admin) if s.starts_on <= day <= s.ends_on]
    return min(found, key=lambda s: (s.starts_on, s.year_id), default=None)


def chosen_semester(admin: Admin, min_days: int, today: date | None = None) -> tuple[Semester, list[date]]:
    """Return a semester and its last `min_days` teaching days, all before today: the one holding
    today when that many of its days have passed, else the one before it (the previous academic
    year's second semester is opened when the lane has no year holding it)."""
    today = today or date.today()
    current = holding(admin, today)
    if current is not None and len(current.past_days(today)) >= min_days:
        return current, current.past_days(today)[-min_days:]
    before = (current.starts_on if current is not None else today) - timedelta(days=1)
    previous = holding(admin, before)
    if previous is None or len(previous.past_days(today)) < min_days:  # a lane's odd year: the latest fit
        earlier = [
            s for s in semesters_of(admin) if s.ends_on < today and len(s.past_days(today)) >= min_days
        ]
        previous = max(earlier, key=lambda s: (s.ends_on, s.year_id), default=None)
    assert previous is not None, f"no semester with {min_days} teaching days before {today}"
    return previous, previous.past_days(today)[-min_days:]
