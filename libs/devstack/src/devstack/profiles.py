"""Named stack profiles: the ports each one binds, so `dev` and `test` can run side by side.

No port lies in Linux's default range of ephemeral ports (32768–60999, `EPHEMERAL_PORTS`): there the
kernel may hand a port to any outgoing connection first — the messaging service's connection to NATS
once took 50054, and reports, restarted, could not bind its gRPC port until that connection closed.
"""

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

EPHEMERAL_PORTS = range(32768, 61000)
"""Linux's default `net.ipv4.ip_local_port_range`: the ports outgoing connections are given."""

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
        postgres_port=25432,
        nats_port=24222,
        nats_monitor_port=28222,
        keycloak_port=28080,
        keycloak_management_port=29080,
        grpc_base_port=20051,
        gateway_port=8000,
        durable=True,
        fast_jvm=False,
    ),
    "test": Profile(
        name="test",
        postgres_port=26432,
        nats_port=26222,
        nats_monitor_port=26822,
        keycloak_port=26080,
        keycloak_management_port=26090,
        grpc_base_port=26051,
        gateway_port=26000,
        durable=False,
        fast_jvm=True,
    ),
}

# Extra test lanes (`EJOURNAL_TEST_PROFILE=test1` …) so several checkouts or developers can run the
# suite side by side on one machine: the same port pattern as `test` (26xxx), on 61xxx … 64xxx (above
# the ephemeral range), then 17xxx, 12xxx, 13xxx and 11xxx (below it; 65xxx would run past the last
# port, and dev holds 20xxx, 24xxx, 25xxx, 28xxx and 29xxx).
_LANES = ((1, 61000), (2, 62000), (3, 63000), (4, 64000), (5, 17000), (6, 12000), (7, 13000), (8, 11000))
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
