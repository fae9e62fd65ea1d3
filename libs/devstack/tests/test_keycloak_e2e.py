"""The realm as Keycloak serves it: a user without e-mail logs in through `ejournal-cli`; tokens carry
the API audience and realm roles; only the identity service account may manage users."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest
from devstack.stack import Stack

pytestmark = pytest.mark.e2e


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _admin_headers(stack: Stack) -> dict[str, str]:
    username, password = stack.keycloak_admin
    response = httpx.post(
        f"{stack.keycloak_url}/realms/master/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "admin-cli", "username": username, "password": password},
        timeout=30,
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _service_token(stack: Stack, client_id: str) -> str:
    response = httpx.post(
        f"{stack.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": stack.client_secret(client_id),
        },
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def test_user_without_email_gets_a_token_through_cli_client(stack_keycloak: Stack) -> None:
    stack = stack_keycloak
    admin = _admin_headers(stack)
    base = f"{stack.keycloak_url}/admin/realms/ejournal"
    username = f"student-{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{base}/users",
        headers=admin,
        json={
            "username": username, "firstName": "Анна", "lastName": "Смирнова", "enabled": True,
            "credentials": [{"type": "password", "value": "Zachetka-2026", "temporary": False}],
        },
        timeout=30,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    user_id = created.headers["Location"].rsplit("/", 1)[-1]
    role = httpx.get(f"{base}/roles/student", headers=admin, timeout=30).json()
    assert (
        httpx.post(f"{base}/users/{user_id}/role-mappings/realm", headers=admin, json=[role]).status_code
        == 204
    )

    response = httpx.post(
        f"{stack.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "ejournal-cli",
            "username": username,
            "password": "Zachetka-2026",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    claims = _claims(response.json()["access_token"])
    assert claims["iss"] == stack.issuer
    audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    assert "ejournal-api" in audience
    assert "student" in claims["realm_access"]["roles"]
    assert claims["exp"] - claims["iat"] == 300
    httpx.delete(f"{base}/users/{user_id}", headers=admin, timeout=30)


def test_nameless_user_is_refused(stack_keycloak: Stack) -> None:
    admin = _admin_headers(stack_keycloak)
    response = httpx.post(
        f"{stack_keycloak.keycloak_url}/admin/realms/ejournal/users",
        headers=admin,
        json={"username": f"noname-{uuid.uuid4().hex[:8]}", "enabled": True},
        timeout=30,
    )
    assert response.status_code == 400


def test_only_identity_service_account_manages_users(stack_keycloak: Stack) -> None:
    users_url = f"{stack_keycloak.keycloak_url}/admin/realms/ejournal/users?max=1"
    identity = _service_token(stack_keycloak, "ejournal-identity")
    journal = _service_token(stack_keycloak, "ejournal-journal")
    assert "service" in _claims(journal)["realm_access"]["roles"]
    assert "ejournal-api" in _claims(journal)["aud"]
    assert (
        httpx.get(users_url, headers={"Authorization": f"Bearer {identity}"}, timeout=30).status_code == 200
    )
    assert httpx.get(users_url, headers={"Authorization": f"Bearer {journal}"}, timeout=30).status_code == 403
    clients_url = f"{stack_keycloak.keycloak_url}/admin/realms/ejournal/clients"
    assert (
        httpx.get(clients_url, headers={"Authorization": f"Bearer {identity}"}, timeout=30).status_code == 403
    )
