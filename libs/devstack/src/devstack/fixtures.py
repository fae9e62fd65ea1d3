"""Pytest plugin: the real stack for tests, registered with `pytest_plugins = ["devstack.fixtures"]`.

Session fixtures, all returning the same `Stack` of the `test` profile:

- `stack_infra`: PostgreSQL + NATS, databases created and migrated;
- `stack_keycloak`: adds Keycloak with the ejournal realm (started at most once per run);
- `stack_platform`: adds the five services and the gateway, healthy.

Where the servers come from, per server, in this order:

1. `TEST_POSTGRES_URL` (superuser DSN), `TEST_NATS_URL` (+ optional `TEST_NATS_MONITOR_URL`),
   `TEST_KEYCLOAK_URL` (+ optional `TEST_KEYCLOAK_HEALTH_URL`, `TEST_KEYCLOAK_ADMIN_USERNAME`,
   `TEST_KEYCLOAK_ADMIN_PASSWORD`): use that server. An external Keycloak must have imported the
   merged dev/test realm (`python -m devstack.realm`: production realm + dev overlay) with
   `EJOURNAL_KC_SECRET_<SVC>` set and the password deny-list folder in place; export the same
   variables to the test run so services get matching client secrets.
2. a Docker engine that answers `docker info`: containers via testcontainers, on the test profile's ports;
3. otherwise the native stack (`.stack/test`, wiped at session start).

A server that fails to start ends the session with an error naming it; nothing is ever skipped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

import pytest

from devstack.keycloak import DENY_LIST_OPTION
from devstack.profiles import REALM, SERVICES, get_profile, service_client_id
from devstack.secrets_store import client_secret_env
from devstack.stack import External, Stack, StackError, find_repo_root

log = logging.getLogger("devstack")

# `test` unless EJOURNAL_TEST_PROFILE names another test lane (test1 … test7).
PROFILE = os.environ.get("EJOURNAL_TEST_PROFILE", "test")
ENV_POSTGRES = "TEST_POSTGRES_URL"
ENV_NATS = "TEST_NATS_URL"
ENV_NATS_MONITOR = "TEST_NATS_MONITOR_URL"
ENV_KEYCLOAK = "TEST_KEYCLOAK_URL"
ENV_KEYCLOAK_HEALTH = "TEST_KEYCLOAK_HEALTH_URL"
ENV_KEYCLOAK_ADMIN_USERNAME = "TEST_KEYCLOAK_ADMIN_USERNAME"
ENV_KEYCLOAK_ADMIN_PASSWORD = "TEST_KEYCLOAK_ADMIN_PASSWORD"
KEYCLOAK_IMAGE = "quay.io/keycloak/keycloak:26.7.3"
_STASH_KEY = pytest.StashKey["StackSession"]()


def docker_available() -> bool:
    """Tell whether a Docker engine answers `docker info`."""
    if not shutil.which("docker"):
        return False
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def external_from_env() -> External:
    """Read the external-server contract from the environment."""
    env = os.environ
    return External(
        postgres_url=env.get(ENV_POSTGRES) or None,
        nats_url=env.get(ENV_NATS) or None,
        nats_monitor_url=env.get(ENV_NATS_MONITOR) or None,
        keycloak_url=env.get(ENV_KEYCLOAK) or None,
        keycloak_health_url=env.get(ENV_KEYCLOAK_HEALTH) or None,
        keycloak_admin_username=env.get(ENV_KEYCLOAK_ADMIN_USERNAME) or None,
        keycloak_admin_password=env.get(ENV_KEYCLOAK_ADMIN_PASSWORD) or None,
    )


class StackSession:
    """What one pytest run started, so that it is started once and stopped at the end."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.external = external_from_env()
        self.use_docker: bool | None = None
        self.stack: Stack | None = None
        self.containers: list[Any] = []
        self.native = False
        self._phase: set[str] = set()
        self._lock: IO[str] | None = None

    # -- helpers ----------------------------------------------------------------------------------

    def _fail(self, exc: BaseException) -> NoReturn:
        # pytest.exit ends the whole session: a missing server must fail loudly, never skip tests.
        self.close()
        pytest.exit(f"devstack: the test stack could not start.\n{exc}", returncode=1)

    def _docker(self) -> bool:
        if self.use_docker is None:
            self.use_docker = docker_available()
        return self.use_docker

    def _stack(self) -> Stack:
        assert self.stack is not None
        return self.stack

    # -- containers (only when a Docker engine answers) ------------------------------------------

    def _start_containers(self, external: External) -> External:
        from testcontainers.community.postgres import PostgresContainer

        profile = get_profile(PROFILE)
        pg_url, nats_url, monitor = external.postgres_url, external.nats_url, external.nats_monitor_url
        if pg_url is None:
            pg = PostgresContainer(
                "postgres:15-alpine", username="postgres", password="postgres", dbname="postgres", driver=None
            )
            pg.with_bind_ports(5432, profile.postgres_port)
            self.containers.append(pg.start())
            pg_url = f"postgresql://postgres:postgres@127.0.0.1:{profile.postgres_port}/postgres"
        if nats_url is None:
            from testcontainers.community.nats import NatsContainer

            nats = NatsContainer("nats:2.11-alpine", jetstream=True)
            nats.with_bind_ports(4222, profile.nats_port).with_bind_ports(8222, profile.nats_monitor_port)
            self.containers.append(nats.start())
            nats_url = f"nats://127.0.0.1:{profile.nats_port}"
            monitor = f"http://127.0.0.1:{profile.nats_monitor_port}"
        return External(
            postgres_url=pg_url, nats_url=nats_url, nats_monitor_url=monitor,
            keycloak_url=external.keycloak_url, keycloak_health_url=external.keycloak_health_url,
            keycloak_admin_username=external.keycloak_admin_username,
            keycloak_admin_password=external.keycloak_admin_password,
        )  # fmt: skip

    def _start_keycloak_container(self, stack: Stack) -> None:
        from testcontainers.core.container import DockerContainer

        profile = stack.profile
        url = f"http://127.0.0.1:{profile.keycloak_port}"
        # A throwaway dev-file database: the container lives for this run only.
        container = (
            DockerContainer(KEYCLOAK_IMAGE)
            .with_bind_ports(8080, profile.keycloak_port)
            .with_bind_ports(9000, profile.keycloak_management_port)
            .with_volume_mapping(str(stack.realm_file), "/opt/keycloak/data/import/ejournal-realm.json")
            .with_volume_mapping(str(stack.password_deny_lists), "/opt/keycloak/data/password-blacklists")
            .with_env("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
            .with_env("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin")
            .with_command(
                f"start-dev --import-realm --health-enabled=true --hostname={url} {DENY_LIST_OPTION}"
            )
        )
        for svc in SERVICES:
            cid = service_client_id(svc)
            container.with_env(client_secret_env(cid), stack.client_secret(cid))
        self.containers.append(container.start())
        stack.external = External(
            postgres_url=stack.external.postgres_url, nats_url=stack.external.nats_url,
            nats_monitor_url=stack.external.nats_monitor_url, keycloak_url=url,
            keycloak_health_url=f"http://127.0.0.1:{profile.keycloak_management_port}/health/ready",
            keycloak_admin_username="admin", keycloak_admin_password="admin",
        )  # fmt: skip

    # -- phases -----------------------------------------------------------------------------------

    def infra(self) -> Stack:
        """Provide PostgreSQL and NATS with migrated databases."""
        if "infra" in self._phase:
            return self._stack()
        try:
            self._lock = Stack(PROFILE, repo=self.repo).acquire_lock()
            external = self.external
            if (external.postgres_url is None or external.nats_url is None) and self._docker():
                external = self._start_containers(external)
            self.stack = stack = Stack(PROFILE, repo=self.repo, external=external)
            if external.postgres_url is None or external.nats_url is None:
                self.native = True
                stack.wipe()  # a fresh cluster per run: no state leaks from the previous one
            stack.start_postgres()
            stack.start_nats()
            stack.create_databases()
            stack.migrate()
        except (StackError, OSError) as exc:
            self._fail(exc)
        except Exception as exc:  # testcontainers and docker raise their own types
            self._fail(StackError("stack", f"{type(exc).__name__}: {exc}"))
        self._phase.add("infra")
        return self._stack()

    def keycloak(self) -> Stack:
        """Provide Keycloak with the ejournal realm, on top of the infrastructure."""
        stack = self.infra()
        if "keycloak" in self._phase:
            return stack
        try:
            if stack.external.keycloak_url is None and self._docker():
                self._start_keycloak_container(stack)
            if stack.external.keycloak_url is None:
                self.native = True
                stack.start_keycloak()
            else:
                self._wait_external_keycloak(stack)
        except StackError as exc:
            self._fail(exc)
        except Exception as exc:
            self._fail(StackError("keycloak", f"{type(exc).__name__}: {exc}"))
        self._phase.add("keycloak")
        return stack

    @staticmethod
    def _wait_external_keycloak(stack: Stack) -> None:
        from devstack.proc import wait_until

        wait_until(stack.keycloak_ready, timeout=240, component="keycloak",
                   what=f"ready at {stack.keycloak_health_url} (realm {REALM})")  # fmt: skip

    def platform(self) -> Stack:
        """Provide the five services and the gateway, healthy, on top of Keycloak."""
        stack = self.keycloak()
        if "platform" in self._phase:
            return stack
        try:
            stack.start_services()
            stack.wait_healthy(timeout=120)
        except StackError as exc:
            self._fail(exc)
        self._phase.add("platform")
        return stack

    def close(self) -> None:
        """Stop what this run started (native processes, containers); keep native data for post-mortems."""
        if self.stack is not None and (self.native or "platform" in self._phase):
            with contextlib.suppress(Exception):
                self.stack.stop()
        for container in reversed(self.containers):
            with contextlib.suppress(Exception):
                container.stop()
        self.containers.clear()
        self._phase.clear()
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _session(config: pytest.Config) -> StackSession:
    if _STASH_KEY not in config.stash:
        config.stash[_STASH_KEY] = StackSession(find_repo_root(Path(str(config.rootpath))))
    return config.stash[_STASH_KEY]


@pytest.fixture(scope="session")
def _devstack_session(pytestconfig: pytest.Config) -> Iterator[StackSession]:
    session = _session(pytestconfig)
    yield session
    session.close()


@pytest.fixture(scope="session")
def stack_infra(_devstack_session: StackSession) -> Stack:
    """PostgreSQL + NATS of the test profile, databases created and migrated."""
    return _devstack_session.infra()


@pytest.fixture(scope="session")
def stack_keycloak(_devstack_session: StackSession) -> Stack:
    """The test stack with Keycloak and the ejournal realm."""
    return _devstack_session.keycloak()


@pytest.fixture(scope="session")
def stack_platform(_devstack_session: StackSession) -> Stack:
    """The whole test stack: infrastructure, Keycloak, services and gateway, all healthy."""
    return _devstack_session.platform()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the stack even when the run ends early (pytest.exit, Ctrl-C)."""
    if _STASH_KEY in session.config.stash:
        session.config.stash[_STASH_KEY].close()
