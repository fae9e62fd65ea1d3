"""Finding people by name: the query's words, folded the way the database folds the names."""

from __future__ import annotations

import re

from identity_service.domain import errors

QUERY_MAX_LENGTH = 100
QUERY_MAX_WORDS = 3
# A word of a name as people type it: letters of any alphabet, hyphen, apostrophe («Мамин-Сиб»).
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]*)*")


def fold(text: str) -> str:
    """Return text in lower case with «ё» as «е»: how names are compared when searching."""
    return text.lower().replace("ё", "е")


def search_words(query: str) -> tuple[str, ...]:
    """Return the folded words of a search query, or raise the error naming what is wrong with it.

    Each word must start the surname, first name or patronymic of a person found.
    """
    text = " ".join((query or "").split())
    if not text:
        raise errors.SearchQueryMissing()
    words = text.split(" ")
    if len(text) > QUERY_MAX_LENGTH or len(words) > QUERY_MAX_WORDS:
        raise errors.SearchQueryTooLong(QUERY_MAX_LENGTH, QUERY_MAX_WORDS)
    if not all(_WORD.fullmatch(word) for word in words):
        raise errors.SearchQueryInvalid()
    return tuple(fold(word) for word in words)
