"""The walking skeleton, all real: gateway REST → gRPC → PostgreSQL → outbox → NATS → consumers.

Keycloak, PostgreSQL, NATS, the five services and the gateway run as separate processes
(devstack's test profile). Every step goes through the path a user takes.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from .keycloak_login import (
    browser_client,
    code_flow_token,
    identity_admin,
    password_token,
    submit_login_forms,
)

pytestmark = pytest.mark.e2e


def eventually(check: Callable[[], Any], within: float = 30.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, "the effect did not appear in time"
        time.sleep(0.2)


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def post(self, path: str, body: dict[str, Any], expect: int = 201) -> Any:
        response = self.client.post(path, json=body)
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        return response.json()

    def get(self, path: str, expect: int = 200, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        return response.json()


@pytest.fixture(scope="module")
def platform(stack_platform):  # type: ignore[no-untyped-def]
    return stack_platform


def test_walking_skeleton(platform) -> None:  # type: ignore[no-untyped-def]
    stack = platform
    gateway, issuer = stack.gateway_url, stack.issuer
    redirect_uri = f"{gateway}/auth/callback"

    health = httpx.get(f"{gateway}/healthz", timeout=30)
    assert health.status_code == 200, health.text
    assert set(health.json()["components"].values()) == {"up"}, health.json()

    # The first admin comes from the identity admin CLI (nobody exists yet to create them).
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, **stack.env_for("identity")}
    identity_admin(
        env,
        "create-person",
        "--role",
        "admin",
        "--last-name",
        "Админов",
        "--first-name",
        "Иван",
        "--username",
        f"admin{suffix}",
        "--password",
        admin_password,
        bin_dir=str(stack.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"admin{suffix}", admin_password))
    assert "admin" in admin.get("/api/v1/me")["roles"]

    # The admin issues credentials: identity creates Keycloak users with temporary passwords.
    teacher = admin.post(
        "/api/v1/people", {"role": "teacher", "last_name": "Смирнова", "first_name": "Ольга"}
    )
    student = admin.post("/api/v1/people", {"role": "student", "last_name": "Кузнецов", "first_name": "Пётр"})
    parent = admin.post(
        "/api/v1/people",
        {
            "role": "parent",
            "last_name": "Кузнецова",
            "first_name": "Мария",
            "email": f"p{suffix}@example.org",
        },
    )
    stranger = admin.post("/api/v1/people", {"role": "parent", "last_name": "Соколов", "first_name": "Антон"})
    assert teacher["temporary_password"] and teacher["username"].startswith("smirnova")
    link = admin.post(
        f"/api/v1/students/{student['person_id']}/guardians", {"parent_id": parent["person_id"]}
    )
    assert link["created"] is True

    # The admin opens the journal: group, discipline, enrolment, teaching load.
    group = admin.post("/api/v1/groups", {"name": f"ИС-{suffix}"})
    discipline = admin.post(
        "/api/v1/disciplines", {"code": "ОП.01", "name": "Математика", "kind": "discipline"}
    )
    admin.post(f"/api/v1/groups/{group['group_id']}/students", {"student_id": student["person_id"]})
    admin.post(
        "/api/v1/teaching-loads",
        {
            "teacher_id": teacher["person_id"],
            "group_id": group["group_id"],
            "discipline_id": discipline["discipline_id"],
        },
    )
    # The journal knows identity's people and their roles (from identity's events, or asking identity
    # for a person created a moment ago): a parent is not enrolled, a student gets no load, and an id
    # nobody has is not found. Nothing is written: the group still has only its student.
    enrol = f"/api/v1/groups/{group['group_id']}/students"
    for path, body, status, code in (
        (enrol, {"student_id": stranger["person_id"]}, 409, "person_not_student"),
        (enrol, {"student_id": str(uuid.uuid4())}, 404, "person_not_found"),
        (
            "/api/v1/teaching-loads",
            {
                "teacher_id": student["person_id"],
                "group_id": group["group_id"],
                "discipline_id": discipline["discipline_id"],
            },
            409,
            "person_not_teacher",
        ),
    ):
        refused = admin.client.post(path, json=body)
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, code), refused.text
    enrolled = admin.get(f"/api/v1/groups/{group['group_id']}/students")["student_ids"]
    assert enrolled == [student["person_id"]]

    # The teacher logs in for the first time (must change the temporary password) and records a mark.
    teacher_api = Api(
        gateway,
        code_flow_token(
            issuer, redirect_uri, teacher["username"], teacher["temporary_password"], "Teach-2026-xyz"
        ),
    )
    mark_body = {
        "student_id": student["person_id"],
        "group_id": group["group_id"],
        "discipline_id": discipline["discipline_id"],
        "lesson_date": date.today().isoformat(),
        "value": "5",
    }
    mark = teacher_api.post("/api/v1/marks", mark_body)
    assert mark["value"] == "5" and mark["teacher_id"] == teacher["person_id"]

    # Bad input is a clear 4xx with a stable code, never a 500, and writes nothing.
    bad = teacher_api.client.post("/api/v1/marks", json={**mark_body, "value": "6"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_mark_value"
    bad = teacher_api.client.post("/api/v1/marks", json={**mark_body, "lesson_date": "2026-02-30"})
    assert bad.status_code == 400
    bad = teacher_api.client.post("/api/v1/groups", json={"name": "X"})
    assert bad.status_code == 403

    # The parent logs in and reads the child's marks and the notification messaging stored for them.
    parent_api = Api(
        gateway,
        code_flow_token(
            issuer, redirect_uri, parent["username"], parent["temporary_password"], "Parent-2026-xyz"
        ),
    )
    children = parent_api.get("/api/v1/me/children")["children"]
    assert [(c["person_id"], c["last_name"], c["first_name"]) for c in children] == [
        (student["person_id"], "Кузнецов", "Пётр")
    ]
    diary = parent_api.get(f"/api/v1/students/{student['person_id']}/marks")
    assert [(m["mark_id"], m["value"]) for m in diary["marks"]] == [(mark["mark_id"], "5")]
    assert [(d["discipline_id"], d["code"], d["name"]) for d in diary["disciplines"]] == [
        (discipline["discipline_id"], "ОП.01", "Математика")
    ]
    notes = eventually(lambda: parent_api.get("/api/v1/me/notifications")["notifications"])
    assert len(notes) == 1
    assert (notes[0]["student_id"], notes[0]["mark_value"]) == (student["person_id"], "5")

    # Another parent may not see the child.
    stranger_api = Api(
        gateway,
        code_flow_token(
            issuer, redirect_uri, stranger["username"], stranger["temporary_password"], "Other-2026-xyz"
        ),
    )
    # Not 403: a foreign parent must not even learn that the student exists (StudentNotVisible).
    refused = stranger_api.client.get(f"/api/v1/students/{student['person_id']}/marks")
    assert refused.status_code == 404, refused.text
    assert refused.json()["error"]["code"] == "student_not_found", refused.text
    unknown = stranger_api.client.get(f"/api/v1/students/{uuid.uuid4()}/marks")
    assert (unknown.status_code, unknown.json()) == (404, refused.json()), "hidden and absent look alike"
    assert stranger_api.get("/api/v1/me/children")["children"] == []
    assert stranger_api.get("/api/v1/me/notifications")["notifications"] == []

    # Reports keeps a projection of the mark; archive appended audit records of the change and the read.
    summary = eventually(
        lambda: (
            (s := admin.get(f"/api/v1/reports/groups/{group['group_id']}/mark-summary"))["marks_count"] == 1
            and s
        )
    )
    assert summary["counts"] == [{"value": "5", "count": 1}]
    audit = eventually(
        lambda: admin.get("/api/v1/audit", resource_type="mark", resource_id=mark["mark_id"])["records"]
    )
    assert audit[0]["action"] == "mark.recorded" and audit[0]["actor_id"] == teacher["person_id"]
    reads = eventually(
        lambda: admin.get("/api/v1/audit", subject_person_id=student["person_id"], resource_type="student")[
            "records"
        ]
    )
    assert any(r["action"] == "diary.read" and r["actor_id"] == parent["person_id"] for r in reads)

    # The same parent in the Russian web portal (session cookie, no bearer token).
    with browser_client(base_url=gateway, follow_redirects=False) as browser:
        to_keycloak = browser.get("/login")
        assert to_keycloak.status_code in (302, 303, 307)
        login_page = browser.get(to_keycloak.headers["location"], follow_redirects=True)
        back = submit_login_forms(browser, login_page, parent["username"], "Parent-2026-xyz", None)
        landed = browser.get(back.headers["location"], follow_redirects=True)
        assert landed.status_code == 200 and 'lang="ru"' in landed.text
        # The parent's home page links to the child's diary by the child's name: no ids to type.
        assert f'<a href="/diary/{student["person_id"]}">Кузнецов Пётр</a>' in landed.text, landed.text
        assert 'name="student_id"' not in landed.text
        page = browser.get(f"/diary/{student['person_id']}")
        assert page.status_code == 200 and "<h1>Дневник: Кузнецов Пётр</h1>" in page.text
        assert "ОП.01 — Математика" in page.text
        assert discipline["discipline_id"] not in page.text
        assert re.search(r">\s*5\s*<", page.text), "the mark is shown in the diary table"
        notices = browser.get("/notifications")
        assert notices.status_code == 200
        assert "ОП.01 — Математика" in notices.text and "Кузнецов Пётр" in notices.text
        assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d<", notices.text) and "UTC" not in notices.text
        hidden = browser.get(f"/diary/{uuid.uuid4()}")
        assert hidden.status_code == 404, hidden.text
        assert "Обучающийся не найден" in hidden.text
        assert "Выйти" in hidden.text and 'href="/login"' not in hidden.text, (
            "the error page keeps the header"
        )
