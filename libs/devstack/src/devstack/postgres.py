"""PostgreSQL from the system's server binaries, run as an unprivileged user when we are root.

As root, the cluster cannot live in the checkout: PostgreSQL runs as the system user `ejournal`,
which may not enter a checkout under /root or in a `mktemp -d` folder (mode 0700). Its data dir and
log then live in `/var/lib/ejournal/<checkout>-<hash of the checkout path>/<profile>/` (see
`server_state_dir`), so every clone gets its own clusters and nobody's home has to be opened up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import os
import pwd
import re
import shutil
import signal
import subprocess
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from devstack.proc import StackError, pid_alive, port_in_use, wait_until

log = logging.getLogger("devstack")

SERVER_USER = "ejournal"
SUPERUSER = "postgres"
COMPONENT = "postgres"
SERVER_STATE_ROOT = Path("/var/lib/ejournal")
"""Where root keeps the clusters of every checkout (one folder per checkout and profile)."""
ENV_SERVER_STATE = "EJOURNAL_SERVER_STATE_DIR"
"""Overrides SERVER_STATE_ROOT; when set, also an unprivileged user keeps its clusters there."""

T = TypeVar("T")


def find_bindir() -> Path:
    """Locate the directory holding initdb/pg_ctl/postgres, preferring the newest installed version."""
    candidates: list[Path] = []
    versioned = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versioned)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise StackError(
        COMPONENT,
        "no PostgreSQL server binaries found (initdb/pg_ctl); run scripts/bootstrap.sh "
        "or `apt-get install postgresql`",
    )


def checkout_key(repo: Path) -> str:
    """Name a checkout's folder of server state: `<folder name>-<first 12 hex of sha256(path)>`.

    The hash keeps two clones apart (even two with the same folder name); the name is for people.
    """
    digest = hashlib.sha256(str(repo).encode()).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", repo.name).strip("._")[:40] or "checkout"
    return f"{name}-{digest}"


def server_state_dir(
    repo: Path, profile: str, *, as_root: bool, environ: Mapping[str, str] | None = None
) -> Path | None:
    """Return the folder of a profile's cluster outside the checkout, or None to keep it inside.

    `$EJOURNAL_SERVER_STATE_DIR/<key>/<profile>` when that is set; as root
    `/var/lib/ejournal/<key>/<profile>`; otherwise None: the server runs as the user who owns the
    checkout and reaches `<repo>/.stack/<profile>/postgres` like any other file of theirs.
    """
    env = os.environ if environ is None else environ
    base = env.get(ENV_SERVER_STATE)
    if base:
        root = Path(base)
    elif as_root:
        root = SERVER_STATE_ROOT
    else:
        return None
    return root / checkout_key(repo) / profile


def make_searchable_dirs(path: Path) -> None:
    """Create `path` and its missing parents as 0711: the server user may pass through, not list."""
    missing = []
    for directory in (path, *path.parents):
        if directory.exists():
            break
        missing.append(directory)
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
        directory.chmod(0o711)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion, also when the caller already sits inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def quote_ident(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote an SQL string literal (DDL takes no bind parameters)."""
    return "'" + value.replace("'", "''") + "'"


