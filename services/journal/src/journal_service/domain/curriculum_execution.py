"""Curriculum execution («выполнение учебного плана и рабочих программ», R2.5, §2.12): per discipline
of a group the hours of the curriculum, the hours and topics planned up to a date, those delivered,
and the lag. Pure computation over facts read at once (no database here).

- Planned to date: the pairs the group's timetable gives from the first day of the semester to the
  date (its weekday and the week's parity, on teaching days of the group's calendar — a group without a
  calendar in the year counts every day, as RecordLesson does), two academic hours a pair
  (`year.BellPair`), at most the curriculum's hours. Parallel subgroups' pairs count once.
- Delivered: the lessons recorded up to the date, a (date, pair) once — parallel subgroups' lessons
  are one pair of the discipline —, two hours each: the lesson model has no hours of its own.
- Topics: the KTP spans the year (it has no semester), so topics are counted over the year to the
  date: those planned are the KTP's first topics whose hours add up within the hours planned since the
  start of the year; those delivered are the distinct KTP topics a recorded lesson followed.
- Lag = planned to date − delivered; negative is ahead of the plan.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from journal_service.domain import curriculum, timetable, year

HOURS_PER_PAIR = 2


@dataclass(frozen=True)
class Delivered:
    """Lessons recorded for a discipline of a group in one semester up to the date: distinct pairs."""

    discipline_id: uuid.UUID
    semester: int
    pairs: int


@dataclass(frozen=True)
class ExecutionRow:
    """One discipline's figures (hours are academic hours)."""

    discipline_id: uuid.UUID
    planned_hours: int
    ktp_hours: int
    ktp_topics: int
    planned_hours_to_date: int
    planned_topics_to_date: int
    delivered_hours: int
    delivered_topics: int

    @property
    def lag_hours(self) -> int:
        """Hours behind the plan to date (negative: ahead)."""
        return self.planned_hours_to_date - self.delivered_hours

    @property
    def lag_topics(self) -> int:
        """Topics behind the plan to date (negative: ahead)."""
        return self.planned_topics_to_date - self.delivered_topics

    @property
    def behind(self) -> bool:
        """True when hours or topics lag."""
        return self.lag_hours > 0 or self.lag_topics > 0


@dataclass(frozen=True)
class GroupFacts:
    """Everything read about one group's year (one query set for any number of groups)."""

    curriculum: Sequence[curriculum.CurriculumRow]
    # Per discipline: the hours of the KTP's topics in their order.
    ktp_hours: Mapping[uuid.UUID, Sequence[int]]
    entries: Sequence[timetable.TimetableEntry]
    calendar: Sequence[year.CalendarSpan]
    delivered: Sequence[Delivered]
    # Per discipline: distinct KTP topics followed by lessons recorded in the year up to the date.
    delivered_topics: Mapping[uuid.UUID, int]


def semesters_of(academic_year: year.AcademicYear, semester: int) -> list[tuple[int, year.DateSpan]]:
    """Return the semesters asked for: one (1 or 2) or both (0)."""
    both = [(1, academic_year.semester1), (2, academic_year.semester2)]
    return [(n, span) for n, span in both if semester in (0, n)]


def scheduled_pairs(
    academic_year: year.AcademicYear,
    semester: int,
    span: year.DateSpan,
    *,
    as_of: date,
    entries: Iterable[timetable.TimetableEntry],
    calendar: Sequence[year.CalendarSpan],
) -> dict[uuid.UUID, int]:
    """Return per discipline the distinct pairs the timetable gives in the semester up to `as_of`."""
    by_weekday: dict[int, list[timetable.TimetableEntry]] = defaultdict(list)
    for entry in entries:
        if entry.year_id == academic_year.id and entry.semester == semester:
            by_weekday[entry.weekday].append(entry)
    counted: dict[uuid.UUID, set[tuple[date, int]]] = defaultdict(set)
    day, last = span.starts_on, min(span.ends_on, as_of)
    while day <= last:
        todays = by_weekday.get(day.isoweekday())
        if todays and (not calendar or year.is_teaching_day(calendar, day)):
            parity = timetable.parity_of_week(timetable.week_number(academic_year, day))
            for entry in todays:
                if entry.parity in (timetable.WeekParity.EVERY, parity):
                    counted[entry.discipline_id].add((day, entry.pair_number))
        day += timedelta(days=1)
    return {discipline: len(pairs) for discipline, pairs in counted.items()}


def topics_within(hours: Sequence[int], budget: int) -> int:
    """Return how many of the first topics fit in `budget` hours."""
    total = count = 0
    for h in hours:
        total += h
        if total > budget:
            break
        count += 1
    return count


def execution(
    academic_year: year.AcademicYear, semester: int, as_of: date, facts: GroupFacts
) -> list[ExecutionRow]:
    """Return the figures per discipline of the group's curriculum in the semester (0: the year), by
    discipline id."""
    wanted = {n for n, _ in semesters_of(academic_year, semester)}
    planned: dict[uuid.UUID, int] = defaultdict(int)
    for row in facts.curriculum:
        if row.semester in wanted:
            planned[row.discipline_id] += row.total_hours
    pairs_in: dict[int, dict[uuid.UUID, int]] = {
        n: scheduled_pairs(
            academic_year, n, span, as_of=as_of, entries=facts.entries, calendar=facts.calendar
        )
        for n, span in semesters_of(academic_year, 0)
        if span.starts_on <= as_of
    }
    delivered: dict[uuid.UUID, int] = defaultdict(int)
    for d in facts.delivered:
        if d.semester in wanted:
            delivered[d.discipline_id] += d.pairs
    rows: list[ExecutionRow] = []
    for discipline_id in sorted(planned, key=str):
        hours_to_date = HOURS_PER_PAIR * sum(
            pairs_in.get(n, {}).get(discipline_id, 0) for n in sorted(wanted)
        )
        year_hours_to_date = HOURS_PER_PAIR * sum(p.get(discipline_id, 0) for p in pairs_in.values())
        topic_hours = facts.ktp_hours.get(discipline_id, ())
        rows.append(
            ExecutionRow(
                discipline_id=discipline_id,
                planned_hours=planned[discipline_id],
                ktp_hours=sum(topic_hours),
                ktp_topics=len(topic_hours),
                planned_hours_to_date=min(hours_to_date, planned[discipline_id]),
                planned_topics_to_date=topics_within(topic_hours, year_hours_to_date),
                delivered_hours=HOURS_PER_PAIR * delivered.get(discipline_id, 0),
                delivered_topics=facts.delivered_topics.get(discipline_id, 0),
            )
        )
    return rows
