"""Settings of the messaging service (env prefix MESSAGING_)."""

from __future__ import annotations

from chassis.config import ServiceSettings
from pydantic_settings import SettingsConfigDict


class MessagingSettings(ServiceSettings):
    """Messaging settings; read once in main."""

    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore")

    identity_addr: str = "127.0.0.1:20051"
    # The college's time zone: a parent's access ends at the start of the day identity names there.
    college_timezone: str = "Europe/Moscow"
