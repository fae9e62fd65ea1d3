"""Profiles: ports, data dirs and the environment each program gets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from devstack.profiles import EPHEMERAL_PORTS, PROFILES, SERVICES, get_profile
from devstack.stack import Stack

EXPECTED = {
    "dev": {"postgres": 25432, "nats": 24222, "nats-monitor": 28222, "keycloak": 28080,
            "keycloak-management": 29080, "gateway": 8000, "identity": 20051, "journal": 20052,
            "messaging": 20053, "reports": 20054, "archive": 20055},
    "test": {"postgres": 26432, "nats": 26222, "nats-monitor": 26822, "keycloak": 26080,
             "keycloak-management": 26090, "gateway": 26000, "identity": 26051, "journal": 26052,
             "messaging": 26053, "reports": 26054, "archive": 26055},
}  # fmt: skip
# The lanes: the test profile's ports moved to another thousand (conventions.md).
_LANES = ((1, 61000), (2, 62000), (3, 63000), (4, 64000), (5, 17000), (6, 12000), (7, 13000), (8, 11000))
for _lane, _base in _LANES:
    EXPECTED[f"test{_lane}"] = {name: port - 26000 + _base for name, port in EXPECTED["test"].items()}


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_ports_are_the_documented_ones(name: str) -> None:
    assert get_profile(name).all_ports() == EXPECTED[name]


def test_profiles_can_run_side_by_side() -> None:
    seen: set[int] = set()
    for name in PROFILES:
        ports = set(get_profile(name).all_ports().values())
        assert len(ports) == 11
        assert not ports & seen, name
        seen |= ports


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_no_port_is_one_the_kernel_may_give_an_outgoing_connection(name: str) -> None:
    taken = {
        component: port
        for component, port in get_profile(name).all_ports().items()
        if port in EPHEMERAL_PORTS
    }
    assert not taken, f"{name}: in Linux's ephemeral range 32768–60999: {taken}"


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown stack profile"):
        get_profile("prod")


def test_only_test_profile_trades_durability_for_speed() -> None:
    assert get_profile("dev").durable and not get_profile("dev").fast_jvm
    assert not get_profile("test").durable and get_profile("test").fast_jvm


@pytest.fixture
def dev_stack(tmp_path: Path) -> Stack:
    return Stack("dev", repo=tmp_path)


def test_each_profile_has_its_own_data_dir(tmp_path: Path) -> None:
    assert Stack("dev", repo=tmp_path).data_dir == tmp_path / ".stack" / "dev"
    assert Stack("test", repo=tmp_path).data_dir == tmp_path / ".stack" / "test"
    assert (
        Stack("test", repo=tmp_path).log_path("journal")
        == tmp_path / ".stack" / "test" / "logs" / "journal.log"
    )


def test_secrets_are_generated_once_and_private(dev_stack: Stack, tmp_path: Path) -> None:
    first = dev_stack.client_secret("ejournal-journal")
    again = Stack("dev", repo=tmp_path).client_secret("ejournal-journal")
    assert first == again and len(first) >= 32
    mode = stat.S_IMODE(dev_stack.secrets.path.stat().st_mode)
    assert mode == 0o600
    other = Stack("test", repo=tmp_path)
    assert other.client_secret("ejournal-journal") != first


def test_client_secret_env_override(dev_stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EJOURNAL_KC_SECRET_REPORTS", "from-env")
    assert dev_stack.client_secret("ejournal-reports") == "from-env"
    with pytest.raises(KeyError):
        dev_stack.client_secret("ejournal-portal")


def test_addresses(dev_stack: Stack) -> None:
    assert dev_stack.nats_address == "nats://127.0.0.1:24222"
    admin = dev_stack.secrets.nats_password("admin")
    assert dev_stack.nats_url == f"nats://admin:{admin}@127.0.0.1:24222"
    assert dev_stack.keycloak_url == "http://127.0.0.1:28080"
    assert dev_stack.issuer == "http://127.0.0.1:28080/realms/ejournal"
    assert dev_stack.gateway_url == "http://127.0.0.1:8000"
    assert dev_stack.grpc_addr("reports") == "127.0.0.1:20054"
    assert dev_stack.superuser_dsn.startswith("postgresql://postgres:")
    assert dev_stack.superuser_dsn.endswith("@127.0.0.1:25432/postgres")
    url = dev_stack.database_url("journal")
    assert url.startswith("postgresql+asyncpg://journal:") and url.endswith("@127.0.0.1:25432/journal")


@pytest.mark.parametrize("service", SERVICES)
def test_service_environment(dev_stack: Stack, service: str) -> None:
    env = dev_stack.env_for(service)
    p = service.upper()
    expected = {
        f"{p}_DATABASE_URL", f"{p}_NATS_URL", f"{p}_GRPC_PORT", f"{p}_GRPC_HOST", f"{p}_OIDC_ISSUER",
        f"{p}_OIDC_AUDIENCE", f"{p}_SERVICE_CLIENT_ID", f"{p}_SERVICE_CLIENT_SECRET", f"{p}_IDENTITY_ADDR",
        f"{p}_LOG_LEVEL", f"{p}_NATS_USER", f"{p}_NATS_PASSWORD",
    }  # fmt: skip
    if service == "identity":
        expected |= {"IDENTITY_KEYCLOAK_URL", "IDENTITY_KEYCLOAK_REALM"}
    assert set(env) == expected
    assert env[f"{p}_GRPC_HOST"] == "127.0.0.1"
    assert env[f"{p}_GRPC_PORT"] == str(dev_stack.profile.grpc_port(service))
    assert env[f"{p}_OIDC_AUDIENCE"] == "ejournal-api"
    assert env[f"{p}_SERVICE_CLIENT_ID"] == f"ejournal-{service}"
    assert env[f"{p}_SERVICE_CLIENT_SECRET"] == dev_stack.client_secret(f"ejournal-{service}")
    assert env[f"{p}_IDENTITY_ADDR"] == "127.0.0.1:20051"
    assert env[f"{p}_DATABASE_URL"] == dev_stack.database_url(service)
    # Each service connects as its own NATS user; the URL carries no credentials.
    assert env[f"{p}_NATS_URL"] == "nats://127.0.0.1:24222"
    assert env[f"{p}_NATS_USER"] == service
    assert env[f"{p}_NATS_PASSWORD"] == dev_stack.secrets.nats_password(service)
    assert env[f"{p}_OIDC_ISSUER"] == dev_stack.issuer
    assert env[f"{p}_LOG_LEVEL"] == "INFO"


def test_identity_knows_keycloak(dev_stack: Stack) -> None:
    env = dev_stack.env_for("identity")
    assert env["IDENTITY_KEYCLOAK_URL"] == "http://127.0.0.1:28080"
    assert env["IDENTITY_KEYCLOAK_REALM"] == "ejournal"


def test_gateway_environment(dev_stack: Stack) -> None:
    env = dev_stack.env_for("gateway")
    assert env == {
        "GATEWAY_HTTP_HOST": "127.0.0.1",
        "GATEWAY_HTTP_PORT": "8000",
        "GATEWAY_PUBLIC_URL": "http://127.0.0.1:8000",
        "GATEWAY_IDENTITY_ADDR": "127.0.0.1:20051",
        "GATEWAY_JOURNAL_ADDR": "127.0.0.1:20052",
        "GATEWAY_MESSAGING_ADDR": "127.0.0.1:20053",
        "GATEWAY_REPORTS_ADDR": "127.0.0.1:20054",
        "GATEWAY_ARCHIVE_ADDR": "127.0.0.1:20055",
        "GATEWAY_OIDC_ISSUER": "http://127.0.0.1:28080/realms/ejournal",
        "GATEWAY_OIDC_AUDIENCE": "ejournal-api",
        "GATEWAY_PORTAL_CLIENT_ID": "ejournal-portal",
        "GATEWAY_SESSION_SECRET": dev_stack.secrets.get("gateway_session_secret"),
        "GATEWAY_NATS_MONITOR_URL": "http://127.0.0.1:28222",
        "GATEWAY_POSTGRES_ADDR": "127.0.0.1:25432",
        "GATEWAY_KEYCLOAK_HEALTH_URL": "http://127.0.0.1:29080/health/ready",
        "GATEWAY_LOG_LEVEL": "INFO",
    }


def test_external_servers_replace_native_addresses(tmp_path: Path) -> None:
    from devstack.stack import External

    stack = Stack(
        "test",
        repo=tmp_path,
        external=External(
            postgres_url="postgresql://postgres:pw@db.example:5433/postgres",
            nats_url="nats://mq.example:4222",
            keycloak_url="http://kc.example:8080/",
        ),
    )
    assert stack.superuser_dsn == "postgresql://postgres:pw@db.example:5433/postgres"
    assert stack.database_url("archive").endswith("@db.example:5433/archive")
    assert stack.nats_url == "nats://mq.example:4222"
    assert stack.issuer == "http://kc.example:8080/realms/ejournal"
    assert stack.env_for("gateway")["GATEWAY_POSTGRES_ADDR"] == "db.example:5433"
    assert (
        stack.keycloak_health_url == "http://kc.example:8080/realms/ejournal/.well-known/openid-configuration"
    )


def test_unknown_program_is_refused(dev_stack: Stack) -> None:
    with pytest.raises(KeyError):
        dev_stack.env_for("portal")


def test_profile_lock_is_exclusive_and_reports_its_holder(tmp_path: Path) -> None:
    import os

    from devstack.proc import StackError

    stack = Stack("test", repo=tmp_path)
    assert stack.lock_holder() is None
    handle = stack.acquire_lock()
    try:
        assert stack.lock_holder() == os.getpid()
        with pytest.raises(StackError, match="in use by another test run"):
            Stack("test", repo=tmp_path).acquire_lock()
        assert Stack("dev", repo=tmp_path).lock_holder() is None
    finally:
        handle.close()
    assert stack.lock_holder() is None


def test_wipe_forgets_old_secrets(tmp_path: Path) -> None:
    stack = Stack("dev", repo=tmp_path)
    before = stack.secrets.db_password("keycloak")
    stack.wipe()
    after = stack.secrets.db_password("keycloak")
    assert after != before
    assert Stack("dev", repo=tmp_path).secrets.db_password("keycloak") == after, "saved, not only cached"
