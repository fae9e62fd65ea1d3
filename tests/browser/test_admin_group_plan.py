"""The admin corrects a group's plan by hand after the year's import, in a real browser: adds loads
picking the teachers by name («Нагрузка»), sets the timetable, is refused a clash next to the row it
names and fixes it («Расписание»), edits a curriculum row («Учебный план»), is refused the removal of
a load in the timetable next to that load and removes a load without lessons («Снять»).

Real stack (devstack's test profile, real Keycloak, the real journal). The admin is created with the
identity admin CLI; the teachers, the group, two disciplines, a year far ahead and the group's
curriculum (which offers the disciplines) through the REST API. Every key screen is saved at 1280 and
360 px, and none of the three pages scrolls sideways on a phone.
"""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# The forms offer every discipline of the college: names unique in the run pick this run's ones.
RUN = "".join(random.choice("абвгдежзиклмнопрст") for _ in range(4))
MATH = ("ЕН.01", f"Математика {RUN}")
INFO = ("ОП.02", f"Информационные технологии {RUN}")


@dataclass
class Plan:
    admin: Account
    group_id: str
    group_name: str
    year_id: str
    year_name: str
    first: str  # the first teacher's surname, unique in this run
    second: str


def api_send(api: httpx.Client, method: str, path: str, body: Any = None) -> Any:
    response = api.request(method, path, json=body)
    assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


