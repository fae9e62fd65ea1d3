"""The journal grid and student movement in a real browser (slice J, issue 7 item 8): the teacher opens
the group's journal and reads «переведён ДД.ММ.ГГГГ» next to the student transferred to another group
in the middle of the page's dates; the cells of the days after the transfer are greyed, take no typing
and say why, while those before it still take a mark; the other group's page says «переведён» on the
day they joined. Real stack (Keycloak, identity, the journal); the college through the REST API;
screens at 1280 and 360 px."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import code_flow_token, identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
        return response.json()


@dataclass
class College:
    portal: str
    teacher: Account
    group_id: str
    other_group_id: str
    discipline_id: str
    moved: str
    stays: str
    before: str  # a lesson before the transfer
    after: str  # one after it
    other_after: str  # the other group's lesson after it
    transfer_day: date


@pytest.fixture(scope="module")
def college(stack_platform) -> College:  # type: ignore[no-untyped-def]
    """Two groups taught by one teacher; both students in the first since before the page's eight weeks,
    Сидоров moves to the second ten days ago."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Движкова", "--first-name", "Инна"),
        *("--username", f"gadmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"gadmin{suffix}", password))

    def person(role: str, last: str, first: str) -> dict[str, str]:
        created: dict[str, str] = admin.send(
            "POST", "/api/v1/people", {"role": role, "last_name": last, "first_name": first}
        )
        return created

    teacher = person("teacher", "Учителева", "Нина")
    moved, stays = person("student", "Сидоров", "Пётр"), person("student", "Петрова", "Анна")
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    groups = [
        admin.send("POST", "/api/v1/groups", {"name": f"{n}-{suffix}"})["group_id"] for n in ("ПД", "ПД2")
    ]
    discipline = admin.send(
        "POST", "/api/v1/disciplines", {"code": f"ОП.{suffix[:3]}", "name": "Физика", "kind": "discipline"}
    )["discipline_id"]
    for group in groups:
        admin.send(
            "POST",
            "/api/v1/teaching-loads",
            {"teacher_id": teacher["person_id"], "group_id": group, "discipline_id": discipline},
        )
    for student in (moved, stays):
        admin.send(
            "POST",
            f"/api/v1/groups/{groups[0]}/students",
            {"student_id": student["person_id"], "enrolled_on": (today - timedelta(days=70)).isoformat()},
        )
    account = Account(teacher["username"], f"{teacher['temporary_password']}-Own", temporary=False)
    teacher_api = Api(
        gateway,
        code_flow_token(
            issuer,
            f"{gateway}/auth/callback",
            teacher["username"],
            teacher["temporary_password"],
            account.password,
        ),
    )

    def lesson(group: str, day: date, topic: str) -> str:
        body = {
            "group_id": group,
            "discipline_id": discipline,
            "lesson_date": day.isoformat(),
            "pair_number": 1,
        }
        return str(
            teacher_api.send("POST", "/api/v1/lessons", {**body, "topic": topic, "kind": "lecture"})[
                "lesson"
            ]["lesson_id"]
        )

    before = lesson(groups[0], today - timedelta(days=20), "Кинематика")
    transfer_day = today - timedelta(days=10)
    admin.send(
        "POST",
        f"/api/v1/students/{moved['person_id']}/movements",
        {
            "kind": "transfer",
            "on_date": transfer_day.isoformat(),
            "order_number": "№ 7-к",
            "to_group_id": groups[1],
        },
    )
    after = lesson(groups[0], today - timedelta(days=3), "Динамика")
    other_after = lesson(groups[1], today - timedelta(days=3), "Динамика")
    return College(
        gateway, account, groups[0], groups[1], discipline, moved["person_id"], stays["person_id"], before,
        after, other_after, transfer_day,
    )  # fmt: skip


def test_the_grid_labels_a_transferred_student_and_greys_the_days_after(page: Page, college: College) -> None:
    c = college
    log_in(page, c.portal, c.teacher)
    page.goto(f"{c.portal}/journal/{c.group_id}/{c.discipline_id}")
    row = page.locator(f'tr[data-student="{c.moved}"]')
    label = f"переведён {c.transfer_day:%d.%m.%Y}"
    expect(row.locator(".movement-label")).to_have_text(label)
    expect(page.locator(f'tr[data-student="{c.stays}"] .movement-label')).to_have_count(0)
    after = row.locator(f'td[data-lesson="{c.after}"]')
    expect(after).to_have_class("cell off")
    expect(after).to_have_attribute("title", f"{label}: в этот день не в группе (подгруппе)")
    expect(after.locator(".cell-input")).to_have_count(0)  # no typing where the student was not
    # Before the transfer the cell is theirs: a 5 typed there is saved.
    before = row.locator(f'td[data-lesson="{c.before}"]')
    before.locator(".cell-input").fill("5")
    page.keyboard.press("Enter")
    expect(before.locator(".mark")).to_have_text("5")
    screenshot(page, "journal-movement")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    expect(row.locator(".movement-label")).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{c.portal}/journal/{c.other_group_id}/{c.discipline_id}")
    other = page.locator(f'tr[data-student="{c.moved}"]')
    expect(other.locator(".movement-label")).to_have_text(label)
    expect(other.locator(f'td[data-lesson="{c.other_after}"] .cell-input')).to_have_count(1)
    screenshot(page, "journal-movement-joined")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
