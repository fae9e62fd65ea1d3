"""Bearer authentication of the API: a bad or missing token is a 401 before any service call."""

from __future__ import annotations

import uuid

import pytest


async def test_me_returns_subject_and_roles_from_the_token(client, bearer, fakes) -> None:
    subject = str(uuid.uuid4())
    response = await client.get("/api/v1/me", headers=bearer(("teacher", "class_teacher"), subject))
    assert response.status_code == 200
    assert response.json() == {
        "subject": subject,
        "roles": ["class_teacher", "teacher"],
        "client_id": "ejournal-cli",
    }
    assert fakes.total_calls() == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/me", None),
        ("GET", f"/api/v1/students/{uuid.uuid4()}/marks", None),
        ("POST", "/api/v1/groups", {"name": "ИС-21"}),
        ("GET", "/api/v1/me/notifications", None),
        ("GET", "/api/v1/audit", None),
    ],
)
async def test_missing_token_is_401_without_a_service_call(client, fakes, method, path, body) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"
    assert fakes.total_calls() == 0


async def test_expired_token_is_401_token_expired(client, bearer, fakes) -> None:
    response = await client.get(f"/api/v1/students/{uuid.uuid4()}/marks", headers=bearer(lifetime=-60))
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "token_expired",
        "message": "Срок действия сеанса истёк, войдите снова",
    }
    assert fakes.total_calls() == 0


async def test_wrong_audience_is_401(client, bearer, fakes) -> None:
    response = await client.get(f"/api/v1/students/{uuid.uuid4()}/marks", headers=bearer(audience="account"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"
    assert fakes.total_calls() == 0


async def test_wrong_issuer_is_401(client, bearer, fakes) -> None:
    response = await client.get("/api/v1/me", headers=bearer(issuer="http://evil.test/realms/ejournal"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer not-a-jwt", "token_invalid"),
        ("Basic dXNlcjpwYXNz", "unauthenticated"),
        ("Bearer ", "unauthenticated"),
        ("token", "unauthenticated"),
    ],
)
async def test_malformed_authorization_is_401(client, fakes, header, code) -> None:
    response = await client.get("/api/v1/me/notifications", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert fakes.total_calls() == 0


async def test_token_signed_by_another_key_is_401(client, fakes) -> None:
    from chassis.testing import LocalIssuer

    stranger = LocalIssuer()
    token = stranger.token(str(uuid.uuid4()), ("admin",))
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"


async def test_default_verifier_fetches_the_realm_jwks_through_the_shared_client(settings, issuer) -> None:
    """Without an injected verifier the app verifies against {issuer}/protocol/openid-connect/certs."""
    import httpx
    from gateway.main import create_app

    jwks_status = {"value": 200}
    fetched: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        return httpx.Response(jwks_status["value"], json=issuer.jwks())

    app = create_app(settings, http_transport=httpx.MockTransport(handle))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as http,
    ):
        subject = str(uuid.uuid4())
        token = issuer.token(subject, ("student",))
        response = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert (response.status_code, response.json()["subject"]) == (200, subject)
        assert fetched == [f"{issuer.issuer}/protocol/openid-connect/certs"]

    jwks_status["value"] = 500
    app = create_app(settings, http_transport=httpx.MockTransport(handle))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as http,
    ):
        response = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "idp_unavailable"
