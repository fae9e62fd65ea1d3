"""Reading Alembic heads without Alembic: what lets `make up` skip migrations that would do nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from devstack.migrations import migration_heads
from devstack.profiles import SERVICES
from devstack.stack import find_repo_root


def write(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        f'"""A migration."""\nimport sqlalchemy as sa\n\n{body}\n\ndef upgrade() -> None:\n    pass\n'
    )


def test_the_head_of_a_chain(tmp_path: Path) -> None:
    write(tmp_path, "0001_initial.py", 'revision = "0001"\ndown_revision = None')
    write(tmp_path, "0002_more.py", 'revision: str = "0002"\ndown_revision: str | None = "0001"')
    assert migration_heads(tmp_path) == {"0002"}


def test_branches_and_a_merge(tmp_path: Path) -> None:
    write(tmp_path, "a.py", 'revision = "a"\ndown_revision = None')
    write(tmp_path, "b.py", 'revision = "b"\ndown_revision = "a"')
    write(tmp_path, "c.py", 'revision = "c"\ndown_revision = "a"')
    assert migration_heads(tmp_path) == {"b", "c"}
    write(tmp_path, "d.py", 'revision = "d"\ndown_revision = ("b", "c")')
    assert migration_heads(tmp_path) == {"d"}


@pytest.mark.parametrize(
    "body",
    [
        "down_revision = None",  # no revision
        "revision = make_id()\ndown_revision = None",  # not a literal
        'revision = "x"\ndown_revision = 5',
        "this is not python",
    ],
)
def test_anything_unusual_means_run_alembic(tmp_path: Path, body: str) -> None:
    write(tmp_path, "0001_initial.py", 'revision = "0001"\ndown_revision = None')
    write(tmp_path, "0002_odd.py", body)
    assert migration_heads(tmp_path) is None


def test_no_versions_means_run_alembic(tmp_path: Path) -> None:
    assert migration_heads(tmp_path / "missing") is None
    assert migration_heads(tmp_path) is None


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_readable_heads(service: str) -> None:
    versions = find_repo_root() / "services" / service / "migrations" / "versions"
    heads = migration_heads(versions)
    assert heads is not None and len(heads) == 1, "one linear history per service"
