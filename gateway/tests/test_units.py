"""Small pieces without the app: PKCE, sessions, cookies, enum mapping."""

from __future__ import annotations

import pytest
from ejournal.identity.v1 import identity_pb2
from ejournal.journal.v1 import journal_pb2
from gateway.auth.pkce import code_challenge, new_code_verifier
from gateway.auth.session import SessionCookie, SessionStore
from gateway.mapping import KIND_FROM_PB, KIND_TO_PB, ROLE_FROM_PB, ROLE_LABELS, ROLE_TO_PB
from gateway.models import DisciplineKindName, RoleName
from gateway.web.login import safe_next


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
