"""Settings of the archive service (env prefix ARCHIVE_)."""

from __future__ import annotations

from chassis.config import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ArchiveSettings(ServiceSettings):
    """Archive settings; read once in main."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", extra="ignore")
