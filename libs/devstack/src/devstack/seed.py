"""Seed a small demo college through the same paths users take (R7.2: the admin trains users on it).

Accounts are created by the identity admin CLI (the bootstrap path, with fixed demo passwords), in
one `batch` run; everything else goes through the gateway's REST API with the demo users' own tokens.

`make up` overlaps the seed with the start: `DemoSeed.begin` launches the CLI at once (its imports
take seconds), `send_people` hands it the plan as soon as Keycloak is ready (the CLI then works while
the services become healthy), and `finish` collects the people and fills in the rest over REST.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from datetime import date, timedelta
from typing import Any

import httpx

from devstack import demo_college
from devstack.stack import Stack

log = logging.getLogger(__name__)

DEMO_PASSWORD = "Zhurnal-Demo-2026"
"""The demo accounts' password: it follows the realm's policy (12+ characters, not on the deny-list)."""
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


def demo_accounts() -> list[tuple[str, str, str]]:
    """Return (role, username, password) of the demo accounts."""
    return [(role, username, DEMO_PASSWORD) for username, role, *_ in DEMO_ACCOUNTS]


def people_plan() -> list[dict[str, Any]]:
    """Return the identity admin CLI's batch plan: the demo accounts, the classmates, the guardian link."""
    plan: list[dict[str, Any]] = []
    for username, role, last, first, middle in DEMO_ACCOUNTS:
        argv = ["create-person", "--role", role, "--last-name", last, "--first-name", first,
                "--middle-name", middle, "--username", username, "--password", DEMO_PASSWORD]  # fmt: skip
        plan.append({"id": username, "argv": argv})
    for n, (last, first) in enumerate(CLASSMATES, start=1):
        argv = ["create-person", "--role", "student", "--last-name", last, "--first-name", first]
        plan.append({"id": f"classmate{n}", "argv": argv})
    link = ["link-guardian", "--parent-id", "${parent.person_id}", "--student-id", "${student.person_id}"]
    plan.append({"argv": link})
    return plan


class DemoSeed:
    """One seeding of the demo college, in three calls that `make up` spreads over the start."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._plan = people_plan()
        self._proc = subprocess.Popen(
            [str(stack.venv_bin / "ejournal-identity-admin"), "batch"],
            env={**os.environ, **stack.env_for("identity")},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",
        )
        self._thread: threading.Thread | None = None
        self._output: tuple[str, str] | BaseException | None = None
        self._sent_at = 0.0

    @classmethod
    def begin(cls, stack: Stack) -> DemoSeed | None:
        """Launch the identity admin CLI, which waits for its plan; None when the demo college exists."""
        if stack.demo_marker.exists() and stack.postgres_initialized():
            return None
        return cls(stack)

    def send_people(self) -> None:
        """Hand the CLI its plan (Keycloak must be ready and the identity database migrated)."""
        if self._thread is not None:
            return

        def talk() -> None:
            try:
                self._output = self._proc.communicate(json.dumps(self._plan), timeout=180)
            except BaseException as exc:  # reported by finish(), in the caller's thread
                self._output = exc

        self._sent_at = time.monotonic()
        self._thread = threading.Thread(target=talk, name="seed-people", daemon=True)
        self._thread.start()

    def _people(self) -> dict[str, str]:
        self.send_people()
        assert self._thread is not None
        self._thread.join()
        if isinstance(self._output, BaseException):
            self.abort()
            raise RuntimeError(f"identity admin CLI: {self._output}") from self._output
        assert self._output is not None
        stdout, stderr = self._output
        if self._proc.returncode != 0:
            raise RuntimeError(f"identity admin CLI batch failed: {stderr.strip()[-800:]}")
        results = json.loads(stdout.strip().splitlines()[-1])
        log.info(
            "demo people created in %.1f s (one identity admin CLI batch)", time.monotonic() - self._sent_at
        )
        ids = [step.get("id") for step in self._plan]
        return {
            step_id: str(result["person_id"])
            for step_id, result in zip(ids, results, strict=True)
            if step_id is not None
        }

    def abort(self) -> None:
        """Stop the CLI if it still runs (the start failed)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def finish(self) -> list[tuple[str, str, str]]:
        """Create the people (if not sent yet), then the college over REST; return the demo accounts."""
        people = self._people()
        began = time.monotonic()
        marker = _seed_college(self.stack, people)
        log.info("demo college seeded over REST in %.1f s", time.monotonic() - began)
        marker["college"] = generate_college(self.stack)
        # Written last: a start that failed before this point seeds again on a fresh data dir.
        self.stack.demo_marker.write_text(json.dumps(marker, ensure_ascii=False))
        return demo_accounts()


def seed_demo(stack: Stack) -> list[tuple[str, str, str]]:
    """Create the demo college once, in one go (the stack must be up); return the demo accounts."""
    seeding = DemoSeed.begin(stack)
    return seeding.finish() if seeding is not None else demo_accounts()


def generate_college(stack: Stack) -> dict[str, Any]:
    """Generate the rest of the college around the demo group and COPY it into the databases.

    `EJOURNAL_DEMO_SCALE` (1 by default, 0 skips) and `EJOURNAL_DEMO_SEED`; returns what the marker
    keeps (scale, seed, counts, seconds).
    """
    scale = demo_college.scale_from_env()
    seed = demo_college.seed_from_env()
    if scale == 0:
        log.info("demo college generator skipped (EJOURNAL_DEMO_SCALE=0)")
        return {"scale": 0, "seed": seed}
    urls = {service: stack.database_url(service) for service in ("identity", "journal", "reports")}
    college, seconds = demo_college.timed_load(urls, seed=seed, scale=scale)
    log.info(demo_college.summary(college, seconds))
    return {"scale": scale, "seed": seed, "counts": college.counts(), "seconds": round(seconds, 2)}


def _seed_college(stack: Stack, people: dict[str, str]) -> dict[str, Any]:
    students = [people["student"], *(people[f"classmate{n}"] for n in range(1, len(CLASSMATES) + 1))]
    base = stack.gateway_url
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {_token(stack, 'admin')}"}, timeout=30
    ) as admin:
        group = _post(admin, "/api/v1/groups", {"name": "ИС-21"})
        details = {
            "course_year": 2,
            "specialty_code": "09.02.07",
            "specialty_name": "Информационные системы и программирование",
            "study_form": "full_time",
            "class_teacher_id": people["klassruk"],
        }
        updated = admin.patch(f"/api/v1/groups/{group['group_id']}", json=details)
        if updated.status_code >= 400:
            raise RuntimeError(f"seed: PATCH group → {updated.status_code} {updated.text[:300]}")
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
    demo = {username: people[username] for username, *_ in DEMO_ACCOUNTS}
    return {"group_id": group["group_id"], "people": demo}
