"""Gateway hardening (issue 8 item 11): POST-only logout with CSRF, a session store an anonymous
visitor cannot flush, API docs without a CDN, security headers on every answer, cookie flags."""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from gateway.auth.session import MAX_PENDING_LOGINS, LoginCookie, PendingLogin, SessionCookie, SessionStore
from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.web import TEMPLATES_DIR

PUBLIC_URL = "http://testserver"
LOGOUT_TOKEN = re.compile(
    r'action="/logout"[^>]*>\s*<input type="hidden" name="logout_token" value="([0-9a-f]+)"'
)
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
async def gateway(settings, issuer, idp) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:  # type: ignore[no-untyped-def]
    """The app (to look at its session store) and a client, lifespan running."""
    app = create_app(settings, verifier=issuer.verifier(), http_transport=httpx.MockTransport(idp.handle))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            yield app, http


async def log_in(client: httpx.AsyncClient, idp, roles=("teacher",)) -> str:  # type: ignore[no-untyped-def]
    subject = str(uuid.uuid4())
    auth = query_of((await client.get("/login")).headers["location"])
    idp.issue_tokens(subject, roles, nonce=auth["nonce"])
    response = await client.get("/auth/callback", params={"code": "code-1", "state": auth["state"]})
    assert response.status_code == 303, response.text
    return subject


async def logout_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/")
    match = LOGOUT_TOKEN.search(page.text)
    assert match, "the logout form carries no CSRF token"
    return match.group(1)


async def csrf_of(client: httpx.AsyncClient) -> str:
    """The session's ordinary form token: not good for logging out (the logout form has its own)."""
    session_id = SessionCookie("test-session-secret", secure=False).load(
        client.cookies.get("ejournal_session")
    )
    assert session_id
    return hmac.new(b"test-session-secret", f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


# -- logout -----------------------------------------------------------------------------------------


async def test_logout_by_get_is_not_allowed(gateway, idp) -> None:  # type: ignore[no-untyped-def]
    _, client = gateway
    await log_in(client, idp)
    response = await client.get("/logout")
    assert response.status_code == 405
    assert (await client.get("/notifications")).status_code == 200  # still logged in


async def test_logout_without_the_csrf_token_is_refused(gateway, idp) -> None:  # type: ignore[no-untyped-def]
    app, client = gateway
    await log_in(client, idp)
    for data in ({}, {"logout_token": "forged"}, {"csrf_token": await csrf_of(client)}):
        response = await client.post("/logout", data=data)
        assert response.status_code == 403
        assert "Форма устарела" in response.text
    assert len(app.state.runtime.sessions) == 1
    assert (await client.get("/notifications")).status_code == 200


async def test_logout_with_the_token_ends_both_sessions(gateway, idp) -> None:  # type: ignore[no-untyped-def]
    app, client = gateway
    await log_in(client, idp)
    response = await client.post("/logout", data={"logout_token": await logout_token(client)})
    assert response.status_code == 303
    assert response.headers["location"].startswith(
        "http://issuer.test/realms/ejournal/protocol/openid-connect/logout?"
    )
    assert len(app.state.runtime.sessions) == 0
    assert (await client.get("/notifications")).status_code == 303


async def test_logout_without_a_session_just_goes_home(gateway) -> None:  # type: ignore[no-untyped-def]
    _, client = gateway
    response = await client.post("/logout")
    assert (response.status_code, response.headers["location"]) == (303, "/")


def test_every_page_with_the_logout_form_gets_its_token() -> None:
    base = (TEMPLATES_DIR / "base.html").read_text()
    form = base[base.index('action="/logout"') :]
    assert 'name="logout_token"' in form[: form.index("</form>")]


# -- the session store ------------------------------------------------------------------------------


async def test_anonymous_visitors_create_no_server_side_sessions(gateway, idp) -> None:  # type: ignore[no-untyped-def]
    app, client = gateway
    await log_in(client, idp)
    sessions = app.state.runtime.sessions
    assert len(sessions) == 1
    for _ in range(300):
        async with httpx.AsyncClient(transport=client._transport, base_url=PUBLIC_URL) as stranger:
            assert (await stranger.get("/login")).status_code == 303
            assert (await stranger.get("/")).status_code == 200
            await stranger.get("/auth/callback", params={"code": "x", "state": "y"})
    assert len(sessions) == 1
    assert (await client.get("/notifications")).status_code == 200  # the logged-in person is still in


async def test_pending_logins_are_bounded_per_browser(gateway, idp) -> None:  # type: ignore[no-untyped-def]
    app, client = gateway
    states = [
        query_of((await client.get("/login")).headers["location"]) for _ in range(MAX_PENDING_LOGINS + 2)
    ]
    # The oldest fell out of the browser's cookie; the newest ones still finish.
    stale = await client.get("/auth/callback", params={"code": "c", "state": states[0]["state"]})
    assert stale.status_code == 400 and "Вход не удался" in stale.text
    newest = states[-1]
    idp.issue_tokens(str(uuid.uuid4()), ("student",), nonce=newest["nonce"])
    done = await client.get("/auth/callback", params={"code": "c", "state": newest["state"]})
    assert done.status_code == 303
    assert len(app.state.runtime.sessions) == 1


def test_store_keeps_a_bounded_number_of_sessions_per_person() -> None:
    store = SessionStore(max_per_subject=3)
    other = store.create("other")
    mine = [store.create("me") for _ in range(5)]
    assert len(store) == 4
    assert [store.get(s.session_id) for s in mine[:2]] == [None, None]
    assert all(store.get(s.session_id) is s for s in mine[2:])
    assert store.get(other.session_id) is other


def test_a_full_store_drops_expired_sessions_before_live_ones() -> None:
    now = [1000.0]
    store = SessionStore(max_sessions=3, idle_timeout=60, clock=lambda: now[0])
    stale = store.create("a")
    now[0] += 30
    live = [store.create("b"), store.create("c")]
    now[0] += 40  # `stale` is now idle for 70 s
    store.create("d")
    assert store.get(stale.session_id) is None
    assert all(store.get(s.session_id) is s for s in live)


def test_login_cookie_round_trip_and_tampering() -> None:
    cookie = LoginCookie("secret-1", secure=True)
    logins = [PendingLogin(state=f"s{i}", nonce="n", code_verifier="v", next_url="/") for i in range(5)]
    value = cookie.dump(logins)
    assert [p.state for p in cookie.load(value)] == ["s0", "s1", "s2"]
    assert cookie.load(value[:-2] + "xx") == []
    assert LoginCookie("secret-2", secure=True).load(value) == []
    assert cookie.load(None) == [] and cookie.load("") == []


# -- cookies ----------------------------------------------------------------------------------------


def cookie_attributes(response: httpx.Response, name: str) -> str:
    (header,) = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header.lower()


async def test_cookies_are_httponly_samesite_and_secure_behind_tls(settings, issuer, idp) -> None:  # type: ignore[no-untyped-def]
    for public_url, secure in (("http://testserver", False), ("https://journal.college.test", True)):
        tuned = settings.model_copy(update={"public_url": public_url})
        app = create_app(tuned, verifier=issuer.verifier(), http_transport=httpx.MockTransport(idp.handle))
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url=public_url) as client,
        ):
            login = await client.get("/login")
            pending = cookie_attributes(login, "ejournal_login")
            assert "httponly" in pending and "samesite=lax" in pending and "path=/auth" in pending
            assert ("secure" in pending) is secure
            auth = query_of(login.headers["location"])
            idp.issue_tokens(str(uuid.uuid4()), ("student",), nonce=auth["nonce"])
            done = await client.get("/auth/callback", params={"code": "c", "state": auth["state"]})
            session = cookie_attributes(done, "ejournal_session")
            assert "httponly" in session and "samesite=lax" in session
            assert ("secure" in session) is secure


