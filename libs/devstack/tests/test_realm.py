"""The realm as code: the production file (deploy/keycloak) and its dev/test overlay, merged by devstack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from devstack.realm import DEV_OVERLAY, PASSWORD_DENY_LISTS, PRODUCTION_REALM, merged_realm, portal_origins
from devstack.stack import find_repo_root

REPO = find_repo_root(Path(__file__))
REALM_FILE = REPO / PRODUCTION_REALM
STAFF_AND_PARENTS = (
    "admin", "director", "deputy", "curator", "class_teacher", "teacher", "head_of_commission", "master", "parent"
)  # fmt: skip
SERVICES = ("identity", "journal", "messaging", "reports", "archive")
TOKEN_CLIENTS = ("ejournal-portal", *(f"ejournal-{s}" for s in SERVICES))


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    return json.loads(REALM_FILE.read_text())


@pytest.fixture(scope="module")
def clients(realm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["clientId"]: c for c in realm["clients"]}


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    return merged_realm(REPO, own_origin="http://127.0.0.1:8000")


def test_realm_basics(realm: dict[str, Any]) -> None:
    assert realm["realm"] == "ejournal" and realm["enabled"]
    assert realm["internationalizationEnabled"] is True
    assert realm["supportedLocales"] == ["ru", "en"] and realm["defaultLocale"] == "ru"
    assert realm["accessTokenLifespan"] == 300
    assert "length(12)" in realm["passwordPolicy"] and "notUsername" in realm["passwordPolicy"]
    assert "passwordBlacklist(ejournal-deny-list.txt)" in realm["passwordPolicy"]
    assert (REPO / PASSWORD_DENY_LISTS / "ejournal-deny-list.txt").is_file()
    assert realm["ssoSessionIdleTimeout"] == 1800 and realm["ssoSessionMaxLifespan"] == 43200
    assert realm["registrationAllowed"] is False and realm["resetPasswordAllowed"] is False


def test_deny_list_is_lower_case_and_holds_no_policy_conforming_demo_password() -> None:
    from devstack.seed import DEMO_PASSWORD

    words = (REPO / PASSWORD_DENY_LISTS / "ejournal-deny-list.txt").read_text().split("\n")
    words = [w for w in words if w]
    assert words == [w.lower() for w in words] and len(set(words)) == len(words)
    assert DEMO_PASSWORD.lower() not in words and len(DEMO_PASSWORD) >= 12


def test_default_role_is_empty_and_offline_access_is_nobodys(realm: dict[str, Any]) -> None:
    roles = {r["name"]: r for r in realm["roles"]["realm"]}
    default = realm["defaultRole"]["name"]
    assert roles[default].get("composites") is None and roles[default]["composite"] is False
    # Declaring offline_access (role and client scope) and the account client stops Keycloak's import
    # from adding offline_access and the account-console roles to the default role.
    assert "offline_access" in roles and "uma_authorization" in roles
    assert "offline_access" in {s["name"] for s in realm["clientScopes"]}
    assert "account" in {c["clientId"] for c in realm["clients"]}


def test_account_console_only_for_staff_and_parents(realm: dict[str, Any]) -> None:
    roles = {r["name"]: r for r in realm["roles"]["realm"]}
    for name in STAFF_AND_PARENTS:
        assert roles[name]["composites"]["client"] == {"account": ["view-profile", "manage-account"]}, name
    assert "composites" not in roles["student"] and "composites" not in roles["service"]


def test_the_head_of_a_commission_and_the_master_teach(realm: dict[str, Any]) -> None:
    """«преподаватель / мастер п/о» (§4): both roles carry `teacher`, the journal's role for writing."""
    roles = {r["name"]: r for r in realm["roles"]["realm"]}
    for name in ("head_of_commission", "master"):
        assert roles[name]["composites"]["realm"] == ["teacher"], name
    for name in set(STAFF_AND_PARENTS) - {"head_of_commission", "master"}:
        assert "realm" not in roles[name]["composites"], name


def test_roles(realm: dict[str, Any]) -> None:
    names = {r["name"] for r in realm["roles"]["realm"]} - {
        "default-roles-ejournal",
        "offline_access",
        "uma_authorization",
    }
    assert names == {"admin", "director", "deputy", "curator", "class_teacher", "teacher", "head_of_commission",
                     "master", "student", "parent", "service"}  # fmt: skip


def test_brute_force_is_on_and_strict(realm: dict[str, Any]) -> None:
    assert realm["bruteForceProtected"] is True
    assert realm["failureFactor"] <= 5
    assert realm["waitIncrementSeconds"] >= 60
    assert realm["maxFailureWaitSeconds"] >= 900
    assert realm["quickLoginCheckMilliSeconds"] >= 1000
    assert realm["minimumQuickLoginWaitSeconds"] >= 60


def test_expected_clients(clients: dict[str, dict[str, Any]]) -> None:
    assert set(clients) == {"account", "account-console", "ejournal-api", *TOKEN_CLIENTS}
    assert "ejournal-cli" not in clients  # the password grant exists only in the dev/test overlay


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
    assert portal["redirectUris"] == ["${EJOURNAL_PORTAL_URL}/auth/callback"]
    assert portal["webOrigins"] == ["${EJOURNAL_PORTAL_URL}"]
    assert portal["attributes"]["post.logout.redirect.uris"] == "${EJOURNAL_PORTAL_URL}/"
    assert "*" not in portal["webOrigins"]


def test_overlay_adds_the_cli_and_the_lanes_exact_redirects(merged: dict[str, Any]) -> None:
    clients = {c["clientId"]: c for c in merged["clients"]}
    overlay = json.loads((REPO / DEV_OVERLAY).read_text())
    assert {c["clientId"] for c in overlay["clients"]} == {"ejournal-cli"}
    assert set(overlay) == {"_comment", "clients"}
    portal = clients["ejournal-portal"]
    origins = portal_origins()
    assert "http://127.0.0.1:8000" in origins and "http://127.0.0.1:13000" in origins
    assert portal["redirectUris"] == [f"{o}/auth/callback" for o in origins]
    assert portal["attributes"]["post.logout.redirect.uris"] == "##".join(f"{o}/" for o in origins)
    assert "${EJOURNAL_PORTAL_URL}" not in json.dumps(merged)
    assert {k: v for k, v in merged.items() if k != "clients"} == {
        k: v for k, v in json.loads(REALM_FILE.read_text()).items() if k != "clients"
    }


def test_cli_is_direct_grant_only(merged: dict[str, Any]) -> None:
    cli = {c["clientId"]: c for c in merged["clients"]}["ejournal-cli"]
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


@pytest.mark.parametrize("client_id", [*TOKEN_CLIENTS, "ejournal-cli"])
def test_token_clients_add_api_audience(merged: dict[str, Any], client_id: str) -> None:
    clients = {c["clientId"]: c for c in merged["clients"]}
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
    for name in ("username", "email", "firstName", "lastName"):
        assert attributes[name]["permissions"] == {"view": ["admin", "user"], "edit": ["admin"]}, name
