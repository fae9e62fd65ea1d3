"""Settings of the archive service (env prefix ARCHIVE_)."""

from __future__ import annotations

from chassis.config import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ArchiveSettings(ServiceSettings):
    """Archive settings; read once in main."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", extra="ignore")

    # Asked live, with the parent's own token, whether a parent may read a child's records (ADR 0002).
    identity_addr: str = "127.0.0.1:20051"
