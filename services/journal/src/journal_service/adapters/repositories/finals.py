"""Finals, the final rule's versions and the changes of finals (R3.1). Repositories never commit."""

from __future__ import annotations

import uuid
from typing import Any

from chassis.db import insert_new
from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import final_rules, finals

_f, _c, _r = orm.finals.c, orm.final_changes.c, orm.final_rules.c
_FINAL_COLUMNS = (
    _f.id,
    _f.student_id,
    _f.group_id,
    _f.discipline_id,
    _f.year_id,
    _f.semester,
    _f.kind,
    _f.value,
    _f.proposed_value,
    _f.rule_version,
    _f.set_by,
    _f.marks_count,
    _f.required_marks,
    _f.not_enough_marks_confirmed,
    _f.reason,
    _f.set_at,
)
_PERIOD_KEY = ["student_id", "group_id", "discipline_id", "year_id", "semester", "kind"]


def _final(row: Any) -> finals.Final:
    return finals.Final(
        id=row.id,
        student_id=row.student_id,
        group_id=row.group_id,
        discipline_id=row.discipline_id,
        period=finals.FinalPeriod(row.year_id, row.semester, finals.FinalKind(row.kind)),
        value=row.value,
        proposed_value=row.proposed_value,
        rule_version=row.rule_version,
        set_by=row.set_by,
        marks_count=row.marks_count,
        required_marks=row.required_marks,
        not_enough_marks_confirmed=row.not_enough_marks_confirmed,
        reason=row.reason,
        set_at=row.set_at,
    )


class FinalRepository:
    """Finals with their history, and the versions of the college's final rule."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rules(self) -> list[final_rules.FinalRule]:
        """Return every version of the final rule, oldest first."""
        rows = await self._session.execute(
            select(_r.version, _r.kind, _r.rounding, _r.effective_from, _r.author_id).order_by(_r.version)
        )
        return [
            final_rules.FinalRule(
                row.version,
                final_rules.FinalRuleKind(row.kind),
                final_rules.FinalRounding(row.rounding),
                row.effective_from,
                row.author_id,
            )
            for row in rows
        ]

    async def add_rule(self, rule: final_rules.FinalRule) -> bool:
        """Stage a new version; False (nothing staged) when its number was taken meanwhile."""
        return await insert_new(
            self._session,
            orm.final_rules,
            {
                "version": rule.version,
                "kind": rule.kind,
                "rounding": rule.rounding,
                "effective_from": rule.effective_from,
                "author_id": rule.author_id,
            },
        )

    async def get_for_update(
        self, student_id: uuid.UUID, group_id: uuid.UUID, discipline_id: uuid.UUID, period: finals.FinalPeriod
    ) -> finals.Final | None:
        """Return the student's final of this period and kind, its row locked until commit, or None."""
        row = (
            await self._session.execute(
                select(*_FINAL_COLUMNS)
                .where(
                    _f.student_id == student_id,
                    _f.group_id == group_id,
                    _f.discipline_id == discipline_id,
                    _f.year_id == period.year_id,
                    _f.semester == period.semester,
                    _f.kind == period.kind,
                )
                .with_for_update()
            )
        ).first()
        return None if row is None else _final(row)

    async def add(self, final: finals.Final) -> finals.Final | None:
        """Stage a new final and return it with its set_at; None (nothing staged) when one for the same
        student, period and kind was added meanwhile."""
        values = {
            "id": final.id,
            "student_id": final.student_id,
            "group_id": final.group_id,
            "discipline_id": final.discipline_id,
            "year_id": final.period.year_id,
            "semester": final.period.semester,
            "kind": final.period.kind,
            **self._values(final),
        }
        if not await insert_new(self._session, orm.finals, values, unique=_PERIOD_KEY):
            return None
        return await self._reread(final.id)

    async def change(self, final: finals.Final, change: finals.FinalChange) -> finals.Final:
        """Stage the final's new value (set_at now) and keep the change; return it as stored."""
        await self._session.execute(
            update(orm.finals).where(_f.id == final.id).values(**self._values(final), set_at=func.now())
        )
        await self.add_change(change)
        return await self._reread(final.id)

    async def get(self, final_id: uuid.UUID) -> finals.Final | None:
        """Return a final by id, or None (slice K)."""
        row = (await self._session.execute(select(*_FINAL_COLUMNS).where(_f.id == final_id))).first()
        return None if row is None else _final(row)

    async def add_change(self, change: finals.FinalChange) -> None:
        """Stage one entry of a final's history (changed_at: the transaction's now, as set_at)."""
        await self._session.execute(
            insert(orm.final_changes).values(
                id=change.id,
                final_id=change.final_id,
                changed_by=change.changed_by,
                old_value=change.old_value,
                new_value=change.new_value,
                proposed_value=change.proposed_value,
                rule_version=change.rule_version,
                reason=change.reason,
            )
        )

    @staticmethod
    def _values(final: finals.Final) -> dict[str, object]:
        return {
            "value": final.value,
            "proposed_value": final.proposed_value,
            "rule_version": final.rule_version,
            "set_by": final.set_by,
            "marks_count": final.marks_count,
            "required_marks": final.required_marks,
            "not_enough_marks_confirmed": final.not_enough_marks_confirmed,
            "reason": final.reason,
        }

    async def _reread(self, final_id: uuid.UUID) -> finals.Final:
        row = (await self._session.execute(select(*_FINAL_COLUMNS).where(_f.id == final_id))).one()
        return _final(row)

    async def _all(self, query: Select[Any]) -> list[finals.Final]:
        rows = await self._session.execute(
            query.order_by(_f.semester, _f.discipline_id, _f.student_id, _f.kind)
        )
        return [_final(row) for row in rows]

    async def in_period(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, period: finals.FinalPeriod
    ) -> list[finals.Final]:
        """Return the group's finals of the discipline, period and kind."""
        return await self._all(
            select(*_FINAL_COLUMNS).where(
                _f.group_id == group_id,
                _f.discipline_id == discipline_id,
                _f.year_id == period.year_id,
                _f.semester == period.semester,
                _f.kind == period.kind,
            )
        )

    async def of_group(
        self, group_id: uuid.UUID, year_id: uuid.UUID, semester: int | None
    ) -> list[finals.Final]:
        """Return the group's finals of the year (of one semester's when given: 1, 2, or 0 for the year)."""
        query = select(*_FINAL_COLUMNS).where(_f.group_id == group_id, _f.year_id == year_id)
        if semester is not None:
            query = query.where(_f.semester == semester)
        return await self._all(query)

    async def of_student(self, student_id: uuid.UUID, year_id: uuid.UUID | None) -> list[finals.Final]:
        """Return the student's finals of the year (of every year: None) in every group."""
        found = select(*_FINAL_COLUMNS).where(_f.student_id == student_id)
        return await self._all(found if year_id is None else found.where(_f.year_id == year_id))

    async def changes_of(self, final_id: uuid.UUID) -> list[finals.FinalChange]:
        """Return the final's changes, oldest first."""
        rows = await self._session.execute(
            select(
                _c.id,
                _c.final_id,
                _c.changed_by,
                _c.old_value,
                _c.new_value,
                _c.proposed_value,
                _c.rule_version,
                _c.reason,
                _c.changed_at,
            )
            .where(_c.final_id == final_id)
            .order_by(_c.changed_at, _c.id)
        )
        return [finals.FinalChange(*row) for row in rows]
