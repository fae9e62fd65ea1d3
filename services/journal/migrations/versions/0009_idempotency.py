"""Idempotency keys on writes (issue 6, bad input): the answer to each key, kept for a day.

The table is the chassis's (`chassis.idempotency`): caller, key, RPC, the request's fingerprint, the
response's bytes and when it was stored; the service purges keys older than 24 hours.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from alembic import op
from chassis.idempotency import create_idempotency_table, drop_idempotency_table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table(op.get_bind())


def downgrade() -> None:
    drop_idempotency_table(op.get_bind())
