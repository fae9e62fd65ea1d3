"""Groups and enrolments: every query of them. Repositories never commit."""

from __future__ import annotations

import uuid

from chassis.db import insert_new
from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import model


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

    async def enroll(self, group_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Enrol the student; return False when already enrolled."""
        return await insert_new(
            self._session, orm.enrollments, {"group_id": group_id, "student_id": student_id}
        )

    async def is_enrolled(self, group_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Return True when the student is in the group."""
        found = await self._session.scalar(
            select(orm.enrollments.c.student_id).where(
                orm.enrollments.c.group_id == group_id, orm.enrollments.c.student_id == student_id
            )
        )
        return found is not None

    async def students_of(self, group_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the ids of the students enrolled in the group, in a stable order."""
        e = orm.enrollments.c
        rows = await self._session.scalars(
            select(e.student_id).where(e.group_id == group_id).order_by(e.student_id)
        )
        return list(rows)

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
