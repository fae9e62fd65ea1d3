"""Migration 0019 (slice J) on a database with subgroups already in it: each member's row starts on
their first day in the group (or, not enrolled, on 1 September of the academic year the subgroup was
made in) and lasts; one row in force per student of a group's discipline, a closed one may repeat it
(history), a row never ends before it starts; the way back (downgrade to 0018) keeps the rows in force."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg
import pytest

from .test_movement_migration import alembic

pytestmark = pytest.mark.integration


async def test_existing_members_get_their_first_day_and_one_row_in_force(stack_infra: Any) -> None:
    dsn: str = stack_infra.superuser_dsn
    name = f"t_journal_0019_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    plain = dsn.rpartition("/")[0] + f"/{name}"
    url = plain.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        await alembic(url, "upgrade", "0018")
        db = await asyncpg.connect(plain)
        group, english = uuid.uuid4(), uuid.uuid4()
        first, second = uuid.uuid4(), uuid.uuid4()
        enrolled, not_enrolled = uuid.uuid4(), uuid.uuid4()
        await db.execute("INSERT INTO groups (id, name) VALUES ($1, 'ИС-21')", group)
        await db.execute(
            "INSERT INTO disciplines (id, code, name, kind) VALUES ($1, 'ОГСЭ.03', 'Иностранный язык', "
            "'discipline')",
            english,
        )
        for subgroup, title in ((first, "подгруппа 1"), (second, "подгруппа 2")):
            await db.execute(
                "INSERT INTO subgroups (id, group_id, discipline_id, name, created_at) "
                "VALUES ($1, $2, $3, $4, '2026-02-05 10:00+00')",
                subgroup,
                group,
                english,
                title,
            )
        await db.execute(
            "INSERT INTO enrollments (group_id, student_id, enrolled_on) VALUES ($1, $2, '2025-09-02')",
            group,
            enrolled,
        )
        for student in (enrolled, not_enrolled):
            await db.execute(
                "INSERT INTO subgroup_members (subgroup_id, group_id, discipline_id, student_id) "
                "VALUES ($1, $2, $3, $4)",
                first,
                group,
                english,
                student,
            )
        await db.close()

        await alembic(url, "upgrade", "0019")

        db = await asyncpg.connect(plain)
        rows = await db.fetch(
            "SELECT student_id, from_date, to_date FROM subgroup_members ORDER BY from_date"
        )
        assert [(r["student_id"], r["from_date"], r["to_date"]) for r in rows] == [
            (not_enrolled, date(2025, 9, 1), None),
            (enrolled, date(2025, 9, 2), None),
        ]
        insert = (
            "INSERT INTO subgroup_members (subgroup_id, group_id, discipline_id, student_id, from_date) "
            "VALUES ($1, $2, $3, $4, $5)"
        )
        # One row in force per student of the group's discipline…
        with pytest.raises(asyncpg.UniqueViolationError):
            await db.execute(insert, second, group, english, enrolled, date(2026, 11, 10))
        # …a transfer closes it and opens another; a row never ends on or before its start.
        await db.execute("UPDATE subgroup_members SET to_date = '2026-11-10' WHERE student_id = $1", enrolled)
        await db.execute(insert, second, group, english, enrolled, date(2026, 11, 10))
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute(
                "UPDATE subgroup_members SET to_date = from_date WHERE student_id = $1", not_enrolled
            )
        await db.close()

        await alembic(url, "downgrade", "0018")
        db = await asyncpg.connect(plain)
        rows = await db.fetch("SELECT subgroup_id, student_id FROM subgroup_members ORDER BY subgroup_id")
        assert sorted((r["subgroup_id"], r["student_id"]) for r in rows) == sorted(
            [(first, not_enrolled), (second, enrolled)]
        )
        await db.close()
    finally:
        admin = await asyncpg.connect(dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
