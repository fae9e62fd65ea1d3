"""The portal: OIDC login with PKCE, server-side sessions, Russian pages over the same service clients."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import grpc
import httpx
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_pb2, identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from ejournal.messaging.v1 import messaging_pb2, messaging_service_pb2
from gateway.auth.session import SessionCookie
from gateway.main import create_app
from gateway.web import portal_router
from google.protobuf.timestamp_pb2 import Timestamp

ISSUER_AUTH = "http://issuer.test/realms/ejournal/protocol/openid-connect/auth"


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def start_login(client, next_url: str | None = None) -> dict[str, str]:
    params = {"next": next_url} if next_url else None
    response = await client.get("/login", params=params)
    assert response.status_code == 303
    return query_of(response.headers["location"])


async def log_in(client, idp, *, roles=("student",), subject=None, next_url=None, expires_in=300):
    """Run the whole login round trip; return (subject, access token, callback response)."""
    subject = subject or str(uuid.uuid4())
    auth = await start_login(client, next_url)
    access = idp.issue_tokens(subject, roles, nonce=auth["nonce"], expires_in=expires_in)
    response = await client.get("/auth/callback", params={"code": "code-1", "state": auth["state"]})
    return subject, access, response


async def test_login_redirects_to_keycloak_with_pkce_state_and_nonce(client) -> None:
    response = await client.get("/login")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(ISSUER_AUTH + "?")
    query = query_of(location)
    assert query["client_id"] == "ejournal-portal"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "http://testserver/auth/callback"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    assert "openid" in query["scope"].split()
    cookie = response.headers["set-cookie"].lower()
    assert "ejournal_login=" in cookie  # the pending login stays in the browser (no server-side entry)
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # http in tests; https public URLs get Secure

    second = query_of((await client.get("/login")).headers["location"])
    assert second["state"] != query["state"]
    assert second["code_challenge"] != query["code_challenge"]


async def test_callback_rejects_a_wrong_state(client, idp) -> None:
    await start_login(client)
    response = await client.get("/auth/callback", params={"code": "code-1", "state": "forged"})
    assert response.status_code == 400
    assert 'lang="ru"' in response.text
    assert "Вход не удался" in response.text
    assert idp.token_requests == []


async def test_callback_without_a_login_in_progress_is_rejected(client, idp) -> None:
    response = await client.get("/auth/callback", params={"code": "code-1", "state": "whatever"})
    assert response.status_code == 400
    assert idp.token_requests == []


async def test_a_state_is_good_for_one_callback_only(client, idp) -> None:
    _, _, first = await log_in(client, idp)
    assert first.status_code == 303
    replay = await client.get("/auth/callback", params={"code": "code-1", "state": "any"})
    assert replay.status_code == 400


async def test_full_login_exchanges_the_code_with_the_verifier(client, idp, fakes) -> None:
    before = (await client.get("/login")).headers["set-cookie"]
    auth = query_of((await client.get("/login")).headers["location"])
    subject = str(uuid.uuid4())
    access = idp.issue_tokens(subject, ("student",), nonce=auth["nonce"])
    response = await client.get("/auth/callback", params={"code": "the-code", "state": auth["state"]})
    assert response.status_code == 303
    assert response.headers["location"] == "/"

    (form,) = idp.token_requests
    assert form["grant_type"] == "authorization_code"
    assert form["code"] == "the-code"
    assert form["client_id"] == "ejournal-portal"
    assert form["redirect_uri"] == "http://testserver/auth/callback"
    digest = hashlib.sha256(form["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == auth["code_challenge"]

    # The session id changes at login (no fixation) and the tokens never reach the browser.
    after = response.headers["set-cookie"]
    assert after.split(";")[0] != before.split(";")[0]
    assert access not in after

    home = await client.get("/")
    assert home.status_code == 200
    assert "Иванов Иван" in home.text
    assert "Студент" in home.text
    assert f"/diary/{subject}" in home.text


async def test_login_returns_to_the_requested_local_page_only(client, idp) -> None:
    _, _, response = await log_in(client, idp, next_url="/notifications")
    assert response.headers["location"] == "/notifications"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        _, _, response = await log_in(client, idp, next_url=evil)
        assert response.headers["location"] == "/"


async def test_nonce_mismatch_is_rejected(client, idp) -> None:
    auth = await start_login(client)
    idp.issue_tokens(str(uuid.uuid4()), ("student",), nonce="some-other-nonce")
    response = await client.get("/auth/callback", params={"code": "c", "state": auth["state"]})
    assert response.status_code == 400
    assert (await client.get("/notifications")).status_code == 303


async def test_refused_code_is_a_russian_error_page(client, idp) -> None:
    auth = await start_login(client)
    idp.token_status = 400
    idp.token_body = {"error": "invalid_grant"}
    response = await client.get("/auth/callback", params={"code": "c", "state": auth["state"]})
    assert response.status_code == 400
    assert "Код входа устарел" in response.text


async def test_keycloak_error_on_callback_is_a_russian_error_page(client, idp) -> None:
    auth = await start_login(client)
    response = await client.get("/auth/callback", params={"error": "access_denied", "state": auth["state"]})
    assert response.status_code == 400
    assert "Вход не выполнен" in response.text
    assert idp.token_requests == []


async def test_access_token_for_another_audience_does_not_log_in(client, idp, issuer) -> None:
    auth = await start_login(client)
    idp.issue_tokens(str(uuid.uuid4()), ("student",), nonce=auth["nonce"])
    idp.token_body["access_token"] = issuer.token(str(uuid.uuid4()), ("student",), audience="account")
    response = await client.get("/auth/callback", params={"code": "c", "state": auth["state"]})
    assert response.status_code == 400  # not 401: that would loop through Keycloak


async def test_pages_without_a_session_redirect_to_login(client) -> None:
    student = uuid.uuid4()
    response = await client.get(f"/diary/{student}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=%2Fdiary%2F{student}"
    response = await client.get("/notifications")
    assert response.headers["location"] == "/login?next=%2Fnotifications"


async def test_anonymous_home_offers_a_login(client) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert 'href="/login"' in response.text
    assert 'lang="ru"' in response.text


def person(person_id: str, last_name: str, first_name: str, middle_name: str = "") -> identity_pb2.Person:
    return identity_pb2.Person(
        person_id=person_id,
        role=identity_pb2.ROLE_STUDENT,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
    )


def discipline(discipline_id: str, code: str, name: str) -> journal_pb2.Discipline:
    return journal_pb2.Discipline(
        discipline_id=discipline_id, code=code, name=name, kind=journal_pb2.DISCIPLINE_KIND_DISCIPLINE
    )


async def test_diary_shows_marks_with_the_session_token(client, idp, fakes) -> None:
    subject, access, _ = await log_in(client, idp)
    maths, practice = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "ListStudentMarks",
        journal_service_pb2.ListStudentMarksResponse(
            marks=[
                journal_pb2.Mark(
                    mark_id=str(uuid.uuid4()),
                    student_id=subject,
                    discipline_id=maths,
                    lesson_date=common_pb2.LocalDate(year=2026, month=10, day=5),
                    value="5",
                ),
                journal_pb2.Mark(
                    mark_id=str(uuid.uuid4()),
                    student_id=subject,
                    discipline_id=practice,
                    lesson_date=common_pb2.LocalDate(year=2026, month=10, day=2),
                    value="н",
                ),
            ],
            disciplines=[
                discipline(maths, "ОП.01", "Математика"),
                discipline(practice, "", "Учебная практика"),
            ],
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[identity_service_pb2.PersonName(person_id=subject, last_name="Кузнецов", first_name="Пётр",
                                            middle_name="Сергеевич")]
        ),
    )  # fmt: skip
    response = await client.get(f"/diary/{subject}")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Дневник: Кузнецов Пётр Сергеевич</h1>" in page
    assert "05.10.2026" in page and "02.10.2026" in page
    assert "ОП.01 — Математика" in page
    assert ">Учебная практика<" in page  # no code, no dash
    assert maths not in page and practice not in page
    assert page.index("05.10.2026") < page.index("02.10.2026")
    call = fakes.journal.last("ListStudentMarks")
    assert call.request.student_id == subject
    assert call.metadata["authorization"] == f"Bearer {access}"
    named = fakes.identity.last("GetPeople")
    assert list(named.request.person_ids) == [subject]
    assert named.metadata["authorization"] == f"Bearer {access}"


async def test_a_mark_of_an_unnamed_discipline_shows_a_dash(client, idp, fakes) -> None:
    subject, _, _ = await log_in(client, idp)
    unknown = str(uuid.uuid4())
    fakes.journal.reply(
        "ListStudentMarks",
        journal_service_pb2.ListStudentMarksResponse(
            marks=[
                journal_pb2.Mark(
                    mark_id=str(uuid.uuid4()), student_id=subject, discipline_id=unknown, value="4"
                )
            ]
        ),
    )
    page = (await client.get(f"/diary/{subject}")).text
    assert unknown not in page
    assert "<td>—</td>" in page


async def test_a_diary_the_journal_refuses_is_not_found(client, idp, fakes) -> None:
    """The journal decides who reads a diary (identity only names the student afterwards)."""
    await log_in(client, idp, roles=("parent",))
    fakes.journal.fail(
        "ListStudentMarks", grpc.StatusCode.NOT_FOUND, "Обучающийся не найден", "student_not_found"
    )
    response = await client.get(f"/diary/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "Обучающийся не найден" in response.text
    assert not [c for c in fakes.identity.calls if c.method in ("GetPerson", "GetPeople")]


async def test_the_diary_is_shown_without_a_name_when_identity_is_down(client, idp, fakes) -> None:
    subject, _, _ = await log_in(client, idp)
    fakes.identity.fail("GetPeople", grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.get(f"/diary/{subject}")
    assert response.status_code == 200
    assert "<h1>Дневник</h1>" in response.text


async def test_a_refused_diary_does_not_ask_identity_for_the_name(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("parent",))
    fakes.journal.fail(
        "ListStudentMarks", grpc.StatusCode.NOT_FOUND, "Обучающийся не найден", "student_not_found"
    )
    response = await client.get(f"/diary/{uuid.uuid4()}")
    assert response.status_code == 404
    assert [c for c in fakes.identity.calls if c.method == "GetPerson"] == []


async def test_empty_diary(client, idp) -> None:
    subject, _, _ = await log_in(client, idp)
    response = await client.get(f"/diary/{subject}")
    assert "Оценок пока нет" in response.text


async def test_diary_form_redirects_and_rejects_bad_ids(client, idp) -> None:
    await log_in(client, idp, roles=("class_teacher",))
    child = uuid.uuid4()
    response = await client.get("/diary", params={"student_id": f" {child} "})
    assert (response.status_code, response.headers["location"]) == (303, f"/diary/{child}")
    response = await client.get("/diary", params={"student_id": "Петров"})
    assert response.status_code == 400
    assert "идентификатор обучающегося" in response.text
    response = await client.get("/diary/not-a-uuid")
    assert response.status_code == 400
    assert 'lang="ru"' in response.text


async def test_student_without_id_gets_own_diary(client, idp) -> None:
    subject, _, _ = await log_in(client, idp, roles=("student",))
    response = await client.get("/diary")
    assert response.headers["location"] == f"/diary/{subject}"


def mark_notification(
    recipient: str, student: str, discipline_id: str, created_at: str
) -> messaging_pb2.Notification:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.fromisoformat(created_at))
    return messaging_pb2.Notification(
        notification_id=str(uuid.uuid4()),
        recipient_id=recipient,
        kind=messaging_pb2.NOTIFICATION_KIND_MARK_RECORDED,
        student_id=student,
        discipline_id=discipline_id,
        mark_value="4",
        lesson_date=common_pb2.LocalDate(year=2026, month=9, day=14),
        created_at=stamp,
    )


async def test_notifications_page(client, idp, fakes) -> None:
    subject, access, _ = await log_in(client, idp, roles=("parent",))
    child, maths = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.messaging.reply(
        "ListNotifications",
        messaging_service_pb2.ListNotificationsResponse(
            notifications=[
                # 11:45 UTC is 14:45 in Moscow, the default college time zone.
                mark_notification(subject, child, maths, "2026-11-28T11:45:00+00:00"),
                mark_notification(subject, child, maths, "2026-11-27T21:30:00+00:00"),
            ]
        ),
    )
    fakes.identity.reply(
        "ListChildren",
        identity_service_pb2.ListChildrenResponse(children=[person(child, "Кузнецов", "Пётр")]),
    )
    fakes.journal.reply(
        "ListDisciplines",
        journal_service_pb2.ListDisciplinesResponse(disciplines=[discipline(maths, "ОП.01", "Математика")]),
    )
    response = await client.get("/notifications")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Уведомления</h1>" in page
    assert "Новая оценка" in page
    assert "14.09.2026" in page
    assert "28.11.2026 14:45" in page
    assert "28.11.2026 00:30" in page  # the next day in Moscow
    assert "UTC" not in page
    assert f'<a href="/diary/{child}">Кузнецов Пётр</a>' in page
    assert page.count("ОП.01 — Математика") == 2
    assert maths not in page
    assert f"<code>{child}</code>" not in page

    children = fakes.identity.last("ListChildren")
    assert (children.request.parent_id, children.metadata["authorization"]) == (subject, f"Bearer {access}")
    assert list(fakes.journal.last("ListDisciplines").request.discipline_ids) == [maths]
    assert [c for c in fakes.identity.calls if c.method == "GetPerson"] == []


async def test_notification_times_follow_the_configured_college_time_zone(
    settings, issuer, idp, fakes
) -> None:
    yekaterinburg = settings.model_copy(update={"college_timezone": "Asia/Yekaterinburg"})
    app = create_app(
        yekaterinburg, verifier=issuer.verifier(), http_transport=httpx.MockTransport(idp.handle)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            subject, _, _ = await log_in(client, idp, roles=("parent",))
            fakes.messaging.reply(
                "ListNotifications",
                messaging_service_pb2.ListNotificationsResponse(
                    notifications=[
                        mark_notification(subject, str(uuid.uuid4()), "", "2026-11-28T11:45:00+00:00")
                    ]
                ),
            )
            page = (await client.get("/notifications")).text
    assert "28.11.2026 16:45" in page


async def test_notifications_about_a_student_who_is_not_a_child_are_named_or_left_unnamed(
    client, idp, fakes
) -> None:
    subject, _, _ = await log_in(client, idp, roles=("parent",))
    former = str(uuid.uuid4())
    fakes.messaging.reply(
        "ListNotifications",
        messaging_service_pb2.ListNotificationsResponse(
            notifications=[mark_notification(subject, former, str(uuid.uuid4()), "2026-11-28T11:45:00+00:00")]
        ),
    )
    fakes.identity.fail("GetPerson", grpc.StatusCode.PERMISSION_DENIED, "Нет доступа", "person_not_visible")
    response = await client.get("/notifications")
    assert response.status_code == 200
    assert f'<a href="/diary/{former}">Дневник обучающегося</a>' in response.text
    assert fakes.identity.last("GetPerson").request.person_id == former


async def test_notifications_are_shown_without_names_when_identity_and_journal_are_down(
    client, idp, fakes
) -> None:
    subject, _, _ = await log_in(client, idp, roles=("parent",))
    child = str(uuid.uuid4())
    fakes.messaging.reply(
        "ListNotifications",
        messaging_service_pb2.ListNotificationsResponse(
            notifications=[mark_notification(subject, child, str(uuid.uuid4()), "2026-11-28T11:45:00+00:00")]
        ),
    )
    for service, method in (
        (fakes.identity, "ListChildren"),
        (fakes.identity, "GetPerson"),
        (fakes.journal, "ListDisciplines"),
    ):
        service.fail(method, grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.get("/notifications")
    assert response.status_code == 200
    assert "28.11.2026 14:45" in response.text
    assert f'<a href="/diary/{child}">Дневник обучающегося</a>' in response.text
    assert "connection refused" not in response.text


async def test_a_parent_home_lists_the_children_by_name(client, idp, fakes) -> None:
    subject, access, _ = await log_in(client, idp, roles=("parent",))
    son, daughter = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.identity.reply(
        "ListChildren",
        identity_service_pb2.ListChildrenResponse(
            children=[person(son, "Кузнецов", "Пётр", "Ильич"), person(daughter, "Кузнецова", "Анна")]
        ),
    )
    page = (await client.get("/")).text
    assert f'<a href="/diary/{son}">Кузнецов Пётр Ильич</a>' in page
    assert f'<a href="/diary/{daughter}">Кузнецова Анна</a>' in page
    assert page.index("Кузнецов Пётр") < page.index("Кузнецова Анна")
    assert 'name="student_id"' not in page  # no UUIDs to type
    call = fakes.identity.last("ListChildren")
    assert (call.request.parent_id, call.metadata["authorization"]) == (subject, f"Bearer {access}")


async def test_a_parent_without_linked_children_is_told_whom_to_ask(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("parent",))
    page = (await client.get("/")).text
    assert "не привязан ни один обучающийся" in page
    assert "/diary/" not in page


async def test_a_parent_home_still_opens_when_identity_is_down(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("parent",))
    fakes.identity.fail("ListChildren", grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.get("/")
    assert response.status_code == 200
    assert "Список детей сейчас недоступен" in response.text


@pytest.mark.parametrize(
    ("roles", "own_link", "form"),
    [(("student",), True, False), (("teacher",), False, False), (("admin",), False, False)],
)
async def test_students_get_their_diary_and_staff_no_student_id_box(
    client, idp, fakes, roles, own_link, form
) -> None:
    subject, _, _ = await log_in(client, idp, roles=roles)
    page = (await client.get("/")).text
    assert (f'href="/diary/{subject}"' in page) is own_link
    assert ('name="student_id"' in page) is form
    assert [c for c in fakes.identity.calls if c.method == "ListChildren"] == []


async def test_an_error_page_keeps_the_logged_in_header(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("parent",))
    fakes.journal.fail(
        "ListStudentMarks", grpc.StatusCode.NOT_FOUND, "Обучающийся не найден", "student_not_found"
    )
    for path in (f"/diary/{uuid.uuid4()}", "/no-such-page", "/diary?student_id=x"):
        page = (await client.get(path)).text
        assert "Ошибка" in page, path
        assert "Иванов Иван" in page and "Выйти" in page, path
        assert 'href="/login"' not in page, path


async def test_an_anonymous_error_page_offers_a_login(client) -> None:
    page = (await client.get("/no-such-page")).text
    assert 'href="/login"' in page and "Выйти" not in page


@pytest.mark.parametrize(
    ("status", "http", "text"),
    [
        (grpc.StatusCode.PERMISSION_DENIED, 403, "Можно смотреть только дневник своего ребёнка"),
        (grpc.StatusCode.NOT_FOUND, 404, "Обучающийся не найден"),
        (grpc.StatusCode.UNAVAILABLE, 503, "Сервис временно недоступен"),
    ],
    ids=["PERMISSION_DENIED", "NOT_FOUND", "UNAVAILABLE"],
)
async def test_service_errors_render_a_russian_page(client, idp, fakes, status, http, text) -> None:
    await log_in(client, idp, roles=("parent",))
    code = None if status == grpc.StatusCode.UNAVAILABLE else "denied"
    fakes.journal.fail("ListStudentMarks", status, text if code else "connection refused", code)
    response = await client.get(f"/diary/{uuid.uuid4()}")
    assert response.status_code == http
    assert 'lang="ru"' in response.text
    assert f"Ошибка {http}" in response.text
    assert text in response.text
    assert "connection refused" not in response.text


async def test_service_401_sends_the_browser_to_login(client, idp, fakes) -> None:
    await log_in(client, idp)
    fakes.messaging.fail(
        "ListNotifications", grpc.StatusCode.UNAUTHENTICATED, "Токен отозван", "token_invalid"
    )
    response = await client.get("/notifications")
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2Fnotifications")


async def test_access_token_near_expiry_is_refreshed(client, idp, fakes) -> None:
    subject, first_access, _ = await log_in(client, idp, expires_in=10)
    fresh = idp.issue_tokens(subject, ("student",), refresh_token="refresh-2")
    response = await client.get(f"/diary/{subject}")
    assert response.status_code == 200
    refresh = idp.token_requests[-1]
    assert refresh == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": "ejournal-portal",
    }
    assert fakes.journal.last("ListStudentMarks").metadata["authorization"] == f"Bearer {fresh}"
    assert fresh != first_access

    # The fresh token is good for 5 minutes: no second refresh.
    await client.get(f"/diary/{subject}")
    assert len(idp.token_requests) == 2


async def test_refused_refresh_ends_the_session(client, idp, fakes) -> None:
    subject, _, _ = await log_in(client, idp, expires_in=10)
    idp.token_status = 400
    idp.token_body = {"error": "invalid_grant"}
    response = await client.get(f"/diary/{subject}")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert fakes.journal.calls == []


async def test_logout_clears_the_session_and_ends_keycloak_session(client, idp) -> None:
    await log_in(client, idp)
    id_token = idp.token_body["id_token"]
    token = re.search(r'name="logout_token" value="([0-9a-f]+)"', (await client.get("/")).text)
    assert token
    response = await client.post("/logout", data={"logout_token": token.group(1)})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("http://issuer.test/realms/ejournal/protocol/openid-connect/logout?")
    query = query_of(location)
    assert query["post_logout_redirect_uri"] == "http://testserver/"
    assert query["client_id"] == "ejournal-portal"
    assert query["id_token_hint"] == id_token
    assert "ejournal_session=" in response.headers["set-cookie"]
    assert (await client.get("/notifications")).status_code == 303
    assert 'href="/login"' in (await client.get("/")).text


async def test_forged_cookie_is_ignored(client) -> None:
    client.cookies.set("ejournal_session", "forged.value.sig")
    response = await client.get("/notifications")
    assert response.status_code == 303


async def test_pages_are_russian_printable_and_not_cached(client, idp) -> None:
    subject, _, _ = await log_in(client, idp)
    for path in ("/", f"/diary/{subject}", "/notifications", "/no-such-page"):
        response = await client.get(path)
        page = response.text
        assert '<html lang="ru">' in page, path
        assert 'media="print"' in page
        assert '<header class="site-header">' in page
        assert response.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert (await client.get("/no-such-page")).status_code == 404
    css = await client.get("/static/print.css")
    assert css.status_code == 200
    assert "display: none" in css.text


async def test_home_names_only_college_roles(client, idp) -> None:
    await log_in(client, idp, roles=("teacher", "default-roles-ejournal", "offline_access"))
    page = (await client.get("/")).text
    assert "Преподаватель" in page
    assert "offline_access" not in page and "default-roles-ejournal" not in page


# -- «Учебные годы» and «Расписание звонков» ---------------------------------------------------------

ADMINISTRATION = ("admin", "director", "deputy", "curator")
OTHERS = ("teacher", "class_teacher", "student", "parent")
YEAR_FORM = {
    "name": "2026/2027",
    "starts_on": "01.09.2026",
    "ends_on": "30.06.2027",
    "semester1_starts_on": "01.09.2026",
    "semester1_ends_on": "28.12.2026",
    "semester2_starts_on": "12.01.2027",
    "semester2_ends_on": "30.06.2027",
}


def local(text: str) -> common_pb2.LocalDate:
    year, month, day = (int(p) for p in text.split("-"))
    return common_pb2.LocalDate(year=year, month=month, day=day)


def academic_year(year_id: str, name: str = "2026/2027") -> journal_pb2.AcademicYear:
    def span(a: str, b: str) -> journal_pb2.DateSpan:
        return journal_pb2.DateSpan(starts_on=local(a), ends_on=local(b))

    return journal_pb2.AcademicYear(
        year_id=year_id,
        name=name,
        span=span("2026-09-01", "2027-06-30"),
        semester1=span("2026-09-01", "2026-12-28"),
        semester2=span("2027-01-12", "2027-06-30"),
    )


def bell_pair(number: int, starts: int, ends: int) -> journal_pb2.BellPair:
    return journal_pb2.BellPair(number=number, starts_at_minute=starts, ends_at_minute=ends)


async def csrf_of(client, path: str) -> str:
    page = (await client.get(path)).text
    marker = 'name="csrf_token" value="'
    assert marker in page, path
    return page.split(marker, 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("role", ADMINISTRATION)
async def test_the_administration_home_links_the_year_pages(client, idp, role) -> None:
    await log_in(client, idp, roles=(role,))
    page = (await client.get("/")).text
    assert '<a href="/academic-years">Учебный год</a>' in page
    assert '<a href="/bell-schedule">Расписание звонков</a>' in page


@pytest.mark.parametrize("role", OTHERS)
async def test_other_homes_do_not_link_the_year_pages(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    page = (await client.get("/")).text
    assert "/academic-years" not in page and "/bell-schedule" not in page


async def test_the_years_page_lists_years_with_semesters_in_russian_dates(client, idp, fakes) -> None:
    _, access, _ = await log_in(client, idp, roles=("director",))
    fakes.journal.reply(
        "ListAcademicYears",
        journal_service_pb2.ListAcademicYearsResponse(years=[academic_year(str(uuid.uuid4()))]),
    )
    response = await client.get("/academic-years")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Учебные годы</h1>" in page
    assert "2026/2027" in page
    assert "01.09.2026 – 30.06.2027" in page
    assert "01.09.2026 – 28.12.2026" in page and "12.01.2027 – 30.06.2027" in page
    assert "<form" in page  # the logout form only
    assert 'action="/academic-years"' not in page and "csrf_token" not in page
    assert fakes.journal.last("ListAcademicYears").metadata["authorization"] == f"Bearer {access}"


@pytest.mark.parametrize("role", ("director", "deputy", "curator"))
async def test_the_administration_reads_the_pages_without_forms(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    fakes.journal.reply(
        "GetBellSchedule", journal_service_pb2.GetBellScheduleResponse(pairs=[bell_pair(1, 510, 600)])
    )
    years = await client.get("/academic-years")
    bells = await client.get("/bell-schedule")
    assert (years.status_code, bells.status_code) == (200, 200)
    assert "<td>08:30</td><td>10:00</td>" in bells.text
    for page in (years.text, bells.text):
        assert 'method="post" action="/academic-years"' not in page
        assert 'method="post" action="/bell-schedule"' not in page


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("path", ["/academic-years", "/bell-schedule"])
async def test_other_roles_get_the_russian_403_page(client, idp, fakes, role, path) -> None:
    await log_in(client, idp, roles=(role,))
    response = await client.get(path)
    assert response.status_code == 403
    assert "Ошибка 403" in response.text
    assert "доступна администрации колледжа" in response.text
    assert fakes.journal.calls == []


def session_token(client) -> str:
    """Return the CSRF token of the client's session as the portal computes it (for pages without forms)."""
    session_id = SessionCookie("test-session-secret", secure=False).load(
        client.cookies.get("ejournal_session")
    )
    assert session_id
    return hmac.new(b"test-session-secret", f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("role", ("director", "deputy", "curator", "teacher", "student"))
async def test_only_the_admin_may_post_the_forms(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    for path, form in (
        ("/academic-years", YEAR_FORM),
        ("/bell-schedule", {"starts_1": "08:30", "ends_1": "10:00"}),
    ):
        # A valid token of this very session, so only the role can be what refuses the form.
        response = await client.post(path, data={**form, "csrf_token": session_token(client)})
        assert response.status_code == 403, path
        assert "Ошибка 403" in response.text
    assert [c for c in fakes.journal.calls if c.method in {"OpenAcademicYear", "SetBellSchedule"}] == []


async def test_the_admin_opens_a_year_through_the_form(client, idp, fakes) -> None:
    _, access, _ = await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, "/academic-years")
    assert token == session_token(client)
    year_id = str(uuid.uuid4())
    fakes.journal.reply(
        "OpenAcademicYear", journal_service_pb2.OpenAcademicYearResponse(year=academic_year(year_id))
    )
    response = await client.post("/academic-years", data={**YEAR_FORM, "csrf_token": token})
    assert (response.status_code, response.headers["location"]) == (303, f"/academic-years?opened={year_id}")
    sent = fakes.journal.last("OpenAcademicYear")
    assert sent.metadata["authorization"] == f"Bearer {access}"
    assert sent.request == journal_service_pb2.OpenAcademicYearRequest(
        name="2026/2027",
        span=journal_pb2.DateSpan(starts_on=local("2026-09-01"), ends_on=local("2027-06-30")),
        semester1=journal_pb2.DateSpan(starts_on=local("2026-09-01"), ends_on=local("2026-12-28")),
        semester2=journal_pb2.DateSpan(starts_on=local("2027-01-12"), ends_on=local("2027-06-30")),
    )
    fakes.journal.reply(
        "ListAcademicYears", journal_service_pb2.ListAcademicYearsResponse(years=[academic_year(year_id)])
    )
    page = (await client.get(response.headers["location"])).text
    assert "Учебный год 2026/2027 открыт." in page


@pytest.mark.parametrize(
    ("status", "code", "message", "http"),
    [
        (grpc.StatusCode.ALREADY_EXISTS, "academic_year_exists", "Учебный год «2026/2027» уже открыт", 409),
        (
            grpc.StatusCode.INVALID_ARGUMENT,
            "semesters_out_of_order",
            "Семестры должны лежать внутри учебного года, второй — после первого",
            400,
        ),
    ],
)
async def test_a_refused_year_is_explained_next_to_the_form_with_the_values_kept(
    client, idp, fakes, status, code, message, http
) -> None:
    await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, "/academic-years")
    fakes.journal.fail("OpenAcademicYear", status, message, code)
    response = await client.post("/academic-years", data={**YEAR_FORM, "csrf_token": token})
    assert response.status_code == http
    page = response.text
    assert f'<p class="form-error" id="form-problem" role="alert">{message}</p>' in page.replace("&#34;", '"')
    for name, value in YEAR_FORM.items():
        assert f'name="{name}" value="{value}"' in page, name
    assert 'aria-invalid="true"' in page


