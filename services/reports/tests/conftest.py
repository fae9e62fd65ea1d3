"""Fixtures of reports' tests: an in-memory stand-in for the unit of work.

They live here, not in an importable module: with pytest's importlib mode, test helper packages of
different services would share module names (`tests.unit...`).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import date

import pytest
from chassis import testing
from reports_service.application import ports
from reports_service.application.handlers import ReportsHandlers
from reports_service.domain import model, substitutions


class FakeMarkFacts:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: list[model.MarkFact] = []

    async def add(self, facts: Sequence[model.MarkFact]) -> int:
        added = 0
        for fact in facts:
            if fact.mark_id in self._store.facts or any(f.mark_id == fact.mark_id for f in self.staged):
                continue
            self.staged.append(fact)
            added += 1
        return added

    async def change(self, fact: model.MarkFact) -> None:
        known = self._store.facts.get(fact.mark_id)
        if known is None:
            self.staged.append(fact)
        elif not known.removed:
            self.staged.append(dataclasses.replace(known, value=fact.value))

    async def remove(self, fact: model.MarkFact) -> None:
        known = self._store.facts.get(fact.mark_id)
        self.staged.append(dataclasses.replace(known or fact, removed=True))

    async def tallies_of_group(self, group_id: uuid.UUID) -> list[model.ValueTally]:
        tallies: dict[str, model.ValueTally] = {}
        for fact in self._store.facts.values():
            if fact.group_id != group_id or fact.removed:
                continue
            old = tallies.get(fact.value)
            last = (
                fact.recorded_at
                if old is None or old.last_recorded_at is None
                else max(old.last_recorded_at, fact.recorded_at)
            )
            tallies[fact.value] = model.ValueTally(fact.value, (old.count if old else 0) + 1, last)
        return list(tallies.values())


class FakeSubstitutionFacts:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: list[substitutions.SubstitutionFact] = []

    async def record(self, fact: substitutions.SubstitutionFact) -> None:
        if fact.substitution_id not in self._store.substitutions:
            self.staged.append(dataclasses.replace(fact, cancelled=False))

    async def cancel(self, fact: substitutions.SubstitutionFact) -> None:
        known = self._store.substitutions.get(fact.substitution_id)
        self.staged.append(dataclasses.replace(known or fact, cancelled=True))

    async def of_period(self, date_from: date, date_to: date) -> list[substitutions.SubstitutionFact]:
        return [
            f
            for f in self._store.substitutions.values()
            if not f.cancelled and date_from <= f.lesson_date <= date_to
        ]


class FakeUnitOfWork(testing.FakeUnitOfWork):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store)
        self._store = store
        self.mark_facts = FakeMarkFacts(store)
        self.substitution_facts = FakeSubstitutionFacts(store)

    def _commit_staged(self) -> None:
        for fact in self.mark_facts.staged:
            self._store.facts[fact.mark_id] = fact
        for substitution in self.substitution_facts.staged:
            self._store.substitutions[substitution.substitution_id] = substitution

    def _discard_staged(self) -> None:
        super()._discard_staged()
        self.mark_facts.staged.clear()
        self.substitution_facts.staged.clear()


class FakeStore(testing.FakeLedger):
    """One in-memory 'database' shared by every unit of work of a test."""

    def __init__(self) -> None:
        super().__init__()
        self.facts: dict[uuid.UUID, model.MarkFact] = {}
        self.substitutions: dict[uuid.UUID, substitutions.SubstitutionFact] = {}


def fake_unit_of_work(store: FakeStore) -> ports.ReportsUnitOfWork:
    """Return a fake unit of work; mypy checks here that it satisfies the port."""
    return FakeUnitOfWork(store)


@pytest.fixture
def store() -> FakeStore:
    """An empty in-memory database."""
    return FakeStore()


@pytest.fixture
def fake_handlers(store: FakeStore) -> ReportsHandlers:
    """Reports' handlers over the in-memory store."""
    return ReportsHandlers(uow=lambda: fake_unit_of_work(store))
