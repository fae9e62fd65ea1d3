"""Temporary passwords handed to a person on paper: strong, and easy to read aloud."""

from __future__ import annotations

import secrets
import string

TEMPORARY_PASSWORD_LENGTH = 14
# No 0/O, 1/l/I: the password is read off a printed slip.
_LOWER = "".join(c for c in string.ascii_lowercase if c not in "lo")
_UPPER = "".join(c for c in string.ascii_uppercase if c not in "IO")
_DIGITS = "23456789"
_ALPHABET = _LOWER + _UPPER + _DIGITS


def temporary_password(length: int = TEMPORARY_PASSWORD_LENGTH) -> str:
    """Return a random password of letters and digits with at least one of each kind."""
    if length < 12:
        raise ValueError("a temporary password has at least 12 characters")
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if (
            any(c in _LOWER for c in password)
            and any(c in _UPPER for c in password)
            and any(c in _DIGITS for c in password)
        ):
            return password
