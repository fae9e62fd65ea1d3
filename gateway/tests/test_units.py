"""Small pieces without the app: PKCE, sessions, cookies, enum mapping, how the portal writes things."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated
from zoneinfo import ZoneInfo

import pytest
from ejournal.identity.v1 import identity_pb2
from ejournal.journal.v1 import journal_pb2
from ejournal.messaging.v1 import messaging_pb2
from gateway.auth.pkce import code_challenge, new_code_verifier
from gateway.auth.session import SessionCookie, SessionStore
from gateway.config import GatewaySettings
from gateway.health import summarize
from gateway.resources.common import ProtoEnum, instant_of
from gateway.resources.disciplines import DISCIPLINE_KINDS
from gateway.resources.notifications import NOTIFICATION_KINDS
from gateway.resources.people import ROLES
from gateway.web.format import (
    NOTIFICATION_LABELS,
    ROLE_LABELS,
    discipline_label,
    full_name,
    ru_date,
    ru_datetime,
)
from gateway.web.login import safe_next
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, ValidationError


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


def test_logged_in_session_expires_after_idle_time_and_is_kept_alive_by_use() -> None:
    clock = Clock()
    store = SessionStore(idle_timeout=1800, clock=clock)
    session = store.create("subject-1")
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
    session = store.create("subject-1")
    session.access_token = "a"
    session.access_expires_at = clock.now + 60
    session.refresh_expires_at = clock.now + 120
    clock.now += 121
    assert store.get(session.session_id) is None


def test_each_login_gets_a_new_session_id() -> None:
    store = SessionStore()
    first, second = store.create("subject-1"), store.create("subject-1")
    assert first.session_id != second.session_id
    assert store.get(first.session_id) is first and store.get(second.session_id) is second


def test_store_is_capped_dropping_the_least_recently_used() -> None:
    store = SessionStore(max_sessions=3)
    first, second = store.create("a"), store.create("b")
    store.create("c")
    assert store.get(first.session_id) is first  # now most recently used
    store.create("d")
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


def test_rest_enum_strings_are_the_proto_names_and_map_both_ways() -> None:
    assert ROLES.names == (
        "admin",
        "director",
        "deputy",
        "curator",
        "class_teacher",
        "teacher",
        "student",
        "parent",
        "head_of_commission",
        "master",
    )
    assert DISCIPLINE_KINDS.names == ("discipline", "mdk", "pm", "up", "pp")
    assert NOTIFICATION_KINDS.names == ("mark_recorded", "mark_changed", "mark_removed")
    for enum, wrapper in (
        (ROLES, identity_pb2.Role),
        (DISCIPLINE_KINDS, journal_pb2.DisciplineKind),
        (NOTIFICATION_KINDS, messaging_pb2.NotificationKind),
    ):
        for value in wrapper.values():
            name = enum.name_of(value)
            assert name == "unspecified" if value == 0 else enum.to_pb(name) == value
        assert enum.name_of(max(wrapper.values()) + 1) == "unspecified"  # a value from a newer service
    assert set(ROLE_LABELS) == set(ROLES.names)
    assert set(NOTIFICATION_LABELS) == {*NOTIFICATION_KINDS.names, "unspecified"}


def test_a_value_added_to_a_proto_enum_is_accepted_without_a_gateway_edit() -> None:
    file = descriptor_pb2.FileDescriptorProto(name="colour.proto", package="test.v1", syntax="proto3")
    colour = file.enum_type.add(name="Colour")
    colour.value.add(name="COLOUR_UNSPECIFIED", number=0)
    colour.value.add(name="COLOUR_BLUE", number=1)
    colour.value.add(name="COLOUR_DARK_RED", number=3)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    colours = ProtoEnum(EnumTypeWrapper(pool.FindEnumTypeByName("test.v1.Colour")))

    class Paint(BaseModel):
        colour: Annotated[str, colours]

    assert colours.names == ("blue", "dark_red")
    assert colours.to_pb(Paint(colour="dark_red").colour) == 3
    with pytest.raises(ValidationError):
        Paint(colour="unspecified")
    assert Paint.model_json_schema()["properties"]["colour"]["enum"] == ["blue", "dark_red"]


def test_clients_and_resources_hold_no_any() -> None:
    """mypy enforces it for the clients; the resources wait for the pydantic plugin (see pyproject)."""
    source = Path(__file__).parents[1] / "src" / "gateway"
    for path in [source / "clients.py", *(source / "resources").glob("*.py")]:
        assert not re.search(r"\bAny\b", path.read_text(encoding="utf-8")), path.name


@pytest.mark.parametrize(
    ("down", "status", "http"),
    [
        ((), "ok", 200),
        (("nats",), "degraded", 200),
        (("postgres",), "down", 503),
        (("keycloak",), "down", 503),
        (("journal",), "down", 503),
        (("nats", "journal"), "down", 503),
    ],
)
def test_only_nats_down_is_degraded(down, status, http) -> None:
    components = ("identity", "journal", "nats", "keycloak", "postgres")
    body, code = summarize({name: name not in down for name in components})
    assert (body.status, code, body.down) == (status, http, sorted(down))


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


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [
        (0, 0),
        (1, 999_999_999),
        (-1, 1),
        (1_796_000_000, 123_456_789),
        (-2_208_988_800, 500),
        (253_402_300_799, 999),
    ],
)
def test_instant_of_is_what_the_protobuf_library_converts(seconds: int, nanos: int) -> None:
    value = Timestamp(seconds=seconds, nanos=nanos)
    assert instant_of(value, present=True) == value.ToDatetime(tzinfo=UTC)
    assert instant_of(value, present=False) is None
