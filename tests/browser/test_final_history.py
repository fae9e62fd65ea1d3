"""«История итоговой оценки» in a real browser (issue 7 item 6, slice K): the teacher sets a student's
final on «Итоговые оценки», changes it with a reason, opens «История» next to it and reads both entries —
the first setting («не было» → 4) and the change (4 → 5, «Апелляция») with who and the rule's proposal;
on a phone the cards fit without sideways scroll. Then the student opens «Итоговые оценки» from his diary,
finds the exam by its year as the mark that goes into the documents and reads the same history.
Real stack; screens saved at 1280 and 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .conftest import DESKTOP, PHONE, horizontal_overflow, log_in, screenshot
from .test_finals import Finals, finals

__all__ = ["finals"]  # the fixture, shared with the finals' browser test

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_the_teacher_reads_the_history_of_a_final_set_and_changed(finals: Finals, browser: Browser) -> None:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, finals.portal, finals.teacher)
    page.goto(f"{finals.portal}/finals/{finals.group_id}/{finals.discipline_id}")
    belov = page.locator("tr", has_text="Белов")
    expect(belov.get_by_role("link", name="История")).to_have_count(0)  # nothing set yet
    belov.get_by_role("button", name="Сохранить").click()  # the proposed 4
    expect(page.get_by_role("status")).to_have_text("Итоговая оценка сохранена.")
    belov = page.locator("tr", has_text="Белов")
    belov.get_by_role("combobox").select_option("5")
    belov.get_by_role("textbox").fill("Апелляция")
    belov.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Итоговая оценка сохранена.")

    page.locator("tr", has_text="Белов").get_by_role("link", name="История").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("История итоговой оценки")
    expect(page.locator(".mark-now")).to_have_text("5")
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Выставлена")
    expect(rows.nth(0)).to_contain_text("не было → 4")
    expect(rows.nth(0)).to_contain_text("Громова")
    expect(rows.nth(1)).to_contain_text("Изменена")
    expect(rows.nth(1)).to_contain_text("4 → 5")
    expect(rows.nth(1)).to_contain_text("Апелляция")
    expect(rows.nth(1)).to_contain_text("версия правила 1")
    screenshot(page, "final-history")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
    page.get_by_role("link", name="← Итоговые оценки").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Итоговые оценки")
    context.close()


def test_the_student_finds_the_final_in_his_finals_and_reads_its_history(
    finals: Finals, browser: Browser
) -> None:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, finals.portal, finals.student)
    page.goto(f"{finals.portal}/diary")
    page.get_by_role("link", name="Итоговые оценки").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Итоговые оценки")
    table = page.locator("table.own-finals")
    expect(table).to_have_count(1)
    expect(table.locator("caption")).to_contain_text("Учебный год ")
    exam = table.locator("tbody tr", has_text="экзамен")
    expect(exam).to_contain_text("Математика")
    expect(exam.locator(".final-value")).to_have_text("5")
    expect(exam).to_contain_text("— в документах")
    screenshot(page, "student-finals")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    exam.get_by_role("link", name="История").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("История итоговой оценки")
    expect(page.locator("table.history tbody tr")).to_have_count(2)
    page.get_by_role("link", name="← Итоговые оценки").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Итоговые оценки")
    context.close()
