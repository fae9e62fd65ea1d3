"""Where a profile's PostgreSQL cluster lives: outside the checkout when its server user is not us."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from devstack import postgres
from devstack.migrations import databases_at_head
from devstack.postgres import checkout_key, ensure_databases, make_searchable_dirs, server_state_dir
from devstack.profiles import get_profile
from devstack.stack import Stack


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(postgres.ENV_SERVER_STATE, raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)


@pytest.fixture
def as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(postgres.ENV_SERVER_STATE, raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)


@pytest.fixture
def state_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "state"
    monkeypatch.setenv(postgres.ENV_SERVER_STATE, str(root))
    return root


def test_the_key_names_the_checkout_and_hashes_its_path() -> None:
    key = checkout_key(Path("/root/work/ejournal"))
    name, digest = key.rsplit("-", 1)
    assert name == "ejournal" and len(digest) == 12 and set(digest) <= set("0123456789abcdef")
    assert checkout_key(Path("/root/work/ejournal")) == key, "stable"
    assert checkout_key(Path("/tmp/other/ejournal")) != key, "two clones with one folder name differ"


def test_the_key_is_a_safe_folder_name() -> None:
    key = checkout_key(Path("/home/анна/мой журнал (копия)"))
    assert "/" not in key and " " not in key and not key.startswith(".")
    assert checkout_key(Path("/")).startswith("checkout-")


def test_root_keeps_clusters_in_var_lib() -> None:
    repo = Path("/root/clone")
    where = server_state_dir(repo, "dev", as_root=True, environ={})
    assert where == Path("/var/lib/ejournal") / checkout_key(repo) / "dev"


def test_a_user_keeps_the_cluster_in_the_checkout() -> None:
    assert server_state_dir(Path("/home/u/clone"), "dev", as_root=False, environ={}) is None


@pytest.mark.parametrize("as_root_flag", [True, False])
def test_the_environment_chooses_another_root(as_root_flag: bool) -> None:
    env = {postgres.ENV_SERVER_STATE: "/srv/ej"}
    where = server_state_dir(Path("/x/clone"), "test", as_root=as_root_flag, environ=env)
    assert where == Path("/srv/ej") / checkout_key(Path("/x/clone")) / "test"


def test_profiles_of_one_checkout_share_its_folder_and_not_their_cluster(
    as_root: None, tmp_path: Path
) -> None:
    dev, test = Stack("dev", repo=tmp_path), Stack("test", repo=tmp_path)
    assert dev.server_dir is not None and test.server_dir is not None
    assert dev.server_dir.parent == test.server_dir.parent
    assert dev.postgres_data_dir != test.postgres_data_dir


def test_as_root_the_cluster_and_its_log_leave_the_checkout(as_root: None, tmp_path: Path) -> None:
    stack = Stack("dev", repo=tmp_path)
    assert stack.server_dir == Path("/var/lib/ejournal") / checkout_key(tmp_path.resolve()) / "dev"
    assert stack.postgres_data_dir == stack.server_dir / "postgres"
    assert stack.postgres_log == stack.server_dir / "postgres.log"
    assert stack.data_dir == tmp_path / ".stack" / "dev", "secrets, NATS, logs and pidfiles stay"
    assert stack.demo_marker == stack.data_dir / "demo-seeded.json"


def test_as_a_user_everything_stays_in_the_checkout(as_user: None, tmp_path: Path) -> None:
    stack = Stack("dev", repo=tmp_path)
    assert stack.server_dir is None
    assert stack.postgres_data_dir == tmp_path / ".stack" / "dev" / "postgres"
    assert stack.postgres_log == tmp_path / ".stack" / "dev" / "logs" / "postgres.log"


def test_searchable_dirs_are_created_0711_and_existing_ones_left_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)
    target = tmp_path / "a" / "b" / "c"
    make_searchable_dirs(target)
    for directory in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o711
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


def test_preparing_names_the_checkout_and_links_the_log(
    as_user: None, state_root: Path, tmp_path: Path
) -> None:
    stack = Stack("dev", repo=tmp_path / "repo")
    stack._prepare()
    stack._prepare_server_dir()
    assert stack.server_dir is not None and stack.server_dir.is_dir()
    assert (stack.server_dir.parent / "checkout").read_text() == f"{stack.repo}\n"
    link = stack.log_path("postgres")
    assert link.is_symlink() and Path(os.readlink(link)) == stack.postgres_log
    stack._prepare_server_dir()  # idempotent
    assert link.is_symlink()


def test_a_cluster_from_inside_the_checkout_is_moved_out_once(
    as_user: None, state_root: Path, tmp_path: Path
) -> None:
    stack = Stack("dev", repo=tmp_path / "repo")
    stack._prepare()
    legacy = stack.data_dir / "postgres"
    legacy.mkdir()
    (legacy / "PG_VERSION").write_text("15\n")
    stack.log_path("postgres").write_text("old log\n")

    assert stack.postgres_initialized()
    stack._prepare_server_dir()

    assert not legacy.exists()
    assert (stack.postgres_data_dir / "PG_VERSION").read_text() == "15\n"
    assert stat.S_IMODE(stack.postgres_data_dir.stat().st_mode) == 0o700
    assert stack.postgres_log.read_text() == "old log\n"
    assert stack.log_path("postgres").read_text() == "old log\n", "logs/postgres.log now links to it"
    assert stack.postgres_initialized()


def test_wipe_deletes_the_cluster_folder_and_the_empty_checkout_folder(
    as_user: None, state_root: Path, tmp_path: Path
) -> None:
    dev, test = Stack("dev", repo=tmp_path / "repo"), Stack("test", repo=tmp_path / "repo")
    for stack in (dev, test):
        stack._prepare()
        stack._prepare_server_dir()
    assert dev.server_dir is not None and test.server_dir is not None
    checkout_dir = dev.server_dir.parent

    dev.wipe()
    assert not dev.server_dir.exists() and not dev.data_dir.exists()
    assert test.server_dir.exists(), "the other profile keeps its cluster"
    test.wipe()
    assert not checkout_dir.exists()
    assert state_root.exists(), "the root of all checkouts stays"


def test_status_shows_where_the_cluster_is(as_user: None, state_root: Path, tmp_path: Path) -> None:
    stack = Stack("dev", repo=tmp_path / "repo")
    row = stack.status()[0]
    assert row.name == "postgres" and not row.running
    assert row.detail.endswith(f"data {stack.postgres_data_dir}")
    assert str(state_root) in row.detail


# -- a real cluster from a private folder ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def private_checkout() -> Iterator[Path]:
    # Like `git clone` into `mktemp -d` or into /root: the parent is 0700 and owned by us.
    private = Path(tempfile.mkdtemp(prefix="ejournal-private-"))
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    try:
        yield private / "clone"
    finally:
        import shutil

        shutil.rmtree(private, ignore_errors=True)


@pytest.mark.integration
def test_a_cluster_starts_for_a_checkout_in_a_private_folder(private_checkout: Path) -> None:
    private_checkout.mkdir()
    profile = dataclasses.replace(get_profile("test1"), name="private-check", postgres_port=_free_port())
    stack = Stack(profile, repo=private_checkout)
    try:
        stack.demo_marker.parent.mkdir(parents=True)
        stack.demo_marker.write_text("{}")
        stack.start_postgres()
        assert not stack.demo_marker.exists(), "a new cluster holds no demo college"
        assert _answers(stack.superuser_dsn)
        if os.geteuid() == 0:
            assert stack.server_dir is not None
            assert not stack.postgres_data_dir.is_relative_to(private_checkout)
            assert stack.log_path("postgres").is_symlink()
        assert "database system is ready" in stack.log_path("postgres").read_text()
        assert stack.status()[0].running
        _check_migration_versions(stack)

        stack.demo_marker.write_text("{}")
        stack.stop()
        assert not stack.status()[0].running
        stack.start_postgres()
        assert stack.demo_marker.exists(), "the same cluster keeps its demo college"
        assert _answers(stack.superuser_dsn)
    finally:
        stack.wipe()
    assert not stack.postgres_data_dir.exists()


def _answers(dsn: str) -> bool:
    import asyncpg

    async def probe() -> bool:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            return bool(await conn.fetchval("SELECT 1"))
        finally:
            await conn.close()

    return asyncio.run(probe())


def _check_migration_versions(stack: Stack) -> None:
    ensure_databases(stack.superuser_dsn, {"identity": "pw-identity", "journal": "pw-journal"})
    heads = {"identity": frozenset({"0002"}), "journal": frozenset({"0001"})}
    assert databases_at_head(stack.superuser_dsn, heads) == set(), "no version table: migrate"
    dsn = stack.superuser_dsn.rsplit("/", 1)[0]

    async def stamp(database: str, version: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(f"{dsn}/{database}", timeout=10)
        try:
            await conn.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
            await conn.execute("INSERT INTO alembic_version VALUES ($1)", version)
        finally:
            await conn.close()

    asyncio.run(stamp("identity", "0002"))
    asyncio.run(stamp("journal", "0000"))
    assert databases_at_head(stack.superuser_dsn, heads) == {"identity"}
