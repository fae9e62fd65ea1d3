"""Marks and the mark dictionary: every query of them. Repositories never commit."""

from __future__ import annotations

import time
import uuid
import weakref
from collections.abc import Callable

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from journal_service.adapters import orm
from journal_service.domain import errors, model

DICTIONARY_TTL_SECONDS = 30.0
"""How long a read mark dictionary is used before it is read again (it changes rarely: by a
migration or an administrator's SQL). A value added meanwhile is refused for at most this long; a
value removed meanwhile is refused by the marks' foreign key, as `unknown_mark_value` too."""


class DictionaryCache:
    """The mark dictionary each database last gave, with when it was read: one read per TTL, not one
    per mark (it was 11 % of the journal's CPU of a mark)."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._entries: weakref.WeakKeyDictionary[AsyncEngine, tuple[float, model.MarkDictionary]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, engine: AsyncEngine) -> model.MarkDictionary | None:
        """Return the engine's dictionary unless it is older than the TTL."""
        entry = self._entries.get(engine)
        if entry is None or self.clock() - entry[0] >= self.ttl_seconds:
            return None
        return entry[1]

    def put(self, engine: AsyncEngine, dictionary: model.MarkDictionary) -> None:
        """Remember a dictionary just read."""
        self._entries[engine] = (self.clock(), dictionary)

    def forget(self, engine: AsyncEngine) -> None:
        """Read the dictionary again next time (a mark met a value the database no longer has)."""
        self._entries.pop(engine, None)


DICTIONARIES = DictionaryCache(DICTIONARY_TTL_SECONDS)


class MarkRepository:
    """Marks and the mark dictionary."""

    def __init__(self, session: AsyncSession, cache: DictionaryCache = DICTIONARIES) -> None:
        self._session = session
        self._cache = cache

    def _engine(self) -> AsyncEngine | None:
        bind = self._session.bind
        return bind if isinstance(bind, AsyncEngine) else None

    async def dictionary(self, *, knowing: str | None = None) -> model.MarkDictionary:
        """Return the college's mark dictionary (read at most once per TTL per database). A write
        passes the value it is about to use as `knowing`: a cached dictionary that lacks it is read
        afresh, so a value the college has just added is accepted at once, not after the TTL."""
        engine = self._engine()
        cached = self._cache.get(engine) if engine is not None else None
        if cached is not None and (knowing is None or knowing in cached.kinds):
            return cached
        dictionary = await self._read_dictionary()
        if engine is not None:
            self._cache.put(engine, dictionary)
        return dictionary

    async def _read_dictionary(self) -> model.MarkDictionary:
        rows = (await self._session.execute(select(orm.mark_kinds))).mappings()
        return model.MarkDictionary(
            kinds={
                r["value"]: model.MarkKind(
                    value=r["value"],
                    title=r["title"],
                    counts_in_average=r["counts_in_average"],
                    is_absence=r["is_absence"],
                    allowed_as_final=r["allowed_as_final"],
                )
                for r in rows
            }
        )

    async def add(self, mark: model.Mark) -> None:
        """Stage a new mark and fill its server-side defaults (recorded_at).

        A value the dictionary lost since it was cached breaks the marks' foreign key: refused as
        unknown (with the dictionary read afresh), not a 500; the unit of work rolls back."""
        values = {
            "id": mark.id,
            "student_id": mark.student_id,
            "group_id": mark.group_id,
            "discipline_id": mark.discipline_id,
            "teacher_id": mark.teacher_id,
            "lesson_date": mark.lesson_date,
            "value": mark.value,
            "lesson_id": mark.lesson_id,
            "kind_of_work": mark.kind_of_work,
            "weight": mark.weight,
        }
        try:
            # A plain INSERT … RETURNING rather than the ORM's flush: every mark goes through here.
            mark.recorded_at = await self._session.scalar(_INSERT_MARK, values)
        except IntegrityError as exc:
            if "marks_value_fkey" not in str(exc.orig):  # the dictionary's foreign key, named by PostgreSQL
                raise
            engine = self._engine()
            stale = self._cache.get(engine) if engine is not None else None
            if engine is not None:
                self._cache.forget(engine)
            allowed = sorted(v for v in (stale.kinds if stale else {}) if v != mark.value)
            raise errors.UnknownMarkValue(mark.value, allowed) from None

    async def of_student(self, student_id: uuid.UUID, *, limit: int = 500) -> list[model.MarkView]:
        """Return a student's marks, newest lesson first, as read models (no ORM identity map)."""
        rows = await self._session.execute(_OF_STUDENT, {"student_id": student_id, "limit": limit})
        return [model.MarkView(*row) for row in rows]


_m = orm.marks.c
_INSERT_MARK = insert(orm.marks).returning(orm.marks.c.recorded_at)
# Built once: a statement made afresh per call costs its construction and cache key every time.
_OF_STUDENT = (
    select(
        _m.id,
        _m.student_id,
        _m.group_id,
        _m.discipline_id,
        _m.teacher_id,
        _m.lesson_date,
        _m.value,
        _m.recorded_at,
        _m.lesson_id,
        _m.kind_of_work,
        _m.weight,
    )
    .where(_m.student_id == bindparam("student_id"), _m.removed_at.is_(None))
    .order_by(_m.lesson_date.desc(), _m.recorded_at.desc())
    .limit(bindparam("limit"))
)
