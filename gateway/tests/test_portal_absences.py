"""Portal «Пропуски»: the class teacher's week of absences, a reason category per absence, one save."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import date
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from gateway.auth.session import SessionCookie
from gateway.resources.attendance import REASONS
from gateway.web.absences import REASON_LABELS

GROUP = str(uuid.uuid4())
ANNA = str(uuid.uuid4())
BORIS = str(uuid.uuid4())
LESSON_1 = str(uuid.uuid4())
LESSON_2 = str(uuid.uuid4())
MATHS = str(uuid.uuid4())
PAGE = f"/absences/{GROUP}"


async def log_in(client, idp, *, roles=("class_teacher",), subject=None):
    """Run the portal's login round trip with the fake Keycloak; return the subject."""
    subject = subject or str(uuid.uuid4())
    started = await client.get("/login")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    idp.issue_tokens(subject, roles, nonce=query["nonce"])
    await client.get("/auth/callback", params={"code": "code-1", "state": query["state"]})
    return subject


def token_of(client) -> str:
    """Return the CSRF token of the client's session as the portal computes it."""
    session_id = SessionCookie("test-session-secret", secure=False).load(
        client.cookies.get("ejournal_session")
    )
    assert session_id
    return hmac.new(b"test-session-secret", f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def local(day: date) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=day.year, month=day.month, day=day.day)


def a_week(fakes) -> None:
    """Анна absent on Monday's pair 1 (no reason yet), Борис late on Tuesday's pair 2 (illness)."""
    fakes.journal.reply(
        "GetGroup",
        journal_service_pb2.GetGroupResponse(group=journal_pb2.Group(group_id=GROUP, name="ИС-21")),
    )
    fakes.journal.reply(
        "ListGroupAbsences",
        journal_service_pb2.ListGroupAbsencesResponse(
            student_ids=[BORIS, ANNA],
            absences=[
                journal_service_pb2.GroupAbsence(
                    student_id=BORIS,
                    lesson_id=LESSON_2,
                    lesson_date=local(date(2026, 12, 1)),
                    pair_number=2,
                    discipline_id=MATHS,
                    status=journal_pb2.ATTENDANCE_STATUS_LATE,
                    reason=journal_pb2.ABSENCE_REASON_ILLNESS,
                ),
                journal_service_pb2.GroupAbsence(
                    student_id=ANNA,
                    lesson_id=LESSON_1,
                    lesson_date=local(date(2026, 11, 30)),
                    pair_number=1,
                    discipline_id=MATHS,
                    status=journal_pb2.ATTENDANCE_STATUS_ABSENT,
                ),
            ],
            disciplines=[journal_pb2.Discipline(discipline_id=MATHS, code="ОП.01", name="Математика")],
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                identity_service_pb2.PersonName(person_id=ANNA, last_name="Аннина", first_name="Анна"),
                identity_service_pb2.PersonName(person_id=BORIS, last_name="Борисов", first_name="Борис"),
            ]
        ),
    )


def test_every_reason_category_has_a_russian_label() -> None:
    assert set(REASON_LABELS) == {*REASONS.names, "unspecified"}


