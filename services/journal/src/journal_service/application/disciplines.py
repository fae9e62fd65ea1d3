"""Disciplines of the curriculum: create one (the administrator), look them up by id (anyone), find
them by code or name (staff)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal

from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain import access, errors, model


@dataclass(frozen=True)
class CreateDiscipline:
    """Create a discipline."""

    code: str
    name: str
    kind: model.DisciplineKind


@dataclass(frozen=True)
class ListDisciplines:
    """Look disciplines up by id."""

    discipline_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class FindDisciplines:
    """Find disciplines by a prefix of the code or of a word of the name (folded: `discipline_query`)."""

    query: str
    page_size: int


@dataclass(frozen=True)
class FoundDisciplines:
    """One page of disciplines found, and whether more match."""

    disciplines: list[model.DisciplineView]
    truncated: bool


class DisciplineHandlers:
    """Use cases of disciplines."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def create(self, cmd: CreateDiscipline, actor: Principal) -> model.Discipline:
        """Create a discipline (admin)."""
        access.require_admin(actor, "дисциплины создаёт администратор")
        async with self._uow() as uow:
            discipline = model.Discipline(id=uuid.uuid4(), code=cmd.code, name=cmd.name, kind=cmd.kind)
            uow.disciplines.add(discipline)
            await uow.commit()
            return discipline

    async def lookup(self, query: ListDisciplines) -> list[model.DisciplineView]:
        """Return the disciplines with these ids (any authenticated caller: not personal data)."""
        async with self._uow() as uow:
            return await uow.disciplines.views(query.discipline_ids)

    async def find(self, query: FindDisciplines, actor: Principal) -> FoundDisciplines:
        """Return the disciplines matching the query by code and name, to the administration, teachers
        and class teachers (who pick a discipline for a load or a plan); others RoleRequired."""
        if not actor.has_any(*access.READ_ALL_ROLES, access.TEACHER, access.CLASS_TEACHER):
            raise errors.RoleRequired("искать дисциплины могут сотрудники колледжа")
        async with self._uow() as uow:
            found = await uow.disciplines.search(query.query, limit=query.page_size + 1)
        return FoundDisciplines(found[: query.page_size], truncated=len(found) > query.page_size)
