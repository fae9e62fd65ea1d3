"""Alembic environment of the messaging database."""

from chassis.migrations import run_migrations
from messaging_service.adapters.orm import metadata

run_migrations(metadata, "MESSAGING_DATABASE_URL")
