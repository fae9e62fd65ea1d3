"""Settings shared by every deployable; each service subclasses with its own env prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Infrastructure settings of a gRPC service. Read once, in the composition root."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = Field(description="postgresql+asyncpg:// URL of the service's own database")
    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str = Field(default="", description="The service's own NATS user (its subject permissions)")
    nats_password: str = ""
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051
    oidc_issuer: str = Field(
        description="Exact issuer of Keycloak tokens, e.g. http://127.0.0.1:8080/realms/ejournal"
    )
    oidc_audience: str = "ejournal-api"
    service_client_id: str = ""
    service_client_secret: str = ""
    log_level: str = "INFO"
    db_pool_size: int = 10
    outbox_poll_seconds: float = 1.0
    outbox_pace_seconds: float = Field(
        default=0.1,
        description="The relay sweeps at most once per this many seconds while commits keep coming "
        "(the first after a quiet spell at once): a batch per sweep rather than a sweep per commit",
    )
