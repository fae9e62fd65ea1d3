"""Tell, without starting Alembic, whether a service's database is already at head.

`alembic upgrade head` costs a Python process that imports the service's models (seconds of CPU
on a small machine) even when there is nothing to do. When the database's `alembic_version`
already names exactly the head revisions of the service's `migrations/versions/`, `make up` skips
it. Anything unexpected (a file that is not plain, no version table) means: run Alembic.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from devstack.postgres import run_sync

log = logging.getLogger("devstack")


def _module_constants(path: Path, names: set[str]) -> dict[str, Any] | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    return found


def migration_heads(versions_dir: Path) -> frozenset[str] | None:
    """Return the head revisions of an Alembic versions folder by reading (not importing) its files.

    None when the folder is missing or a file does not declare `revision`/`down_revision` plainly.
    """
    files = sorted(versions_dir.glob("*.py")) if versions_dir.is_dir() else []
    if not files:
        return None
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in files:
        values = _module_constants(path, {"revision", "down_revision"})
        if values is None or not isinstance(values.get("revision"), str):
            return None
        revisions.add(values["revision"])
        down = values.get("down_revision")
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, (tuple, list)) and all(isinstance(d, str) for d in down):
            parents.update(down)
        elif down is not None:
            return None
    heads = frozenset(revisions - parents)
    return heads or None


def _database_dsn(superuser_dsn: str, database: str) -> str:
    parts = urlsplit(superuser_dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def _versions(superuser_dsn: str, databases: list[str]) -> dict[str, frozenset[str]]:
    import asyncpg

    found: dict[str, frozenset[str]] = {}
    for database in databases:
        conn = await asyncpg.connect(_database_dsn(superuser_dsn, database), timeout=10)
        try:
            rows = await conn.fetch("SELECT version_num FROM alembic_version")
        except asyncpg.UndefinedTableError:
            continue  # never migrated
        finally:
            await conn.close()
        found[database] = frozenset(str(row[0]) for row in rows)
    return found


def databases_at_head(superuser_dsn: str, heads: Mapping[str, frozenset[str]]) -> set[str]:
    """Return the databases whose `alembic_version` names exactly the given heads (one query each)."""
    if not heads:
        return set()
    try:
        versions = run_sync(_versions(superuser_dsn, list(heads)))
    except Exception as exc:  # whatever it is, Alembic will tell it properly
        log.info(
            "could not read the databases' migration versions (%s); running every migration",
            type(exc).__name__,
        )
        return set()
    return {db for db, wanted in heads.items() if versions.get(db) == wanted}
