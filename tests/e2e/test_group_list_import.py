"""Issue 8's proof (slice H2): a class teacher imports 25 students and their 25 parents through the
gateway on the lane's real stack → 50 Keycloak users, a 50-page slips PDF, the students in the
journal's group (the journal's consumer enrolled them) and in the class teacher's «Учётные записи»
with their parents; a student logs in with the password printed on their slip; the class teacher of
another group is refused; the same list again is refused with `group_list_already_imported`.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .keycloak_login import identity_admin, password_token
from .pdf_text import after, page_strings

pytestmark = pytest.mark.e2e
STUDENTS = 25
_LETTERS = "бвгдзклмнпрстфхч"


def eventually(check: Callable[[], Any], within: float = 60.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def surname() -> str:
    return "Импорт" + "".join(random.choice(_LETTERS) for _ in range(6)) + "ов"


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)

    def send(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None


def staff(stack: Any, role: str, suffix: str) -> tuple[str, Api]:
    """Create a staff person with a known password through the identity CLI; return id and API."""
    username, password = f"{role.replace('_', '')}{suffix}", f"Imp-{uuid.uuid4().hex[:12]}"
    created = identity_admin(
        {**os.environ, **stack.env_for("identity")},
        "create-person", "--role", role, "--last-name", surname(), "--first-name", "Ирина",
        "--username", username, "--password", password,
        bin_dir=str(stack.venv_bin),
    )  # fmt: skip
    return created["person_id"], Api(stack.gateway_url, password_token(stack.issuer, username, password))


def group_list(count: int) -> bytes:
    header = "Фамилия студента;Имя студента;Отчество студента;Дата рождения;Фамилия родителя 1;Имя родителя 1;E-mail родителя 1"
    lines = [header]
    for n in range(count):
        last = surname()
        lines.append(f"{last};Анна;Сергеевна;{n % 28 + 1:02d}.03.2009;{last};Мария;")
    return ("\ufeff" + "\r\n".join(lines)).encode()


@pytest.fixture(scope="module")
def platform(stack_platform):  # type: ignore[no-untyped-def]
    return stack_platform


def test_a_class_teacher_imports_25_students_and_their_parents(platform: Any) -> None:
    stack, suffix = platform, uuid.uuid4().hex[:6]
    _, admin = staff(stack, "admin", suffix)
    teacher_a, class_teacher = staff(stack, "class_teacher", suffix + "a")
    teacher_b, other_class_teacher = staff(stack, "class_teacher", suffix + "b")
    groups = {}
    for name, lead in ((f"ИМ-{suffix}", teacher_a), (f"ИМБ-{suffix}", teacher_b)):
        group = admin.send("POST", "/api/v1/groups", {"name": name}, expect=201)
        admin.send("PATCH", f"/api/v1/groups/{group['group_id']}", {"class_teacher_id": lead})
        groups[lead] = group["group_id"]
    group_id = groups[teacher_a]
    accounts = f"/api/v1/groups/{group_id}/accounts"
    # Identity learns who leads the group from the journal's event.
    assert eventually(lambda: class_teacher.client.get(accounts).status_code == 200), (
        "identity never learnt the lead"
    )

    data = group_list(STUDENTS)
    started = time.monotonic()
    done = class_teacher.client.post(f"{accounts}/import", files={"file": ("группа.csv", data, "text/csv")})
    took = time.monotonic() - started
    assert done.status_code == 200, done.text
    print(f"\nimport of {STUDENTS} students + {STUDENTS} parents: {took:.2f} s")
    assert done.headers["content-type"] == "application/pdf" and done.headers["cache-control"] == "no-store"
    assert (done.headers["x-students-created"], done.headers["x-parents-created"]) == ("25", "25")
    pages = page_strings(done.content)
    assert len(pages) == 2 * STUDENTS
    students = [p for p in pages if "Обучающийся, группа " + f"ИМ-{suffix}" in p]
    assert len(students) == STUDENTS

    # The journal enrolled them (its consumer of identity.group_list.imported.v1).
    def enrolled() -> list[str]:
        return list(admin.send("GET", f"/api/v1/groups/{group_id}/students")["student_ids"])

    assert len(eventually(lambda: len(enrolled()) == STUDENTS and enrolled()) or []) == STUDENTS
    # «Учётные записи»: every student with their parent (identity's projection follows the journal).
    listed = eventually(
        lambda: (
            len(class_teacher.send("GET", accounts)["students"]) == STUDENTS
            and class_teacher.send("GET", accounts)
        )
    )
    assert listed and all(len(s["parents"]) == 1 for s in listed["students"])

    # A student logs in with the slip's password (final: no change asked).
    login, password = after(students[0], "Логин:"), after(students[0], "Пароль:")
    me = Api(stack.gateway_url, password_token(stack.issuer, login, password)).send("GET", "/api/v1/me")
    assert "student" in me["roles"]

    # The class teacher of another group gets nothing created here.
    foreign = other_class_teacher.client.post(
        f"{accounts}/import", files={"file": ("группа.csv", group_list(1), "text/csv")}
    )
    assert foreign.status_code in (403, 404), foreign.text
    # The same list again creates nothing.
    again = class_teacher.client.post(f"{accounts}/import", files={"file": ("группа.csv", data, "text/csv")})
    assert again.status_code == 409 and again.json()["error"]["code"] == "group_list_already_imported"
    assert len(class_teacher.send("GET", accounts)["students"]) == STUDENTS
