"""Alembic environment of the identity database."""

from chassis.migrations import run_migrations
from identity_service.adapters.orm import metadata

run_migrations(metadata, "IDENTITY_DATABASE_URL")
