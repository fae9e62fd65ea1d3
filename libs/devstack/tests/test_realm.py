"""The realm file: roles, clients, audience mappers, brute-force protection, user profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from devstack.stack import find_repo_root

REALM_FILE = find_repo_root(Path(__file__)) / "deploy" / "local" / "keycloak" / "ejournal-realm.json"
SERVICES = ("identity", "journal", "messaging", "reports", "archive")
TOKEN_CLIENTS = ("ejournal-portal", "ejournal-cli", *(f"ejournal-{s}" for s in SERVICES))


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    return json.loads(REALM_FILE.read_text())


@pytest.fixture(scope="module")
def clients(realm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["clientId"]: c for c in realm["clients"]}


def test_realm_basics(realm: dict[str, Any]) -> None:
    assert realm["realm"] == "ejournal" and realm["enabled"]
    assert realm["internationalizationEnabled"] is True
    assert realm["supportedLocales"] == ["ru", "en"] and realm["defaultLocale"] == "ru"
    assert realm["accessTokenLifespan"] == 300
    assert "length(8)" in realm["passwordPolicy"] and "notUsername" in realm["passwordPolicy"]


def test_roles(realm: dict[str, Any]) -> None:
    names = {r["name"] for r in realm["roles"]["realm"]}
    assert names == {"admin", "director", "deputy", "curator", "class_teacher", "teacher", "student", "parent",
                     "service"}  # fmt: skip


def test_brute_force_is_on_and_strict(realm: dict[str, Any]) -> None:
    assert realm["bruteForceProtected"] is True
    assert realm["failureFactor"] <= 5
    assert realm["waitIncrementSeconds"] >= 60
    assert realm["maxFailureWaitSeconds"] >= 900
    assert realm["quickLoginCheckMilliSeconds"] >= 1000
    assert realm["minimumQuickLoginWaitSeconds"] >= 60


def test_expected_clients(clients: dict[str, dict[str, Any]]) -> None:
    assert set(clients) == {"ejournal-api", *TOKEN_CLIENTS}


def test_api_client_issues_nothing(clients: dict[str, dict[str, Any]]) -> None:
    api = clients["ejournal-api"]
    assert api["bearerOnly"] is True
    for flow in (
        "standardFlowEnabled",
        "implicitFlowEnabled",
        "directAccessGrantsEnabled",
        "serviceAccountsEnabled",
    ):
        assert api[flow] is False


def test_portal_is_public_code_flow_with_pkce(clients: dict[str, dict[str, Any]]) -> None:
    portal = clients["ejournal-portal"]
    assert portal["publicClient"] is True
    assert portal["standardFlowEnabled"] is True
    assert portal["implicitFlowEnabled"] is False and portal["directAccessGrantsEnabled"] is False
    assert portal["serviceAccountsEnabled"] is False
    assert portal["attributes"]["pkce.code.challenge.method"] == "S256"
    assert portal["attributes"]["post.logout.redirect.uris"] == "+"
    assert set(portal["redirectUris"]) == {
        "http://127.0.0.1:8000/*",
        "http://localhost:8000/*",
        "http://127.0.0.1:56000/*",
        "http://127.0.0.1:61000/*",
        "http://127.0.0.1:62000/*",
        "http://127.0.0.1:63000/*",
        "http://127.0.0.1:64000/*",
        "http://127.0.0.1:57000/*",
        "http://127.0.0.1:52000/*",
        "http://127.0.0.1:53000/*",
    }
    assert "*" not in portal["webOrigins"]


def test_cli_is_direct_grant_only(clients: dict[str, dict[str, Any]]) -> None:
    cli = clients["ejournal-cli"]
    assert cli["publicClient"] is True and cli["directAccessGrantsEnabled"] is True
    assert cli["standardFlowEnabled"] is False and cli["serviceAccountsEnabled"] is False
    assert "DEV/TEST" in cli["description"]


@pytest.mark.parametrize("service", SERVICES)
def test_service_clients_are_confidential_service_accounts(
    clients: dict[str, dict[str, Any]], service: str
) -> None:
    client = clients[f"ejournal-{service}"]
    assert client["publicClient"] is False and client["serviceAccountsEnabled"] is True
    assert client["standardFlowEnabled"] is False and client["directAccessGrantsEnabled"] is False
    assert client["secret"] == "${EJOURNAL_KC_SECRET_" + service.upper() + "}"


@pytest.mark.parametrize("client_id", TOKEN_CLIENTS)
def test_token_clients_add_api_audience(clients: dict[str, dict[str, Any]], client_id: str) -> None:
    mappers = [
        m
        for m in clients[client_id].get("protocolMappers", [])
        if m["protocolMapper"] == "oidc-audience-mapper"
    ]
    assert len(mappers) == 1
    config = mappers[0]["config"]
    assert config["included.client.audience"] == "ejournal-api"
    assert config["access.token.claim"] == "true"


def test_service_accounts_and_identity_admin_rights(realm: dict[str, Any]) -> None:
    users = {u["serviceAccountClientId"]: u for u in realm["users"] if "serviceAccountClientId" in u}
    assert set(users) == {f"ejournal-{s}" for s in SERVICES}
    for client_id, user in users.items():
        assert user["realmRoles"] == ["service"]
        if client_id == "ejournal-identity":
            assert user["clientRoles"] == {
                "realm-management": ["manage-users", "view-users", "query-users", "view-realm"]
            }
        else:
            assert "clientRoles" not in user
    assert all("credentials" not in u for u in realm["users"]), (
        "no people (and no passwords) in the realm file"
    )


def test_user_profile_makes_email_optional(realm: dict[str, Any]) -> None:
    providers = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    assert len(providers) == 1 and providers[0]["providerId"] == "declarative-user-profile"
    profile = json.loads(providers[0]["config"]["kc.user.profile.config"][0])
    attributes = {a["name"]: a for a in profile["attributes"]}
    assert "required" not in attributes["email"]
    assert attributes["firstName"]["required"]["roles"] == ["admin", "user"]
    assert attributes["lastName"]["required"]["roles"] == ["admin", "user"]
