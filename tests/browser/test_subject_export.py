"""«Мои данные (152-ФЗ)» in a real browser (issue 8 item 9): a parent downloads their child's subject
export from the home page and a student their own; the file parses, holds the child's marks and at least
one «who read / changed» record of the archive, each section naming its service.

Real stack (devstack's test profile, real Keycloak, the audit chain through NATS into the archive); the
data is set up through the REST API as the administration and a teacher would. The home page with the
links is saved at 1280 px and 360 px.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import code_flow_token, identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.post(path, json=body)
        assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
        return response.json()

    def get(self, path: str) -> Any:
        response = self.client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()


@dataclass
class College:
    portal: str
    parent: Account
    student: Account
    child_id: str
    child_name: str
    teacher_id: str


@pytest.fixture(scope="module")
def college(stack_platform) -> College:  # type: ignore[no-untyped-def]
    """A student with a parent and two marks from a teacher, the marks' audit records in the archive."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Выгрузкин", "--first-name", "Илья"),
        *("--username", f"xadmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"xadmin{suffix}", admin_password))
    teacher = admin.post("/api/v1/people", {"role": "teacher", "last_name": "Соколова", "first_name": "Вера"})
    student = admin.post("/api/v1/people", {"role": "student", "last_name": "Зайцев", "first_name": "Пётр"})
    parent = admin.post("/api/v1/people", {"role": "parent", "last_name": "Зайцева", "first_name": "Мария"})
    admin.post(f"/api/v1/students/{student['person_id']}/guardians", {"parent_id": parent["person_id"]})
    group = admin.post("/api/v1/groups", {"name": f"ЭКС-{suffix}"})
    admin.post(f"/api/v1/groups/{group['group_id']}/students", {"student_id": student["person_id"]})
    discipline = admin.post(
        "/api/v1/disciplines", {"code": "ОП.02", "name": "Информатика", "kind": "discipline"}
    )
    admin.post(
        "/api/v1/teaching-loads",
        {
            "teacher_id": teacher["person_id"],
            "group_id": group["group_id"],
            "discipline_id": discipline["discipline_id"],
        },
    )
    teacher_api = Api(
        gateway,
        code_flow_token(
            issuer,
            f"{gateway}/auth/callback",
            teacher["username"],
            teacher["temporary_password"],
            "Teach-2026-exp",
        ),
    )
    teacher_api.post(
        "/api/v1/marks",
        {
            "student_id": student["person_id"],
            "group_id": group["group_id"],
            "discipline_id": discipline["discipline_id"],
            "lesson_date": date.today().isoformat(),
            "value": "5",
        },
    )
    # The journal's audit records reach the archive through the outbox and NATS: wait for one.
    deadline = time.monotonic() + 30
    while not admin.get(f"/api/v1/audit?subject_person_id={student['person_id']}")["records"]:
        assert time.monotonic() < deadline, "no audit record about the student reached the archive"
        time.sleep(0.2)
    return College(
        portal=gateway,
        parent=Account(parent["username"], parent["temporary_password"]),
        student=Account(student["username"], student["temporary_password"]),
        child_id=student["person_id"],
        child_name="Зайцев Пётр",
        teacher_id=teacher["person_id"],
    )


def values_in(node: object) -> list[str]:
    """Every mark value anywhere under a diary (in lessons and without a lesson)."""
    if isinstance(node, dict):
        found = [node["value"]] if isinstance(node.get("value"), str) and "mark_id" in node else []
        return found + [v for child in node.values() for v in values_in(child)]
    if isinstance(node, list):
        return [v for child in node for v in values_in(child)]
    return []


def download(page: Page, link_name: str) -> dict[str, Any]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    file = info.value
    assert file.suggested_filename.startswith("ejournal-export-") and file.suggested_filename.endswith(
        ".json"
    )
    path = file.path()
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_a_parent_downloads_the_childs_data_with_marks_and_who_read_them(
    page: Page, college: College
) -> None:
    log_in(page, college.portal, college.parent)
    link = page.get_by_role("link", name="данные ребёнка (152-ФЗ)")
    expect(link).to_be_visible()
    expect(page.get_by_role("link", name="Мои данные (152-ФЗ)")).to_be_visible()
    screenshot(page, "subject-export-parent-home")
    document = download(page, "данные ребёнка (152-ФЗ)")
    assert (document["subject_person_id"], document["relation"], document["complete"]) == (
        college.child_id,
        "parent",
        True,
    )
    sections = document["sections"]
    assert {name: s["source"] for name, s in sections.items()} == {
        "person": "identity",
        "journal": "journal",
        "notifications": "messaging",
        "audit": "archive",
    }
    assert sections["person"]["person"]["last_name"] == "Зайцев"
    assert "5" in values_in(sections["journal"]["diary"])
    records = sections["audit"]["records"]
    assert records and all(r["subject_person_id"] == college.child_id for r in records)
    assert college.teacher_id in {r["actor_id"] for r in records}, "the teacher's mark is in «who acted»"
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0, "the home page scrolls sideways at 360 px"


def test_a_student_downloads_their_own_data(page: Page, college: College) -> None:
    log_in(page, college.portal, college.student)
    expect(page.get_by_role("link", name="Мои данные (152-ФЗ)")).to_be_visible()
    screenshot(page, "subject-export-student-home")
    document = download(page, "Мои данные (152-ФЗ)")
    assert (document["subject_person_id"], document["relation"]) == (college.child_id, "self")
    assert "5" in values_in(document["sections"]["journal"]["diary"])
    assert document["sections"]["audit"]["records"], "the records about the student: who read or changed"
