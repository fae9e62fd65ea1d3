"""Issue 7's proof, end to end through the gateway on the real stack (journal, identity, archive,
Keycloak, NATS, PostgreSQL), each step by the person who does it in the college:

a semester is closed for a group — finals proposed and set, a student with too few marks flagged
(and set only with the teacher's confirmation), the period locked by the last final, an edit refused,
a reopen requested by the teacher and approved by the deputy for a short while, used, and closed again
by itself; a transfer in the middle of the semester leaves both groups' averages and absences right;
a student's correction request goes round (filed, answered by a change); every step is in the mark's
history and in the archive's audit log.

It runs on any date: the semester closed is the one holding today (first or second) when eight of
its teaching days have passed, else the one before it — the previous academic year's second
semester, opened in the lane when missing (`chosen_semester`); the lessons fall on those days, all
in the past, on the two groups' timetables (Monday to Friday, pairs 1 and 2).

The groups are built through the gateway, not with the demo college generator
(libs/devstack/src/devstack/demo_college.py): its people have no Keycloak account (the teacher, the
deputy and the student who act here must log in), it writes its rows by COPY past the journal's
rules, the outbox and the audit log this proof checks, and it lays out the academic year and the
calendars only when the lane has no year of that name — so in a lane where another test opened the
year its group would come without curriculum or timetable. The group stays small on purpose: every
step the issue names happens to a named student.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from .keycloak_login import code_flow_token, identity_admin, password_token
from .semesters import WEEKDAYS, chosen_semester

pytestmark = pytest.mark.e2e

TODAY = date.today()


class Api:
    """One person's calls to the gateway."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def send(self, method: str, path: str, body: Any = None, expected: tuple[int, ...] = (200, 201)) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def refused(self, method: str, path: str, body: Any, status: int, code: str) -> None:
        response = self.client.request(method, path, json=body)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        assert response.json()["error"]["code"] == code, response.text


MIN_DAYS = 8  # teaching days the proof needs: the transfer falls on the fifth


@dataclass
class College:
    gateway: str
    admin: Api
    teacher: Api
    deputy: Api
    student: Api  # Алексеев: enough marks, files a correction request
    year_id: str
    semester: int  # the one holding today, or the one before when too few of its days have passed
    group: str  # the group whose semester is closed
    other_group: str  # where Васильев is transferred to
    discipline: str
    teacher_id: str
    alekseev: str
    borisova: str  # two marks only: too few
    vasiliev: str  # transferred in the middle of the semester
    days: list[date]
    transfer_day: date
    lessons: list[str]  # the group's lessons, one per day
    other_lessons: list[str]  # the other group's, from the transfer day
    marks: dict[str, list[str]]  # mark ids by student