async def test_a_malformed_year_form_is_refused_before_the_journal(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, "/academic-years")
    typed = {**YEAR_FORM, "name": "2026-27", "semester2_ends_on": ""}
    response = await client.post("/academic-years", data={**typed, "csrf_token": token})
    assert response.status_code == 400
    assert "«ГГГГ/ГГГГ»" in response.text
    assert 'name="name" value="2026-27"' in response.text
    response = await client.post(
        "/academic-years", data={**YEAR_FORM, "semester2_ends_on": "", "csrf_token": token}
    )
    assert "Укажите даты в формате ДД.ММ.ГГГГ: «Конец 2 семестра»" in response.text
    by_hand = {**YEAR_FORM, "starts_on": "2026-09-01", "ends_on": "31.02.2027", "csrf_token": token}
    response = await client.post("/academic-years", data=by_hand)
    assert "Укажите даты в формате ДД.ММ.ГГГГ: «Конец учебного года»" in response.text
    assert [c for c in fakes.journal.calls if c.method == "OpenAcademicYear"] == []


async def test_a_year_form_survives_the_journal_being_down(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, "/academic-years")
    fakes.journal.fail("OpenAcademicYear", grpc.StatusCode.UNAVAILABLE, "connection refused")
    fakes.journal.fail("ListAcademicYears", grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.post("/academic-years", data={**YEAR_FORM, "csrf_token": token})
    assert response.status_code == 503
    assert "Журнал сейчас не отвечает" in response.text
    assert 'name="name" value="2026/2027"' in response.text
    assert "connection refused" not in response.text


async def test_the_admin_edits_the_bell_schedule(client, idp, fakes) -> None:
    _, access, _ = await log_in(client, idp, roles=("admin",))
    fakes.journal.reply(
        "GetBellSchedule",
        journal_service_pb2.GetBellScheduleResponse(pairs=[bell_pair(1, 510, 600), bell_pair(2, 610, 700)]),
    )
    page = (await client.get("/bell-schedule")).text
    assert "<td>08:30</td><td>10:00</td>" in page and "<td>10:10</td><td>11:40</td>" in page
    assert 'name="starts_2" value="10:10"' in page and 'name="starts_8" value=""' in page
    token = await csrf_of(client, "/bell-schedule")
    form = {
        "starts_1": "08:30",
        "ends_1": "10:00",
        "starts_2": " 9:15 ",
        "ends_2": "10.45",
        "csrf_token": token,
    }
    response = await client.post("/bell-schedule", data=form)
    assert (response.status_code, response.headers["location"]) == (303, "/bell-schedule?saved=1")
    sent = fakes.journal.last("SetBellSchedule")
    assert sent.metadata["authorization"] == f"Bearer {access}"
    assert list(sent.request.pairs) == [bell_pair(1, 510, 600), bell_pair(2, 555, 645)]
    assert "Расписание звонков сохранено." in (await client.get("/bell-schedule?saved=1")).text


@pytest.mark.parametrize(
    ("form", "message", "invalid"),
    [
        ({"starts_1": "08:30", "ends_1": "25:00"}, "Пара №1: «25:00» — не время", "ends_1"),
        ({"starts_3": "12:00", "ends_3": ""}, "Пара №3: не указано время", "ends_3"),
        ({"starts_2": "полдень", "ends_2": "13:00"}, "Пара №2: «полдень» — не время", "starts_2"),
        ({}, "Укажите время хотя бы одной пары", "starts_1"),
    ],
)
async def test_a_malformed_bell_schedule_is_refused_in_place(
    client, idp, fakes, form, message, invalid
) -> None:
    await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, "/bell-schedule")
    response = await client.post("/bell-schedule", data={**form, "csrf_token": token})
    assert response.status_code == 400
    assert message in response.text
    for name, value in form.items():
        assert f'name="{name}" value="{value}"' in response.text
    assert f'name="{invalid}" value="{form.get(invalid, "")}" aria-label' in response.text
    assert [c for c in fakes.journal.calls if c.method == "SetBellSchedule"] == []


