"""Settings of the identity service (env prefix IDENTITY_)."""

from __future__ import annotations

from chassis.config import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class IdentitySettings(ServiceSettings):
    """Identity settings; read once in main (and in the admin CLI).

    `service_client_id` / `service_client_secret` are the confidential client `ejournal-identity`,
    whose service account holds realm-management manage-users, view-users, query-users, view-realm.
    """

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    keycloak_url: str = Field(
        default="http://127.0.0.1:28080", description="Keycloak base URL (no /realms/ suffix)"
    )
    keycloak_realm: str = "ejournal"
    keycloak_timeout_seconds: int = 10
    # The college's time zone: a student comes of age at midnight there (issue 8 item 5).
    college_timezone: str = "Europe/Moscow"
