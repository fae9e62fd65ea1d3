"""Alembic environment of the reports database."""

from chassis.migrations import run_migrations
from reports_service.adapters.orm import metadata

run_migrations(metadata, "REPORTS_DATABASE_URL")
