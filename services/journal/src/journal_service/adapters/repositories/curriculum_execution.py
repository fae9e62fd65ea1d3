"""What curriculum execution (R2.5) reads: six queries whatever the number of groups, no N+1."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import case, func, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import curriculum, curriculum_execution, timetable, year


class CurriculumExecutionRepository:
    """The facts of the groups' years: curriculum, KTP hours, timetable, calendar, delivered lessons."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def facts(
        self, academic_year: year.AcademicYear, group_ids: Collection[uuid.UUID] | None, as_of: date
    ) -> dict[uuid.UUID, curriculum_execution.GroupFacts]:
        """Return per group with a curriculum in the year its facts up to `as_of`."""
        c = orm.curriculum_items.c

        def only(column: Any) -> Any:
            return true() if group_ids is None else column.in_(list(group_ids))

        rows = await self._session.execute(
            select(c.group_id, c.discipline_id, c.semester, c.total_hours, c.weekly_hours, c.control_form)
            .where(c.year_id == academic_year.id, only(c.group_id))
            .order_by(c.group_id, c.semester, c.discipline_id)
        )
        plans: dict[uuid.UUID, list[curriculum.CurriculumRow]] = defaultdict(list)
        for group, *rest in rows:
            plans[group].append(curriculum.CurriculumRow(*rest))
        if not plans:
            return {}
        groups = list(plans)

        # The KTP of each group and discipline: the whole group's, else its first subgroup's.
        k, kt = orm.ktps.c, orm.ktp_topics.c
        topic_rows = await self._session.execute(
            select(k.group_id, k.discipline_id, k.subgroup_id, k.id, kt.hours)
            .join(orm.ktp_topics, kt.ktp_id == k.id)
            .where(k.group_id.in_(groups))
            .order_by(k.group_id, k.discipline_id, k.subgroup_id.is_not(None), k.subgroup_id, kt.position)
        )
        chosen: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID] = {}
        hours: dict[uuid.UUID, dict[uuid.UUID, list[int]]] = defaultdict(lambda: defaultdict(list))
        for group, discipline, _subgroup, ktp_id, topic_hours in topic_rows:
            if chosen.setdefault((group, discipline), ktp_id) == ktp_id:
                hours[group][discipline].append(int(topic_hours))

        t = orm.timetable_entries.c
        entries: dict[uuid.UUID, list[timetable.TimetableEntry]] = defaultdict(list)
        for row in await self._session.execute(
            select(
                t.id,
                t.group_id,
                t.year_id,
                t.semester,
                t.weekday,
                t.pair_number,
                t.parity,
                t.discipline_id,
                t.subgroup_id,
                t.teacher_id,
                t.room,
            ).where(t.year_id == academic_year.id, t.group_id.in_(groups))
        ):
            entries[row.group_id].append(timetable.TimetableEntry(*row))

        cs = orm.calendar_spans.c
        calendars: dict[uuid.UUID, list[year.CalendarSpan]] = defaultdict(list)
        for group, kind, starts_on, ends_on in await self._session.execute(
            select(cs.group_id, cs.kind, cs.starts_on, cs.ends_on)
            .where(cs.year_id == academic_year.id, cs.group_id.in_(groups))
            .order_by(cs.group_id, cs.starts_on)
        ):
            calendars[group].append(year.CalendarSpan(kind, year.DateSpan(starts_on, ends_on)))

        # Delivered: distinct (date, pair) per group, discipline and semester up to the date.
        lesson = orm.lessons.c
        last = min(as_of, academic_year.span.ends_on)
        in_year = (
            lesson.group_id.in_(groups),
            lesson.lesson_date.between(academic_year.span.starts_on, last),
        )
        semester = case((lesson.lesson_date <= academic_year.semester1.ends_on, 1), else_=2)
        delivered: dict[uuid.UUID, list[curriculum_execution.Delivered]] = defaultdict(list)
        for group, discipline, number, pairs in await self._session.execute(
            select(
                lesson.group_id,
                lesson.discipline_id,
                semester,
                func.count(tuple_(lesson.lesson_date, lesson.pair_number).distinct()),
            )
            .where(*in_year)
            .group_by(lesson.group_id, lesson.discipline_id, semester)
        ):
            delivered[group].append(curriculum_execution.Delivered(discipline, int(number), int(pairs)))
        topics: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(dict)
        for group, discipline, count in await self._session.execute(
            select(lesson.group_id, lesson.discipline_id, func.count(lesson.ktp_topic_id.distinct()))
            .where(*in_year, lesson.ktp_topic_id.is_not(None))
            .group_by(lesson.group_id, lesson.discipline_id)
        ):
            topics[group][discipline] = int(count)

        return {
            group: curriculum_execution.GroupFacts(
                curriculum=plans[group],
                ktp_hours=dict(hours.get(group, {})),
                entries=entries.get(group, []),
                calendar=calendars.get(group, []),
                delivered=delivered.get(group, []),
                delivered_topics=topics.get(group, {}),
            )
            for group in groups
        }
