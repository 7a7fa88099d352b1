"""The durable inbox: every acknowledged Slack event is held, with a lease, until answered.

Replaces "mark processed on arrival" (processed_events, kept for old rows) with a row that
says who is working on the event, until when, how many times it was tried, and which
messages of its answer Slack has already accepted. See bot/journal/inbox.py.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_events",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("request_token", sa.Text(), nullable=True),
        sa.Column("answer_token", sa.Text(), nullable=True),
        sa.Column("posted_ts", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_inbox_events")),
    )
    op.create_index(
        "ix_inbox_events_status_lease", "inbox_events", ["status", "lease_until"], unique=False
    )
    op.create_index(
        op.f("ix_inbox_events_updated_at"), "inbox_events", ["updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_events_updated_at"), table_name="inbox_events")
    op.drop_index("ix_inbox_events_status_lease", table_name="inbox_events")
    op.drop_table("inbox_events")
