"""The demo college's timetable: 3–4 pairs a day Monday to Saturday for every group, no clashes of a
group or a teacher, the demo teacher's pairs on every weekday, marks on their timetable's days."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import date

import pytest
from devstack.demo_college import College, generate

TODAY = date(2026, 11, 30)
DEMO_GROUP, DEMO_TEACHER, MATH, MDK = (uuid.uuid4() for _ in range(4))


@pytest.fixture(scope="module")
def college() -> College:
    return generate(
        seed=7,
        scale=1.0,
        today=TODAY,
        existing_groups=frozenset({"ИС-21"}),
        existing_loads=((DEMO_GROUP, MATH, DEMO_TEACHER), (DEMO_GROUP, MDK, DEMO_TEACHER)),
    )


def entries(college: College, semester: int = 1) -> list[tuple[uuid.UUID, int, int, uuid.UUID, uuid.UUID]]:
    """(group, weekday, pair, discipline, teacher) of one semester."""
    return [
        (g, wd, p, d, t) for _, g, _, s, wd, p, _, d, _, t, _ in college.timetable_entries if s == semester
    ]


def test_every_group_has_three_or_four_pairs_a_day_monday_to_saturday(college: College) -> None:
    rows = entries(college)
    per_day = Counter((g, wd) for g, wd, *_ in rows)
    generated = {row[0] for row in college.groups}
    for group in generated:
        assert all(3 <= per_day[(group, wd)] <= 4 for wd in range(1, 7)), group
    assert all(1 <= wd <= 6 and 1 <= p <= 6 for _, wd, p, *_ in rows)
    assert sum(p <= 4 for _, _, p, _, _ in rows) / len(rows) > 0.95, "pairs 5-6 only when a teacher is busy"


def test_no_group_and_no_teacher_is_in_two_places_at_once(college: College) -> None:
    for semester in (1, 2):
        rows = entries(college, semester)
        assert len({(g, wd, p) for g, wd, p, *_ in rows}) == len(rows), "a group's pair once"
        assert len({(t, wd, p) for _, wd, p, _, t in rows}) == len(rows), "a teacher's pair once"
        assert len({(g, wd, d) for g, wd, _, d, _ in rows}) == len(rows), "a discipline once a day"
    loads = {(g, d, t) for _, t, g, d in college.teaching_loads}
    assert all((g, d, t) in loads for g, _, _, d, t in entries(college) if g != DEMO_GROUP)
    assert {row[6] for row in college.timetable_entries} == {"every"}
    assert all(row[2] == college.academic_years[0][0] for row in college.timetable_entries)


def test_the_demo_teacher_has_pairs_one_and_two_every_weekday(college: College) -> None:
    demo = sorted((wd, p, d) for g, wd, p, d, t in entries(college) if t == DEMO_TEACHER)
    assert {(wd, p) for wd, p, _ in demo} == {(wd, p) for wd in range(1, 7) for p in (1, 2)}
    assert {g for g, *_, t in entries(college) if t == DEMO_TEACHER} == {DEMO_GROUP}
    by_day = defaultdict(set)
    for wd, _, discipline in demo:
        by_day[wd].add(discipline)
    assert all(found == {MATH, MDK} for found in by_day.values())


def test_the_marks_fall_on_their_discipline_s_timetable_days(college: College) -> None:
    days = {(g, d, wd) for g, wd, _, d, _ in entries(college)}
    assert college.marks
    assert all((g, d, day.isoweekday()) in days for _, _, g, d, _, day, _, _ in college.marks)


def test_no_timetable_without_a_generated_year() -> None:
    college = generate(seed=7, scale=0.05, today=TODAY, existing_years=frozenset({"2026/2027"}))
    assert college.timetable_entries == [] and college.marks
