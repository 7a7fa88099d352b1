"""SQLAlchemy 2.0 models: the journal's tables. Migrations in `migrations/` mirror these exactly.

Text a person wrote (entry text, commitments, conversation state, enabler notes) is stored only
as Fernet tokens in `*_token` columns; `crypto.py` turns them back into text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL behave the same."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict] = {datetime: UTCDateTime()}


def _fk(target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKey(target, ondelete=ondelete)


class Workspace(Base):
    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]


class Team(Base):
    """A team is a Slack channel (slug = channel id) or a name given to `ripple chat`."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(_fk("workspaces.id"))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    schedule_weekday: Mapped[int] = mapped_column(default=0)  # Monday
    schedule_time: Mapped[str] = mapped_column(sa.String(5), default="09:00")
    schedule_enabled: Mapped[bool] = mapped_column(default=True)
    consent_rule: Mapped[str] = mapped_column(sa.String(16), default="admin")
    # Bumped on every revocation so majority votes from an earlier round no longer count.
    consent_round: Mapped[int] = mapped_column(default=0)
    retention_months: Mapped[int | None]
    created_at: Mapped[datetime]


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(_fk("workspaces.id"))
    user_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/London")
    is_bot: Mapped[bool] = mapped_column(default=False)
    # How many entries this person has ever numbered: the next save takes the next number,
    # so a deleted entry's number is never handed out again.
    entries_numbered: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime]


