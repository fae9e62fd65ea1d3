"""PKCE (RFC 7636, S256) and the random values of an authorization request."""

from __future__ import annotations

import base64
import hashlib
import secrets


def new_code_verifier() -> str:
    """Return a fresh code verifier: 86 URL-safe characters (43..128 allowed)."""
    return secrets.token_urlsafe(64)


def code_challenge(verifier: str) -> str:
    """Return the S256 challenge of a verifier: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_nonce() -> str:
    """Return a random value for `state` or `nonce`."""
    return secrets.token_urlsafe(32)
