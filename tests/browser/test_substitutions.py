"""Substitutions and curriculum execution in a real browser (issue 7 items 7, 9): the admin opens
«Замены» from the home page, is refused a substitute who is the pair's own teacher next to the form
(every value kept), records the substitution with the substitute found by name, sees it in the week and
cancels it; then reads a group's «Выполнение программы» with the lag highlighted and the college's
«Отставание от программ».

Real stack (devstack's test profile, real Keycloak, the real journal). The admin is created with the
identity admin CLI; two teachers, the group, a discipline, a year far ahead, its curriculum, the load and
the timetable (math on Mondays, first pair) through the REST API. Key screens saved at 1280 and 360 px;
none of the pages scrolls sideways on a phone.
"""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

RUN = "".join(random.choice("абвгдежзиклмнопрст") for _ in range(4))
MATH = ("ЕН.01", f"Математика {RUN}")


@dataclass
class College:
    admin: Account
    group_id: str
    group_name: str
    year_id: str
    monday: date
    own: str  # the pair's teacher's surname, unique in this run
    substitute: str
    # The discipline's name, unique to this college: test_substitution_report builds a second college
    # with this fixture in the same run, and two options of one label in «Дисциплина» made the form
    # pick the other college's discipline now and then (slot_not_in_timetable for this group's pair).
    math: str


def api_send(api: httpx.Client, method: str, path: str, body: Any = None) -> Any:
    response = api.request(method, path, json=body)
    assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def free_year(gateway: str, token: str) -> int:
    """Return a first calendar year far ahead whose academic year overlaps none in the lane: the
    slot of the substitution is looked up in the year holding its date, so another test's year on
    the same dates would hide this group's timetable."""
    with httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
        years = api.get("/api/v1/academic-years").json()["years"]
    # By whole spans, not by the calendar years a span starts and ends in: a long year of another test
    # (2026 to 4000, say) holds every date of this one's.
    spans = [(date.fromisoformat(y["starts_on"]), date.fromisoformat(y["ends_on"])) for y in years]
    while True:
        first = random.randint(3000, 3900)
        mine = (date(first, 9, 1), date(first + 1, 8, 31))
        if not any(starts <= mine[1] and mine[0] <= ends for starts, ends in spans):
            return first


