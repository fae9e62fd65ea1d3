"""In-memory substitutions and curriculum-execution facts (slice D), shared through FakeStore."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from journal_service.domain import curriculum_execution, substitutions, year

if TYPE_CHECKING:
    from .fakes import FakeStore


class FakeSubstitutions:
    """Substitutions by id; cancelling keeps the row (who cancelled in `cancelled_by`)."""

    def __init__(self, store: FakeStore) -> None:
        self.items: dict[uuid.UUID, substitutions.Substitution] = {}
        self.cancelled_by: dict[uuid.UUID, uuid.UUID] = {}
        self._store = store

    async def add(self, substitution: substitutions.Substitution) -> None:
        self.items[substitution.id] = substitution

    async def get_for_update(self, substitution_id: uuid.UUID) -> substitutions.Substitution | None:
        return self.items.get(substitution_id)

    async def in_slot(
        self, group_id: uuid.UUID, lesson_date: date, pair_number: int
    ) -> list[substitutions.Substitution]:
        return [
            s
            for s in self.items.values()
            if not s.cancelled
            and (s.slot.group_id, s.slot.lesson_date, s.slot.pair_number)
            == (group_id, lesson_date, pair_number)
        ]

    async def taken_pairs(self, teacher_id: uuid.UUID, day: date) -> set[int]:
        lessons = {
            lesson.pair_number
            for lesson in self._store.lessons.items.values()
            if (lesson.teacher_id, lesson.lesson_date) == (teacher_id, day)
        }
        taken = {
            s.slot.pair_number
            for s in self.items.values()
            if not s.cancelled and s.substitute_id == teacher_id and s.slot.lesson_date == day
        }
        return lessons | taken

    async def cancel(self, substitution_id: uuid.UUID, cancelled_by: uuid.UUID) -> None:
        self.items[substitution_id] = replace(self.items[substitution_id], cancelled=True)
        self.cancelled_by[substitution_id] = cancelled_by

    async def of_teacher_on(self, teacher_id: uuid.UUID, day: date) -> list[substitutions.Substitution]:
        return [
            s
            for s in self.items.values()
            if not s.cancelled and s.slot.lesson_date == day and teacher_id in (s.substitute_id, s.teacher_id)
        ]

    async def listed(
        self,
        span: year.DateSpan,
        *,
        group_id: uuid.UUID | None,
        teacher_id: uuid.UUID | None,
        include_cancelled: bool,
    ) -> list[substitutions.SubstitutionView]:
        views = []
        for s in sorted(
            self.items.values(), key=lambda s: (s.slot.lesson_date, s.slot.pair_number, str(s.slot.group_id))
        ):
            if not span.contains(s.slot.lesson_date) or (s.cancelled and not include_cancelled):
                continue
            if group_id is not None and s.slot.group_id != group_id:
                continue
            if teacher_id is not None and teacher_id not in (s.substitute_id, s.teacher_id):
                continue
            lesson = next(
                (
                    lesson
                    for lesson in self._store.lessons.items.values()
                    if substitutions.Slot.of_lesson(lesson) == s.slot
                ),
                None,
            )
            views.append(
                substitutions.SubstitutionView(
                    s,
                    lesson_id=lesson.id if lesson else None,
                    taught_by=lesson.teacher_id if lesson else None,
                )
            )
        return views


class FakeCurriculumExecutions:
    """The facts read from the other fakes of the store, as the repository's queries find them."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def facts(
        self, academic_year: year.AcademicYear, group_ids: Collection[uuid.UUID] | None, as_of: date
    ) -> dict[uuid.UUID, curriculum_execution.GroupFacts]:
        store = self._store
        found: dict[uuid.UUID, curriculum_execution.GroupFacts] = {}
        for (group_id, year_id), rows in store.curricula.items.items():
            if year_id != academic_year.id or (group_ids is not None and group_id not in group_ids):
                continue
            hours: dict[uuid.UUID, list[int]] = {}
            for (g, discipline, subgroup), plan in sorted(
                store.ktps.items.items(), key=lambda item: item[0][2] is not None
            ):
                if g == group_id and (subgroup is None or discipline not in hours):
                    hours.setdefault(discipline, [t.hours for t in plan.topics])
            last = min(as_of, academic_year.span.ends_on)
            pairs: dict[tuple[uuid.UUID, int], set[tuple[date, int]]] = defaultdict(set)
            topics: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
            for lesson in store.lessons.items.values():
                if lesson.group_id != group_id or not (
                    academic_year.span.starts_on <= lesson.lesson_date <= last
                ):
                    continue
                semester = 1 if lesson.lesson_date <= academic_year.semester1.ends_on else 2
                pairs[(lesson.discipline_id, semester)].add((lesson.lesson_date, lesson.pair_number))
                if lesson.ktp_topic_id is not None:
                    topics[lesson.discipline_id].add(lesson.ktp_topic_id)
            found[group_id] = curriculum_execution.GroupFacts(
                curriculum=rows,
                ktp_hours=hours,
                entries=[
                    e
                    for e in store.timetables.items.values()
                    if (e.group_id, e.year_id) == (group_id, academic_year.id)
                ],
                calendar=store.years.calendars.get((group_id, academic_year.id), []),
                delivered=[
                    curriculum_execution.Delivered(discipline, semester, len(slots))
                    for (discipline, semester), slots in pairs.items()
                ],
                delivered_topics={d: len(t) for d, t in topics.items()},
            )
        return found