@pytest.fixture(scope="module")
def college(stack_platform) -> College:  # type: ignore[no-untyped-def]
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:12]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Семестрова", "--first-name", "Анна"),
        *("--username", f"sadmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"sadmin{suffix}", admin_password))

    def person(role: str, last: str, first: str) -> dict[str, str]:
        created: dict[str, str] = admin.send(
            "POST", "/api/v1/people", {"role": role, "last_name": last, "first_name": first}
        )
        return created

    def log_in(created: dict[str, str]) -> Api:
        token = code_flow_token(
            issuer,
            f"{gateway}/auth/callback",
            created["username"],
            created["temporary_password"],
            f"{created['temporary_password']}-Own1",
        )
        return Api(gateway, token)

    teacher, deputy = person("teacher", "Орлова", "Нина"), person("deputy", "Завучева", "Ольга")
    alekseev, borisova, vasiliev, grigorieva = (
        person("student", "Алексеев", "Андрей"),
        person("student", "Борисова", "Вера"),
        person("student", "Васильев", "Глеб"),
        person("student", "Григорьева", "Дарья"),
    )
    semester, days = chosen_semester(admin, MIN_DAYS, TODAY)
    year_id, transfer_day = semester.year_id, days[4]
    group = admin.send("POST", "/api/v1/groups", {"name": f"СЕМ-{suffix}"})["group_id"]
    other = admin.send("POST", "/api/v1/groups", {"name": f"СЕМ2-{suffix}"})["group_id"]
    for g, students in ((group, (alekseev, borisova, vasiliev)), (other, (grigorieva,))):
        for student in students:  # in the group from the semester's first day
            admin.send(
                "POST",
                f"/api/v1/groups/{g}/students",
                {"student_id": student["person_id"], "enrolled_on": semester.starts_on.isoformat()},
            )
    discipline = admin.send(
        "POST", "/api/v1/disciplines", {"code": f"ОП.{suffix[:2]}", "name": "Физика", "kind": "discipline"}
    )["discipline_id"]
    for g in (group, other):
        admin.send(
            "POST",
            "/api/v1/teaching-loads",
            {"teacher_id": teacher["person_id"], "group_id": g, "discipline_id": discipline},
        )
    if len(admin.send("GET", "/api/v1/bell-schedule")["pairs"]) < 2:
        pairs = [("08:30", "10:00"), ("10:10", "11:40"), ("12:10", "13:40"), ("13:50", "15:20")]
        admin.send(
            "PUT",
            "/api/v1/bell-schedule",
            {"pairs": [{"number": n, "starts_at": a, "ends_at": b} for n, (a, b) in enumerate(pairs, 1)]},
        )
    for pair, g in enumerate((group, other), 1):  # an exam, 2 hours a week: 5 marks needed (R3.2)
        admin.send(
            "PUT",
            f"/api/v1/groups/{g}/curriculum?year_id={year_id}",
            {
                "rows": [
                    {
                        "discipline_id": discipline,
                        "semester": semester.number,
                        "total_hours": 72,
                        "weekly_hours": 2,
                        "control_form": "exam",
                    }
                ]
            },
        )
        # The timetable: the discipline Monday to Friday, the first group at pair 1, the other at 2.
        entry = {"discipline_id": discipline, "teacher_id": teacher["person_id"], "pair_number": pair}
        admin.send(
            "PUT",
            f"/api/v1/groups/{g}/timetable?year_id={year_id}&semester={semester.number}",
            {"entries": [{**entry, "weekday": weekday} for weekday in WEEKDAYS]},
        )
    teacher_api, deputy_api, student_api = log_in(teacher), log_in(deputy), log_in(alekseev)

    def lesson(g: str, day: date, pair: int) -> str:
        body = {
            "group_id": g,
            "discipline_id": discipline,
            "lesson_date": day.isoformat(),
            "pair_number": pair,
        }
        return str(
            teacher_api.send(
                "POST", "/api/v1/lessons", {**body, "topic": f"Тема {day:%d.%m}", "kind": "lecture"}
            )["lesson"]["lesson_id"]
        )

    lessons = [lesson(group, day, 1) for day in days]
    # Васильев goes to the other group on the fifth day, by order (R2.6).
    admin.send(
        "POST",
        f"/api/v1/students/{vasiliev['person_id']}/movements",
        {
            "kind": "transfer",
            "on_date": transfer_day.isoformat(),
            "order_number": f"12-к/{suffix[:3]}",
            "from_group_id": group,
            "to_group_id": other,
        },
    )
    other_lessons = [lesson(other, day, 2) for day in days[4:]]
    marks: dict[str, list[str]] = {}

    def mark(student: dict[str, str], lesson_id: str, value: str) -> None:
        recorded = teacher_api.send(
            "POST",
            "/api/v1/marks",
            {"student_id": student["person_id"], "lesson_id": lesson_id, "value": value},
        )
        marks.setdefault(student["person_id"], []).append(recorded["mark_id"])

    for lesson_id, value in zip(lessons[:6], ("5", "4", "5", "4", "5", "5"), strict=True):
        mark(alekseev, lesson_id, value)
    for lesson_id in lessons[:2]:
        mark(borisova, lesson_id, "4")
    for lesson_id in lessons[:4]:  # before the transfer, in the first group
        mark(vasiliev, lesson_id, "5")
    for lesson_id in other_lessons:  # from the transfer day, in the other group
        mark(vasiliev, lesson_id, "3")
    # Absences: Васильев misses one pair in each group, Борисова one in the first.
    for lesson_id, missing in ((lessons[1], vasiliev), (lessons[2], borisova)):
        present = [s for s in (alekseev, borisova, vasiliev) if s is not missing]
        teacher_api.send(
            "PUT",
            f"/api/v1/lessons/{lesson_id}/attendance",
            {
                "entries": [
                    {"student_id": missing["person_id"], "status": "absent", "reason": "illness"},
                    *({"student_id": s["person_id"], "status": "present"} for s in present),
                ]
            },
        )
    teacher_api.send(
        "PUT",
        f"/api/v1/lessons/{other_lessons[0]}/attendance",
        {
            "entries": [
                {"student_id": vasiliev["person_id"], "status": "absent", "reason": "unexcused"},
                {"student_id": grigorieva["person_id"], "status": "present"},
            ]
        },
    )
    return College(
        gateway=gateway,
        admin=admin,
        teacher=teacher_api,
        deputy=deputy_api,
        student=student_api,
        year_id=year_id,
        semester=semester.number,
        group=group,
        other_group=other,
        discipline=discipline,
        teacher_id=teacher["person_id"],
        alekseev=alekseev["person_id"],
        borisova=borisova["person_id"],
        vasiliev=vasiliev["person_id"],
        days=days,
        transfer_day=transfer_day,
        lessons=lessons,
        other_lessons=other_lessons,
        marks=marks,
    )


def overview(c: College, group: str) -> dict[str, dict[str, Any]]:
    span = f"date_from={c.days[0].isoformat()}&date_to={c.days[-1].isoformat()}"
    cells = c.admin.send("GET", f"/api/v1/groups/{group}/overview?{span}")["cells"]
    return {cell["student_id"]: cell for cell in cells if cell["discipline_id"] == c.discipline}


def test_a_transfer_in_the_middle_of_the_semester_leaves_both_groups_right(college: College) -> None:
    c = college
    first, second = overview(c, c.group), overview(c, c.other_group)
    # Васильев: four 5s and one absence in the first group, before the transfer; 3s and one absence after.
    assert (first[c.vasiliev]["mean"], first[c.vasiliev]["mark_count"], first[c.vasiliev]["absences"]) == (
        "5.00",
        4,
        1,
    )
    assert (second[c.vasiliev]["mean"], second[c.vasiliev]["mark_count"], second[c.vasiliev]["absences"]) == (
        "3.00",
        4,
        1,
    )
    assert (first[c.borisova]["absences"], first[c.alekseev]["mean"]) == (1, "4.67")
    # The journal page of the first group, from the transfer day on, no longer lists him.
    page = c.teacher.send(
        "GET",
        f"/api/v1/groups/{c.group}/disciplines/{c.discipline}/journal"
        f"?date_from={c.transfer_day.isoformat()}&date_to={c.days[-1].isoformat()}",
    )
    assert c.vasiliev not in page["student_ids"]
    moves = c.admin.send("GET", f"/api/v1/students/{c.vasiliev}/movements")["movements"]
    assert [(m["kind"], m["on_date"]) for m in moves][-1] == ("transfer", c.transfer_day.isoformat())


def test_a_correction_request_goes_round_and_stays_in_the_marks_history(college: College) -> None:
    c = college
    asked = c.marks[c.alekseev][1]  # the «4» of the second lesson
    request = c.student.send(
        "POST", f"/api/v1/marks/{asked}/correction-requests", {"text": "Я пересдал работу, прошу исправить"}
    )
    request_id = request.get("request_id") or request["request"]["request_id"]
    open_requests = c.teacher.send("GET", "/api/v1/correction-requests")["requests"]
    assert request_id in [r["request_id"] for r in open_requests]
    c.teacher.send(
        "POST",
        f"/api/v1/correction-requests/{request_id}/answer",
        {"decision": "changed", "new_value": "5", "text": "Работа пересдана на 5"},
    )
    history = c.student.send("GET", f"/api/v1/marks/{asked}/history")
    assert history["mark"]["value"] == "5"
    actions = [entry["action"] for entry in history["entries"]]
    assert actions[0] == "recorded" and "changed" in actions, actions
    assert any(entry["correction_request_id"] == request_id for entry in history["entries"])
    # Another student's mark is nobody else's business: not found for Алексеев.
    response = c.student.client.get(f"/api/v1/marks/{c.marks[c.borisova][0]}/history")
    assert response.status_code == 404


def final_body(c: College, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "discipline_id": c.discipline,
        "year_id": c.year_id,
        "semester": c.semester,
        "kind": "exam",
        "value": value,
        **extra,
    }


def test_the_semester_is_closed_by_its_finals_locked_reopened_for_a_while_and_closed_again(
    college: College,
) -> None:
    c = college
    proposals = c.teacher.send(
        "GET",
        f"/api/v1/groups/{c.group}/finals?discipline={c.discipline}&year_id={c.year_id}&semester={c.semester}&kind=exam",
    )
    by_student = {s["student_id"]: s for s in proposals["students"]}
    assert set(by_student) == {c.alekseev, c.borisova}, "Васильев left the group before the period's end"
    assert by_student[c.alekseev]["enough_marks"] and by_student[c.alekseev]["proposed_value"] == "5"
    assert (by_student[c.borisova]["enough_marks"], by_student[c.borisova]["required_marks"]) == (False, 5)

    finals = f"/api/v1/groups/{c.group}/finals"
    c.teacher.send("PUT", f"{finals}/{c.alekseev}", final_body(c, "5"))
    c.teacher.refused("PUT", f"{finals}/{c.vasiliev}", final_body(c, "3"), 409, "student_not_in_group")
    c.teacher.refused("PUT", f"{finals}/{c.borisova}", final_body(c, "4"), 409, "not_enough_marks")
    locks = c.teacher.send("GET", f"/api/v1/groups/{c.group}/period-locks")["locks"]
    assert not [lock for lock in locks if lock["closed"]], "open while a final is missing"
    c.teacher.send("PUT", f"{finals}/{c.borisova}", final_body(c, "4", confirm_not_enough_marks=True))

    # The last final closes the period: the teacher's edits of its days are refused.
    [lock] = [lock for lock in c.teacher.send("GET", f"/api/v1/groups/{c.group}/period-locks")["locks"]]
    assert (lock["closed"], lock["semester"]) == (True, c.semester)
    first_mark = c.marks[c.alekseev][0]
    c.teacher.refused("PATCH", f"/api/v1/marks/{first_mark}", {"value": "4"}, 409, "period_closed")
    late = {"student_id": c.borisova, "lesson_id": c.lessons[5], "value": "5"}
    c.teacher.refused("POST", "/api/v1/marks", late, 409, "period_closed")

    # A reopen: the teacher asks with a reason, the deputy (not the teacher) approves for a short while.
    ask = {
        "group_id": c.group,
        "discipline_id": c.discipline,
        "year_id": c.year_id,
        "semester": c.semester,
        "reason": "Ошибка в оценке Алексеева за первое занятие",
    }
    request = c.teacher.send("POST", "/api/v1/reopen-requests", ask)
    c.teacher.refused(
        "POST",
        f"/api/v1/reopen-requests/{request['request_id']}/approve",
        {"hours": 1},
        403,
        "deputy_required",
    )
    until = datetime.now(UTC) + timedelta(seconds=12)
    c.deputy.send(
        "POST", f"/api/v1/reopen-requests/{request['request_id']}/approve", {"until": until.isoformat()}
    )
    c.teacher.send("PATCH", f"/api/v1/marks/{first_mark}", {"value": "4", "reason": "Описка"})
    # …and it closes again by itself.
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 1)
    c.teacher.refused("PATCH", f"/api/v1/marks/{first_mark}", {"value": "5"}, 409, "period_closed")

    history = c.teacher.send("GET", f"/api/v1/marks/{first_mark}/history")
    assert [(e["action"], e["old_value"], e["new_value"]) for e in history["entries"]][-1] == (
        "changed",
        "5",
        "4",
    )


def test_every_step_is_in_the_audit_log(college: College) -> None:
    c = college
    wanted = {
        "student.moved:transfer",
        "correction.requested",
        "correction.answered",
        "final.set",
        "period.reopened",
        "mark.changed",
        "mark_history.read",
    }
    deadline = time.monotonic() + 20
    while True:
        records = c.admin.send("GET", "/api/v1/audit?page_size=500")["records"]
        actions = {r["action"] for r in records}
        if wanted <= actions or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert wanted <= actions, sorted(actions)
    # No personal data in the records: ids only.
    assert not [r for r in records if "Алексеев" in str(r) or "Борисова" in str(r)]