class Postgres:
    """One PostgreSQL cluster in a data dir owned by the server user."""

    def __init__(self, *, data_dir: Path, log_path: Path, port: int, superuser_password: str, durable: bool):
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = port
        self.superuser_password = superuser_password
        self.durable = durable
        self._bindir: Path | None = None

    @property
    def bindir(self) -> Path:
        """Return the server binaries directory."""
        if self._bindir is None:
            self._bindir = find_bindir()
        return self._bindir

    # -- running as the server user -------------------------------------------------------------

    @staticmethod
    def _as_root() -> bool:
        return os.geteuid() == 0

    def _as_server_user(self, argv: list[str]) -> list[str]:
        # PostgreSQL refuses to run as root, so root hands every server command to the server user.
        return ["runuser", "-u", SERVER_USER, "--", *argv] if self._as_root() else argv

    def _chown(self, path: Path) -> None:
        if self._as_root():
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def ensure_server_user(self) -> None:
        """Create the unprivileged system user that owns the cluster, when we are root and it is missing."""
        if not self._as_root():
            return
        try:
            pwd.getpwnam(SERVER_USER)
            return
        except KeyError:
            pass
        log.info("creating system user %s to own PostgreSQL data", SERVER_USER)
        result = subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                SERVER_USER,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(
                COMPONENT, f"could not create system user {SERVER_USER}: {result.stderr.strip()}"
            )

    def _run(self, argv: list[str], what: str) -> subprocess.CompletedProcess[str]:
        # cwd=/ because the server user may not be allowed into the caller's working directory.
        result = subprocess.run(
            self._as_server_user(argv),
            capture_output=True,
            text=True,
            check=False,
            cwd="/",
            start_new_session=True,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            raise StackError(COMPONENT, f"{what} failed (exit {result.returncode}):\n{output}", self.log_path)
        return result

    # -- lifecycle ------------------------------------------------------------------------------

    def initialized(self) -> bool:
        """Tell whether the data dir holds a cluster."""
        return (self.data_dir / "PG_VERSION").exists()

    def pid(self) -> int | None:
        """Return the postmaster's pid if it is running."""
        try:
            first = (self.data_dir / "postmaster.pid").read_text().splitlines()[0]
        except (FileNotFoundError, IndexError, PermissionError):
            return None
        return int(first) if first.strip().isdigit() and pid_alive(int(first)) else None

    def running(self) -> bool:
        """Tell whether this cluster's server is up."""
        return self.pid() is not None

    def init(self) -> None:
        """Run initdb on first use, with a scram-protected superuser."""
        if self.initialized():
            return
        self.ensure_server_user()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        self._chown(self.data_dir)
        probe = subprocess.run(self._as_server_user(["test", "-w", str(self.data_dir)]), check=False, cwd="/")
        if probe.returncode != 0:
            raise StackError(
                COMPONENT,
                f"user {SERVER_USER} cannot reach {self.data_dir}; every parent directory must be "
                f"searchable by it: point {ENV_SERVER_STATE} at a folder that is (default as root: "
                f"{SERVER_STATE_ROOT})",
            )
        pwfile = self.data_dir.parent / "postgres.pw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.superuser_password + "\n")
        self._chown(pwfile)
        try:
            argv = [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-local=peer",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
            if not self.durable:
                argv.append("--no-sync")
            log.info("initdb %s", self.data_dir)
            self._run(argv, "initdb")
        finally:
            pwfile.unlink(missing_ok=True)
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a") as fh:
            fh.write(
                "\n# Settings written by devstack on every start.\ninclude_if_exists = 'devstack.conf'\n"
            )

    def _write_settings(self) -> None:
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            # TCP only: a socket path under a deep checkout can exceed the 107-byte limit.
            "unix_socket_directories": "''",
            "max_connections": "200",
            "log_line_prefix": "'%m [%p] %q%u@%d '",
            "log_min_duration_statement": "-1",
        }
        if not self.durable:
            # A throwaway test cluster: losing it in a power cut costs nothing, and tests run faster.
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        else:
            settings |= {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
        text = "".join(f"{key} = {value}\n" for key, value in settings.items())
        path = self.data_dir / "devstack.conf"
        path.write_text("# Written by devstack; edits are overwritten.\n" + text)
        self._chown(path)

    def start(self, *, timeout: float = 60.0) -> None:
        """Start the server unless it is already running; initdb on first use."""
        self.init()
        if self.running():
            log.info("postgres already running on port %d", self.port)
            return
        if port_in_use(self.port):
            raise StackError(COMPONENT, f"port {self.port} is taken by another process", self.log_path)
        # A server that was killed leaves its lock file; when its pid is gone, or an unreaped zombie
        # (PostgreSQL's own check counts a zombie as running), the lock is stale.
        lock = self.data_dir / "postmaster.pid"
        if lock.exists():
            log.warning("removing the stale lock file of a postgres that is no longer running")
            lock.unlink()
        self._write_settings()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.touch()
        # The server writes its own log, as the server user.
        self._chown(self.log_path)
        log.info("starting postgres on 127.0.0.1:%d", self.port)
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_path),
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ],
            "pg_ctl start",
        )
        wait_until(
            lambda: port_in_use(self.port),
            timeout=timeout,
            component=COMPONENT,
            what="accepting connections",
            log_path=self.log_path,
        )

    def adopt(self, old: Postgres) -> bool:
        """Move another cluster's data dir here (stopping it first) unless this one exists; True if moved.

        Used once per profile to take a cluster out of a checkout where it lived before.
        """
        if self.initialized() or not old.initialized():
            return False
        old.stop()
        log.info("moving the PostgreSQL cluster %s to %s", old.data_dir, self.data_dir)
        # A folder without PG_VERSION is what a failed initdb left: not a cluster.
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(old.data_dir, self.data_dir)
        if old.log_path.is_file() and not old.log_path.is_symlink() and not self.log_path.exists():
            shutil.move(old.log_path, self.log_path)
        # A copy across file systems belongs to root: hand everything back to the server user.
        for directory, _, files in os.walk(self.data_dir):
            self._chown(Path(directory))
            for name in files:
                self._chown(Path(directory) / name)
        self.data_dir.chmod(0o700)
        return True

    def stop(self) -> bool:
        """Stop the server (fast shutdown); return True if it was running."""
        if not self.initialized() or not self.running():
            return False
        log.info("stopping postgres")
        try:
            self._run(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    "30",
                    "stop",
                ],
                "pg_ctl stop",
            )
        except StackError:
            pid = self.pid()
            if pid is not None:
                # Immediate shutdown: the server did not honour a fast stop in time.
                os.kill(pid, signal.SIGQUIT)
        return True


async def _ensure_databases(superuser_dsn: str, passwords: Mapping[str, str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(superuser_dsn, timeout=10)
    try:
        for name, password in passwords.items():
            ident = quote_ident(name)
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", name)
            verb = "ALTER" if exists else "CREATE"
            # Re-set the password each time so the role always matches secrets.json.
            await conn.execute(f"{verb} ROLE {ident} WITH LOGIN PASSWORD {quote_literal(password)}")
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                # The role owns its database: on PostgreSQL 15 `public` no longer lets everyone CREATE.
                await conn.execute(f"CREATE DATABASE {ident} OWNER {ident} ENCODING 'UTF8'")
            else:
                await conn.execute(f"ALTER DATABASE {ident} OWNER TO {ident}")
    finally:
        await conn.close()


def ensure_databases(superuser_dsn: str, passwords: Mapping[str, str]) -> None:
    """Create (or update) one login role and one owned database per name, idempotently."""
    try:
        run_sync(_ensure_databases(superuser_dsn, passwords))
    except StackError:
        raise
    except Exception as exc:
        # Never echo the DSN: it carries the superuser password.
        raise StackError(
            COMPONENT, f"creating databases failed: {type(exc).__name__}: {_redact(str(exc))}"
        ) from exc


def _redact(text: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]+@", r"://\1:***@", text)
