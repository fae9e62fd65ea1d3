"""Settings of the gateway, read once in the composition root (env prefix GATEWAY_)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """Where the gateway listens, which services it calls and how it logs users in."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the portal for browsers; the OIDC redirect is {public_url}/auth/callback",
    )
    identity_addr: str = "127.0.0.1:20051"
    journal_addr: str = "127.0.0.1:20052"
    messaging_addr: str = "127.0.0.1:20053"
    reports_addr: str = "127.0.0.1:20054"
    archive_addr: str = "127.0.0.1:20055"
    oidc_issuer: str = Field(
        description="Exact issuer of Keycloak tokens, e.g. http://127.0.0.1:8080/realms/ejournal"
    )
    oidc_audience: str = "ejournal-api"
    portal_client_id: str = "ejournal-portal"
    session_secret: SecretStr = Field(description="Key that signs the portal's session cookie")
    nats_monitor_url: str = "http://127.0.0.1:8222"
    postgres_addr: str = Field(
        default="127.0.0.1:5432", description="host:port of PostgreSQL, probed by /healthz"
    )
    keycloak_health_url: str = Field(
        default="http://127.0.0.1:9000/health/ready",
        description="URL that answers 200 once Keycloak is ready",
    )
    college_timezone: str = Field(
        default="Europe/Moscow",
        description="IANA time zone of the college: the portal shows times in it (28.11.2026 14:45)",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1,
        description="Largest request body accepted, in bytes; a larger one is 413 before it is read",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="IP addresses of the TLS-terminating proxies whose X-Forwarded-Proto is believed "
        '(JSON list, e.g. ["10.0.0.5"]); a request they forward as https gets HSTS',
    )
    log_level: str = "INFO"

    @field_validator("college_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def college_zone(self) -> ZoneInfo:
        """Return the college's time zone."""
        return ZoneInfo(self.college_timezone)

    @property
    def issuer(self) -> str:
        """Return the issuer without a trailing slash."""
        return self.oidc_issuer.rstrip("/")

    @property
    def base_url(self) -> str:
        """Return the public URL without a trailing slash."""
        return self.public_url.rstrip("/")

    @property
    def service_addrs(self) -> dict[str, str]:
        """Return the gRPC address of each service, by service name."""
        return {
            "identity": self.identity_addr,
            "journal": self.journal_addr,
            "messaging": self.messaging_addr,
            "reports": self.reports_addr,
            "archive": self.archive_addr,
        }