# -- headers ----------------------------------------------------------------------------------------


async def test_security_headers_on_every_kind_of_answer(gateway, idp, bearer) -> None:  # type: ignore[no-untyped-def]
    _, client = gateway
    answers = {
        "portal page": await client.get("/"),
        "login redirect": await client.get("/login"),
        "missing page": await client.get("/no-such-page"),
        "api without token": await client.get("/api/v1/groups"),
        "api not found": await client.get("/api/v1/no-such-thing", headers=bearer()),
        "static file": await client.get("/static/portal.css"),
        "openapi": await client.get("/api/openapi.json"),
        "docs": await client.get("/api/docs"),
        "too large": await client.post("/logout", content=b"x" * (2 * 1024 * 1024)),
    }
    for name, response in answers.items():
        for header in SECURITY_HEADERS:
            assert header in response.headers, (name, header)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], name
        assert "unsafe-inline" not in response.headers["content-security-policy"], name
        assert "strict-transport-security" not in response.headers, name  # plain http here
    assert answers["api without token"].headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src 'none'" in answers["portal page"].headers["content-security-policy"]


@pytest.mark.parametrize(
    ("client_host", "forwarded", "hsts"),
    [
        ("10.0.0.5", "https", True),  # the trusted proxy says the browser came over TLS
        ("10.0.0.5", "http", False),
        ("10.0.0.9", "https", False),  # anyone else's X-Forwarded-Proto is not believed
    ],
)
async def test_hsts_behind_a_trusted_tls_proxy(settings, issuer, idp, client_host, forwarded, hsts) -> None:  # type: ignore[no-untyped-def]
    tuned = settings.model_copy(update={"trusted_proxies": ["10.0.0.5"]})
    app = create_app(tuned, verifier=issuer.verifier(), http_transport=httpx.MockTransport(idp.handle))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            response = await client.get("/", headers={"X-Forwarded-Proto": forwarded})
    assert ("strict-transport-security" in response.headers) is hsts
    if hsts:
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_trusted_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, settings) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", '["10.0.0.5", "10.0.0.6"]')
    values = settings.model_dump() | {"session_secret": "x"}
    values.pop("trusted_proxies")
    assert GatewaySettings(**values).trusted_proxies == ["10.0.0.5", "10.0.0.6"]


def test_portal_templates_have_no_inline_script_or_handlers() -> None:
    for template in Path(TEMPLATES_DIR).glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "javascript:" not in text, template.name


# -- API docs ---------------------------------------------------------------------------------------


async def test_api_docs_load_only_same_origin_assets(gateway) -> None:  # type: ignore[no-untyped-def]
    _, client = gateway
    page = await client.get("/api/docs")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    sources = [html.unescape(s) for s in re.findall(r'(?:src|href)="([^"]+)"', page.text)]
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert not re.search(r"<script>(?!</script>)", page.text)  # no inline script
    assert "cdn" not in page.text.lower()
    for source in sources:
        asset = await client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100, source
    init = await client.get("/static/docs/docs-init.js")
    assert "SwaggerUIBundle" in init.text and "/api/openapi.json" in page.text
    assert (await client.get("/api/openapi.json")).status_code == 200
