"""«Загрузка списка группы» (slice H2, issue 8 items 2 and 10) in a real browser on the real stack: the
class teacher opens it from «Учётные записи», uploads a list with one bad row and reads the refused
row in Russian (row, column, reason) with nothing created; fixes the file and the slips PDF downloads
(a page per student and parent); «Учётные записи» then lists the students once the journal enrolled
them (real NATS). Screenshots at 1280 and 360 px, no sideways scroll on a phone."""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot
from .test_accounts import page_count

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
HEADER = "Фамилия студента;Имя студента;Отчество студента;Дата рождения;Фамилия родителя 1;Имя родителя 1"


def setup_group(stack: Any) -> tuple[str, str, Account]:
    """Return a group led by a new class teacher, its name and the class teacher's login."""
    suffix = uuid.uuid4().hex[:6]
    password = f"Gli-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Списков", "--first-name", "Инна"),
        *("--username", f"gladmin{suffix}", "--password", password),
        bin_dir=str(stack.venv_bin),
    )
    token = password_token(stack.issuer, f"gladmin{suffix}", password)
    with httpx.Client(
        base_url=stack.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        mark = "".join(chr(ord("а") + int(c, 16)) for c in suffix)
        teacher = api.post(
            "/api/v1/people",
            json={"role": "class_teacher", "last_name": f"Классная{mark}", "first_name": "Анна"},
        ).json()
        name = f"СП-{suffix}"
        group = api.post("/api/v1/groups", json={"name": name}).json()
        patched = api.patch(
            f"/api/v1/groups/{group['group_id']}", json={"class_teacher_id": teacher["person_id"]}
        )
        assert patched.status_code == 200, patched.text
    return group["group_id"], name, Account(teacher["username"], teacher["temporary_password"])


def listed(mark: str, birth: str) -> bytes:
    rows = [HEADER, f"Первов{mark};Пётр;;05.03.2009;Первова{mark};Ольга", f"Вторых{mark};Анна;;{birth};;"]
    return ("\ufeff" + "\r\n".join(rows)).encode()


def test_a_bad_row_is_refused_in_russian_then_the_fixed_list_gives_the_slips(
    page: Page, stack_platform: Any
) -> None:
    group_id, name, teacher = setup_group(stack_platform)
    portal = stack_platform.gateway_url
    mark = "".join(chr(ord("а") + int(c, 16)) for c in uuid.uuid4().hex[:6])
    log_in(page, portal, teacher)
    # The journal's event tells identity who leads the group: «Учётные записи» opens once it has.
    for _ in range(40):
        response = page.goto(f"{portal}/groups/{group_id}/accounts")
        if response is not None and response.status == 200:
            break
        page.wait_for_timeout(250)
    page.get_by_role("link", name="Загрузить список группы (XLSX или CSV)").click()
    page.wait_for_url(f"{portal}/groups/{group_id}/accounts/import")
    expect(page.locator("h1")).to_have_text(f"Загрузка списка группы {name}")

    page.set_input_files(
        "#file", files=[{"name": "группа.csv", "mimeType": "text/csv", "buffer": listed(mark, "31.02.2009")}]
    )
    page.get_by_role("button", name="Загрузить и распечатать пароли").click()
    refused = page.locator("#refused")
    expect(refused).to_contain_text("Не принято строк: 1. Ничего не создано")
    row = refused.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("Дата рождения")
    expect(row).to_contain_text("ДД.ММ.ГГГГ")
    screenshot(page, "group-list-refused")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0, "the refused rows scroll sideways at 360 px"
    page.set_viewport_size({"width": 1280, "height": 800})
    # Nothing was created: the group still has no accounts.
    page.goto(f"{portal}/groups/{group_id}/accounts")
    expect(page.get_by_text("В группе пока нет обучающихся")).to_be_visible()

    page.goto(f"{portal}/groups/{group_id}/accounts/import")
    page.set_input_files(
        "#file", files=[{"name": "группа.csv", "mimeType": "text/csv", "buffer": listed(mark, "06.03.2009")}]
    )
    with page.expect_download() as slips:
        page.get_by_role("button", name="Загрузить и распечатать пароли").click()
    pdf = slips.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and page_count(pdf) == 3
    screenshot(page, "group-list-import")

    # The journal enrolled the two students; identity's projection follows it into «Учётные записи».
    for _ in range(60):
        page.goto(f"{portal}/groups/{group_id}/accounts")
        if page.locator("table.accounts tbody tr.student").count() == 2:
            break
        page.wait_for_timeout(500)
    expect(page.locator("table.accounts tbody tr.student")).to_have_count(2)
    expect(page.locator("table.accounts tbody tr.parent")).to_have_count(1)
    screenshot(page, "group-list-imported-accounts")
