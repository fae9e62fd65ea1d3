"""Scoped role assignments (migration 0005, ADR 0012). Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import orm
from identity_service.domain import model
from identity_service.domain.role_assignments import RoleAssignment, Scope, ScopeKind

_a = orm.role_assignments.c
_COLUMNS = (
    _a.id,
    _a.person_id,
    _a.role,
    _a.scope_kind,
    _a.scope_id,
    _a.discipline_id,
    _a.assigned_at,
    _a.assigned_by,
    _a.revoked_at,
    _a.revoked_by,
)


def _assignment(row: Any) -> RoleAssignment:
    return RoleAssignment(
        id=row.id,
        person_id=row.person_id,
        role=model.Role(row.role),
        scope=Scope(ScopeKind(row.scope_kind), row.scope_id, row.discipline_id),
        assigned_by=row.assigned_by,
        assigned_at=row.assigned_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )


class RoleAssignmentRepository:
    """Role assignments and the people they belong to."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def person_for_update(self, person_id: uuid.UUID) -> model.Person | None:
        """Return the person, their row held until the unit of work ends (one change of their roles
        at a time); None when unknown."""
        row = (
            await self._session.execute(
                select(orm.people.c.id, orm.people.c.username, orm.people.c.role)
                .where(orm.people.c.id == person_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            return None
        # Only the id, login and primary role decide roles; names are not read here.
        return model.Person(
            id=row.id, username=row.username, role=model.Role(row.role), last_name="", first_name=""
        )

    async def in_force(self, person_ids: Collection[uuid.UUID]) -> list[RoleAssignment]:
        """Return the assignments in force of these people, oldest first."""
        if not person_ids:
            return []
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(_a.person_id.in_(list(person_ids)), _a.revoked_at.is_(None))
            .order_by(_a.assigned_at, _a.id)
        )
        return [_assignment(row) for row in rows]

    async def get(self, assignment_id: uuid.UUID) -> RoleAssignment | None:
        """Return the assignment (in force or revoked), or None."""
        row = (await self._session.execute(select(*_COLUMNS).where(_a.id == assignment_id))).first()
        return None if row is None else _assignment(row)

    async def add(self, assignment: RoleAssignment) -> RoleAssignment:
        """Stage the assignment, assigned now; return it with its time."""
        values = {
            "id": assignment.id,
            "person_id": assignment.person_id,
            "role": assignment.role.value,
            "scope_kind": assignment.scope.kind.value,
            "scope_id": assignment.scope.scope_id,
            "discipline_id": assignment.scope.discipline_id,
            "assigned_by": assignment.assigned_by,
        }
        row = (
            await self._session.execute(orm.role_assignments.insert().values(**values).returning(*_COLUMNS))
        ).one()
        return _assignment(row)

    async def revoke(self, assignment_id: uuid.UUID, revoked_by: str) -> RoleAssignment:
        """Stage the revoke of an assignment in force, now; return it."""
        row = (
            await self._session.execute(
                update(orm.role_assignments)
                .where(_a.id == assignment_id, _a.revoked_at.is_(None))
                .values(revoked_at=func.now(), revoked_by=revoked_by)
                .returning(*_COLUMNS)
            )
        ).one()
        return _assignment(row)

    async def staff(self, limit: int) -> list[tuple[model.Person, bool]]:
        """Return up to `limit` people who are not students or parents, by surname, first name,
        patronymic, with whether their account is enabled."""
        people, states = orm.people.c, orm.account_states.c
        rows = await self._session.execute(
            select(
                people.id,
                people.username,
                people.role,
                people.last_name,
                people.first_name,
                people.middle_name,
                func.coalesce(states.enabled, True).label("enabled"),
            )
            .select_from(orm.people.outerjoin(orm.account_states, states.person_id == people.id))
            .where(people.role.not_in([model.Role.STUDENT, model.Role.PARENT]))
            .order_by(people.last_name, people.first_name, people.middle_name, people.id)
            .limit(limit)
        )
        return [
            (
                model.Person(
                    id=row.id,
                    username=row.username,
                    role=model.Role(row.role),
                    last_name=row.last_name,
                    first_name=row.first_name,
                    middle_name=row.middle_name,
                ),
                bool(row.enabled),
            )
            for row in rows
        ]