async def test_a_bell_schedule_the_journal_refuses_is_explained_in_place(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, "/bell-schedule")
    message = "Пара №2 начинается раньше, чем закончилась предыдущая"
    fakes.journal.fail("SetBellSchedule", grpc.StatusCode.INVALID_ARGUMENT, message, "pairs_overlap")
    form = {
        "starts_1": "08:30",
        "ends_1": "10:00",
        "starts_2": "09:50",
        "ends_2": "11:20",
        "csrf_token": token,
    }
    response = await client.post("/bell-schedule", data=form)
    assert response.status_code == 400
    assert message in response.text
    assert 'name="starts_2" value="09:50"' in response.text


@pytest.mark.parametrize("sent", [None, "", "forged", "0" * 64])
async def test_a_portal_post_without_the_sessions_token_is_refused(client, idp, fakes, sent) -> None:
    await log_in(client, idp, roles=("admin",))
    data = {} if sent is None else {"csrf_token": sent}
    for path, form in (
        ("/academic-years", YEAR_FORM),
        ("/bell-schedule", {"starts_1": "08:30", "ends_1": "10:00"}),
    ):
        response = await client.post(path, data={**form, **data})
        assert response.status_code == 403, path
        assert "Форма устарела" in response.text
    assert [c for c in fakes.journal.calls if c.method in {"OpenAcademicYear", "SetBellSchedule"}] == []


