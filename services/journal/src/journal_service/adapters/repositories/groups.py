"""Groups and enrolments: every query of them. Repositories never commit."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from sqlalchemy import ColumnElement, and_, bindparam, exists, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import model, movement


def _in_force(on: date | None) -> ColumnElement[bool]:
    """The enrolments in force on `on`: enrolled_on ≤ on < left_on; without a date, the open ones."""
    e = orm.enrollments.c
    if on is None:
        return e.left_on.is_(None)
    return and_(e.enrolled_on <= on, or_(e.left_on.is_(None), e.left_on > on))


class GroupRepository:
    """Groups and enrolments."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, group_id: uuid.UUID) -> model.Group | None:
        """Return the group or None."""
        return await self._session.get(model.Group, group_id)

    async def name_taken(self, name: str) -> bool:
        """Return True when a group already has this name."""
        found = await self._session.scalar(select(orm.groups.c.id).where(orm.groups.c.name == name))
        return found is not None

    def add(self, group: model.Group) -> None:
        """Stage a new group."""
        self._session.add(group)

    async def enroll(self, group_id: uuid.UUID, student_id: uuid.UUID, on: date) -> bool:
        """Enrol the student from `on`; return False when an enrolment in the group is open already."""
        e = orm.enrollments.c
        result = await self._session.execute(
            insert(orm.enrollments)
            .values(group_id=group_id, student_id=student_id, enrolled_on=on)
            .on_conflict_do_nothing(
                index_elements=[e.group_id, e.student_id], index_where=e.left_on.is_(None)
            )
            .returning(e.id)
        )
        return result.first() is not None

    async def is_enrolled(self, group_id: uuid.UUID, student_id: uuid.UUID, on: date | None = None) -> bool:
        """Return True when the student is in the group on `on` (without a date: an open enrolment)."""
        params: dict[str, object] = {"group_id": group_id, "student_id": student_id}
        if on is None:
            found = await self._session.scalar(_ENROLLED, params)
        else:
            found = await self._session.scalar(_ENROLLED_ON, {**params, "on": on})
        return found is not None

    async def students_of(self, group_id: uuid.UUID, on: date | None = None) -> list[uuid.UUID]:
        """Return the students in the group on `on` (without a date: with an open enrolment), in a
        stable order: the one query of «students of group G on date D»."""
        e = orm.enrollments.c
        rows = await self._session.scalars(
            select(e.student_id)
            .distinct()
            .where(e.group_id == group_id, _in_force(on))
            .order_by(e.student_id)
        )
        return list(rows)

    async def lock_student(self, student_id: uuid.UUID) -> None:
        """Hold the student's movements still until the transaction ends (one movement at a time)."""
        digest = hashlib.sha256(f"enrolment:{student_id}".encode()).digest()
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": int.from_bytes(digest[:8], "big", signed=True)}
        )

    async def enrolments_of(self, student_id: uuid.UUID) -> list[movement.Enrolment]:
        """Return every enrolment of the student, past and present, by first day."""
        e = orm.enrollments.c
        rows = await self._session.execute(
            select(e.id, e.group_id, e.student_id, e.enrolled_on, e.left_on)
            .where(e.student_id == student_id)
            .order_by(e.enrolled_on, e.id)
        )
        return [movement.Enrolment(r.id, r.group_id, r.student_id, r.enrolled_on, r.left_on) for r in rows]

    async def close_enrolment(self, enrolment_id: uuid.UUID, left_on: date) -> None:
        """Set the first day the student is no longer in the group (the row stays: history)."""
        await self._session.execute(
            update(orm.enrollments).where(orm.enrollments.c.id == enrolment_id).values(left_on=left_on)
        )

    async def add_movement(self, moved: movement.Movement, recorded_by: uuid.UUID) -> None:
        """Stage a movement with its order number and who recorded it."""
        await self._session.execute(
            insert(orm.student_movements).values(
                id=moved.id,
                student_id=moved.student_id,
                kind=moved.kind,
                from_group_id=moved.from_group_id,
                to_group_id=moved.to_group_id,
                on_date=moved.on_date,
                order_number=moved.order_number,
                recorded_by=recorded_by,
            )
        )

    async def search(
        self, name_prefix: str, limit: int, *, person_id: uuid.UUID | None = None
    ) -> list[model.Group]:
        """Return groups by name whose name starts with the prefix, at most `limit`.

        With `person_id`: only the groups that person teaches (a teaching load) or leads as class
        teacher. One query.
        """
        g, t = orm.groups.c, orm.teaching_loads.c
        query = select(model.Group).order_by(g.name).limit(limit)
        if name_prefix:
            query = query.where(g.name.startswith(name_prefix, autoescape=True))
        if person_id is not None:
            taught = select(t.group_id).where(t.teacher_id == person_id)
            query = query.where(or_(g.class_teacher_id == person_id, g.id.in_(taught)))
        return list(await self._session.scalars(query))

    async def is_class_teacher_of_student(self, teacher_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Return True when the person is the class teacher of a group the student is enrolled in."""
        g, e = orm.groups.c, orm.enrollments.c
        query = select(
            exists().where(g.class_teacher_id == teacher_id, e.group_id == g.id, e.student_id == student_id)
        )
        return bool(await self._session.scalar(query))


_e = orm.enrollments.c
# Built once: every mark asks whether its student is in the group on its day.
_ENROLLED = (
    select(_e.student_id)
    .where(
        _e.group_id == bindparam("group_id"),
        _e.student_id == bindparam("student_id"),
        _e.left_on.is_(None),
    )
    .limit(1)
)
_ENROLLED_ON = (
    select(_e.student_id)
    .where(
        _e.group_id == bindparam("group_id"),
        _e.student_id == bindparam("student_id"),
        _e.enrolled_on <= bindparam("on"),
        or_(_e.left_on.is_(None), _e.left_on > bindparam("on")),
    )
    .limit(1)
)
