"""The college of the authorization matrix: two groups, one person per role, each logged in once.

Built through the gateway's REST API on the lane's real stack (Keycloak, the five services, NATS,
PostgreSQL). Side «A» is the own side of every role that has one (class teacher A, teacher A, student
A1, parent P of A1); side «B» is the foreign one (group B, taught by teacher B, student B1, parent Q).
Each role column logs in once through Keycloak's own login form on the portal (a session cookie, the
first login's new password answered) and once through the dev overlay's direct-grant client
`ejournal-cli` (a bearer token for the REST API).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from gateway.auth.session import COOKIE_NAME, SessionCookie

from .keycloak_login import browser_client, identity_admin, submit_login_forms
from .semesters import chosen_semester

# The columns of the matrix, in the table's order, with their short headers.
ROLES = ("anon", "admin", "director", "deputy", "curator", "class_teacher", "teacher", "student", "parent")
HEADERS = ("anon", "adm", "dir", "dep", "cur", "ct", "tch", "stu", "par")


class Api:
    """One person's calls to the gateway during the build (each must succeed)."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None


@dataclass
class Side:
    """The objects of one side of the college (A: the own side, B: the foreign one)."""

    group_id: str
    student_id: str  # the side's student (A1 / B1), enrolled, with a mark, an absence and a final
    other_student_id: str  # a second student, without a final (so the period is never closed by it)
    parent_id: str  # the student's linked parent (P / Q)
    teacher_id: str  # the teacher with the side's only load
    lesson_id: str
    absence_lesson_id: str  # the lesson the student missed
    mark_id: str
    final_id: str
    load_id: str
    correction_id: str  # the student's correction request about the mark
    reopen_id: str  # the teacher's request to reopen the closed second discipline
    substitution_id: str
    lesson_day: date
    teacher_token: str  # teacher A's / B's bearer token (fresh marks for the removal rows)


