"""The history of a final (issue 7 item 6, slice K): from now on SetFinal keeps a final's first setting
in `final_changes` too (old value '' — «не было»), so the table alone is the final's whole trail. This
migration writes that row for each final set before and never changed (its setter, time, value,
proposal, rule version and reason are still the final's own). A final changed before keeps only its
changes: its first setter was overwritten and is not invented here. No schema change.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        INSERT INTO final_changes
            (id, final_id, changed_by, changed_at, old_value, new_value, proposed_value, rule_version, reason)
        SELECT gen_random_uuid(), f.id, f.set_by, f.set_at, '', f.value, f.proposed_value, f.rule_version,
               f.reason
        FROM finals f
        WHERE NOT EXISTS (SELECT 1 FROM final_changes c WHERE c.final_id = f.id)
        """
    )


def downgrade() -> None:
    # The code before 0018 keeps changes only: the first settings go.
    op.execute("DELETE FROM final_changes WHERE old_value = ''")
