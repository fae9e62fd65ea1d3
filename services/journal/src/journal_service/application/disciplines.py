"""Disciplines of the curriculum: create one (the administrator), look them up by id (anyone)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal

from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain import access, model


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
