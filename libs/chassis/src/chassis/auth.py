"""Who is calling: verify Keycloak tokens locally and build a Principal.

Tokens are checked against the realm's JWKS, cached; an unknown key id triggers one refetch at most
every `refetch_cooldown` seconds, so a flood of forged tokens cannot hammer Keycloak. The algorithm
is pinned to RS256 and the issuer and audience must match exactly.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import httpx
import jwt

from chassis.errors import PermissionDenied, ServiceUnavailable, Unauthenticated
from chassis.principal import SERVICE_ROLE, Principal

__all__ = [
    "SERVICE_CLIENTS",
    "SERVICE_ROLE",
    "JwtVerifier",
    "Principal",
    "ServiceCallers",
    "VerifiedTokens",
    "require_allowed_service_caller",
]

SERVICE_CLIENTS: frozenset[str] = frozenset(
    f"ejournal-{service}" for service in ("identity", "journal", "messaging", "reports", "archive")
)
"""The confidential Keycloak clients whose service accounts the services act as (the token's `azp`)."""

ServiceCallers = Mapping[str, Collection[str]]
"""Which service clients may call which RPC of a service: RPC name → caller client ids (`azp`)."""


def require_allowed_service_caller(principal: Principal, rpc: str, allowed: ServiceCallers) -> None:
    """Raise PermissionDenied when a service account calls an RPC its client is not allowed.

    Deny by default: a token minted for a service client (its `azp`) reaches only the RPCs the
    callee declared for that client (`ServiceKit.allow_service_callers`), whatever roles it holds;
    then the RPC's own access rules apply as to anyone. People's tokens are not concerned.
    """
    if principal.client_id in SERVICE_CLIENTS and principal.client_id not in allowed.get(rpc, ()):
        raise PermissionDenied("Этому сервису вызов недоступен", code="service_not_allowed")


# The verifier's own leeway on `exp`: a remembered token is taken exactly as long as it would be.
EXPIRY_LEEWAY_SECONDS = 5.0


def _expiry(token: str) -> float | None:
    """Return the `exp` claim of a token the verifier has just accepted, or None if it has none."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp") if isinstance(claims, dict) else None
    except (IndexError, ValueError, binascii.Error):
        return None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class VerifiedTokens:
    """Remember the principals of verified tokens until they expire, or `keep_seconds` at most.

    `keep_seconds` bounds how long a token is taken without a new check of its signature (the
    verifier's JWKS refetch cool-down is 30 s); at most `max_entries` tokens are kept, the oldest
    dropped first.
    """

    def __init__(
        self, *, keep_seconds: float = 30.0, max_entries: int = 10_000, clock: Callable[[], float] = time.time
    ) -> None:
        self._keep = keep_seconds
        self._max = max_entries
        self._clock = clock
        self._known: dict[str, tuple[Principal, float, float]] = {}

    async def verify(self, verifier: JwtVerifier, token: str) -> Principal:
        """Return the token's principal: remembered, or verified now (which raises Unauthenticated)."""
        now = self._clock()
        known = self._known.get(token)
        if known is not None:
            principal, expires_at, checked_at = known
            if now <= expires_at + EXPIRY_LEEWAY_SECONDS and now - checked_at < self._keep:
                return principal
            del self._known[token]
        principal = await verifier.verify(token)
        exp = _expiry(token)
        if exp is not None:
            if len(self._known) >= self._max:
                del self._known[next(iter(self._known))]
            self._known[token] = (principal, exp, now)
        return principal


class JwtVerifier:
    """Verify bearer tokens issued by one Keycloak realm for one audience."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        *,
        jwks_url: str | None = None,
        refetch_cooldown: float = 30.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._issuer = issuer.rstrip("/")
        self._audience = audience
        self._jwks_url = jwks_url or f"{self._issuer}/protocol/openid-connect/certs"
        self._cooldown = refetch_cooldown
        self._http = http
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self._cooldown and self._keys:
                return
            client = self._http or httpx.AsyncClient(timeout=5.0)
            try:
                response = await client.get(self._jwks_url)
                response.raise_for_status()
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ServiceUnavailable(
                    "Сервис входа недоступен, попробуйте позже", code="idp_unavailable"
                ) from exc
            finally:
                if self._http is None:
                    await client.aclose()
            keys: dict[str, jwt.PyJWK] = {}
            for entry in data.get("keys", []):
                if entry.get("use", "sig") == "sig" and entry.get("kty") == "RSA" and "kid" in entry:
                    keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="RS256")
            self._keys = keys
            self._fetched_at = time.monotonic()

    async def _key_for(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys and (
            not self._keys or time.monotonic() - self._fetched_at >= self._cooldown
        ):
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("Недействительный ключ подписи токена", code="token_invalid")
        return key

    async def verify(self, token: str) -> Principal:
        """Return the principal of a valid token or raise Unauthenticated."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Неверный формат токена", code="token_invalid") from exc
        if header.get("alg") != "RS256":
            raise Unauthenticated("Недопустимый алгоритм подписи токена", code="token_invalid")
        key = await self._key_for(str(header.get("kid", "")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=5,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("Срок действия сеанса истёк, войдите снова", code="token_expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Недействительный токен", code="token_invalid") from exc
        roles = claims.get("realm_access", {}).get("roles", [])
        return Principal(
            subject=str(claims["sub"]),
            roles=frozenset(str(r) for r in roles),
            client_id=str(claims.get("azp", "")),
            token=token,
        )


class ServiceTokenProvider:
    """Obtain and cache this service's own token (client credentials grant)."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, *, margin: float = 30.0) -> None:
        self._token_url = f"{issuer.rstrip('/')}/protocol/openid-connect/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._margin = margin
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        """Return a valid access token, fetching a new one shortly before the old one expires."""
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at - self._margin:
                return self._token
            try:
                async with httpx.AsyncClient(timeout=10.0) as client:
                    response = await client.post(
                        self._token_url,
                        data={"grant_type": "client_credentials"},
                        auth=(self._client_id, self._client_secret),
                    )
                response.raise_for_status()
                body = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ServiceUnavailable("Сервис входа недоступен", code="idp_unavailable") from exc
            self._token = str(body["access_token"])
            self._expires_at = time.monotonic() + float(body.get("expires_in", 60))
            return self._token
