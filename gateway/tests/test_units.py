"""Small pieces without the app: PKCE, sessions, cookies, enum mapping, how the portal writes things."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from ejournal.identity.v1 import identity_pb2
from ejournal.journal.v1 import journal_pb2
from gateway.auth.pkce import code_challenge, new_code_verifier
from gateway.auth.session import SessionCookie, SessionStore
from gateway.config import GatewaySettings
from gateway.mapping import KIND_FROM_PB, KIND_TO_PB, ROLE_FROM_PB, ROLE_LABELS, ROLE_TO_PB
from gateway.models import DisciplineKindName, RoleName
from gateway.web.format import discipline_label, full_name, ru_date, ru_datetime
from gateway.web.login import safe_next
from pydantic import ValidationError


def test_pkce_challenge_matches_rfc_7636_appendix_b() -> None:
    assert (
        code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_code_verifier_is_long_enough_and_random() -> None:
    verifiers = {new_code_verifier() for _ in range(5)}
    assert len(verifiers) == 5
    assert all(43 <= len(v) <= 128 for v in verifiers)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_anonymous_session_lives_for_the_login_timeout() -> None:
    clock = Clock()
    store = SessionStore(login_timeout=600, idle_timeout=1800, clock=clock)
    session = store.create()
    clock.now += 599
    assert store.get(session.session_id) is session
    clock.now += 601
    assert store.get(session.session_id) is None


def test_logged_in_session_expires_after_idle_time_and_is_kept_alive_by_use() -> None:
    clock = Clock()
    store = SessionStore(idle_timeout=1800, clock=clock)
    session = store.create()
    session.access_token = "a"
    session.access_expires_at = clock.now + 300
    session.refresh_expires_at = clock.now + 36000
    for _ in range(3):
        clock.now += 1700
        assert store.get(session.session_id) is session
    clock.now += 1801
    assert store.get(session.session_id) is None


def test_session_with_dead_refresh_and_access_tokens_is_gone() -> None:
    clock = Clock()
    store = SessionStore(clock=clock)
    session = store.create()
    session.access_token = "a"
    session.access_expires_at = clock.now + 60
    session.refresh_expires_at = clock.now + 120
    clock.now += 121
    assert store.get(session.session_id) is None


def test_rotate_gives_a_new_id_and_forgets_the_old_one() -> None:
    store = SessionStore()
    session = store.create()
    old = session.session_id
    store.rotate(session)
    assert session.session_id != old
    assert store.get(old) is None
    assert store.get(session.session_id) is session


def test_store_is_capped_dropping_the_least_recently_used() -> None:
    store = SessionStore(max_sessions=3)
    first, second = store.create(), store.create()
    store.create()
    assert store.get(first.session_id) is first  # now most recently used
    store.create()
    assert len(store) == 3
    assert store.get(second.session_id) is None
    assert store.get(first.session_id) is first


def test_cookie_round_trip_and_tampering() -> None:
    cookie = SessionCookie("secret-1", secure=True)
    value = cookie.dump("session-id")
    assert cookie.load(value) == "session-id"
    assert cookie.load(value[:-2] + "xx") is None
    assert cookie.load(None) is None
    assert cookie.load("") is None
    assert SessionCookie("secret-2", secure=True).load(value) is None


def test_every_role_and_kind_maps_both_ways() -> None:
    assert set(ROLE_TO_PB) == set(RoleName)
    assert set(ROLE_FROM_PB) == set(identity_pb2.Role.values()) - {identity_pb2.ROLE_UNSPECIFIED}
    assert all(ROLE_FROM_PB[ROLE_TO_PB[r]] is r for r in RoleName)
    assert set(ROLE_LABELS) == set(RoleName)
    assert set(KIND_TO_PB) == set(DisciplineKindName)
    assert set(KIND_FROM_PB) == set(journal_pb2.DisciplineKind.values()) - {
        journal_pb2.DISCIPLINE_KIND_UNSPECIFIED
    }


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/diary/1", "/diary/1"),
        ("/notifications?x=1", "/notifications?x=1"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_safe_next(target, expected) -> None:
    assert safe_next(target) == expected


def test_times_are_written_in_the_college_time_zone() -> None:
    instant = datetime(2026, 11, 28, 11, 45, tzinfo=UTC)
    assert ru_datetime(instant, ZoneInfo("Europe/Moscow")) == "28.11.2026 14:45"
    assert ru_datetime(instant, ZoneInfo("Asia/Yekaterinburg")) == "28.11.2026 16:45"
    assert ru_datetime(instant.replace(tzinfo=None), ZoneInfo("Europe/Moscow")) == "28.11.2026 14:45"
    assert ru_datetime(None, ZoneInfo("Europe/Moscow")) == "—"
    assert ru_date(None) == "—"


def test_names_and_disciplines_as_a_college_writes_them() -> None:
    assert (
        full_name(SimpleNamespace(last_name="Кузнецов", first_name="Пётр", middle_name="")) == "Кузнецов Пётр"
    )
    assert (
        full_name(SimpleNamespace(last_name="Кузнецов", first_name="Пётр", middle_name="Ильич"))
        == "Кузнецов Пётр Ильич"
    )
    assert discipline_label(SimpleNamespace(code="ОП.01", name="Математика")) == "ОП.01 — Математика"
    assert discipline_label(SimpleNamespace(code="", name="Учебная практика")) == "Учебная практика"


def test_college_time_zone_setting(monkeypatch) -> None:
    base = {"oidc_issuer": "http://issuer.test/realms/ejournal", "session_secret": "s"}
    monkeypatch.delenv("GATEWAY_COLLEGE_TIMEZONE", raising=False)
    assert GatewaySettings(**base).college_timezone == "Europe/Moscow"
    monkeypatch.setenv("GATEWAY_COLLEGE_TIMEZONE", "Asia/Yekaterinburg")
    assert GatewaySettings(**base).college_zone == ZoneInfo("Asia/Yekaterinburg")
    monkeypatch.setenv("GATEWAY_COLLEGE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError):
        GatewaySettings(**base)
