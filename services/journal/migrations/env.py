"""Alembic environment of the journal database."""

from chassis.migrations import run_migrations
from journal_service.adapters.orm import metadata

run_migrations(metadata, "JOURNAL_DATABASE_URL")
