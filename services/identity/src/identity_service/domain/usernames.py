"""Logins made from a person's name: surname and initials in Latin, lower case (Иванов Пётр → ivanov.p)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from identity_service.domain import errors

# The table of Russian international passports (ICAO Doc 9303, in use since 2014), which is what
# people already see as the Latin spelling of their own name.
_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "і": "i", "ї": "i", "є": "ie", "ґ": "g", "ў": "u",
}  # fmt: skip
SURNAME_MAX_LENGTH = 40
USERNAME_MAX_LENGTH = 64
MAX_SUFFIX = 999
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


def transliterate(text: str) -> str:
    """Return the lower-case Latin spelling of a name; separators become hyphens, the rest is dropped."""
    out: list[str] = []
    for char in text.lower():
        if "a" <= char <= "z":
            out.append(char)
        elif char in _CYRILLIC_TO_LATIN:
            out.append(_CYRILLIC_TO_LATIN[char])
        elif char in " -":
            out.append("-")
    return re.sub(r"-{2,}", "-", "".join(out)).strip("-")


def username_base(last_name: str, first_name: str, middle_name: str = "") -> str:
    """Return the login without a suffix: `surname.initials`."""
    surname = transliterate(last_name)[:SURNAME_MAX_LENGTH].strip("-") or "user"
    initials = "".join(_initial(name) for name in (first_name, middle_name))
    return f"{surname}.{initials}" if initials else surname


def username_candidates(base: str) -> Iterator[str]:
    """Yield the base, then base2, base3 … up to a limit, in the order they are tried."""
    yield base
    for suffix in range(2, MAX_SUFFIX + 1):
        yield f"{base}{suffix}"


def normalize_username(value: str) -> str:
    """Return a given login in lower case, or raise UsernameInvalid."""
    username = (value or "").strip().lower()
    if not _USERNAME.fullmatch(username):
        raise errors.UsernameInvalid()
    return username


def _initial(name: str) -> str:
    for char in name:
        latin = transliterate(char)
        if latin and latin != "-":
            return latin
    return ""
