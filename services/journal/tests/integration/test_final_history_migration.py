"""Migration 0018 on a database with finals already in it: a final never changed gets its first-setting
entry ('' → its value, by its setter at its set_at, with its proposal, rule version and reason); a final
changed before keeps only its changes (its first setter is not invented); the way back (downgrade to
0017) removes the first-setting entries only."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from .test_movement_migration import alembic

pytestmark = pytest.mark.integration


async def test_unchanged_finals_get_their_first_setting(stack_infra: Any) -> None:
    dsn: str = stack_infra.superuser_dsn
    name = f"t_journal_0018_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    plain = dsn.rpartition("/")[0] + f"/{name}"
    url = plain.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        await alembic(url, "upgrade", "0017")
        db = await asyncpg.connect(plain)
        group, discipline, year, teacher, admin_id = (uuid.uuid4() for _ in range(5))
        await db.execute("INSERT INTO groups (id, name) VALUES ($1, 'ИС-21')", group)
        await db.execute(
            "INSERT INTO disciplines (id, code, name, kind) VALUES ($1, 'ЕН.01', 'Математика', 'discipline')",
            discipline,
        )
        await db.execute(
            "INSERT INTO academic_years (id, name, starts_on, ends_on) "
            "VALUES ($1, '2026/2027', '2026-09-01', '2027-08-31')",
            year,
        )
        kept, changed = uuid.uuid4(), uuid.uuid4()
        for final, student, value in ((kept, uuid.uuid4(), "4"), (changed, uuid.uuid4(), "5")):
            await db.execute(
                "INSERT INTO finals (id, student_id, group_id, discipline_id, year_id, semester, kind, value, "
                "proposed_value, rule_version, set_by, set_at, reason, marks_count, required_marks) "
                "VALUES ($1, $2, $3, $4, $5, 1, 'exam', $6, '4', 1, $7, '2026-12-20 09:00+00', 'Экзамен', 5, 5)",
                final,
                student,
                group,
                discipline,
                year,
                value,
                teacher,
            )
        await db.execute(
            "INSERT INTO final_changes (id, final_id, changed_by, old_value, new_value, proposed_value, "
            "rule_version, reason) VALUES ($1, $2, $3, '4', '5', '4', 1, 'Апелляция')",
            uuid.uuid4(),
            changed,
            admin_id,
        )
        await db.close()

        await alembic(url, "upgrade", "0018")
        db = await asyncpg.connect(plain)
        rows = await db.fetch(
            "SELECT final_id, changed_by, changed_at, old_value, new_value, proposed_value, rule_version, "
            "reason FROM final_changes ORDER BY final_id = $1 DESC, changed_at",
            kept,
        )
        first = rows[0]
        assert (first["final_id"], first["changed_by"], first["old_value"], first["new_value"]) == (
            kept,
            teacher,
            "",
            "4",
        )
        assert (first["proposed_value"], first["rule_version"], first["reason"]) == ("4", 1, "Экзамен")
        assert first["changed_at"].isoformat() == "2026-12-20T09:00:00+00:00"
        assert [(r["final_id"], r["old_value"], r["new_value"]) for r in rows[1:]] == [(changed, "4", "5")]
        await db.close()

        await alembic(url, "downgrade", "0017")
        db = await asyncpg.connect(plain)
        left = await db.fetch("SELECT final_id, old_value FROM final_changes")
        assert [(r["final_id"], r["old_value"]) for r in left] == [(changed, "4")]
        await db.close()
    finally:
        admin = await asyncpg.connect(dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