class TeamMembership(Base):
    __tablename__ = "team_memberships"
    __table_args__ = (sa.UniqueConstraint("team_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(_fk("teams.id"))
    member_id: Mapped[int] = mapped_column(_fk("members.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class Entry(Base):
    __tablename__ = "entries"
    # AUTOINCREMENT on SQLite: an erased entry's number is never handed to someone else.
    __table_args__ = (
        sa.Index("ix_entries_team_visibility", "team_id", "visibility"),
        sa.Index("ix_entries_author_created", "author_id", "created_at"),
        sa.Index("ix_entries_author_number", "author_id", "number", unique=True),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)  # internal: never shown to anyone
    team_id: Mapped[int] = mapped_column(_fk("teams.id"))
    author_id: Mapped[int] = mapped_column(_fk("members.id"))
    # The author's own entry number (1, 2, 3...): the only number a person ever sees.
    number: Mapped[int] = mapped_column(default=0, server_default="0")
    text_token: Mapped[str] = mapped_column(sa.Text)
    commitment_token: Mapped[str | None] = mapped_column(sa.Text)
    themes: Mapped[list] = mapped_column(sa.JSON, default=list)
    visibility: Mapped[str] = mapped_column(sa.String(8), default="private")
    author_anonymous: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(sa.String(32), default="reflection")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ConversationState(Base):
    __tablename__ = "conversation_state"
    member_id: Mapped[int] = mapped_column(_fk("members.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(_fk("teams.id"), primary_key=True)
    state_token: Mapped[str] = mapped_column(sa.Text)  # encrypted JSON: it holds draft text
    updated_at: Mapped[datetime]


class SeenQuestion(Base):
    __tablename__ = "seen_questions"
    member_id: Mapped[int] = mapped_column(_fk("members.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    seen_at: Mapped[datetime]


class WeeklyPrompt(Base):
    __tablename__ = "weekly_prompts"
    # The unique key is what makes "prompt once per ISO week" hold across replicas and crashes.
    __table_args__ = (sa.UniqueConstraint("member_id", "team_id", "iso_year", "iso_week"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(_fk("members.id"))
    team_id: Mapped[int] = mapped_column(_fk("teams.id"))
    iso_year: Mapped[int]
    iso_week: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(12), default="sent")
    snooze_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProcessedEvent(Base):
    __tablename__ = "processed_events"
    event_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class InteractionReplay(Base):
    """A signed interaction already handled (see replay.py); forgotten once it expires."""

    __tablename__ = "interaction_replays"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # sha256 hex
    seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (sa.UniqueConstraint("member_id", "team_id", "query_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(_fk("members.id"))
    team_id: Mapped[int] = mapped_column(_fk("teams.id"))
    query_hash: Mapped[str] = mapped_column(sa.String(64))  # sha256 only: never the question
    value: Mapped[str] = mapped_column(sa.String(4))
    created_at: Mapped[datetime]


class Enabler(Base):
    __tablename__ = "enablers"
    __table_args__ = (sa.UniqueConstraint("member_id", "team_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(_fk("members.id"))
    team_id: Mapped[int] = mapped_column(_fk("teams.id"))
    added_by: Mapped[str | None] = mapped_column(sa.String(64))
    added_at: Mapped[datetime]


class Consent(Base):
    """Append-only: the newest row for a team is its current consent."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(_fk("teams.id"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(16))
    action: Mapped[str] = mapped_column(sa.String(8))  # granted | revoked
    by_user: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime]


class ConsentVote(Base):
    __tablename__ = "consent_votes"
    __table_args__ = (sa.UniqueConstraint("team_id", "member_id", "round"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(_fk("teams.id"))
    member_id: Mapped[int] = mapped_column(_fk("members.id"))
    round: Mapped[int]
    voted_at: Mapped[datetime]


class AuditRecord(Base):
    """Every enabler read and refusal. Kept as strings so it outlives the rows it mentions."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(_fk("teams.id", "SET NULL"), index=True)
    team_slug: Mapped[str] = mapped_column(sa.String(80))
    actor: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(32))
    outcome: Mapped[str] = mapped_column(sa.String(16))  # allowed | refused
    detail: Mapped[str] = mapped_column(sa.String(500))
    entry_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    at: Mapped[datetime]


class EnablerNote(Base):
    __tablename__ = "enabler_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    enabler_id: Mapped[int] = mapped_column(_fk("members.id"))
    team_id: Mapped[int] = mapped_column(_fk("teams.id"))
    text_token: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class KeyCheck(Base):
    """One row (id 1): a known text encrypted under the newest key, and that key's
    fingerprint, so a start with a missing or wrong key is refused before anything is written."""

    __tablename__ = "key_check"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    token: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime]


class InboxEvent(Base):
    """Work Ripple owes someone an answer for: a Slack event, held until its answer is posted.

    See inbox.py. `lease_until` says how long `owner` (one running process) may work on it
    undisturbed; after that any replica may take it over. The request and the answer being
    posted are Fernet tokens (they hold what a person wrote), cleared once the row is done.
    """

    __tablename__ = "inbox_events"
    __table_args__ = (sa.Index("ix_inbox_events_status_lease", "status", "lease_until"),)
    key: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(12))  # working | posting | done | failed
    owner: Mapped[str] = mapped_column(sa.String(80))
    lease_until: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=1)
    request_token: Mapped[str | None] = mapped_column(sa.Text)
    answer_token: Mapped[str | None] = mapped_column(sa.Text)
    posted_ts: Mapped[list] = mapped_column(sa.JSON, default=list)
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class SlackCard(Base):
    """Where a team's one live card sits in Slack (the consent card), so each change updates
    that message in place and a newer card can mark the older one out of date."""

    __tablename__ = "slack_cards"
    team_id: Mapped[int] = mapped_column(_fk("teams.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # "consent"
    channel: Mapped[str] = mapped_column(sa.String(64))
    ts: Mapped[str] = mapped_column(sa.String(32))
    updated_at: Mapped[datetime]


class ShownEvidence(Base):
    """A passage or closing question a team was shown in a "what helped" answer (keys only),
    so it is not shown to that team again within a month (see shown.py)."""

    __tablename__ = "shown_evidence"
    team_id: Mapped[int] = mapped_column(_fk("teams.id"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    shown_at: Mapped[datetime] = mapped_column(index=True)


class RequestOutcome(Base):
    """What one Slack request's journal change returned (see once.py), written in the same
    transaction as the change, so running that request again returns it instead of changing
    anything twice."""

    __tablename__ = "request_outcomes"
    key: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    outcome: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)
