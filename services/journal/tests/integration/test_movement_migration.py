"""Migration 0008 on a database with enrolments already in it: each existing row starts on the first
day of the academic year of its created_at (the opened year's first day when one holds it, else
1 September), keeps its group and student, and gets an id; new undated rows start on 1 September of the
current academic year; and the way back (downgrade to 0007) leaves one row per group and student."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest

pytestmark = pytest.mark.integration
SERVICE = Path(__file__).resolve().parents[2]
ALEMBIC = Path(sys.executable).with_name("alembic")


async def alembic(url: str, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        str(ALEMBIC),
        "-c",
        str(SERVICE / "alembic.ini"),
        *args,
        env={**os.environ, "JOURNAL_DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


async def test_existing_enrolments_get_their_years_first_day_and_history_columns(stack_infra: Any) -> None:
    dsn: str = stack_infra.superuser_dsn
    name = f"t_journal_0008_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    plain = dsn.rpartition("/")[0] + f"/{name}"
    url = plain.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        await alembic(url, "upgrade", "0007")
        db = await asyncpg.connect(plain)
        opened, group = uuid.uuid4(), uuid.uuid4()
        early, late = uuid.uuid4(), uuid.uuid4()
        await db.execute("INSERT INTO groups (id, name) VALUES ($1, 'ИС-21')", group)
        # A year opened with its own first day (2 September), and an enrolment made in it.
        await db.execute(
            "INSERT INTO academic_years (id, name, starts_on, ends_on) VALUES ($1, '2025/2026', $2, $3)",
            opened,
            date(2025, 9, 2),
            date(2026, 8, 31),
        )
        await db.execute(
            "INSERT INTO enrollments (group_id, student_id, created_at) VALUES ($1, $2, '2025-10-05 10:00+00')",
            group,
            early,
        )
        # No opened year holds this one: 1 September of its academic year.
        await db.execute(
            "INSERT INTO enrollments (group_id, student_id, created_at) VALUES ($1, $2, '2027-03-05 10:00+00')",
            group,
            late,
        )
        await db.close()

        await alembic(url, "upgrade", "head")

        db = await asyncpg.connect(plain)
        rows = await db.fetch(
            "SELECT id, student_id, enrolled_on, left_on FROM enrollments ORDER BY enrolled_on"
        )
        assert [(r["student_id"], r["enrolled_on"], r["left_on"]) for r in rows] == [
            (early, date(2025, 9, 2), None),
            (late, date(2026, 9, 1), None),
        ]
        assert all(r["id"] is not None for r in rows)
        # A row without a date (the demo college's COPY) starts on 1 September of the current year.
        newcomer = uuid.uuid4()
        await db.execute("INSERT INTO enrollments (group_id, student_id) VALUES ($1, $2)", group, newcomer)
        today = await db.fetchval("SELECT current_date")
        start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        assert (
            await db.fetchval("SELECT enrolled_on FROM enrollments WHERE student_id = $1", newcomer) == start
        )
        # One open enrolment per group and student; a closed one may repeat it (history).
        with pytest.raises(asyncpg.UniqueViolationError):
            await db.execute(
                "INSERT INTO enrollments (group_id, student_id, enrolled_on) VALUES ($1, $2, '2026-10-01')",
                group,
                newcomer,
            )
        await db.execute("UPDATE enrollments SET left_on = '2026-11-02' WHERE student_id = $1", early)
        await db.execute(
            "INSERT INTO enrollments (group_id, student_id, enrolled_on) VALUES ($1, $2, '2026-12-01')",
            group,
            early,
        )
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute("UPDATE enrollments SET left_on = enrolled_on WHERE student_id = $1", late)
        await db.close()

        await alembic(url, "downgrade", "0007")
        db = await asyncpg.connect(plain)
        assert await db.fetchval("SELECT count(*) FROM enrollments WHERE student_id = $1", early) == 1
        await db.close()
    finally:
        admin = await asyncpg.connect(dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
