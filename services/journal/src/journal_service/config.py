"""Settings of the journal service (env prefix JOURNAL_)."""

from __future__ import annotations

from chassis.config import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class JournalSettings(ServiceSettings):
    """Journal settings; read once in main."""

    model_config = SettingsConfigDict(env_prefix="JOURNAL_", extra="ignore")

    identity_addr: str = "127.0.0.1:20051"
    # The college's local time decides what "today" is for lesson dates.
    college_timezone: str = "Europe/Moscow"
    # How often the reopen sweep puts ended reopen windows on record (journal.period.closed.v1, cause
    # REOPEN_ENDED); writes are refused from the window's end regardless.
    reopen_sweep_seconds: float = Field(default=30.0, gt=0)
