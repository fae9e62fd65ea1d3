"""The keyboard grid changes and removes a mark already in a cell (R3.3), in a real browser: ← from the
cell's input reaches the mark, a value outside the dictionary typed over it is refused in place, a 5
typed over it is saved, Delete after the confirm removes it and the page read again has it no more.
The college of test_teacher_day (its own instance for this module); screens at 1280 and 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .conftest import DESKTOP, log_in, screenshot
from .test_teacher_day import College, college

__all__ = ["college"]  # the fixture, shared with the teacher's day

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_a_teacher_changes_and_removes_a_mark_by_keyboard(college: College, browser: Browser) -> None:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, college.portal, college.teacher)
    page.goto(f"{college.portal}/journal/{college.group_id}/{college.discipline_id}")
    cell = page.locator(
        f'tr[data-student="{college.student_ids[2]}"] td[data-lesson="{college.earlier_lesson_id}"]'
    )
    expect(cell.locator(".mark")).to_have_text("4")

    cell.locator(".cell-input").focus()
    page.keyboard.press("ArrowLeft")
    expect(cell.locator(".mark")).to_be_focused()
    page.keyboard.press("7")
    page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_contain_text("Не исправлено: «7»")
    expect(cell.locator(".mark-edit")).to_have_value("7")
    screenshot(page, "grid-mark-refused")
    cell.locator(".mark-edit").fill("5")
    page.keyboard.press("Enter")
    expect(cell.locator(".mark")).to_have_text("5")
    expect(page.locator("#grid-status")).to_contain_text("Оценка исправлена: 5")
    screenshot(page, "grid-mark-changed")

    expect(cell.locator(".mark")).to_be_focused()
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Delete")
    expect(cell.locator(".mark")).to_have_count(0)
    expect(page.locator("#grid-status")).to_contain_text("Оценка «5» удалена")
    screenshot(page, "grid-mark-removed")

    page.reload()
    expect(cell.locator(".att")).to_be_attached()
    expect(cell.locator(".mark")).to_have_count(0)
    context.close()
