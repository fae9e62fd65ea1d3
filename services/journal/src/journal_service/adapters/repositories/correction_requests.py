"""Students' correction requests about their marks and the teachers' answers (R3.3). Repositories
never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import correction_requests as cr

_r, _m, _l = orm.correction_requests.c, orm.marks.c, orm.lessons.c
# A list is a person's or a teacher's loads' requests: a few hundred at most is plenty to show.
_LIST_LIMIT = 500


def _select() -> Select[Any]:
    return select(orm.correction_requests, _m.lesson_date, _l.subgroup_id).select_from(
        orm.correction_requests.join(orm.marks, _m.id == _r.mark_id).outerjoin(
            orm.lessons, _l.id == _m.lesson_id
        )
    )


def _request(r: Any) -> cr.CorrectionRequest:
    answer = None
    if r.status == cr.CorrectionRequestStatus.ANSWERED.value:
        answer = cr.CorrectionAnswer(
            decision=cr.CorrectionDecision(r.decision),
            text=r.answer_text,
            answered_by=r.answered_by,
            answered_at=r.answered_at,
            new_value=r.new_value or "",
            change_id=r.change_id,
        )
    return cr.CorrectionRequest(
        id=r.id,
        mark_id=r.mark_id,
        student_id=r.student_id,
        group_id=r.group_id,
        discipline_id=r.discipline_id,
        teacher_id=r.teacher_id,
        mark_value=r.mark_value,
        text=r.text,
        filed_at=r.filed_at,
        answer=answer,
        lesson_date=r.lesson_date,
        subgroup_id=r.subgroup_id,
    )


class CorrectionRequestRepository:
    """Correction requests with their answers."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: cr.CorrectionRequest) -> None:
        """Stage a new open request."""
        await self._session.execute(
            insert(orm.correction_requests).values(
                id=request.id,
                mark_id=request.mark_id,
                student_id=request.student_id,
                group_id=request.group_id,
                discipline_id=request.discipline_id,
                teacher_id=request.teacher_id,
                mark_value=request.mark_value,
                text=request.text,
                status=cr.CorrectionRequestStatus.OPEN.value,
            )
        )

    async def _many(self, query: Select[Any]) -> list[cr.CorrectionRequest]:
        return [_request(r) for r in await self._session.execute(query.limit(_LIST_LIMIT))]

    async def open_of_mark(self, mark_id: uuid.UUID) -> cr.CorrectionRequest | None:
        """Return the mark's open request, or None."""
        found = await self._many(
            _select().where(_r.mark_id == mark_id, _r.status == cr.CorrectionRequestStatus.OPEN.value)
        )
        return found[0] if found else None

    async def of_mark(self, mark_id: uuid.UUID) -> list[cr.CorrectionRequest]:
        """Return the mark's requests, oldest first."""
        return await self._many(_select().where(_r.mark_id == mark_id).order_by(_r.filed_at, _r.id))

    async def get_for_update(self, request_id: uuid.UUID) -> cr.CorrectionRequest | None:
        """Return a request, its row locked until commit, or None."""
        found = await self._many(
            _select().where(_r.id == request_id).with_for_update(of=orm.correction_requests)
        )
        return found[0] if found else None

    async def answer(self, request: cr.CorrectionRequest) -> None:
        """Stage the request's answer; the database sets when."""
        answer = request.answer
        if answer is None:
            raise ValueError("the request has no answer")
        await self._session.execute(
            update(orm.correction_requests)
            .where(_r.id == request.id)
            .values(
                status=cr.CorrectionRequestStatus.ANSWERED.value,
                decision=answer.decision.value,
                answer_text=answer.text,
                answered_by=answer.answered_by,
                answered_at=func.now(),
                new_value=answer.new_value or None,
                change_id=answer.change_id,
            )
        )

    async def of_student(self, student_id: uuid.UUID) -> list[cr.CorrectionRequest]:
        """Return the student's requests, latest first."""
        return await self._many(_select().where(_r.student_id == student_id).order_by(_r.filed_at.desc()))

    async def of_loads(self, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]) -> list[cr.CorrectionRequest]:
        """Return the requests about marks of these (group, discipline) pairs: open ones first."""
        if not pairs:
            return []
        return await self._many(
            _select()
            .where(tuple_(_r.group_id, _r.discipline_id).in_(list(pairs)))
            .order_by((_r.status == cr.CorrectionRequestStatus.OPEN.value).desc(), _r.filed_at.desc())
        )