@pytest.fixture(scope="module")
def plan(stack_platform) -> Plan:  # type: ignore[no-untyped-def]
    """A new admin, two teachers, a group with two disciplines in its curriculum, a year far ahead."""
    suffix = uuid.uuid4().hex[:6]
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Планова", "--first-name", "Ольга"),
        *("--username", f"padmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    token = password_token(stack_platform.issuer, f"padmin{suffix}", password)
    first = random.randint(2100, 2900)
    # Surnames unique in the run, so the search finds exactly one of each.
    tag = "".join("абвгдежзиклмнопрст"[int(c, 16)] for c in suffix[:3])
    surnames = (f"Нагорная{tag}", f"Ступин{tag}")
    with httpx.Client(
        base_url=stack_platform.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        for last, first_name in zip(surnames, ("Вера", "Игорь"), strict=True):
            api_send(
                api,
                "POST",
                "/api/v1/people",
                {"role": "teacher", "last_name": last, "first_name": first_name},
            )
        group = api_send(api, "POST", "/api/v1/groups", {"name": f"ПЛ-{suffix}"})
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
        disciplines = [
            api_send(api, "POST", "/api/v1/disciplines", {"code": code, "name": name, "kind": "discipline"})
            for code, name in (MATH, INFO)
        ]
        rows = [
            {"discipline_id": d["discipline_id"], "semester": 1, "total_hours": 72, "weekly_hours": 4,
             "control_form": "exam"}
            for d in disciplines
        ]  # fmt: skip
        api_send(
            api,
            "PUT",
            f"/api/v1/groups/{group['group_id']}/curriculum?year_id={year['year_id']}",
            {"rows": rows},
        )
        if len(api_send(api, "GET", "/api/v1/bell-schedule")["pairs"]) < 2:
            pairs = [("08:30", "10:00"), ("10:10", "11:40"), ("12:10", "13:40"), ("13:50", "15:20")]
            api_send(
                api,
                "PUT",
                "/api/v1/bell-schedule",
                {
                    "pairs": [
                        {"number": n, "starts_at": a, "ends_at": b} for n, (a, b) in enumerate(pairs, start=1)
                    ]
                },
            )
    return Plan(
        Account(f"padmin{suffix}", password, temporary=False),
        group["group_id"],
        f"ПЛ-{suffix}",
        year["year_id"],
        f"{first}/{first + 1}",
        *surnames,
    )


def add_load(page: Page, discipline: tuple[str, str], surname: str, first_name: str) -> None:
    """Find the teacher by the start of the surname, then add the load of the discipline."""
    page.get_by_label("Начало фамилии, имени или отчества").fill(surname[:-1])
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_role("status")).to_contain_text("Найдено преподавателей: 1")
    page.get_by_label("Дисциплина").select_option(label=f"{discipline[0]} — {discipline[1]}")
    page.get_by_label("Преподаватель").select_option(label=f"{surname} {first_name}")
    page.get_by_role("button", name="Назначить нагрузку").click()
    expect(page.locator(".notice")).to_have_text("Нагрузка назначена.")


def fill_entry(
    page: Page, n: int, weekday: str, pair: str, discipline: tuple[str, str], teacher: str, room: str
) -> None:
    page.get_by_label(f"Занятие {n}, день").select_option(label=weekday)
    page.get_by_label(f"Занятие {n}, пара").select_option(value=pair)
    page.get_by_label(f"Занятие {n}, дисциплина").select_option(label=f"{discipline[0]} — {discipline[1]}")
    page.get_by_label(f"Занятие {n}, преподаватель").select_option(label=teacher)
    page.get_by_label(f"Занятие {n}, аудитория").fill(room)


def cell_texts(page: Page) -> list[str]:
    texts: list[str] = page.locator("table.plan-grid .entry").evaluate_all(
        "entries => entries.map(e => e.innerText.replace(/\\s+/g, ' ').trim())"
    )
    return texts


def test_the_admin_corrects_loads_timetable_and_curriculum(page: Page, plan: Plan, stack_platform) -> None:  # type: ignore[no-untyped-def]
    portal = stack_platform.gateway_url
    log_in(page, portal, plan.admin)
    page.goto(f"{portal}/groups/{plan.group_id}")
    page.get_by_role("link", name="Нагрузка").click()
    expect(page.locator("h1")).to_have_text(f"Нагрузка группы {plan.group_name}")
    expect(page.locator(".empty")).to_have_text("У группы пока нет нагрузки.")

    # «Нагрузка»: a load without a teacher is refused in place, then two loads by the teachers' names.
    page.get_by_label("Дисциплина").select_option(label=" — ".join(MATH))
    page.get_by_role("button", name="Назначить нагрузку").click()
    expect(page.get_by_role("alert")).to_contain_text("Выберите преподавателя")
    assert page.get_by_label("Дисциплина").input_value(), "the chosen discipline stays chosen"
    add_load(page, MATH, plan.first, "Вера")
    add_load(page, INFO, plan.second, "Игорь")
    loads = page.locator("table.plan-loads tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()).slice(0, 3))"
    )
    assert sorted(loads) == sorted(
        [
            [" — ".join(MATH), "вся группа", f"{plan.first} Вера"],
            [" — ".join(INFO), "вся группа", f"{plan.second} Игорь"],
        ]
    )
    screenshot(page, "admin-group-loads")

    # «Расписание»: two pairs at the same time for the group — refused on row 2, fixed, saved.
    page.get_by_role("link", name="Расписание").first.click()
    page.get_by_label("Учебный год").select_option(label=plan.year_name)
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_role("heading", name=f"1 семестр {plan.year_name}")).to_be_visible()
    expect(page.locator(".empty")).to_have_text("Расписание на этот семестр пока не задано.")
    fill_entry(page, 1, "Понедельник", "1", MATH, f"{plan.first} Вера", "301")
    fill_entry(page, 2, "Понедельник", "1", INFO, f"{plan.second} Игорь", "Лаб-2")
    page.get_by_role("button", name="Сохранить расписание").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Занятие №2: у группы в это время уже есть другое занятие"
    )
    expect(page.locator("tr.refused th")).to_have_text("2")
    expect(page.get_by_label("Занятие 2, пара")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Занятие 2, аудитория")).to_have_value("Лаб-2")
    expect(page.get_by_label("Занятие 1, аудитория")).to_have_value("301")
    page.locator("#refused-row").scroll_into_view_if_needed()
    screenshot(page, "admin-group-timetable-clash")
    page.get_by_label("Занятие 2, пара").select_option(value="2")
    page.get_by_role("button", name="Сохранить расписание").click()
    expect(page.locator(".notice")).to_have_text("Расписание сохранено.")
    assert cell_texts(page) == [
        f"{' — '.join(MATH)} {plan.first} Вера ауд. 301",
        f"{' — '.join(INFO)} {plan.second} Игорь ауд. Лаб-2",
    ]
    expect(page.get_by_label("Занятие 2, пара")).to_have_value("2")
    screenshot(page, "admin-group-timetable")

    # «Учебный план»: the informatics row gets fewer weekly hours and a credit instead of the exam.
    page.get_by_role("link", name="Учебный план").first.click()
    page.get_by_label("Учебный год").select_option(label=plan.year_name)
    page.get_by_role("button", name="Показать").click()
    row = next(
        n
        for n in (1, 2)
        if " — ".join(INFO)
        in page.get_by_label(f"Строка {n}, дисциплина").locator("option:checked").inner_text()
    )
    page.get_by_label(f"Строка {row}, часов в неделю").fill("70")
    page.get_by_role("button", name="Сохранить учебный план").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Строка №{row}: часов в неделю")
    expect(page.get_by_label(f"Строка {row}, часов в неделю")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(f"Строка {row}, часов в неделю")).to_have_value("70")
    page.get_by_label(f"Строка {row}, часов в неделю").fill("2")
    page.get_by_label(f"Строка {row}, форма контроля").select_option(label="Дифференцированный зачёт")
    page.get_by_role("button", name="Сохранить учебный план").click()
    expect(page.locator(".notice")).to_have_text("Учебный план сохранён.")
    stored = page.locator("table.plan-curriculum tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )
    assert [" — ".join(INFO), "1", "72", "2", "Дифференцированный зачёт"] in stored
    assert [" — ".join(MATH), "1", "72", "4", "Экзамен"] in stored
    screenshot(page, "admin-group-curriculum")

    # «Снять»: a load in the timetable is refused next to it; a load without lessons is removed.
    page.get_by_role("link", name="Нагрузка").first.click()
    rows = page.locator("table.plan-loads tbody tr")
    rows.filter(has_text=" — ".join(INFO)).get_by_role("button", name="Снять").click()
    refused = rows.filter(has_text=" — ".join(INFO)).get_by_role("alert")
    expect(refused).to_contain_text("Нагрузка стоит в расписании группы")
    expect(rows).to_have_count(2)
    screenshot(page, "admin-group-load-refused")
    add_load(page, MATH, plan.second, "Игорь")
    expect(rows).to_have_count(3)
    extra = rows.filter(has_text=" — ".join(MATH)).filter(has_text=f"{plan.second} Игорь")
    extra.get_by_role("button", name="Снять").click()
    expect(page.locator(".notice")).to_have_text("Нагрузка снята.")
    expect(rows).to_have_count(2)
    screenshot(page, "admin-group-load-removed")


def test_the_plan_pages_fit_a_phone_screen(page: Page, plan: Plan, stack_platform) -> None:  # type: ignore[no-untyped-def]
    portal = stack_platform.gateway_url
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    log_in(page, portal, plan.admin)
    for path in ("loads", f"timetable?year_id={plan.year_id}", f"curriculum?year_id={plan.year_id}"):
        page.goto(f"{portal}/groups/{plan.group_id}/{path}")
        assert horizontal_overflow(page) == 0, f"{path} scrolls sideways at 360 px"
