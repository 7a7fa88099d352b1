"""What a Slack request's journal change returned, so a takeover of that request (after a
replica died mid-work) gets the same answer instead of saving or voting twice.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_outcomes",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_request_outcomes")),
    )
    op.create_index(
        op.f("ix_request_outcomes_created_at"), "request_outcomes", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_request_outcomes_created_at"), table_name="request_outcomes")
    op.drop_table("request_outcomes")