@pytest.mark.parametrize("role", ["class_teacher", "admin", "curator"])
async def test_the_weeks_absences_are_listed_with_a_reason_select_each(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    a_week(fakes)
    response = await client.get(f"{PAGE}?week=02.12.2026")
    assert response.status_code == 200
    page = response.text
    assert "Пропуски: ИС-21" in page and "Неделя 30.11.2026 – 06.12.2026" in page
    asked = fakes.journal.last("ListGroupAbsences").request
    assert (asked.group_id, asked.week_start) == (GROUP, local(date(2026, 11, 30)))
    assert page.index("Аннина Анна") < page.index("Борисов Борис")
    assert "Понедельник, 30.11.2026, 1 пара" in page and "ОП.01 Математика" in page
    assert "н — отсутствовал" in page and "оп — опоздал" in page
    assert (
        f'name="reason:{LESSON_1}:{ANNA}"' in page
        and f'name="was:{LESSON_1}:{ANNA}" value="unspecified"' in page
    )
    assert '<option value="illness" selected>Болезнь</option>' in page
    assert 'name="csrf_token"' in page and 'class="cards"' in page


async def test_one_save_sends_only_the_changed_reasons(client, idp, fakes) -> None:
    _ = await log_in(client, idp)
    form = {
        "csrf_token": token_of(client),
        "week": "2026-11-30",
        f"reason:{LESSON_1}:{ANNA}": "documented",
        f"was:{LESSON_1}:{ANNA}": "unspecified",
        f"reason:{LESSON_2}:{BORIS}": "illness",
        f"was:{LESSON_2}:{BORIS}": "illness",
    }
    response = await client.post(PAGE, data=form)
    assert (response.status_code, response.headers["location"]) == (303, f"{PAGE}?week=2026-11-30&saved=1")
    sent = fakes.journal.last("CorrectAbsenceReasons").request
    assert sent.group_id == GROUP
    assert [(c.lesson_id, c.student_id, c.reason) for c in sent.corrections] == [
        (LESSON_1, ANNA, journal_pb2.ABSENCE_REASON_DOCUMENTED)
    ]
    a_week(fakes)
    assert "Причины сохранены: 1." in (await client.get(response.headers["location"])).text


async def test_a_save_without_changes_asks_nothing(client, idp, fakes) -> None:
    await log_in(client, idp)
    form = {"csrf_token": token_of(client), "week": "2026-11-30", f"reason:{LESSON_1}:{ANNA}": "illness"}
    form[f"was:{LESSON_1}:{ANNA}"] = "illness"
    response = await client.post(PAGE, data=form)
    assert response.headers["location"].endswith("saved=0")
    assert fakes.journal.calls == []


async def test_a_reason_back_to_not_given_is_sent_as_unspecified(client, idp, fakes) -> None:
    await log_in(client, idp)
    form = {"csrf_token": token_of(client), "week": "2026-11-30", f"reason:{LESSON_2}:{BORIS}": "unspecified"}
    form[f"was:{LESSON_2}:{BORIS}"] = "illness"
    await client.post(PAGE, data=form)
    (correction,) = fakes.journal.last("CorrectAbsenceReasons").request.corrections
    assert correction.reason == journal_pb2.ABSENCE_REASON_UNSPECIFIED


@pytest.mark.parametrize(
    "field",
    [(f"reason:{LESSON_1}:{ANNA}", "диагноз"), (f"reason:x:{ANNA}", "illness"), ("reason:junk", "illness")],
)
async def test_a_forged_form_is_refused_before_the_journal(client, idp, fakes, field) -> None:
    await log_in(client, idp)
    a_week(fakes)
    response = await client.post(
        PAGE, data={"csrf_token": token_of(client), "week": "2026-11-30", field[0]: field[1]}
    )
    assert response.status_code == 400 and "Форма не распознана" in response.text
    assert [c for c in fakes.journal.calls if c.method == "CorrectAbsenceReasons"] == []


async def test_a_refused_save_keeps_every_choice(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_week(fakes)
    fakes.journal.fail(
        "CorrectAbsenceReasons",
        grpc.StatusCode.FAILED_PRECONDITION,
        "Строка №1: это не пропуск",
        "not_an_absence",
    )
    form = {
        "csrf_token": token_of(client),
        "week": "2026-11-30",
        f"reason:{LESSON_1}:{ANNA}": "college_business",
        f"was:{LESSON_1}:{ANNA}": "unspecified",
    }
    response = await client.post(PAGE, data=form)
    assert response.status_code == 409 and "Строка №1: это не пропуск" in response.text
    assert '<option value="college_business" selected>По распоряжению колледжа</option>' in response.text


async def test_a_save_while_the_journal_is_down_keeps_the_choices(client, idp, fakes) -> None:
    await log_in(client, idp)
    for method in ("CorrectAbsenceReasons", "GetGroup"):
        fakes.journal.fail(method, grpc.StatusCode.UNAVAILABLE, "connection refused")
    form = {
        "csrf_token": token_of(client),
        "week": "2026-11-30",
        f"reason:{LESSON_1}:{ANNA}": "illness",
        f"was:{LESSON_1}:{ANNA}": "unspecified",
    }
    response = await client.post(PAGE, data=form)
    assert response.status_code == 503 and "Журнал сейчас не отвечает" in response.text
    assert f'name="reason:{LESSON_1}:{ANNA}" value="illness"' in response.text


@pytest.mark.parametrize("role", ["teacher", "student", "parent"])
async def test_others_get_the_russian_403(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    response = await client.get(PAGE)
    assert response.status_code == 403 and "ведёт классный руководитель" in response.text
    response = await client.post(PAGE, data={"csrf_token": token_of(client), "week": "2026-11-30"})
    assert response.status_code == 403
    assert fakes.journal.calls == []


async def test_the_journal_refuses_another_groups_class_teacher(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.journal.fail(
        "ListGroupAbsences", grpc.StatusCode.PERMISSION_DENIED, "Это не ваша группа", "not_class_teacher"
    )
    response = await client.get(PAGE)
    assert response.status_code == 403 and "Это не ваша группа" in response.text


async def test_a_week_without_absences_says_so(client, idp, fakes) -> None:
    await log_in(client, idp)
    page = (await client.get(PAGE)).text
    assert "На этой неделе пропусков и опозданий нет." in page and "Сохранить причины" not in page


async def test_the_save_needs_the_sessions_csrf_token(client, idp, fakes) -> None:
    await log_in(client, idp)
    response = await client.post(PAGE, data={"csrf_token": "forged", f"reason:{LESSON_1}:{ANNA}": "illness"})
    assert response.status_code == 403 and "Форма устарела" in response.text
    assert fakes.journal.calls == []
