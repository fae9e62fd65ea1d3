"""Settings of the reports service (env prefix REPORTS_)."""

from __future__ import annotations

from chassis.config import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ReportsSettings(ServiceSettings):
    """Reports settings; read once in main."""

    model_config = SettingsConfigDict(env_prefix="REPORTS_", extra="ignore")
