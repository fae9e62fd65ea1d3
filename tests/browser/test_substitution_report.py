"""«Отчёт о заменах» in a real browser (slice L, issue 7 item 7: the substitution appears in reports):
the admin records a substitution on «Замены», opens «Отчёт о заменах» from it, asks for the week and
sees the pair (the journal's event reached reports' projection over real NATS) with both teachers named
and counted; a malformed period is refused next to the form; after cancelling the substitution the
report no longer shows it. Screenshots at 1280 and 360 px, no sideways scroll on a phone.

Real stack (devstack's test profile, real Keycloak, the journal, reports and identity); the college is
built by test_substitutions' fixture (a group whose math is on Mondays' first pair in a year far ahead).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from .conftest import PHONE, horizontal_overflow, log_in, screenshot
from .test_substitutions import College, college, fill_slot, find_teacher

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
__all__ = ["college"]  # the fixture, imported for this module


def open_report(page: Page, portal: str, c: College, rows: int) -> None:
    """Open the week's report until the projection shows `rows` substitutions (it lags the journal)."""
    url = f"{portal}/reports/substitutions?date_from={c.monday}&date_to={c.monday + timedelta(days=6)}"
    deadline = time.monotonic() + 20
    while True:
        page.goto(url)
        shown = page.locator("table.substitutions tbody tr").count()
        if shown == rows or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    expect(page.locator("table.substitutions tbody tr")).to_have_count(rows)


def test_a_substitution_appears_in_the_report_and_leaves_it_when_cancelled(  # type: ignore[no-untyped-def]
    page: Page, college: College, stack_platform
) -> None:
    c, portal = college, stack_platform.gateway_url
    log_in(page, portal, c.admin)
    page.goto(f"{portal}/substitutions?week={c.monday.isoformat()}")
    find_teacher(page, c.substitute)
    fill_slot(page, c)
    page.get_by_label("Заменяющий преподаватель").select_option(label=f"{c.substitute} Игорь")
    page.get_by_role("button", name="Записать замену").click()
    expect(page.locator(".notice")).to_contain_text("Замена записана")

    # From «Замены» to the report; a period that ends before it starts is refused in place.
    page.get_by_role("link", name="Отчёт о заменах").click()
    expect(page.locator("h1")).to_have_text("Отчёт о заменах")
    page.get_by_label("С").fill(c.monday.isoformat())
    page.get_by_label("по").fill((c.monday - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_role("alert")).to_contain_text("раньше даты начала")
    expect(page.get_by_label("С")).to_have_value(c.monday.isoformat())
    screenshot(page, "substitution-report-refused")

    open_report(page, portal, c, rows=1)
    row = page.locator("table.substitutions tbody tr")
    expect(row).to_contain_text(c.group_name)
    expect(row).to_contain_text(f"{c.own} Вера")
    expect(row).to_contain_text(f"{c.substitute} Игорь")
    teachers = page.locator("table.substitution-report tbody tr")
    expect(teachers.filter(has_text=c.substitute).locator("td").nth(1)).to_have_text("1")
    expect(teachers.filter(has_text=c.own).locator("td").nth(2)).to_have_text("1")
    screenshot(page, "substitution-report")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 1280, "height": 800})

    # Cancelled on «Замены»: the report leaves it out.
    page.goto(f"{portal}/substitutions?week={c.monday.isoformat()}")
    page.get_by_role("button", name="Отменить замену").click()
    expect(page.locator(".notice")).to_have_text("Замена отменена.")
    open_report(page, portal, c, rows=0)
    expect(page.locator(".empty")).to_have_text("За этот период замен нет.")
