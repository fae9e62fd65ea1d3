"""Disciplines: every query of them. Repositories never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import model
from journal_service.domain import teaching_load as search_rules


class DisciplineRepository:
    """Disciplines of the curriculum."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, discipline_id: uuid.UUID) -> model.Discipline | None:
        """Return the discipline or None."""
        return await self._session.get(model.Discipline, discipline_id)

    def add(self, discipline: model.Discipline) -> None:
        """Stage a new discipline."""
        self._session.add(discipline)

    async def views(self, discipline_ids: Collection[uuid.UUID]) -> list[model.DisciplineView]:
        """Return the disciplines with these ids by code and name, as read models (one query)."""
        if not discipline_ids:
            return []
        d = orm.disciplines.c
        rows = await self._session.execute(
            select(d.id, d.code, d.name, d.kind)
            .where(d.id.in_(list(discipline_ids)))
            .order_by(d.code, d.name, d.id)
        )
        return [model.DisciplineView(*row) for row in rows]

    async def search(self, folded_query: str, *, limit: int) -> list[model.DisciplineView]:
        """Return at most `limit` disciplines whose code or a word of whose name the query starts."""
        d = orm.disciplines.c
        query = select(d.id, d.code, d.name, d.kind).order_by(d.code, d.name, d.id).limit(limit)
        if folded_query:
            in_words = search_rules.words(folded_query)
            code_starts = _folded(d.code).like(_escaped(folded_query) + "%", escape="\\")
            if in_words:
                name_words = func.regexp_replace(
                    literal(" ") + func.translate(_folded(d.name), _SEPARATORS, _SPACES), " +", " ", "g"
                )
                query = query.where(code_starts | name_words.like(f"% {_escaped(in_words)}%", escape="\\"))
            else:
                query = query.where(code_starts)
        rows = await self._session.execute(query)
        return [model.DisciplineView(*row) for row in rows]


_SEPARATORS = search_rules.WORD_SEPARATORS
_SPACES = " " * len(_SEPARATORS)


def _folded(column: ColumnElement[str]) -> ColumnElement[str]:
    """Return the column in lower case with «ё» as «е» (as `domain.teaching_load.fold`)."""
    return func.replace(func.lower(column), "ё", "е")


def _escaped(text: str) -> str:
    """Return text with LIKE's wildcards and escape character escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
