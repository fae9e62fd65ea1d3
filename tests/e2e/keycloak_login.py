"""Log in to Keycloak as a person does, through its HTML forms (authorization code + PKCE)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import subprocess
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def browser_client(**kwargs: Any) -> httpx.Client:
    """Return an httpx client that keeps cookies like a browser on a loopback origin.

    Keycloak marks its cookies Secure; browsers still send them to http://127.0.0.1 (a trustworthy
    origin), httpx does not. The hook runs after httpx stored a response's cookies and clears the
    flag for loopback hosts only.
    """
    client = httpx.Client(timeout=30, **kwargs)

    def trust_loopback(response: httpx.Response) -> None:
        for cookie in client.cookies.jar:
            if cookie.domain in LOOPBACK:
                cookie.secure = False

    client.event_hooks["response"].append(trust_loopback)
    return client


FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"', re.IGNORECASE)


def _form_action(page: httpx.Response) -> str:
    match = FORM_ACTION.search(page.text)
    assert match, f"no form on the Keycloak page (status {page.status_code}): {page.text[:300]}"
    return html.unescape(match.group(1))


def password_token(issuer: str, username: str, password: str) -> str:
    """Get an access token with the dev/test-only direct-grant client `ejournal-cli`."""
    response = httpx.post(
        f"{issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "ejournal-cli",
            "username": username,
            "password": password,
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def submit_login_forms(
    client: httpx.Client, login_page: httpx.Response, username: str, password: str, new_password: str | None
) -> httpx.Response:
    """Fill the login form and, when Keycloak asks, the «update password» form; return the final
    redirect out of Keycloak (to the client's redirect URI)."""
    response = client.post(_form_action(login_page), data={"username": username, "password": password})
    for _ in range(5):
        location = response.headers.get("location", "")
        if response.status_code in (302, 303) and "/login-actions/" in location:
            response = client.get(location)
        elif response.status_code == 200 and "password-new" in response.text:
            assert new_password, "Keycloak asks for a new password"
            response = client.post(
                _form_action(response), data={"password-new": new_password, "password-confirm": new_password}
            )
            new_password = None
        else:
            break
    assert response.status_code in (302, 303), f"login failed: {response.status_code} {response.text[:500]}"
    return response


def code_flow_token(
    issuer: str, redirect_uri: str, username: str, password: str, new_password: str | None = None
) -> str:
    """Do the portal client's code + PKCE flow by hand and return the access token."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    query = urlencode(
        {
            "client_id": "ejournal-portal",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    with browser_client(follow_redirects=False) as client:
        page = client.get(f"{issuer}/protocol/openid-connect/auth?{query}", follow_redirects=True)
        redirect = submit_login_forms(client, page, username, password, new_password)
        params = parse_qs(urlparse(redirect.headers["location"]).query)
        assert params["state"] == [state]
        token = client.post(
            f"{issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "authorization_code",
                "client_id": "ejournal-portal",
                "code": params["code"][0],
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
        )
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])


def identity_admin(env: dict[str, str], *args: str, bin_dir: str) -> dict[str, str]:
    """Run the identity admin CLI (bootstrap path for the first admin) and return its JSON line."""
    done = subprocess.run(
        [f"{bin_dir}/ejournal-identity-admin", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
