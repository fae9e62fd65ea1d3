"""Named stack profiles: the ports each one binds, so `dev` and `test` can run side by side."""

from __future__ import annotations

from dataclasses import dataclass

SERVICES: tuple[str, ...] = ("identity", "journal", "messaging", "reports", "archive")
"""The five gRPC services, in port order."""

PROGRAMS: tuple[str, ...] = (*SERVICES, "gateway")
"""Everything the supervisor runs, in start order."""

DATABASES: tuple[str, ...] = (*SERVICES, "keycloak")
"""One role and one database per service, plus Keycloak's own."""

NATS_ADMIN_USER = "admin"
"""The NATS user of devstack, the tests and the operator's tools: creates and inspects any stream."""

NATS_USERS: tuple[str, ...] = (*SERVICES, NATS_ADMIN_USER)
"""One NATS user per service (named after it; permissions in deploy/local/nats), plus the admin.
The gateway has none: it only reads NATS's monitoring endpoint."""

HOST = "127.0.0.1"
REALM = "ejournal"
API_AUDIENCE = "ejournal-api"
PORTAL_CLIENT_ID = "ejournal-portal"
CLI_CLIENT_ID = "ejournal-cli"


def service_client_id(service: str) -> str:
    """Return the Keycloak client id of a service's service account."""
    return f"ejournal-{service}"


@dataclass(frozen=True, slots=True)
class Profile:
    """Ports and behaviour of one named stack."""

    name: str
    postgres_port: int
    nats_port: int
    nats_monitor_port: int
    keycloak_port: int
    keycloak_management_port: int
    grpc_base_port: int
    gateway_port: int
    durable: bool
    """Keep fsync on; a throwaway test cluster may trade durability for speed."""
    fast_jvm: bool
    """Start Keycloak's JVM with C1 only and the serial GC: quicker start, fine for tests."""

    def grpc_port(self, service: str) -> int:
        """Return the gRPC port of a service."""
        if service not in SERVICES:
            raise KeyError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
        return self.grpc_base_port + SERVICES.index(service)

    def all_ports(self) -> dict[str, int]:
        """Return every port this profile binds, by component name."""
        ports = {
            "postgres": self.postgres_port,
            "nats": self.nats_port,
            "nats-monitor": self.nats_monitor_port,
            "keycloak": self.keycloak_port,
            "keycloak-management": self.keycloak_management_port,
            "gateway": self.gateway_port,
        }
        for service in SERVICES:
            ports[service] = self.grpc_port(service)
        return ports


PROFILES: dict[str, Profile] = {
    "dev": Profile(
        name="dev",
        postgres_port=55432,
        nats_port=54222,
        nats_monitor_port=58222,
        keycloak_port=58080,
        keycloak_management_port=59080,
        grpc_base_port=50051,
        gateway_port=8000,
        durable=True,
        fast_jvm=False,
    ),
    "test": Profile(
        name="test",
        postgres_port=56432,
        nats_port=56222,
        nats_monitor_port=56822,
        keycloak_port=56080,
        keycloak_management_port=56090,
        grpc_base_port=56051,
        gateway_port=56000,
        durable=False,
        fast_jvm=True,
    ),
}

# Extra test lanes (`EJOURNAL_TEST_PROFILE=test1` …) so several checkouts or developers can run the
# suite side by side on one machine: the same port pattern as `test`, on 61xxx … 64xxx, then 57xxx,
# 52xxx, 53xxx and 51xxx (65xxx would run past the last port).
_LANES = ((1, 61000), (2, 62000), (3, 63000), (4, 64000), (5, 57000), (6, 52000), (7, 53000), (8, 51000))
for _lane, _base in _LANES:
    PROFILES[f"test{_lane}"] = Profile(
        name=f"test{_lane}",
        postgres_port=_base + 432,
        nats_port=_base + 222,
        nats_monitor_port=_base + 822,
        keycloak_port=_base + 80,
        keycloak_management_port=_base + 90,
        grpc_base_port=_base + 51,
        gateway_port=_base,
        durable=False,
        fast_jvm=True,
    )


def get_profile(name: str) -> Profile:
    """Return the profile called `name`."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown stack profile {name!r}; expected one of {', '.join(PROFILES)}") from None
