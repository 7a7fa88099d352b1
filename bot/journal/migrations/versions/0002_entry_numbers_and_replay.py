"""Per-person entry numbers, and the replayed-interaction guard.

- `entries.number`: each person's own entry number (1, 2, 3...), shown wherever a person sees
  an entry, so nobody sees global sequential ids that reveal how many entries others hold.
  `members.entries_numbered` is the counter a save increments, so a deleted entry's number is
  never handed out again (a stale "Delete #5" button cannot hit a newer entry).
- `interaction_replays`: keys of signed interactions already handled, with an expiry, so a
  `view_submission` or `block_actions` replayed inside Slack's 5-minute window does nothing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("entries", sa.Column("number", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "members",
        sa.Column("entries_numbered", sa.Integer(), nullable=False, server_default="0"),
    )
    # Existing entries are numbered per author in the order they were written.
    op.execute(
        "UPDATE entries SET number = (SELECT COUNT(*) FROM entries AS earlier "
        "WHERE earlier.author_id = entries.author_id AND earlier.id <= entries.id)"
    )
    op.execute(
        "UPDATE members SET entries_numbered = (SELECT COALESCE(MAX(entries.number), 0) "
        "FROM entries WHERE entries.author_id = members.id)"
    )
    op.create_index(
        op.f("ix_entries_author_number"), "entries", ["author_id", "number"], unique=True
    )
    op.create_table(
        "interaction_replays",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_interaction_replays")),
    )
    op.create_index(
        op.f("ix_interaction_replays_expires_at"),
        "interaction_replays",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("interaction_replays")
    op.drop_index(op.f("ix_entries_author_number"), table_name="entries")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("entries_numbered")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("number")