@pytest.fixture(scope="module")
def college(stack_platform) -> College:  # type: ignore[no-untyped-def]
    """A new admin, two teachers, a group whose math is on Mondays' first pair in a year far ahead."""
    suffix = uuid.uuid4().hex[:6]
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Заменова", "--first-name", "Ольга"),
        *("--username", f"sadmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    token = password_token(stack_platform.issuer, f"sadmin{suffix}", password)
    first = free_year(stack_platform.gateway_url, token)
    tag = "".join("абвгдежзиклмнопрст"[int(c, 16)] for c in suffix[:3])
    surnames = (f"Основная{tag}", f"Заменяев{tag}")
    math_name = f"{MATH[1]} {tag}"
    october = date(first, 10, 1)
    monday = october + timedelta(days=(7 - october.weekday()) % 7)
    with httpx.Client(
        base_url=stack_platform.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        teachers = [
            api_send(
                api, "POST", "/api/v1/people", {"role": "teacher", "last_name": last, "first_name": name}
            )
            for last, name in zip(surnames, ("Вера", "Игорь"), strict=True)
        ]
        group = api_send(api, "POST", "/api/v1/groups", {"name": f"ЗМ-{suffix}"})
        year = api_send(
            api,
            "POST",
            "/api/v1/academic-years",
            {
                "name": f"{first}/{first + 1}",
                "starts_on": f"{first}-09-01",
                "ends_on": f"{first + 1}-06-30",
                "semester1": {"starts_on": f"{first}-09-01", "ends_on": f"{first}-12-28"},
                "semester2": {"starts_on": f"{first + 1}-01-12", "ends_on": f"{first + 1}-06-30"},
            },
        )
        math = api_send(
            api, "POST", "/api/v1/disciplines", {"code": MATH[0], "name": math_name, "kind": "discipline"}
        )
        api_send(
            api,
            "PUT",
            f"/api/v1/groups/{group['group_id']}/curriculum?year_id={year['year_id']}",
            {
                "rows": [
                    {
                        "discipline_id": math["discipline_id"],
                        "semester": 1,
                        "total_hours": 72,
                        "weekly_hours": 2,
                        "control_form": "exam",
                    }
                ]
            },
        )
        api_send(
            api,
            "POST",
            "/api/v1/teaching-loads",
            {
                "teacher_id": teachers[0]["person_id"],
                "group_id": group["group_id"],
                "discipline_id": math["discipline_id"],
            },
        )
        api_send(
            api,
            "PUT",
            f"/api/v1/groups/{group['group_id']}/timetable?year_id={year['year_id']}&semester=1",
            {
                "entries": [
                    {
                        "weekday": 1,
                        "pair_number": 1,
                        "discipline_id": math["discipline_id"],
                        "teacher_id": teachers[0]["person_id"],
                        "room": "301",
                    }
                ]
            },
        )
    return College(
        Account(f"sadmin{suffix}", password, temporary=False),
        group["group_id"],
        f"ЗМ-{suffix}",
        year["year_id"],
        monday,
        *surnames,
        math_name,
    )


def find_teacher(page: Page, surname: str) -> None:
    page.get_by_label("Начало фамилии, имени или отчества").fill(surname[:-1])
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_role("status")).to_contain_text("Найдено преподавателей: 1")


def fill_slot(page: Page, c: College) -> None:
    page.get_by_label("Группа").select_option(label=c.group_name)
    page.get_by_label("Дисциплина").select_option(label=f"{MATH[0]} — {c.math}")
    page.get_by_label("День пары").fill(c.monday.isoformat())
    page.get_by_label("Пара", exact=True).select_option(value="1")
    page.get_by_label("Причина").select_option(label="больничный лист")


def test_the_admin_records_and_cancels_a_substitution_and_reads_the_lag(  # type: ignore[no-untyped-def]
    page: Page, college: College, stack_platform
) -> None:
    c, portal = college, stack_platform.gateway_url
    log_in(page, portal, c.admin)
    page.get_by_role("link", name="Замены").click()
    expect(page.locator("h1")).to_have_text("Замены")
    page.goto(f"{portal}/substitutions?week={c.monday.isoformat()}")
    expect(page.locator(".empty")).to_have_text("На этой неделе замен нет.")

    # The pair's own teacher as the substitute: refused next to the form, every value kept.
    find_teacher(page, c.own)
    fill_slot(page, c)
    page.get_by_label("Заменяющий преподаватель").select_option(label=f"{c.own} Вера")
    page.get_by_role("button", name="Записать замену").click()
    expect(page.get_by_role("alert")).to_contain_text("тот же, кто ведёт эту пару по расписанию")
    expect(page.get_by_label("Заменяющий преподаватель")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("День пары")).to_have_value(c.monday.isoformat())
    expect(page.get_by_label("Группа")).to_have_value(c.group_id)
    screenshot(page, "substitutions-refused")

    # The substitute found by name: recorded and listed for the week, the lesson not yet recorded.
    find_teacher(page, c.substitute)
    fill_slot(page, c)
    page.get_by_label("Заменяющий преподаватель").select_option(label=f"{c.substitute} Игорь")
    page.get_by_role("button", name="Записать замену").click()
    expect(page.locator(".notice")).to_contain_text("Замена записана")
    row = page.locator("table.substitutions tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{c.own} Вера")
    expect(row).to_contain_text(f"{c.substitute} Игорь")
    expect(row).to_contain_text("ещё не записано")
    screenshot(page, "substitutions-week")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Отменить замену").click()
    expect(page.locator(".notice")).to_have_text("Замена отменена.")
    expect(page.locator(".empty")).to_have_text("На этой неделе замен нет.")

    # «Выполнение программы» of the group at the end of October: nothing delivered, the lag shown.
    as_of = date(c.monday.year, 10, 31).isoformat()
    page.goto(
        f"{portal}/groups/{c.group_id}/curriculum-execution?year_id={c.year_id}&semester=1&as_of={as_of}"
    )
    expect(page.locator("h1")).to_have_text(f"Выполнение программы — {c.group_name}")
    expect(page.locator(".lag-summary")).to_have_text("Отстают дисциплин: 1.")
    lag = page.locator("table.execution tr.lag")
    expect(lag).to_have_count(1)
    expect(lag).to_contain_text(c.math)
    expect(lag.locator("td").nth(4)).to_have_text("0")
    screenshot(page, "curriculum-execution")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 1280, "height": 800})

    # The college's lag: the group is there, linked to its page.
    page.goto(f"{portal}/curriculum-lag?year_id={c.year_id}&as_of={as_of}")
    link = page.get_by_role("link", name=c.group_name)
    expect(link).to_be_visible()
    screenshot(page, "curriculum-lag")
    link.click()
    expect(page.locator("h1")).to_have_text(f"Выполнение программы — {c.group_name}")


