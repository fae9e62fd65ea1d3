"""Against the real stack (gateway, journal, identity, Keycloak): a write repeated with its
Idempotency-Key is done once and answered alike, also when the twins arrive at once; the same key with
another body is 409; and the administration finds a person by the start of their name."""

from __future__ import annotations

import asyncio
import os
import uuid

import httpx
import pytest

from .keycloak_login import identity_admin, password_token

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def admin(stack_platform) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """An admin account with a surname of its own; return (token, surname)."""
    suffix = uuid.uuid4().hex[:6]
    surname = "Ёлкин" + "".join("абвгдежзик"[int(c, 16) % 10] for c in suffix)
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        "create-person",
        "--role",
        "admin",
        "--last-name",
        surname,
        "--first-name",
        "Пётр",
        "--username",
        f"dup{suffix}",
        "--password",
        password,
        bin_dir=str(stack_platform.venv_bin),
    )
    return password_token(stack_platform.issuer, f"dup{suffix}", password), surname


def test_a_repeated_write_with_its_key_is_one_write_and_one_answer(stack_platform, admin) -> None:  # type: ignore[no-untyped-def]
    token, _ = admin
    name = f"ИД-{uuid.uuid4().hex[:4]}"
    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    with httpx.Client(base_url=stack_platform.gateway_url, timeout=30) as api:
        first = api.post("/api/v1/groups", json={"name": name}, headers=headers)
        again = api.post("/api/v1/groups", json={"name": name}, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        other = api.post("/api/v1/groups", json={"name": name + "Б"}, headers=headers)
        assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
        # Without the key the journal answers as always: the name is taken.
        plain = api.post("/api/v1/groups", json={"name": name}, headers={"Authorization": f"Bearer {token}"})
        assert plain.status_code == 409
        listed = api.get("/api/v1/groups", params={"name_prefix": name}, headers=headers)
        assert [g["group_id"] for g in listed.json()["groups"]] == [first.json()["group_id"]]


async def test_twins_at_once_through_the_gateway_are_one_group(stack_platform, admin) -> None:  # type: ignore[no-untyped-def]
    token, _ = admin
    name = f"ИТ-{uuid.uuid4().hex[:4]}"
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=stack_platform.gateway_url, timeout=30) as api:
        answers = await asyncio.gather(
            *(api.post("/api/v1/groups", json={"name": name}, headers=headers) for _ in range(5))
        )
        assert {a.status_code for a in answers} == {201}
        assert len({a.json()["group_id"] for a in answers}) == 1
        listed = await api.get("/api/v1/groups", params={"name_prefix": name}, headers=headers)
        assert len(listed.json()["groups"]) == 1


def test_the_admin_finds_a_person_by_the_start_of_the_name(stack_platform, admin) -> None:  # type: ignore[no-untyped-def]
    token, surname = admin
    with httpx.Client(base_url=stack_platform.gateway_url, timeout=30) as api:
        found = api.get(
            "/api/v1/people",
            params={"query": surname[:6].upper().replace("Ё", "Е") + " пет", "role": "admin"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert found.status_code == 200
    assert [(p["last_name"], p["first_name"]) for p in found.json()["people"]] == [(surname, "Пётр")]
