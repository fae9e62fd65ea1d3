"""The portal's OpenID Connect client: authorization code + PKCE against Keycloak (public client)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from chassis.errors import DomainError, ErrorKind, ServiceUnavailable

log = logging.getLogger(__name__)


class LoginFailed(DomainError):
    """The login round trip did not finish: wrong state or nonce, a refused code, an error from Keycloak."""

    kind = ErrorKind.INVALID_ARGUMENT

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code or "login_failed")


class TokenRefused(Exception):
    """Keycloak refused a code or a refresh token (expired, used, revoked)."""


@dataclass(frozen=True)
class TokenSet:
    """Tokens from Keycloak's token endpoint."""

    access_token: str
    expires_in: float
    refresh_token: str
    refresh_expires_in: float
    id_token: str


class OidcClient:
    """Build authorization and logout URLs and call the token endpoint of one realm."""

    def __init__(self, *, issuer: str, client_id: str, redirect_uri: str, http: httpx.AsyncClient) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self._http = http
        base = f"{self.issuer}/protocol/openid-connect"
        self.authorization_endpoint = f"{base}/auth"
        self.token_endpoint = f"{base}/token"
        self.logout_endpoint = f"{base}/logout"

    def authorization_url(self, *, state: str, nonce: str, code_challenge: str) -> str:
        """Return the URL that starts a login at Keycloak, in Russian."""
        query = urlencode(
            {
                "client_id": self.client_id,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": self.redirect_uri,
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
                "ui_locales": "ru",
            }
        )
        return f"{self.authorization_endpoint}?{query}"

    def logout_url(self, *, id_token_hint: str, post_logout_redirect_uri: str) -> str:
        """Return the URL that ends the Keycloak session and comes back to the portal."""
        params = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        if id_token_hint:
            params["id_token_hint"] = id_token_hint
        return f"{self.logout_endpoint}?{urlencode(params)}"

    async def exchange_code(self, *, code: str, code_verifier: str) -> TokenSet:
        """Trade an authorization code (and the PKCE verifier) for tokens."""
        return await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "client_id": self.client_id,
                "code_verifier": code_verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> TokenSet:
        """Get fresh tokens with a refresh token."""
        return await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id}
        )

    async def _token_request(self, form: dict[str, str]) -> TokenSet:
        try:
            response = await self._http.post(self.token_endpoint, data=form, timeout=5.0)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                "Сервис входа недоступен, попробуйте позже", code="idp_unavailable"
            ) from exc
        if 400 <= response.status_code < 500:
            log.info(
                "token request refused",
                extra={"grant_type": form["grant_type"], "status": response.status_code},
            )
            raise TokenRefused(form["grant_type"])
        if response.status_code != 200:
            raise ServiceUnavailable("Сервис входа недоступен, попробуйте позже", code="idp_unavailable")
        try:
            body: dict[str, Any] = response.json()
            return TokenSet(
                access_token=str(body["access_token"]),
                expires_in=float(body.get("expires_in", 60)),
                refresh_token=str(body.get("refresh_token", "")),
                refresh_expires_in=float(body.get("refresh_expires_in", 0)),
                id_token=str(body.get("id_token", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ServiceUnavailable("Сервис входа ответил неверно", code="idp_unavailable") from exc

    def id_token_claims(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """Return the claims of an ID token after checking issuer, audience and nonce.

        The ID token comes straight from the token endpoint over the back channel, so, as OpenID
        Connect Core 3.1.3.7 allows, the channel stands in for the signature; the access token,
        which is what services trust, is verified in full with the JWKS.
        """
        try:
            claims: dict[str, Any] = jwt.decode(id_token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise LoginFailed("Сервис входа вернул неверный ответ. Войдите снова.") from exc
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if str(claims.get("iss", "")).rstrip("/") != self.issuer or self.client_id not in audiences:
            raise LoginFailed("Ответ сервиса входа предназначен не этому порталу. Войдите снова.")
        got = claims.get("nonce")
        # Bytes: compare_digest refuses non-ASCII str, and a forged token may carry anything.
        if not isinstance(got, str) or not secrets.compare_digest(got.encode(), nonce.encode()):
            raise LoginFailed(
                "Ответ сервиса входа не совпадает с запросом. Войдите снова.", code="login_nonce_mismatch"
            )
        return claims
