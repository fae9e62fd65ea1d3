"""The native local stack of one profile: PostgreSQL, NATS, Keycloak, the services and the gateway.

Every method is idempotent: running it again reuses what is already there. The state of a profile
(data, secrets, pidfiles, logs) lives in `<repo>/.stack/<profile>/`, except, when we run as root,
the PostgreSQL cluster: its server user could not reach it in a private checkout, so it lives in
`/var/lib/ejournal/<checkout>-<hash>/<profile>/` (`Stack.server_dir`; see `devstack.postgres`).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx

from devstack.health import grpc_serving, http_ok
from devstack.keycloak import STOP_GRACE as KEYCLOAK_STOP_GRACE
from devstack.keycloak import Keycloak
from devstack.keycloak_extensions import repo_extensions
from devstack.migrations import databases_at_head, migration_heads
from devstack.nats import Nats
from devstack.postgres import (
    SUPERUSER,
    Postgres,
    ensure_databases,
    make_searchable_dirs,
    server_state_dir,
)
from devstack.proc import StackError, read_pidfile, spawn_detached, stop_process, tail, write_pidfile
from devstack.profiles import (
    API_AUDIENCE,
    DATABASES,
    HOST,
    NATS_ADMIN_USER,
    NATS_USERS,
    PORTAL_CLIENT_ID,
    PROGRAMS,
    REALM,
    SERVICES,
    Profile,
    get_profile,
    service_client_id,
)
from devstack.realm import PASSWORD_DENY_LISTS, write_merged_realm
from devstack.secrets_store import Secrets, client_secret_env, nats_password_env

log = logging.getLogger("devstack")

__all__ = ["ComponentStatus", "External", "Stack", "StackError", "find_repo_root"]

SEED_MARKER = "demo-seeded.json"
"""Written by devstack.seed in the data dir once the demo college exists (bench/run.py reads it)."""


def find_repo_root(start: Path | None = None) -> Path:
    """Return the workspace root: `EJOURNAL_REPO`, else the nearest parent with a uv workspace pyproject."""
    if os.environ.get("EJOURNAL_REPO"):
        return Path(os.environ["EJOURNAL_REPO"]).resolve()
    origins = [Path.cwd(), Path(__file__).resolve()]
    if start is not None:
        origins.insert(0, start.resolve())
    for origin in origins:
        for directory in (origin, *origin.parents):
            pyproject = directory / "pyproject.toml"
            if pyproject.is_file() and "[tool.uv.workspace]" in pyproject.read_text(errors="replace"):
                return directory
    raise StackError("stack", "cannot find the ejournal workspace root; set EJOURNAL_REPO")


@dataclass(frozen=True, slots=True)
class External:
    """Servers someone else runs; the stack then uses them instead of starting its own."""

    postgres_url: str | None = None
    """Superuser DSN, e.g. `postgresql://postgres:pw@host:5432/postgres`."""
    nats_url: str | None = None
    nats_monitor_url: str | None = None
    keycloak_url: str | None = None
    """Base URL of a Keycloak that imported `deploy/local/keycloak/ejournal-realm.json`."""
    keycloak_health_url: str | None = None
    keycloak_admin_username: str | None = None
    keycloak_admin_password: str | None = None


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    """What `status()` reports for one component."""

    name: str
    running: bool
    detail: str


class Stack:
    """One profile's stack."""

    def __init__(
        self, profile: str | Profile = "dev", *, repo: Path | None = None, external: External | None = None
    ) -> None:
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        self.repo = (repo or find_repo_root()).resolve()
        self.external = external or External()
        self.data_dir = self.repo / ".stack" / self.profile.name
        self.logs_dir = self.data_dir / "logs"
        self.run_dir = self.data_dir / "run"
        self.secrets = Secrets(self.data_dir / "secrets.json")
        self.server_dir: Path | None = server_state_dir(
            self.repo, self.profile.name, as_root=os.geteuid() == 0
        )
        """The PostgreSQL cluster's folder outside the checkout (as root), or None: it is in `data_dir`."""
        self._kc: Keycloak | None = None

    # -- paths ------------------------------------------------------------------------------------

    def log_path(self, name: str) -> Path:
        """Return the log file of a component or program."""
        return self.logs_dir / f"{name}.log"

    @property
    def venv_bin(self) -> Path:
        """Return the workspace venv's bin directory."""
        return self.repo / ".venv" / "bin"

    @property
    def realm_file(self) -> Path:
        """Write and return the realm this stack imports: the production realm + the dev/test overlay."""
        own_origin = f"http://{HOST}:{self.profile.gateway_port}"
        return write_merged_realm(self.repo, self.data_dir / "keycloak" / "realm", own_origin=own_origin)

    @property
    def password_deny_lists(self) -> Path:
        """Return the folder of the realm's password deny-list (Keycloak's `passwordBlacklist`)."""
        return self.repo / PASSWORD_DENY_LISTS

    @property
    def postgres_data_dir(self) -> Path:
        """Return PGDATA: in `server_dir` when there is one, else in the profile's data dir."""
        return (self.server_dir or self.data_dir) / "postgres"

    @property
    def postgres_log(self) -> Path:
        """Return the log the server writes: next to its data outside the checkout (`logs/` links to it)."""
        return self.server_dir / "postgres.log" if self.server_dir else self.log_path("postgres")

    @property
    def demo_marker(self) -> Path:
        """Return the file that says the demo college is in this profile's cluster."""
        return self.data_dir / SEED_MARKER

    def postgres_initialized(self) -> bool:
        """Tell whether the profile has a cluster (also one still inside the checkout, not moved yet)."""
        return any(pg.initialized() for pg in self._clusters())

    @property
    def supervisor_config_path(self) -> Path:
        """Return the supervisor's config (programs and their environment; mode 600)."""
        return self.data_dir / "supervisor.json"

    @property
    def supervisor_pidfile(self) -> Path:
        """Return the supervisor's pidfile."""
        return self.run_dir / "supervisor.pid"

    # -- addresses --------------------------------------------------------------------------------

    @property
    def superuser_dsn(self) -> str:
        """Return the PostgreSQL superuser DSN (libpq/asyncpg form)."""
        if self.external.postgres_url:
            return self.external.postgres_url
        password = self.secrets.get("postgres_superuser_password")
        return f"postgresql://{SUPERUSER}:{password}@{HOST}:{self.profile.postgres_port}/postgres"

    @property
    def postgres_addr(self) -> str:
        """Return PostgreSQL's host:port."""
        parts = urlsplit(self.superuser_dsn)
        return f"{parts.hostname}:{parts.port or 5432}"

    def database_url(self, service: str) -> str:
        """Return a service's SQLAlchemy URL (`postgresql+asyncpg://`), as its own role."""
        if service not in DATABASES:
            raise KeyError(f"unknown database {service!r}")
        return f"postgresql+asyncpg://{service}:{self.secrets.db_password(service)}@{self.postgres_addr}/{service}"

    @property
    def nats_address(self) -> str:
        """Return the NATS client URL without credentials (what the services get, with their user)."""
        return self.external.nats_url or f"nats://{HOST}:{self.profile.nats_port}"

    @property
    def nats_url(self) -> str:
        """Return the NATS URL of the admin user (tests and tools: may create and read any stream).

        An external server is used as given (its URL carries whatever credentials it needs).
        """
        if self.external.nats_url:
            return self.external.nats_url
        password = self.secrets.nats_password(NATS_ADMIN_USER)
        return f"nats://{NATS_ADMIN_USER}:{password}@{HOST}:{self.profile.nats_port}"

    def nats_user(self, service: str) -> tuple[str, str]:
        """Return a service's NATS (user, password); its permissions are in nats-server.conf."""
        return service, self.secrets.nats_password(service)

    @property
    def nats_monitor_url(self) -> str:
        """Return the NATS monitoring base URL."""
        if self.external.nats_monitor_url:
            return self.external.nats_monitor_url
        if self.external.nats_url:
            return f"http://{urlsplit(self.external.nats_url).hostname}:8222"
        return f"http://{HOST}:{self.profile.nats_monitor_port}"

    @property
    def keycloak_url(self) -> str:
        """Return Keycloak's base URL (also its pinned hostname)."""
        return (self.external.keycloak_url or f"http://{HOST}:{self.profile.keycloak_port}").rstrip("/")

    @property
    def keycloak_health_url(self) -> str:
        """Return the URL that answers 200 once Keycloak is ready."""
        if self.external.keycloak_health_url:
            return self.external.keycloak_health_url
        if self.external.keycloak_url:
            return f"{self.keycloak_url}/realms/{REALM}/.well-known/openid-configuration"
        return f"http://{HOST}:{self.profile.keycloak_management_port}/health/ready"

    @property
    def issuer(self) -> str:
        """Return the OIDC issuer of the ejournal realm."""
        return f"{self.keycloak_url}/realms/{REALM}"

    @property
    def keycloak_admin(self) -> tuple[str, str]:
        """Return the master-realm admin's (username, password)."""
        if self.external.keycloak_url:
            return (
                self.external.keycloak_admin_username or "admin",
                self.external.keycloak_admin_password or "admin",
            )
        return ("admin", self.secrets.get("keycloak_admin_password"))

    @property
    def gateway_url(self) -> str:
        """Return the gateway's (and the portal's) base URL."""
        return f"http://{HOST}:{self.profile.gateway_port}"

    def grpc_addr(self, service: str) -> str:
        """Return a service's gRPC host:port."""
        return f"{HOST}:{self.profile.grpc_port(service)}"

    def client_secret(self, client_id: str) -> str:
        """Return a confidential Keycloak client's secret (e.g. `ejournal-journal`)."""
        return self.secrets.client_secret(client_id)

    def env_for(self, name: str) -> dict[str, str]:
        """Return the settings of a service or the gateway as environment variables.

        Only the stack's own variables: merge them over `os.environ` to launch a process.
        """
        if name == "gateway":
            env = {
                "GATEWAY_HTTP_HOST": HOST,
                "GATEWAY_HTTP_PORT": str(self.profile.gateway_port),
                "GATEWAY_PUBLIC_URL": self.gateway_url,
                "GATEWAY_OIDC_ISSUER": self.issuer,
                "GATEWAY_OIDC_AUDIENCE": API_AUDIENCE,
                "GATEWAY_PORTAL_CLIENT_ID": PORTAL_CLIENT_ID,
                "GATEWAY_SESSION_SECRET": self.secrets.get("gateway_session_secret"),
                "GATEWAY_NATS_MONITOR_URL": self.nats_monitor_url,
                "GATEWAY_POSTGRES_ADDR": self.postgres_addr,
                "GATEWAY_KEYCLOAK_HEALTH_URL": self.keycloak_health_url,
                "GATEWAY_LOG_LEVEL": "INFO",
            }
            for service in SERVICES:
                env[f"GATEWAY_{service.upper()}_ADDR"] = self.grpc_addr(service)
            return env
        if name not in SERVICES:
            raise KeyError(f"unknown program {name!r}; expected one of {', '.join(PROGRAMS)}")
        prefix = name.upper()
        env = {
            f"{prefix}_DATABASE_URL": self.database_url(name),
            f"{prefix}_NATS_URL": self.nats_address,
            f"{prefix}_NATS_USER": self.nats_user(name)[0],
            f"{prefix}_NATS_PASSWORD": self.nats_user(name)[1],
            f"{prefix}_GRPC_HOST": HOST,
            f"{prefix}_GRPC_PORT": str(self.profile.grpc_port(name)),
            f"{prefix}_OIDC_ISSUER": self.issuer,
            f"{prefix}_OIDC_AUDIENCE": API_AUDIENCE,
            f"{prefix}_SERVICE_CLIENT_ID": service_client_id(name),
            f"{prefix}_SERVICE_CLIENT_SECRET": self.client_secret(service_client_id(name)),
            f"{prefix}_IDENTITY_ADDR": self.grpc_addr("identity"),
            f"{prefix}_LOG_LEVEL": "INFO",
        }
        if name == "identity":
            env["IDENTITY_KEYCLOAK_URL"] = self.keycloak_url
            env["IDENTITY_KEYCLOAK_REALM"] = REALM
        return env

    # -- components -------------------------------------------------------------------------------

    def _postgres(self, data_dir: Path | None = None, log_path: Path | None = None) -> Postgres:
        return Postgres(
            data_dir=data_dir or self.postgres_data_dir,
            log_path=log_path or self.postgres_log,
            port=self.profile.postgres_port,
            superuser_password=self.secrets.get("postgres_superuser_password"),
            durable=self.profile.durable,
        )

    def _clusters(self) -> list[Postgres]:
        # Before the cluster moved out of the checkout it lived in .stack/<profile>/postgres.
        clusters = [self._postgres()]
        if self.server_dir is not None:
            clusters.append(self._postgres(self.data_dir / "postgres", self.log_path("postgres")))
        return clusters

    def _prepare_server_dir(self) -> None:
        """Create the cluster's folder outside the checkout and point `logs/postgres.log` at its log."""
        if self.server_dir is None:
            return
        make_searchable_dirs(self.server_dir)
        # Which checkout a folder belongs to, for whoever looks into /var/lib/ejournal.
        note = self.server_dir.parent / "checkout"
        if not note.exists() or note.read_text() != f"{self.repo}\n":
            note.write_text(f"{self.repo}\n")
        current, legacy = self._clusters()
        current.adopt(legacy)
        link = self.log_path("postgres")
        if not (link.is_symlink() and Path(os.readlink(link)) == self.postgres_log):
            link.unlink(missing_ok=True)
            link.symlink_to(self.postgres_log)

    def _nats(self) -> Nats:
        return Nats(
            binary_dir=self.venv_bin,
            config=self.repo / "deploy" / "local" / "nats" / "nats-server.conf",
            store_dir=self.data_dir / "nats",
            pidfile=self.run_dir / "nats.pid",
            log_path=self.log_path("nats"),
            port=self.profile.nats_port,
            monitor_port=self.profile.nats_monitor_port,
            server_name=f"ejournal-{self.profile.name}",
            passwords={nats_password_env(user): self.secrets.nats_password(user) for user in NATS_USERS},
        )

    def _keycloak(self) -> Keycloak:
        secrets = {
            client_secret_env(service_client_id(svc)): self.client_secret(service_client_id(svc))
            for svc in SERVICES
        }
        pg = urlsplit(self.superuser_dsn)
        return Keycloak(
            realm_file=self.realm_file,
            import_dir=self.data_dir / "keycloak" / "import",
            pidfile=self.run_dir / "keycloak.pid",
            log_path=self.log_path("keycloak"),
            build_log_path=self.log_path("keycloak-build"),
            port=self.profile.keycloak_port,
            management_port=self.profile.keycloak_management_port,
            db_url=f"jdbc:postgresql://{pg.hostname}:{pg.port or 5432}/keycloak",
            db_username="keycloak",
            db_password=self.secrets.db_password("keycloak"),
            admin_password=self.secrets.get("keycloak_admin_password"),
            client_secrets=secrets,
            fast_jvm=self.profile.fast_jvm,
            password_deny_lists=self.password_deny_lists,
            extensions=repo_extensions(self.repo),
        )

    def _prepare(self) -> None:
        for directory in (self.data_dir, self.logs_dir, self.run_dir):
            directory.mkdir(parents=True, exist_ok=True)
        # Secrets and logs live here: others may only pass through (a cluster that still lives in the
        # checkout is reached by PostgreSQL's user through here until it is moved out).
        self.data_dir.chmod(0o711)
        self.logs_dir.chmod(0o711)
        self.run_dir.chmod(0o700)

    def start_postgres(self) -> None:
        """Start PostgreSQL (initdb on first use) unless an external server is configured."""
        self._prepare()
        if self.external.postgres_url:
            log.info("using external PostgreSQL at %s", self.postgres_addr)
            return
        self._prepare_server_dir()
        pg = self._postgres()
        if not pg.initialized():
            # A new cluster holds no demo college, whatever a marker from an earlier one says.
            self.demo_marker.unlink(missing_ok=True)
        pg.start()

    def start_nats(self) -> None:
        """Start NATS with JetStream unless an external server is configured."""
        self._prepare()
        if self.external.nats_url:
            log.info("using external NATS at %s", self.nats_url)
            return
        self._nats().start()

    def start_keycloak(self, timeout: float = 240.0, *, wait: bool = True) -> float:
        """Start Keycloak (fetch, unzip and build on first use); return the seconds until ready.

        With `wait=False` return right after launching; `wait_keycloak()` finishes the job.
        """
        self._prepare()
        if self.external.keycloak_url:
            log.info("using external Keycloak at %s", self.keycloak_url)
            return 0.0
        self._kc = self._keycloak()
        return self._kc.start(timeout=timeout, wait=wait)

    def wait_keycloak(self, timeout: float = 240.0) -> float:
        """Wait until Keycloak is ready; return the seconds since it was launched by this object."""
        if self.external.keycloak_url:
            from devstack.proc import wait_until

            return wait_until(self.keycloak_ready, timeout=timeout, component="keycloak", what="ready")
        kc = self._kc or self._keycloak()
        return kc.wait_ready(timeout=timeout)

    def create_databases(self) -> None:
        """Create one role and one owned database per service, plus Keycloak's, with the stored passwords."""
        self._prepare()
        ensure_databases(self.superuser_dsn, {db: self.secrets.db_password(db) for db in DATABASES})
        log.info("databases ready: %s", ", ".join(DATABASES))

    def migrate(self) -> None:
        """Run each service's Alembic migrations to head; skip services that have no alembic.ini yet."""
        self._prepare()
        alembic = self.venv_bin / "alembic"
        if not alembic.exists():
            alembic = Path(sys.executable).parent / "alembic"
        running: dict[str, subprocess.Popen[bytes]] = {}
        at_head = self._databases_at_head()
        for service in SERVICES:
            ini = self.repo / "services" / service / "alembic.ini"
            if not ini.exists():
                log.info("migrate %s: skipped, services/%s/alembic.ini does not exist yet", service, service)
                continue
            if service in at_head:
                log.info("migrate %s: at head already", service)
                continue
            log_path = self.log_path(f"migrate-{service}")
            env = dict(os.environ) | self.env_for(service)
            # Each service has its own database, so the migrations run side by side.
            with log_path.open("ab") as out:
                out.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} alembic upgrade head ===\n".encode())
                out.flush()
                running[service] = subprocess.Popen(
                    [str(alembic), "-c", str(ini.relative_to(self.repo)), "upgrade", "head"],
                    cwd=self.repo,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
        failed = []
        for service, proc in running.items():
            code = proc.wait()
            if code != 0:
                failed.append((service, code))
            else:
                log.info("migrate %s: at head", service)
        if len(failed) == 1:
            service, code = failed[0]
            raise StackError(
                f"migrate-{service}",
                f"alembic upgrade head failed (exit {code})",
                self.log_path(f"migrate-{service}"),
            )
        if failed:
            parts = [f"alembic upgrade head failed for {', '.join(s for s, _ in failed)}"]
            for service, _ in failed:
                path = self.log_path(f"migrate-{service}")
                parts.append(f"--- last lines of {path} ---\n{tail(path, 20)}")
            raise StackError("migrate", "\n".join(parts))

    def _databases_at_head(self) -> set[str]:
        # Alembic costs a process importing the service's models; skip it when it would do nothing.
        heads = {}
        for service in SERVICES:
            found = migration_heads(self.repo / "services" / service / "migrations" / "versions")
            if found is not None:
                heads[service] = found
        return databases_at_head(self.superuser_dsn, heads)

    def default_programs(self) -> dict[str, list[str]]:
        """Return the command of each program: the console scripts in the workspace venv."""
        return {name: [str(self.venv_bin / f"ejournal-{name}")] for name in PROGRAMS}

    def start_services(self, programs: Mapping[str, Sequence[str]] | None = None) -> None:
        """Launch the supervisor that runs the services and the gateway (reused when already running).

        `programs` maps a program name (a service or `gateway`) to its command; tests may pass a subset
        or stand-ins.
        """
        self._prepare()
        chosen = self.default_programs() if programs is None else {k: list(v) for k, v in programs.items()}
        entries = [
            {"name": name, "argv": argv, "env": self.env_for(name), "log": str(self.log_path(name))}
            for name, argv in chosen.items()
        ]
        # The caller's environment (PATH, locale, ...) goes under each program's stack variables.
        base_env = dict(os.environ) | {"PYTHONUNBUFFERED": "1"}
        config = {
            "state": str(self.run_dir / "supervisor-children.json"),
            "programs": entries,
            "base_env": base_env,
        }
        path = self.supervisor_config_path
        running = read_pidfile(self.supervisor_pidfile)
        if running is not None:
            if self._supervised_programs() == entries:
                log.info("supervisor already running (pid %d)", running.pid)
                return
            log.info("program set changed; restarting the supervisor")
            self._stop_supervisor()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(config, fh, indent=2, sort_keys=True)
        proc = spawn_detached(
            [sys.executable, "-m", "devstack.supervisor", self.profile.name, "--config", str(path)],
            env=base_env,
            log_path=self.log_path("supervisor"),
            cwd=self.repo,
        )
        write_pidfile(self.supervisor_pidfile, proc.pid)
        log.info("supervisor started (pid %d): %s", proc.pid, ", ".join(chosen))

    def _supervised_programs(self) -> list[dict[str, object]]:
        try:
            data = json.loads(self.supervisor_config_path.read_text())
        except (FileNotFoundError, ValueError):
            return []
        return list(data.get("programs", []))

    def _supervised_names(self) -> list[str]:
        return [str(p["name"]) for p in self._supervised_programs()]

    def wait_healthy(self, timeout: float = 90.0) -> float:
        """Wait until every supervised service is SERVING (gRPC health) and the gateway's /healthz is 200.

        Return the seconds waited; on timeout raise StackError naming the unhealthy ones with their logs.
        """
        self._check_supervisor()
        names = self._supervised_names()
        url = f"{self.gateway_url}/healthz"
        began = time.monotonic()
        while True:
            # Re-check everything on each sweep: a program that answered once may have crashed since.
            unhealthy = [n for n in names if n in SERVICES and not grpc_serving(self.grpc_addr(n))]
            if not unhealthy and "gateway" in names and not http_ok(url):
                unhealthy = ["gateway"]
            if not unhealthy:
                break
            if time.monotonic() - began > timeout:
                raise self._unhealthy_error(unhealthy, timeout)
            self._check_supervisor()
            time.sleep(0.5)
        elapsed = time.monotonic() - began
        log.info("all programs healthy after %.1f s", elapsed)
        return elapsed

    def _check_supervisor(self) -> None:
        if read_pidfile(self.supervisor_pidfile) is None:
            raise StackError("supervisor", "is not running", self.log_path("supervisor"))

    def _unhealthy_error(self, names: list[str], timeout: float) -> StackError:
        parts = [f"not healthy after {timeout:.0f} s: {', '.join(names)}"]
        for name in names:
            path = self.log_path(name)
            parts.append(f"--- last lines of {path} ---\n{tail(path, 25)}")
        parts.append(f"--- supervisor ---\n{tail(self.log_path('supervisor'), 10)}")
        return StackError("services", "\n".join(parts))

    # -- exclusive use --------------------------------------------------------------------------------

    @property
    def lock_path(self) -> Path:
        """Return the lock a test session holds while it owns this profile (outside the wiped data dir)."""
        return self.repo / ".stack" / f"{self.profile.name}.lock"

    def acquire_lock(self) -> IO[str]:
        """Take the profile for this process (a pytest session); keep the returned handle open to hold it."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.lock_path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            holder = self.lock_holder()
            raise StackError(
                "stack", f"profile {self.profile.name!r} is in use by another test run (pid {holder})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return handle

    def lock_holder(self) -> int | None:
        """Return the pid of the process holding this profile, or None when it is free."""
        if not self.lock_path.exists():
            return None
        with self.lock_path.open("r") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = handle.read().strip()
                return int(text) if text.isdigit() else -1
            fcntl.flock(handle, fcntl.LOCK_UN)
        return None

    # -- shutdown ---------------------------------------------------------------------------------

    def _stop_supervisor(self) -> bool:
        record = read_pidfile(self.supervisor_pidfile)
        stopped = record is not None and stop_process(record, name="supervisor", grace=15.0)
        self.supervisor_pidfile.unlink(missing_ok=True)
        # If the supervisor was killed hard, its children are orphans: stop them by their recorded pids.
        state = self.run_dir / "supervisor-children.json"
        if state.exists():
            try:
                children = json.loads(state.read_text())
            except ValueError:
                children = {}
            from devstack.proc import PidRecord

            for name, info in children.items():
                orphan = PidRecord(pid=int(info["pid"]), started=info.get("started"))
                if orphan.alive():
                    stop_process(orphan, name=name)
            state.unlink(missing_ok=True)
        return stopped

    def stop(self) -> None:
        """Stop everything this profile started (services, Keycloak, NATS, PostgreSQL); keep the data."""
        self._stop_supervisor()
        self._keycloak_stop()
        self._nats().stop()
        for pg in self._clusters():
            if pg.initialized():
                pg.stop()

    def _keycloak_stop(self) -> None:
        pidfile = self.run_dir / "keycloak.pid"
        record = read_pidfile(pidfile)
        pidfile.unlink(missing_ok=True)
        if record is not None:
            stop_process(record, name="keycloak", grace=KEYCLOAK_STOP_GRACE)

    def wipe(self) -> None:
        """Stop the profile, then delete its data dir (databases, secrets, logs) and its cluster's folder."""
        self.stop()
        if self.data_dir.exists():
            log.info("deleting %s", self.data_dir)
            shutil.rmtree(self.data_dir)
        if self.server_dir is not None and self.server_dir.exists():
            log.info("deleting %s", self.server_dir)
            shutil.rmtree(self.server_dir)
            checkout_dir = self.server_dir.parent
            if {p.name for p in checkout_dir.iterdir()} <= {"checkout"}:
                shutil.rmtree(checkout_dir)
        # Forget secrets read before the wipe: the next start generates and saves new ones.
        self.secrets = Secrets(self.data_dir / "secrets.json")

    def status(self) -> list[ComponentStatus]:
        """Report which components of this profile run, with their addresses."""
        result: list[ComponentStatus] = []
        if self.external.postgres_url:
            result.append(ComponentStatus("postgres", True, f"external {self.postgres_addr}"))
        else:
            pid = next((p for p in (pg.pid() for pg in self._clusters()) if p is not None), None)
            state = f"pid {pid}" if pid else "stopped"
            result.append(
                ComponentStatus(
                    "postgres", pid is not None, f"{state} {self.postgres_addr} data {self.postgres_data_dir}"
                )
            )
        for name, pidfile, url in (
            ("nats", "nats.pid", self.nats_address),
            ("keycloak", "keycloak.pid", self.keycloak_url),
            ("supervisor", "supervisor.pid", ""),
        ):
            record = read_pidfile(self.run_dir / pidfile)
            detail = f"pid {record.pid}" if record else "stopped"
            result.append(ComponentStatus(name, record is not None, f"{detail} {url}".strip()))
        if read_pidfile(self.supervisor_pidfile) is not None:
            for name in self._supervised_names():
                if name == "gateway":
                    ok = http_ok(f"{self.gateway_url}/healthz")
                    where = self.gateway_url
                else:
                    where = self.grpc_addr(name)
                    ok = grpc_serving(where)
                result.append(ComponentStatus(name, ok, f"{'healthy' if ok else 'not healthy'} {where}"))
        return result

    # -- convenience ------------------------------------------------------------------------------

    def up(
        self,
        *,
        keycloak: bool = True,
        services: bool = True,
        health_timeout: float = 90.0,
        on_keycloak_ready: Callable[[], object] | None = None,
    ) -> dict[str, float]:
        """Bring the stack up, overlapping what does not depend on each other; return seconds per phase.

        Keycloak boots while the migrations run; the services boot while Keycloak finishes (they
        need it only to check tokens, fetched on the first request). `on_keycloak_ready` runs as
        soon as Keycloak is ready, before the wait for the services' health.
        """
        timings: dict[str, float] = {}

        def timed(name: str, action: Callable[[], object]) -> None:
            began = time.monotonic()
            action()
            timings[name] = time.monotonic() - began

        timed("postgres", self.start_postgres)
        timed("nats", self.start_nats)
        timed("databases", self.create_databases)
        if keycloak:
            self.start_keycloak(wait=False)
        timed("migrate", self.migrate)
        if services:
            timed("services", self.start_services)
        if keycloak:
            timings["keycloak"] = self.wait_keycloak()
            if on_keycloak_ready is not None:
                on_keycloak_ready()
        if services:
            timed("healthy", lambda: self.wait_healthy(health_timeout))
        return timings

    def keycloak_ready(self) -> bool:
        """Tell whether Keycloak answers its readiness endpoint."""
        try:
            return httpx.get(self.keycloak_health_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
