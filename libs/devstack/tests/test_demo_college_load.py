"""The demo college loaded by COPY into fresh identity, journal and reports databases: consistent."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg
import pytest
from devstack import demo_college

pytestmark = pytest.mark.integration
TODAY = date(2026, 11, 30)


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def test_a_small_college_is_consistent_across_services(
    fresh_db: Callable[[str], Awaitable[str]],
) -> None:
    urls = {service: await fresh_db(service) for service in ("identity", "journal", "reports")}
    journal = await asyncpg.connect(_dsn(urls["journal"]))
    identity = await asyncpg.connect(_dsn(urls["identity"]))
    reports = await asyncpg.connect(_dsn(urls["reports"]))
    try:
        # What the REST seed made first: the demo group and one of its disciplines.
        demo_group, math = uuid.uuid4(), uuid.uuid4()
        await journal.execute("INSERT INTO groups (id, name) VALUES ($1, 'ИС-11')", demo_group)
        await journal.execute(
            "INSERT INTO disciplines (id, code, name, kind) VALUES ($1, 'ОУД.03', 'Математика', 'discipline')",
            math,
        )
        college = await demo_college.generate_and_load(urls, seed=3, scale=0.05, today=TODAY)
        assert college.counts()["groups"] == 3, "ИС-11 exists: the demo group stands in its place"

        students = {r["student_id"] for r in await journal.fetch("SELECT student_id FROM enrollments")}
        assert len(students) == college.counts()["students"] > 0
        in_identity = await identity.fetch(
            "SELECT id, role::text AS role FROM people WHERE id = ANY($1::uuid[])", list(students)
        )
        assert {r["id"] for r in in_identity} == students
        assert {r["role"] for r in in_identity} == {"student"}
        projected = await journal.fetch(
            "SELECT person_id, role FROM people WHERE person_id = ANY($1::uuid[])", list(students)
        )
        assert {r["person_id"] for r in projected} == students
        assert {r["role"] for r in projected} == {"student"}

        stray = await journal.fetchval(
            "SELECT count(*) FROM marks m WHERE NOT EXISTS "
            "(SELECT 1 FROM enrollments e WHERE e.group_id = m.group_id AND e.student_id = m.student_id)"
        )
        assert stray == 0, "every mark's student is enrolled in the mark's group"
        unloaded = await journal.fetchval(
            "SELECT count(*) FROM marks m WHERE NOT EXISTS (SELECT 1 FROM teaching_loads t WHERE "
            "t.teacher_id = m.teacher_id AND t.group_id = m.group_id AND t.discipline_id = m.discipline_id)"
        )
        assert unloaded == 0, "every mark is given by the group's teacher of the discipline"
        assert (
            await journal.fetchval("SELECT count(*) FROM teaching_loads WHERE discipline_id = $1", math) > 0
        )

        query = (
            "SELECT {id}, group_id, discipline_id, student_id, value, lesson_date, recorded_at FROM {table}"
        )
        marks = {tuple(r) for r in await journal.fetch(query.format(id="id", table="marks"))}
        facts = {tuple(r) for r in await reports.fetch(query.format(id="mark_id", table="mark_facts"))}
        assert len(marks) == len(college.marks) > 0
        assert facts == marks, "mark_facts == marks by id"

        parents = await identity.fetchval(
            "SELECT count(*) FROM guardianships g JOIN people p ON p.id = g.parent_id WHERE p.role = 'parent'"
        )
        assert parents == len(college.guardianships) > 0
        spans = await journal.fetchval("SELECT count(*) FROM calendar_spans WHERE group_id = $1", demo_group)
        assert spans == 6, "the demo group gets the college's calendar too"
        for conn in (identity, journal, reports):
            assert await conn.fetchval("SELECT count(*) FROM outbox") == 0, "bulk history is not news"
    finally:
        for conn in (identity, journal, reports):
            await conn.close()
