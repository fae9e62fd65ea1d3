"""The demo college's curriculum and KTPs (issue 6 items 1-2): a plan for every generated group, a KTP
of plausible topics for almost every teaching load (a handful left without one, a few entered late),
deterministic, and loaded by COPY into a fresh journal database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg
import pytest
from devstack import demo_college
from devstack.demo_college import College, generate

TODAY = date(2026, 11, 30)
CONTROL_FORMS = {"none", "exam", "differentiated_credit", "credit", "course_work", "module_exam"}


@pytest.fixture(scope="module")
def college() -> College:
    return generate(seed=7, scale=1.0, today=TODAY)


def test_every_generated_group_has_its_plan_for_the_year(college: College) -> None:
    year_id = college.academic_years[0][0]
    loads = {(group, discipline) for _, _, group, discipline in college.teaching_loads}
    rows = Counter((group, discipline) for group, _, discipline, *_ in college.curriculum_items)
    assert set(rows) == loads
    assert set(rows.values()) == {2}, "semesters 1 and 2"
    for group, year, _, semester, total, weekly, form in college.curriculum_items:
        assert (year, semester in (1, 2), form in CONTROL_FORMS) == (year_id, True, True)
        assert 1 <= total <= 2000 and 0 <= weekly <= 54
    assert {row[-1] for row in college.curriculum_items} >= {"none", "exam", "differentiated_credit"}


def test_almost_every_load_has_a_ktp_of_ordered_topics(college: College) -> None:
    loads = {(group, discipline) for _, _, group, discipline in college.teaching_loads}
    planned = {(group, discipline) for _, group, discipline, _ in college.ktps}
    missing = loads - planned
    assert planned <= loads
    assert 3 <= len(missing) <= 0.08 * len(loads), "a handful without a KTP, for the list"
    entered = [created_on for *_, created_on in college.ktps]
    assert max(entered) <= TODAY
    late = sum(1 for day in entered if day > date(2026, 9, 10))
    assert 0 < late < 0.25 * len(entered)
    topics: dict[object, list[tuple[int, str, int, str]]] = {}
    for _, ktp_id, position, title, hours, kind in college.ktp_topics:
        topics.setdefault(ktp_id, []).append((position, title, hours, kind))
    assert set(topics) == {row[0] for row in college.ktps}
    for rows in topics.values():
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0][1].startswith("Тема 1.1. ")
        assert all(2 <= hours <= 4 for _, _, hours, _ in rows)
    kinds = {kind for rows in topics.values() for *_, kind in rows}
    assert kinds >= {"lecture", "practical", "laboratory", "test"}


def test_the_plan_and_ktps_come_from_the_seed_and_leave_the_rest_alone() -> None:
    one = generate(seed=11, scale=0.2, today=TODAY)
    assert one == generate(seed=11, scale=0.2, today=TODAY)
    assert one.ktps != generate(seed=12, scale=0.2, today=TODAY).ktps
    existing = generate(seed=11, scale=0.2, today=TODAY, existing_years=frozenset({"2026/2027"}))
    assert (existing.curriculum_items, len(existing.ktps)) == ([], len(one.ktps))


@pytest.mark.integration
async def test_the_plan_and_ktps_are_loaded_by_copy(fresh_db: Callable[[str], Awaitable[str]]) -> None:
    urls = {service: await fresh_db(service) for service in ("identity", "journal", "reports")}
    college = await demo_college.generate_and_load(urls, seed=3, scale=0.05, today=TODAY)
    journal = await asyncpg.connect(urls["journal"].replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        counts = [
            await journal.fetchval(f"SELECT count(*) FROM {t}")
            for t in ("curriculum_items", "ktps", "ktp_topics")
        ]
        assert counts == [len(college.curriculum_items), len(college.ktps), len(college.ktp_topics)]
        assert counts[1] > 0
        without = await journal.fetchval(
            "SELECT count(*) FROM teaching_loads t WHERE NOT EXISTS "
            "(SELECT 1 FROM ktps k WHERE k.group_id = t.group_id AND k.discipline_id = t.discipline_id)"
        )
        planned = {(group, discipline) for _, group, discipline, _ in college.ktps}
        loads = {(group, discipline) for _, _, group, discipline in college.teaching_loads}
        assert without == len(loads - planned)
    finally:
        await journal.close()