@dataclass
class Taken:
    substitute: Account
    substitute_name: str
    group_name: str
    day: date
    today_path: str


@pytest.fixture(scope="module")
def taken(stack_platform) -> Taken:  # type: ignore[no-untyped-def]
    """A pair of a new group on the college's today (Monday–Saturday) in the timetable of its own
    teacher, handed by the admin to a substitute (REST) who has no load in the group."""
    from .test_teacher_day import Api, a_year_holding
    from .test_teacher_day import college_today as teaching_today

    suffix = uuid.uuid4().hex[:6]
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Заменова", "--first-name", "Нина"),
        *("--username", f"tadmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(
        stack_platform.gateway_url, password_token(stack_platform.issuer, f"tadmin{suffix}", password)
    )
    tag = "".join("абвгдежзиклмнопрст"[int(c, 16)] for c in suffix[:3])
    own, substitute = (
        admin.send("POST", "/api/v1/people", {"role": "teacher", "last_name": last, "first_name": first})
        for last, first in ((f"Отсутствова{tag}", "Анна"), (f"Выручаев{tag}", "Пётр"))
    )
    student = admin.send(
        "POST", "/api/v1/people", {"role": "student", "last_name": "Учащийся", "first_name": "Иван"}
    )
    group = admin.send("POST", "/api/v1/groups", {"name": f"ЗЖ-{suffix}"})
    admin.send("POST", f"/api/v1/groups/{group['group_id']}/students", {"student_id": student["person_id"]})
    math = admin.send(
        "POST", "/api/v1/disciplines", {"code": MATH[0], "name": f"{MATH[1]} {tag}", "kind": "discipline"}
    )
    admin.send(
        "POST",
        "/api/v1/teaching-loads",
        {
            "teacher_id": own["person_id"],
            "group_id": group["group_id"],
            "discipline_id": math["discipline_id"],
        },
    )
    day = teaching_today()
    year_id, semester = a_year_holding(admin, day)
    admin.send(
        "PUT",
        f"/api/v1/groups/{group['group_id']}/timetable?year_id={year_id}&semester={semester}",
        {
            "entries": [
                {
                    "weekday": day.isoweekday(),
                    "pair_number": 1,
                    "discipline_id": math["discipline_id"],
                    "teacher_id": own["person_id"],
                }
            ]
        },
    )
    admin.send(
        "POST",
        "/api/v1/substitutions",
        {
            "group_id": group["group_id"],
            "discipline_id": math["discipline_id"],
            "lesson_date": day.isoformat(),
            "pair_number": 1,
            "substitute_teacher_id": substitute["person_id"],
            "reason": "business_trip",
        },
    )
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    return Taken(
        Account(substitute["username"], substitute["temporary_password"]),
        f"Выручаев{tag} Пётр",
        f"ЗЖ-{suffix}",
        day,
        "/" if day == today else f"/today?date={day.isoformat()}",
    )


def test_the_substitute_records_the_lesson_taken_from_their_day(  # type: ignore[no-untyped-def]
    page: Page, taken: Taken, stack_platform
) -> None:
    portal = stack_platform.gateway_url
    log_in(page, portal, taken.substitute)
    if taken.today_path != "/":
        page.goto(f"{portal}{taken.today_path}")
    pair = page.locator(".today-list li").first
    expect(pair).to_contain_text(taken.group_name)
    expect(pair).to_contain_text("замена: вы заменяете преподавателя этой пары")
    screenshot(page, "substitute-today")
    pair.get_by_role("link", name="Записать занятие").click()
    expect(page.locator("h1")).to_contain_text(f"Журнал: {taken.group_name}")
    page.locator("#topic").fill("Замена: решение задач")
    page.get_by_role("button", name="Записать занятие").click()
    expect(page.get_by_role("status").first).to_contain_text("Занятие записано")
    expect(page.locator("th.lesson.opened .substitution")).to_contain_text("замена:")
    screenshot(page, "substitute-journal")
