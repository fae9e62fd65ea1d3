"""Seed a small demo college through the same paths users take (R7.2: the admin trains users on it).

Accounts are created by the identity admin CLI (the bootstrap path, with fixed demo passwords);
everything else goes through the gateway's REST API with the demo users' own tokens.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from datetime import date, timedelta
from typing import Any

import httpx

from devstack.stack import Stack

log = logging.getLogger(__name__)

DEMO_PASSWORD = "Demo-2026"
# username, role, surname, name, patronymic — one account per role.
DEMO_ACCOUNTS = [
    ("admin", "admin", "Администраторова", "Елена", "Павловна"),
    ("director", "director", "Петров", "Сергей", "Николаевич"),
    ("deputy", "deputy", "Васильева", "Ирина", "Олеговна"),
    ("curator", "curator", "Морозов", "Алексей", "Игоревич"),
    ("klassruk", "class_teacher", "Николаева", "Татьяна", "Юрьевна"),
    ("teacher", "teacher", "Смирнова", "Ольга", "Викторовна"),
    ("student", "student", "Кузнецов", "Пётр", "Андреевич"),
    ("parent", "parent", "Кузнецова", "Мария", "Ивановна"),
]
CLASSMATES = [("Иванова", "Анна"), ("Соколов", "Дмитрий"), ("Попова", "Екатерина")]
MARKS = ["5", "4", "4", "3", "5", "н", "4", "5"]


def _identity_admin(stack: Stack, *args: str) -> dict[str, Any]:
    env = {**os.environ, **stack.env_for("identity")}
    done = subprocess.run(
        [str(stack.venv_bin / "ejournal-identity-admin"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"identity admin CLI failed: {done.stderr.strip()[-800:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _token(stack: Stack, username: str) -> str:
    response = httpx.post(
        f"{stack.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "ejournal-cli",
            "username": username,
            "password": DEMO_PASSWORD,
        },
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    if response.status_code >= 400:
        raise RuntimeError(f"seed: POST {path} → {response.status_code} {response.text[:300]}")
    return dict(response.json())


def _school_days(count: int) -> list[date]:
    days: list[date] = []
    day = date.today()
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return list(reversed(days))


def seed_demo(stack: Stack) -> list[tuple[str, str, str]]:
    """Create the demo college once; return (role, username, password) of the demo accounts."""
    accounts = [(role, username, DEMO_PASSWORD) for username, role, *_ in DEMO_ACCOUNTS]
    marker = stack.data_dir / "demo-seeded.json"
    if marker.exists():
        return accounts
    people: dict[str, str] = {}
    for username, role, last, first, middle in DEMO_ACCOUNTS:
        person = _identity_admin(
            stack,
            "create-person", "--role", role, "--last-name", last, "--first-name", first,
            "--middle-name", middle, "--username", username, "--password", DEMO_PASSWORD,
        )  # fmt: skip
        people[username] = person["person_id"]
    students = [people["student"]]
    for last, first in CLASSMATES:
        students.append(
            _identity_admin(
                stack, "create-person", "--role", "student", "--last-name", last, "--first-name", first
            )["person_id"]
        )
    _identity_admin(
        stack, "link-guardian", "--parent-id", people["parent"], "--student-id", people["student"]
    )

    base = stack.gateway_url
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {_token(stack, 'admin')}"}, timeout=30
    ) as admin:
        group = _post(admin, "/api/v1/groups", {"name": "ИС-21"})
        disciplines = [
            _post(
                admin, "/api/v1/disciplines", {"code": "ОП.01", "name": "Математика", "kind": "discipline"}
            ),
            _post(
                admin,
                "/api/v1/disciplines",
                {"code": "МДК.01.01", "name": "Разработка программных модулей", "kind": "mdk"},
            ),
        ]
        for student in students:
            _post(admin, f"/api/v1/groups/{group['group_id']}/students", {"student_id": student})
        for discipline in disciplines:
            _post(
                admin,
                "/api/v1/teaching-loads",
                {
                    "teacher_id": people["teacher"],
                    "group_id": group["group_id"],
                    "discipline_id": discipline["discipline_id"],
                },
            )
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {_token(stack, 'teacher')}"}, timeout=30
    ) as teacher:
        for n, day in enumerate(_school_days(4)):
            for i, student in enumerate(students):
                _post(
                    teacher,
                    "/api/v1/marks",
                    {
                        "student_id": student,
                        "group_id": group["group_id"],
                        "discipline_id": disciplines[n % 2]["discipline_id"],
                        "lesson_date": day.isoformat(),
                        "value": MARKS[(n + i) % len(MARKS)],
                    },
                )
    marker.write_text(json.dumps({"group_id": group["group_id"], "people": people}, ensure_ascii=False))
    log.info("demo college seeded")
    return accounts
