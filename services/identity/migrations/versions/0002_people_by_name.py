"""People by name: indexes on the folded surname and first name for SearchPeople's prefix search.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The same expression as the repository's `folded(...)`: lower case, «ё» as «е»; text_pattern_ops so
# that `LIKE 'prefix%'` can use the index whatever the database's collation.
_INDEXES = {
    "ix_people_last_name_folded": "last_name",
    "ix_people_first_name_folded": "first_name",
}


def upgrade() -> None:
    for name, column in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON people ((replace(lower({column}), 'ё', 'е')) text_pattern_ops)")


def downgrade() -> None:
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")
