"""Repositories: every query of the identity database lives here. They never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence

from chassis.db import insert_new
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import orm
from identity_service.domain import model

_BY_NAME = (orm.people.c.last_name, orm.people.c.first_name, orm.people.c.middle_name, orm.people.c.id)


def folded(column: ColumnElement[str]) -> ColumnElement[str]:
    """Return the column in lower case with «ё» as «е» (as `domain.search.fold`; the indexes use it)."""
    return func.replace(func.lower(column), "ё", "е")


class PersonRepository:
    """People of the college."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, person_id: uuid.UUID) -> model.Person | None:
        """Return the person or None, readable after the unit of work ends."""
        return self._detached(await self._session.get(model.Person, person_id))

    async def by_username(self, username: str) -> model.Person | None:
        """Return the person with this login or None, readable after the unit of work ends."""
        return self._detached(
            await self._session.scalar(select(model.Person).where(orm.people.c.username == username))
        )

    async def usernames_starting_with(self, prefix: str) -> set[str]:
        """Return every login that starts with the prefix (to pick a free suffix in one query)."""
        rows = await self._session.scalars(
            select(orm.people.c.username).where(orm.people.c.username.startswith(prefix, autoescape=True))
        )
        return set(rows)

    async def children_of(self, parent_id: uuid.UUID) -> list[model.Person]:
        """Return the students linked to a parent by last and first name, readable after the unit of work."""
        people, links = orm.people.c, orm.guardianships.c
        rows = await self._session.scalars(
            select(model.Person)
            .join(orm.guardianships, links.student_id == people.id)
            .where(links.parent_id == parent_id)
            .order_by(people.last_name, people.first_name, people.middle_name, people.id)
        )
        children = list(rows)
        for child in children:
            self._detached(child)
        return children

    async def add(self, person: model.Person) -> None:
        """Stage a new person and fill its server-side defaults (created_at); with them the college
        assignment of their primary role (slice H4, ADR 0012: `role_assignments` is the whole truth)."""
        self._session.add(person)
        await self._session.flush()
        await self._session.execute(
            orm.role_assignments.insert().values(
                id=uuid.uuid4(),
                person_id=person.id,
                role=person.role.value,
                scope_kind="college",
                assigned_by="",
            )
        )

    async def roles(
        self, person_ids: Collection[uuid.UUID], after: uuid.UUID | None, limit: int
    ) -> list[tuple[uuid.UUID, model.Role]]:
        """Return up to `limit` (person id, role) pairs in id order, after `after`; only `person_ids`
        when it is not empty."""
        people = orm.people.c
        query = select(people.id, people.role).order_by(people.id).limit(limit)
        if person_ids:
            query = query.where(people.id.in_(list(person_ids)))
        if after is not None:
            query = query.where(people.id > after)
        return [(row.id, row.role) for row in await self._session.execute(query)]

    async def search(self, words: Sequence[str], role: model.Role | None, limit: int) -> list[model.Person]:
        """Return up to `limit` people each of whose folded `words` starts one of their names, by name."""
        people = orm.people.c
        names = [folded(people.last_name), folded(people.first_name), folded(people.middle_name)]
        query = select(model.Person).order_by(*_BY_NAME).limit(limit)
        for word in words:
            query = query.where(or_(*(name.startswith(word, autoescape=True) for name in names)))
        if role is not None:
            query = query.where(people.role == role)
        return self._all_detached(await self._session.scalars(query))

    async def named(self, person_ids: Collection[uuid.UUID]) -> list[model.Person]:
        """Return the people with these ids that exist, by surname, first name, patronymic."""
        query = select(model.Person).where(orm.people.c.id.in_(list(person_ids))).order_by(*_BY_NAME)
        return self._all_detached(await self._session.scalars(query))

    def _all_detached(self, rows: Iterable[model.Person]) -> list[model.Person]:
        people = list(rows)
        for person in people:
            self._detached(person)
        return people

    def _detached(self, person: model.Person | None) -> model.Person | None:
        # People are never changed after being read here; a unit of work that ends without a commit
        # rolls back, and a rollback would expire a still-attached person before the caller reads it.
        if person is not None:
            self._session.expunge(person)
        return person


class GuardianshipRepository:
    """Parent↔student links."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def link(self, link: model.Guardianship) -> bool:
        """Store the link; return False when it already existed."""
        return await insert_new(
            self._session, orm.guardianships, {"parent_id": link.parent_id, "student_id": link.student_id}
        )

    async def exists(self, parent_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Return True when the parent is linked to the student."""
        found = await self._session.scalar(
            select(orm.guardianships.c.parent_id).where(
                orm.guardianships.c.parent_id == parent_id, orm.guardianships.c.student_id == student_id
            )
        )
        return found is not None

    async def parents_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the ids of a student's parents, oldest link first."""
        rows = await self._session.scalars(
            select(orm.guardianships.c.parent_id)
            .where(orm.guardianships.c.student_id == student_id)
            .order_by(orm.guardianships.c.created_at, orm.guardianships.c.parent_id)
        )
        return list(rows)
