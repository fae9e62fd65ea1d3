"""Alembic environment of the archive database."""

from archive_service.adapters.orm import metadata
from chassis.migrations import run_migrations

run_migrations(metadata, "ARCHIVE_DATABASE_URL")
