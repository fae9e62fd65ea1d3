"""Student movement completed (issue 7 item 8): enrolment and graduation as movements, one a day.

The kinds `enrolment` and `graduation` join the checked `movement_kind` values; a student has at most
one movement a day (the database keeps it too); the movements of a group are found by either side.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD_KINDS = ("transfer", "academic_leave", "expulsion", "return")
KINDS = (*OLD_KINDS, "enrolment", "graduation")


def _check(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    op.drop_constraint("movement_kind", "student_movements", type_="check")
    op.create_check_constraint("movement_kind", "student_movements", _check(KINDS))
    op.create_index(
        "ux_student_movements_student_day", "student_movements", ["student_id", "on_date"], unique=True
    )
    op.create_index("ix_student_movements_from_group", "student_movements", ["from_group_id", "on_date"])
    op.create_index("ix_student_movements_to_group", "student_movements", ["to_group_id", "on_date"])


def downgrade() -> None:
    op.drop_index("ix_student_movements_to_group", "student_movements")
    op.drop_index("ix_student_movements_from_group", "student_movements")
    op.drop_index("ux_student_movements_student_day", "student_movements")
    op.drop_constraint("movement_kind", "student_movements", type_="check")
    # Rows of the newer kinds stay (history is never deleted); the narrower check covers new rows only.
    op.execute(
        f"ALTER TABLE student_movements ADD CONSTRAINT movement_kind CHECK ({_check(OLD_KINDS)}) NOT VALID"
    )