@dataclass
class Actor:
    """One role column: the person, their bearer token and their portal session."""

    role: str
    person_id: str = ""
    token: str = ""
    cookie: str = ""  # the portal's signed session cookie
    csrf: str = ""  # the session's CSRF token, as a form of theirs would carry it

    def headers(self) -> dict[str, str]:
        """Return the REST headers of this actor (none for an anonymous visitor)."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass
class College:
    gateway: str
    year_id: str
    semester_starts_on: date
    discipline_id: str  # taught in both groups, never closed
    closed_discipline_id: str  # taught in both groups, its first semester closed by the admin
    a: Side
    b: Side
    substitute_id: str  # a teacher who is neither column's: the substitute in group A
    substitute_b_id: str  # another such teacher: the substitute in group B
    actors: dict[str, Actor] = field(default_factory=dict)
    admin_token: str = ""
    suffix: str = ""
    substitution_day: date | None = None
    semester: int = 1
    free_days: list[date] = field(default_factory=list)  # weekdays without a lesson or a substitution
    bell_pairs: list[dict[str, Any]] = field(default_factory=list)  # the lane's bell schedule, as it is

    def side(self, name: str) -> Side:
        """Return side «own» (A) or «foreign» (B)."""
        return self.a if name == "own" else self.b


def _login(gateway: str, issuer: str, secret: str, person: dict[str, str]) -> tuple[str, str, str]:
    """Log a person in on the portal (Keycloak's form) and by direct grant; return cookie, csrf, token."""
    temporary = person["temporary_password"]
    new = f"{temporary}-Own1"
    with browser_client(base_url=gateway, follow_redirects=False) as browser:
        to_keycloak = browser.get("/login")
        login_page = browser.get(to_keycloak.headers["location"], follow_redirects=True)
        back = submit_login_forms(browser, login_page, person["username"], temporary, new)
        landed = browser.get(back.headers["location"])
        assert landed.status_code in (302, 303), landed.text[:300]
        cookie = browser.cookies.get(COOKIE_NAME, domain="")
        if cookie is None:
            cookie = next(c.value for c in browser.cookies.jar if c.name == COOKIE_NAME)
    session_id = SessionCookie(secret, secure=False).load(cookie)
    assert session_id, "the portal gave no session"
    csrf = hmac.new(secret.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()
    token = ""
    for password in (new, temporary):  # students keep their generated password (R1.3)
        response = httpx.post(
            f"{issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "ejournal-cli",
                "username": person["username"],
                "password": password,
            },
            timeout=30,
        )
        if response.status_code == 200:
            token = str(response.json()["access_token"])
            break
    assert token, f"no token for {person['username']}"
    return cookie, csrf, token


def build_college(stack: Any) -> College:
    """Build the college through the API and log every role column in once."""
    gateway, issuer = stack.gateway_url, stack.issuer
    secret = stack.env_for("gateway")["GATEWAY_SESSION_SECRET"]
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:12]}"
    identity_admin(
        {**os.environ, **stack.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Матрицева", "--first-name", "Алла"),
        *("--username", f"mxadmin{suffix}", "--password", admin_password),
        bin_dir=str(stack.venv_bin),
    )
    admin_token = ""
    response = httpx.post(
        f"{issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "ejournal-cli",
            "username": f"mxadmin{suffix}",
            "password": admin_password,
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    admin_token = str(response.json()["access_token"])
    admin = Api(gateway, admin_token)

    def person(role: str, last: str, first: str) -> dict[str, str]:
        body = {"role": role, "last_name": last, "first_name": first}
        for _ in range(4):  # a cold Keycloak may miss the gateway's deadline; the person is made anew
            response = admin.client.post("/api/v1/people", json=body)
            if response.status_code != 504:
                break
        assert response.status_code == 201, f"POST /api/v1/people: {response.status_code} {response.text}"
        created: dict[str, str] = response.json()
        return created

    # Keycloak makes each account in turn: a few at once keep the build short.
    planned = {
        "director": ("director", "Директорова", "Дина"),
        "deputy": ("deputy", "Завучева", "Зоя"),
        "curator": ("curator", "Кураторова", "Ксения"),
        "class_teacher": ("class_teacher", "Классова", "Клара"),
        "teacher": ("teacher", "Учителева", "Ульяна"),
        "student": ("student", "Аверин", "Антон"),
        "parent": ("parent", "Аверина", "Полина"),
        "teacher_b": ("teacher", "Бобров", "Борис"),
        "substitute": ("teacher", "Заменова", "Софья"),
        "substitute_b": ("teacher", "Заменов", "Савва"),
        "student_b": ("student", "Беляев", "Богдан"),
        "parent_q": ("parent", "Беляева", "Ольга"),
        "second_a": ("student", "Алёхин", "Артём"),
        "second_b": ("student", "Борисов", "Бронислав"),
    }
    # The first account alone: a Keycloak just started loads its password policy's deny-list then.
    first = next(iter(planned))
    made = {first: person(*planned[first])}
    with ThreadPoolExecutor(max_workers=3) as pool:
        rest = [role for role in planned if role != first]
        made.update(zip(rest, pool.map(lambda role: person(*planned[role]), rest), strict=True))
    people = {role: made[role] for role in list(planned)[:7]}
    teacher_b, substitute, substitute_b = made["teacher_b"], made["substitute"], made["substitute_b"]
    student_b, parent_q, second_a, second_b = (
        made["student_b"],
        made["parent_q"],
        made["second_a"],
        made["second_b"],
    )
    for child, parent in ((people["student"], people["parent"]), (student_b, parent_q)):
        admin.send(
            "POST", f"/api/v1/students/{child['person_id']}/guardians", {"parent_id": parent["person_id"]}
        )

    # Two teaching days in the past for the lessons: the semester holding today, or the one before it
    # while fewer than two of today's semester have passed (never a skip for the calendar's sake).
    chosen, days = chosen_semester(admin, 2)
    year_id, semester, starts_on, ends_on = chosen.year_id, chosen.number, chosen.starts_on, chosen.ends_on
    # Weekdays free of the lessons, for substitutions (the build's two, and fresh ones for the
    # cancelling rows): after today and the lessons first, then before the lessons, all inside the semester.
    after = max(date.today(), days[-1])
    free_days = [
        d
        for d in (
            *(after + timedelta(days=n) for n in range(1, (ends_on - after).days + 1)),
            *(days[0] - timedelta(days=n) for n in range(1, (days[0] - starts_on).days + 1)),
        )
        if d.isoweekday() <= 5
    ]
    assert len(free_days) >= 12, "too few free weekdays left in this semester for the substitutions"
    substitution_day = free_days.pop(0)
    group_a = admin.send("POST", "/api/v1/groups", {"name": f"МА-{suffix}"})["group_id"]
    group_b = admin.send("POST", "/api/v1/groups", {"name": f"МБ-{suffix}"})["group_id"]
    admin.send(
        "PATCH", f"/api/v1/groups/{group_a}", {"class_teacher_id": people["class_teacher"]["person_id"]}
    )
    for group, students in ((group_a, (people["student"], second_a)), (group_b, (student_b, second_b))):
        for student in students:
            admin.send(
                "POST",
                f"/api/v1/groups/{group}/students",
                {"student_id": student["person_id"], "enrolled_on": starts_on.isoformat()},
            )
    discipline = admin.send(
        "POST", "/api/v1/disciplines", {"code": f"ОП.М{suffix[:2]}", "name": "Матрица", "kind": "discipline"}
    )["discipline_id"]
    closed = admin.send(
        "POST", "/api/v1/disciplines", {"code": f"ОП.З{suffix[:2]}", "name": "Закрытая", "kind": "discipline"}
    )["discipline_id"]
    loads: dict[str, str] = {}
    for group, teacher in ((group_a, people["teacher"]), (group_b, teacher_b)):
        for subject in (discipline, closed):
            load = admin.send(
                "POST",
                "/api/v1/teaching-loads",
                {"teacher_id": teacher["person_id"], "group_id": group, "discipline_id": subject},
            )
            if subject == discipline:
                loads[group] = load["load_id"]
    if len(admin.send("GET", "/api/v1/bell-schedule")["pairs"]) < 2:
        pairs = [("08:30", "10:00"), ("10:10", "11:40"), ("12:10", "13:40"), ("13:50", "15:20")]
        admin.send(
            "PUT",
            "/api/v1/bell-schedule",
            {"pairs": [{"number": n, "starts_at": a, "ends_at": b} for n, (a, b) in enumerate(pairs, 1)]},
        )
    for group, teacher in ((group_a, people["teacher"]), (group_b, teacher_b)):
        rows = [
            {
                "discipline_id": subject,
                "semester": semester,
                "total_hours": 72,
                "weekly_hours": 2,
                "control_form": "exam",
            }
            for subject in (discipline, closed)
        ]
        admin.send("PUT", f"/api/v1/groups/{group}/curriculum?year_id={year_id}", {"rows": rows})
        weekdays = [1, 2, 3, 4, 5]
        admin.send(
            "PUT",
            f"/api/v1/groups/{group}/timetable?year_id={year_id}&semester={semester}",
            {
                "entries": [
                    {
                        "weekday": weekday,
                        "pair_number": 1,
                        "discipline_id": discipline,
                        "teacher_id": teacher["person_id"],
                    }
                    for weekday in weekdays
                ]
            },
        )

    # Log the columns in (the teachers' and students' own writes below need their tokens).
    actors = {
        "anon": Actor("anon"),
        "admin": Actor("admin", admin.send("GET", "/api/v1/me")["subject"], admin_token),
    }
    logins = {
        **people,
        "admin": {"username": f"mxadmin{suffix}", "temporary_password": admin_password},
        "teacher_b": teacher_b,
        "student_b": student_b,
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = dict(
            zip(logins, pool.map(lambda p: _login(gateway, issuer, secret, p), logins.values()), strict=True)
        )
    for role, created in people.items():
        cookie, csrf, token = done[role]
        actors[role] = Actor(role, created["person_id"], token, cookie, csrf)
    actors["admin"].cookie, actors["admin"].csrf, _ = done["admin"]
    teacher_b_token, student_b_token = done["teacher_b"][2], done["student_b"][2]

    def side(
        group: str,
        teacher: dict[str, str],
        teacher_token: str,
        student: dict[str, str],
        student_token: str,
        second: dict[str, str],
        parent: dict[str, str],
        substitute: dict[str, str],
    ) -> Side:
        teacher_api, student_api = Api(gateway, teacher_token), Api(gateway, student_token)
        lessons = [
            teacher_api.send(
                "POST",
                "/api/v1/lessons",
                {
                    "group_id": group,
                    "discipline_id": discipline,
                    "lesson_date": day.isoformat(),
                    "pair_number": 1,
                    "topic": f"Тема {day:%d.%m}",
                    "kind": "lecture",
                },
            )["lesson"]["lesson_id"]
            for day in days
        ]
        mark = teacher_api.send(
            "POST",
            "/api/v1/marks",
            {"student_id": student["person_id"], "lesson_id": lessons[0], "value": "4"},
        )["mark_id"]
        teacher_api.send(
            "PUT",
            f"/api/v1/lessons/{lessons[1]}/attendance",
            {
                "entries": [
                    {"student_id": student["person_id"], "status": "absent", "reason": "illness"},
                    {"student_id": second["person_id"], "status": "present"},
                ]
            },
        )
        final = teacher_api.send(
            "PUT",
            f"/api/v1/groups/{group}/finals/{student['person_id']}",
            {
                "discipline_id": discipline,
                "year_id": year_id,
                "semester": semester,
                "kind": "exam",
                "value": "4",
                "confirm_not_enough_marks": True,
            },
        )
        correction = student_api.send(
            "POST", f"/api/v1/marks/{mark}/correction-requests", {"text": "Проверьте, пожалуйста, оценку."}
        )
        admin.send(
            "POST",
            f"/api/v1/groups/{group}/disciplines/{closed}/period-locks",
            {"year_id": year_id, "semester": semester},
        )
        reopen = teacher_api.send(
            "POST",
            "/api/v1/reopen-requests",
            {
                "group_id": group,
                "discipline_id": closed,
                "year_id": year_id,
                "semester": semester,
                "reason": "Опечатка",
            },
        )
        substitution = admin.send(
            "POST",
            "/api/v1/substitutions",
            {
                "group_id": group,
                "discipline_id": discipline,
                "lesson_date": substitution_day.isoformat(),
                "pair_number": 1,
                "substitute_teacher_id": substitute["person_id"],
                "reason": "sick_leave",
            },
        )
        return Side(
            group_id=group,
            student_id=student["person_id"],
            other_student_id=second["person_id"],
            parent_id=parent["person_id"],
            teacher_id=teacher["person_id"],
            lesson_id=lessons[0],
            absence_lesson_id=lessons[1],
            mark_id=mark,
            final_id=_first_id(final, "final_id"),
            load_id=loads[group],
            correction_id=_first_id(correction, "request_id"),
            reopen_id=_first_id(reopen, "request_id"),
            substitution_id=_first_id(substitution, "substitution_id"),
            lesson_day=days[0],
            teacher_token=teacher_token,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        side_a = pool.submit(
            side,
            group_a,
            people["teacher"],
            actors["teacher"].token,
            people["student"],
            actors["student"].token,
            second_a,
            people["parent"],
            substitute,
        )
        side_b = pool.submit(
            side,
            group_b,
            teacher_b,
            teacher_b_token,
            student_b,
            student_b_token,
            second_b,
            parent_q,
            substitute_b,
        )
        a, b = side_a.result(), side_b.result()
    return College(
        gateway=gateway,
        year_id=year_id,
        semester_starts_on=starts_on,
        discipline_id=discipline,
        closed_discipline_id=closed,
        a=a,
        b=b,
        substitute_id=substitute["person_id"],
        substitute_b_id=substitute_b["person_id"],
        actors=actors,
        admin_token=admin_token,
        suffix=suffix,
        substitution_day=substitution_day,
        semester=semester,
        free_days=free_days,
        bell_pairs=admin.send("GET", "/api/v1/bell-schedule")["pairs"],
    )


def _first_id(answer: Any, key: str) -> str:
    """Return the id named `key` in an answer, looking one level down (`{"final": {...}}`)."""
    if isinstance(answer, dict):
        if key in answer:
            return str(answer[key])
        for value in answer.values():
            if isinstance(value, dict) and key in value:
                return str(value[key])
    raise AssertionError(f"no {key} in {answer!r}")