async def test_another_sessions_token_is_refused(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    old = await csrf_of(client, "/academic-years")
    await log_in(client, idp, roles=("admin",))  # a new login rotates the session, and so the token
    response = await client.post("/academic-years", data={**YEAR_FORM, "csrf_token": old})
    assert response.status_code == 403
    assert await csrf_of(client, "/academic-years") != old


async def test_a_portal_post_without_a_session_goes_to_login(client, fakes) -> None:
    response = await client.post("/bell-schedule", data={"starts_1": "08:30"})
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2Fbell-schedule")


async def test_every_portal_post_checks_the_csrf_token(client, idp, fakes) -> None:
    """A POST route added to the portal without CsrfSession fails here."""
    await log_in(client, idp, roles=("admin",))

    def routes(router):  # an included router is kept whole (FastAPI ≥ 0.16x), not flattened
        for route in router.routes:
            inner = getattr(route, "original_router", None)
            yield from routes(inner) if inner is not None else (route,)

    posts = [r for r in routes(portal_router()) if "POST" in (getattr(r, "methods", None) or set())]
    paths = {r.path for r in posts}
    assert paths >= {"/academic-years", "/bell-schedule", "/logout"}
    for path in paths:
        response = await client.post(path, data={"csrf_token": "forged"})
        assert response.status_code == 403, path
        assert "Форма устарела" in response.text, path


# -- «Группа»: the group's «календарный учебный график» ---------------------------------------------

GROUP = str(uuid.uuid4())
YEAR = str(uuid.uuid4())


def calendar_span(kind: int, a: str, b: str) -> journal_pb2.CalendarSpan:
    return journal_pb2.CalendarSpan(
        kind=kind, span=journal_pb2.DateSpan(starts_on=local(a), ends_on=local(b))
    )


def with_year_and_graph(fakes, *spans: journal_pb2.CalendarSpan) -> None:
    fakes.journal.reply(
        "ListAcademicYears",
        journal_service_pb2.ListAcademicYearsResponse(
            years=[academic_year(YEAR), academic_year(str(uuid.uuid4()), "2025/2026")]
        ),
    )
    fakes.journal.reply(
        "GetGroupCalendar",
        journal_service_pb2.GetGroupCalendarResponse(year=academic_year(YEAR), spans=list(spans)),
    )


CALENDAR_FORM = {
    "year_id": YEAR,
    "kind_1": "theory",
    "starts_1": "01.09.2026",
    "ends_1": "28.12.2026",
    "kind_2": "holidays",
    "starts_2": "2026-12-29",
    "ends_2": "11.01.2027",
}


def test_every_calendar_span_kind_has_a_russian_label() -> None:
    from gateway.resources.academic_year import SPAN_KINDS
    from gateway.web.group import SPAN_KIND_LABELS

    assert set(SPAN_KIND_LABELS) == set(SPAN_KINDS.names)


@pytest.mark.parametrize("role", ADMINISTRATION)
async def test_the_administration_home_has_the_open_group_box(client, idp, role) -> None:
    await log_in(client, idp, roles=(role,))
    page = (await client.get("/")).text
    assert 'action="/groups"' in page and "Открыть группу" in page
    response = await client.get("/groups", params={"group_id": f" {GROUP} "})
    assert (response.status_code, response.headers["location"]) == (303, f"/groups/{GROUP}")
    response = await client.get("/groups", params={"group_id": "ИС-21"})
    assert response.status_code == 400
    assert "Укажите идентификатор группы (UUID)" in response.text


@pytest.mark.parametrize("role", OTHERS)
async def test_other_homes_have_no_open_group_box(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    assert 'action="/groups"' not in (await client.get("/")).text


@pytest.mark.parametrize("role", ("director", "deputy", "curator"))
async def test_the_administration_reads_the_group_calendar_without_the_form(client, idp, fakes, role) -> None:
    _, access, _ = await log_in(client, idp, roles=(role,))
    with_year_and_graph(
        fakes,
        calendar_span(journal_pb2.CALENDAR_SPAN_KIND_THEORY, "2026-09-01", "2026-12-28"),
        calendar_span(journal_pb2.CALENDAR_SPAN_KIND_INDUSTRIAL_PRACTICE, "2027-05-01", "2027-06-30"),
    )
    response = await client.get(f"/groups/{GROUP}")
    assert response.status_code == 200
    page = response.text
    assert "Календарный учебный график на 2026/2027" in page
    assert '<td data-label="Период">Теоретическое обучение</td>' in page
    assert '<td data-label="Даты">01.09.2026 – 28.12.2026</td>' in page
    assert "Производственная практика (ПП)" in page and "01.05.2027 – 30.06.2027" in page
    assert f'action="/groups/{GROUP}/calendar"' not in page and "csrf_token" not in page
    sent = fakes.journal.last("GetGroupCalendar")
    assert sent.request == journal_service_pb2.GetGroupCalendarRequest(group_id=GROUP, year_id=YEAR)
    assert sent.metadata["authorization"] == f"Bearer {access}"


async def test_the_group_page_shows_the_chosen_year(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    with_year_and_graph(fakes)
    other = str(uuid.uuid4())
    fakes.journal.reply(
        "ListAcademicYears",
        journal_service_pb2.ListAcademicYearsResponse(
            years=[academic_year(YEAR), academic_year(other, "2025/2026")]
        ),
    )
    page = (await client.get(f"/groups/{GROUP}", params={"year": other})).text
    assert fakes.journal.last("GetGroupCalendar").request.year_id == other
    assert f'<option value="{other}" selected>2025/2026</option>' in page
    assert "График на этот учебный год пока не задан." in page


async def test_the_group_page_without_years_sends_to_the_years_page(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    page = (await client.get(f"/groups/{GROUP}")).text
    assert "Учебных годов пока нет" in page
    assert [c for c in fakes.journal.calls if c.method == "GetGroupCalendar"] == []


@pytest.mark.parametrize("role", OTHERS)
async def test_other_roles_get_the_russian_403_on_the_group_page(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    for response in (
        await client.get(f"/groups/{GROUP}"),
        await client.get("/groups", params={"group_id": GROUP}),
    ):
        assert response.status_code == 403
        assert "доступна администрации колледжа" in response.text
    assert fakes.journal.calls == []


async def test_an_unknown_group_is_the_russian_404(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    with_year_and_graph(fakes)
    fakes.journal.fail("GetGroupCalendar", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(f"/groups/{GROUP}")
    assert response.status_code == 404
    assert "Группа не найдена" in response.text


@pytest.mark.parametrize("role", ("director", "deputy", "curator", "teacher", "student"))
async def test_only_the_admin_may_post_the_group_calendar(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    response = await client.post(
        f"/groups/{GROUP}/calendar", data={**CALENDAR_FORM, "csrf_token": session_token(client)}
    )
    assert response.status_code == 403
    assert "Ошибка 403" in response.text
    assert [c for c in fakes.journal.calls if c.method == "SetGroupCalendar"] == []


@pytest.mark.parametrize("sent", [None, "forged"])
async def test_the_group_calendar_post_checks_the_csrf_token(client, idp, fakes, sent) -> None:
    await log_in(client, idp, roles=("admin",))
    data = {} if sent is None else {"csrf_token": sent}
    response = await client.post(f"/groups/{GROUP}/calendar", data={**CALENDAR_FORM, **data})
    assert response.status_code == 403
    assert "Форма устарела" in response.text
    assert [c for c in fakes.journal.calls if c.method == "SetGroupCalendar"] == []


async def test_the_admin_replaces_the_group_calendar(client, idp, fakes) -> None:
    _, access, _ = await log_in(client, idp, roles=("admin",))
    with_year_and_graph(
        fakes, calendar_span(journal_pb2.CALENDAR_SPAN_KIND_SESSION, "2027-01-12", "2027-01-20")
    )
    page = (await client.get(f"/groups/{GROUP}")).text
    assert '<option value="session" selected>Промежуточная аттестация</option>' in page
    assert 'name="starts_1" value="12.01.2027"' in page and 'name="starts_12" value=""' in page
    assert f'name="year_id" value="{YEAR}"' in page
    token = await csrf_of(client, f"/groups/{GROUP}")
    # A blank row between filled ones is skipped; dates typed either way.
    form = {**CALENDAR_FORM, "kind_2": "", "starts_2": "", "ends_2": ""}
    form |= {"kind_5": "holidays", "starts_5": "2026-12-29", "ends_5": "11.01.2027", "csrf_token": token}
    response = await client.post(f"/groups/{GROUP}/calendar", data=form)
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/groups/{GROUP}?year={YEAR}&saved=1",
    )
    sent = fakes.journal.last("SetGroupCalendar")
    assert sent.metadata["authorization"] == f"Bearer {access}"
    assert sent.request == journal_service_pb2.SetGroupCalendarRequest(
        group_id=GROUP,
        year_id=YEAR,
        spans=[
            calendar_span(journal_pb2.CALENDAR_SPAN_KIND_THEORY, "2026-09-01", "2026-12-28"),
            calendar_span(journal_pb2.CALENDAR_SPAN_KIND_HOLIDAYS, "2026-12-29", "2027-01-11"),
        ],
    )
    assert "График сохранён." in (await client.get(response.headers["location"])).text


@pytest.mark.parametrize(
    ("form", "message", "invalid"),
    [
        (
            {"kind_1": "", "starts_1": "01.09.2026", "ends_1": "28.12.2026"},
            "Период №1: выберите вид периода",
            "kind_1",
        ),
        (
            {"kind_1": "theory", "starts_1": "01.09.2026", "ends_1": "31.02.2027"},
            "Период №1: укажите даты",
            "ends_1",
        ),
        ({"kind_1": "gia", "starts_1": "", "ends_1": "30.06.2027"}, "Период №1: укажите даты", "starts_1"),
    ],
)
async def test_a_malformed_calendar_row_is_refused_in_place(
    client, idp, fakes, form, message, invalid
) -> None:
    await log_in(client, idp, roles=("admin",))
    with_year_and_graph(fakes)
    token = await csrf_of(client, f"/groups/{GROUP}")
    response = await client.post(
        f"/groups/{GROUP}/calendar", data={**form, "year_id": YEAR, "csrf_token": token}
    )
    assert response.status_code == 400
    assert message in response.text
    for name in ("starts_1", "ends_1"):
        assert f'name="{name}" value="{form[name]}"' in response.text
    assert re.search(f'name="{invalid}"[^>]*aria-invalid="true"', response.text), invalid
    assert [c for c in fakes.journal.calls if c.method == "SetGroupCalendar"] == []


@pytest.mark.parametrize(
    ("code", "message", "marked"),
    [
        ("spans_overlap", "Периоды графика пересекаются: 29.12.2026", None),
        ("span_outside_year", "Период №2 графика выходит за пределы учебного года", "starts_2"),
    ],
)
async def test_a_calendar_the_journal_refuses_is_explained_in_place(
    client, idp, fakes, code, message, marked
) -> None:
    await log_in(client, idp, roles=("admin",))
    with_year_and_graph(fakes)
    token = await csrf_of(client, f"/groups/{GROUP}")
    fakes.journal.fail("SetGroupCalendar", grpc.StatusCode.INVALID_ARGUMENT, message, code)
    # The filled rows come back first, so the journal's «Период №2» is the second row shown.
    form = {**CALENDAR_FORM, "kind_2": "", "starts_2": "", "ends_2": ""}
    form |= {"kind_7": "holidays", "starts_7": "29.12.2026", "ends_7": "11.01.2028", "csrf_token": token}
    response = await client.post(f"/groups/{GROUP}/calendar", data=form)
    assert response.status_code == 400
    page = response.text
    assert f'<p class="form-error" id="form-problem" role="alert">{message}</p>' in page
    assert 'name="starts_1" value="01.09.2026"' in page
    assert '<option value="holidays" selected>Каникулы</option>' in page
    assert 'name="starts_2" value="29.12.2026"' in page and 'name="ends_2" value="11.01.2028"' in page
    if marked:
        assert (
            f'name="{marked}" value="29.12.2026" aria-label="Период 2, начало" placeholder="ДД.ММ.ГГГГ"'
            in page
        )
        assert page.count('aria-invalid="true"') == 2
    else:
        assert 'aria-invalid="true"' not in page


async def test_a_calendar_form_survives_the_journal_being_down(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    with_year_and_graph(fakes)
    token = await csrf_of(client, f"/groups/{GROUP}")
    for method in ("SetGroupCalendar", "ListAcademicYears", "GetGroupCalendar"):
        fakes.journal.fail(method, grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.post(f"/groups/{GROUP}/calendar", data={**CALENDAR_FORM, "csrf_token": token})
    assert response.status_code == 503
    assert "Журнал сейчас не отвечает" in response.text
    assert 'name="starts_2" value="2026-12-29"' in response.text
    assert "connection refused" not in response.text


# -- «Группы» and the group's attributes ------------------------------------------------------------

STORED_GROUP = journal_pb2.Group(
    group_id=GROUP,
    name="ИС-21",
    course_year=2,
    specialty_code="09.02.07",
    specialty_name="Информационные системы и программирование",
    study_form=journal_pb2.STUDY_FORM_FULL_TIME,
    class_teacher_id="6f1c2f8e-0a55-4a1e-9a6e-2d3c4b5a6978",
)
ATTRIBUTES_FORM = {
    "course_year": "3",
    "specialty_code": "09.02.07",
    "specialty_name": "Информационные системы и программирование",
    "study_form": "part_time",
    "class_teacher_id": "",
}


def test_every_study_form_has_a_russian_label() -> None:
    from gateway.resources.group_attributes import STUDY_FORMS
    from gateway.web.group import STUDY_FORM_LABELS

    assert set(STUDY_FORM_LABELS) == set(STUDY_FORMS.names)


@pytest.mark.parametrize("role", ADMINISTRATION)
async def test_the_administration_finds_groups_by_name(client, idp, fakes, role) -> None:
    _, access, _ = await log_in(client, idp, roles=(role,))
    assert '<a href="/groups">Группы</a>' in (await client.get("/")).text
    bare = journal_pb2.Group(group_id=str(uuid.uuid4()), name="ИС-22")
    fakes.journal.reply("ListGroups", journal_service_pb2.ListGroupsResponse(groups=[STORED_GROUP, bare]))
    response = await client.get("/groups", params={"name": " ИС "})
    assert response.status_code == 200
    page = response.text
    assert f'<a href="/groups/{GROUP}">ИС-21</a>' in page
    assert '<td data-label="Курс">2</td>' in page
    assert "09.02.07 Информационные системы и программирование" in page
    assert '<td data-label="Форма обучения">Очная</td>' in page
    assert f'<a href="/groups/{bare.group_id}">ИС-22</a>' in page
    assert 'name="name" value="ИС"' in page
    sent = fakes.journal.last("ListGroups")
    assert (sent.request.name_prefix, sent.request.page_size) == ("ИС", 200)
    assert sent.metadata["authorization"] == f"Bearer {access}"

    fakes.journal.reply("ListGroups", journal_service_pb2.ListGroupsResponse())
    assert "Групп, чьё название начинается с «ТМ», нет." in (await client.get("/groups?name=ТМ")).text


async def test_a_too_long_name_filter_is_refused_in_place(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("director",))
    fakes.journal.fail(
        "ListGroups",
        grpc.StatusCode.INVALID_ARGUMENT,
        "Поле «name_prefix» длиннее 32",
        "too_long_name_prefix",
    )
    response = await client.get("/groups", params={"name": "И" * 33})
    assert response.status_code == 400
    assert "Начало названия — не длиннее 32 символов" in response.text
    assert 'aria-invalid="true"' in response.text and f'value="{"И" * 33}"' in response.text


@pytest.mark.parametrize("role", OTHERS)
async def test_other_roles_get_the_russian_403_on_the_groups_page(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    response = await client.get("/groups")
    assert response.status_code == 403 and "доступна администрации колледжа" in response.text
    assert fakes.journal.calls == []


@pytest.mark.parametrize("role", ("director", "deputy", "curator"))
async def test_the_administration_reads_the_groups_attributes_without_the_form(
    client, idp, fakes, role
) -> None:
    await log_in(client, idp, roles=(role,))
    fakes.journal.reply("GetGroup", journal_service_pb2.GetGroupResponse(group=STORED_GROUP))
    page = (await client.get(f"/groups/{GROUP}")).text
    assert "<h1>Группа ИС-21</h1>" in page
    assert "<dt>Курс</dt><dd>2</dd>" in page and "<dd>Очная</dd>" in page
    assert STORED_GROUP.class_teacher_id in page
    assert f'action="/groups/{GROUP}/attributes"' not in page
    assert fakes.journal.last("GetGroup").request.group_id == GROUP


async def test_the_admin_form_starts_with_the_stored_attributes(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    fakes.journal.reply("GetGroup", journal_service_pb2.GetGroupResponse(group=STORED_GROUP))
    page = (await client.get(f"/groups/{GROUP}")).text
    assert f'action="/groups/{GROUP}/attributes"' in page
    assert '<option value="2" selected>2</option>' in page
    assert 'name="specialty_code" value="09.02.07"' in page
    assert 'name="specialty_name" value="Информационные системы и программирование"' in page
    assert '<option value="full_time" selected>Очная</option>' in page
    assert f'<option value="{STORED_GROUP.class_teacher_id}" selected>' in page  # picked by name


async def test_the_admin_saves_every_attribute_through_update_group(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, f"/groups/{GROUP}")
    form = {**ATTRIBUTES_FORM, "class_teacher_id": f" {STORED_GROUP.class_teacher_id} ", "csrf_token": token}
    response = await client.post(f"/groups/{GROUP}/attributes", data=form)
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/groups/{GROUP}?attributes_saved=1",
    )
    sent = fakes.journal.last("UpdateGroup").request
    assert sent.group_id == GROUP
    assert sent.attributes == journal_service_pb2.GroupAttributes(
        course_year=3,
        specialty_code="09.02.07",
        specialty_name="Информационные системы и программирование",
        study_form=journal_pb2.STUDY_FORM_PART_TIME,
        class_teacher_id=STORED_GROUP.class_teacher_id,
    )
    assert "Данные группы сохранены." in (await client.get(f"/groups/{GROUP}?attributes_saved=1")).text

    await client.post(
        f"/groups/{GROUP}/attributes", data={**ATTRIBUTES_FORM, "course_year": "", "csrf_token": token}
    )
    sent = fakes.journal.last("UpdateGroup").request.attributes
    assert not sent.HasField("course_year")
    assert sent.HasField("class_teacher_id") and sent.class_teacher_id == ""  # empty removes them


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"course_year": "7"}, "Курс — число от 1 до 5", "course_year"),
        ({"study_form": "вечерняя"}, "Выберите форму обучения из списка", "study_form"),
        ({"class_teacher_id": "Иванова"}, "Классный руководитель — идентификатор (UUID)", "class_teacher_id"),
    ],
)
async def test_a_bad_attribute_is_refused_before_the_journal(
    client, idp, fakes, changes, message, field
) -> None:
    await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, f"/groups/{GROUP}")
    response = await client.post(
        f"/groups/{GROUP}/attributes", data={**ATTRIBUTES_FORM, **changes, "csrf_token": token}
    )
    assert response.status_code == 400
    assert message in response.text
    assert f'id="{field}" name="{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert [c for c in fakes.journal.calls if c.method == "UpdateGroup"] == []


@pytest.mark.parametrize(
    ("code", "field"),
    [("invalid_specialty_code", "specialty_code"), ("person_not_teacher", "class_teacher_id")],
)
async def test_the_journals_refusal_of_attributes_is_shown_in_place(client, idp, fakes, code, field) -> None:
    await log_in(client, idp, roles=("admin",))
    fakes.journal.reply("GetGroup", journal_service_pb2.GetGroupResponse(group=STORED_GROUP))
    token = await csrf_of(client, f"/groups/{GROUP}")
    fakes.journal.fail("UpdateGroup", grpc.StatusCode.INVALID_ARGUMENT, "Отказ журнала по-русски", code)
    typed = {**ATTRIBUTES_FORM, "specialty_code": "9.2.7", "class_teacher_id": str(uuid.uuid4())}
    response = await client.post(f"/groups/{GROUP}/attributes", data={**typed, "csrf_token": token})
    assert response.status_code == 400
    page = response.text
    assert "Отказ журнала по-русски" in page
    assert 'name="specialty_code" value="9.2.7"' in page  # the typed values, not the stored ones
    assert f'<option value="{typed["class_teacher_id"]}" selected>' in page
    assert '<option value="part_time" selected>Очно-заочная</option>' in page
    marked = page.split(f'id="{field}" name="{field}"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true"' in marked


@pytest.mark.parametrize("role", ("director", "deputy", "curator", "teacher", "student"))
async def test_only_the_admin_may_post_the_groups_attributes(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    response = await client.post(
        f"/groups/{GROUP}/attributes", data={**ATTRIBUTES_FORM, "csrf_token": session_token(client)}
    )
    assert response.status_code == 403
    assert [c for c in fakes.journal.calls if c.method == "UpdateGroup"] == []


async def test_the_attributes_form_needs_the_csrf_token(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    response = await client.post(f"/groups/{GROUP}/attributes", data=ATTRIBUTES_FORM)
    assert response.status_code == 403
    assert fakes.journal.calls == []


async def test_an_unknown_group_page_is_the_russian_404_from_get_group(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    fakes.journal.fail("GetGroup", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    response = await client.get(f"/groups/{GROUP}")
    assert response.status_code == 404 and "Группа не найдена" in response.text


async def test_an_attributes_form_survives_the_journal_being_down(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("admin",))
    token = await csrf_of(client, f"/groups/{GROUP}")
    for method in ("UpdateGroup", "GetGroup", "ListAcademicYears"):
        fakes.journal.fail(method, grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.post(f"/groups/{GROUP}/attributes", data={**ATTRIBUTES_FORM, "csrf_token": token})
    assert response.status_code == 503
    assert "Журнал сейчас не отвечает" in response.text
    assert '<option value="3" selected>3</option>' in response.text
    assert "connection refused" not in response.text
