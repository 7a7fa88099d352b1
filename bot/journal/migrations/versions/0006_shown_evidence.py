"""What each team was shown in "what helped" answers (keys only), so nothing repeats within a month.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shown_evidence",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("shown_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_shown_evidence_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "key", name=op.f("pk_shown_evidence")),
    )
    op.create_index(
        op.f("ix_shown_evidence_shown_at"), "shown_evidence", ["shown_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shown_evidence_shown_at"), table_name="shown_evidence")
    op.drop_table("shown_evidence")
