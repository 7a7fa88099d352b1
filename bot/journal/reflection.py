"""The `ReflectionStore` port (bot/coaching/ports.py): what the reflection flow remembers."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.coaching.ports import Commitment, Who
from bot.journal import access
from bot.journal.base import check_id
from bot.journal.db import insert_ignoring_duplicates
from bot.journal.errors import AccessDenied, InvalidInput
from bot.journal.models import ConversationState, Entry, Member, SeenQuestion, Team
from bot.journal.once import OnceMixin
from bot.journal.views import PRIVATE, SHARED

MAX_ENTRY_CHARS = 50_000
KNOWN_THEMES = ("shared_purpose", "authorising_environment", "conflict")


def clean_text(text: str | None, what: str = "An entry") -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(f"{what} needs some words; nothing was saved.")
    if len(text) > MAX_ENTRY_CHARS:
        raise InvalidInput(
            f"{what} can be at most {MAX_ENTRY_CHARS:,} characters; this one has "
            f"{len(text):,}. Nothing was saved."
        )
    return text


def clean_themes(themes: Sequence[str]) -> list[str]:
    """Keep known theme ids, in order, once each; silently drop anything else."""
    seen: list[str] = []
    for theme in themes or ():
        if theme in KNOWN_THEMES and theme not in seen:
            seen.append(theme)
    return seen


NOT_A_MEMBER = (
    "You're not a member of {team} (any more), so this entry can't be saved there. "
    "Nothing was saved; copy your words and save them in one of your own teams."
)


def next_entry_number(session: Session, member_id: int) -> int:
    """Take the author's next entry number: one atomic UPDATE ... RETURNING on their row, so
    two saves at once (two replicas, a double submit) never share a number, and a deleted
    entry's number is never handed out again (a stale "Delete #5" cannot hit a newer #5)."""
    table = Member.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == member_id)
        .values(entries_numbered=table.c.entries_numbered + 1)
        .returning(table.c.entries_numbered)
    )
    return int(session.execute(statement).scalar_one())


class ReflectionMixin(OnceMixin):  # _run_once
    def _current_member_or_refuse(self, session: Session, who: Who) -> tuple[Member, Team]:
        team = self._team(session, who.team)
        member = self._member(session, who.user)
        if team is None or not access.is_active_member(session, member, team.id):
            raise AccessDenied(NOT_A_MEMBER.format(team=team.name if team else "that team"))
        return member, team

    def load_conversation(self, who: Who) -> dict | None:
        """The reflection in progress for this person in this team, or None."""

        def work(session: Session) -> dict | None:
            member, team = self._member(session, who.user), self._team(session, who.team)
            if member is None or team is None:
                return None
            row = session.get(ConversationState, (member.id, team.id))
            return None if row is None else self._cipher.decrypt_json(row.state_token)

        return self._db.run(work)

    def save_conversation(self, who: Who, state: dict) -> None:
        """Store (encrypted) the reflection state so it survives a restart."""

        def work(session: Session) -> None:
            member, team = self._ensure_who(session, who)
            token = self._cipher.encrypt_json(state)
            row = session.get(ConversationState, (member.id, team.id))
            if row is None:
                session.add(
                    ConversationState(
                        member_id=member.id,
                        team_id=team.id,
                        state_token=token,
                        updated_at=self._now(),
                    )
                )
            else:
                row.state_token, row.updated_at = token, self._now()

        self._db.run(work)

    def clear_conversation(self, who: Who) -> None:
        def work(session: Session) -> None:
            member, team = self._member(session, who.user), self._team(session, who.team)
            if member is not None and team is not None:
                session.execute(
                    sa.delete(ConversationState).where(
                        ConversationState.member_id == member.id,
                        ConversationState.team_id == team.id,
                    )
                )

        self._db.run(work)

    def seen_question_ids(self, who: Who) -> set[str]:
        """Question ids this person has been asked, in any team."""

        def work(session: Session) -> set[str]:
            member = self._member(session, who.user)
            if member is None:
                return set()
            rows = session.scalars(
                sa.select(SeenQuestion.question_id).where(SeenQuestion.member_id == member.id)
            )
            return set(rows)

        return self._db.run(work)

    def mark_question_seen(self, who: Who, question_id: str) -> None:
        check_id(question_id, "question id", 120)

        def work(session: Session) -> None:
            member, _ = self._ensure_who(session, who)
            insert_ignoring_duplicates(
                session,
                SeenQuestion,
                {"member_id": member.id, "question_id": question_id, "seen_at": self._now()},
            )

        self._db.run(work)

    def save_entry(
        self,
        who: Who,
        text: str,
        *,
        themes: Sequence[str] = (),
        commitment: str | None = None,
        shared: bool = False,
        source: str = "reflection",
        anonymous: bool = False,
        member_only: bool = False,
        once: str | None = None,
    ) -> int:
        """Save a journal entry for `who` in `who.team`; returns the author's own number for
        it (1, 2, 3...).

        Private unless `shared`. Text and commitment are encrypted. Raises InvalidInput for
        empty or over-long text, JournalUnavailable if the database is down (nothing saved).
        `member_only=True` (a modal naming a team): the author must ALREADY be a current
        member of `who.team` at this moment, checked in the saving transaction, else
        AccessDenied and nothing is saved; the team a payload names is never trusted.
        `once`: a key for this one submission; saving again with it returns the number the
        first save got and writes nothing (once.py), so a takeover never saves it twice.
        """
        body = clean_text(text)
        commitment = commitment.strip() if commitment and commitment.strip() else None
        if commitment is not None:
            commitment = clean_text(commitment, "A commitment")

        def work(session: Session) -> int:
            if member_only:
                member, team = self._current_member_or_refuse(session, who)
            else:
                member, team = self._ensure_who(session, who)
            now = self._now()
            entry = Entry(
                team_id=team.id,
                author_id=member.id,
                number=next_entry_number(session, member.id),
                text_token=self._cipher.encrypt(body),
                commitment_token=self._cipher.encrypt_optional(commitment),
                themes=clean_themes(themes),
                visibility=SHARED if shared else PRIVATE,
                author_anonymous=anonymous,
                source=(source or "reflection")[:32],
                created_at=now,
                updated_at=now,
            )
            session.add(entry)
            session.flush()
            return entry.number

        return self._run_once(
            once, work, encode=lambda n: {"number": n}, decode=lambda o: int(o["number"])
        )

    def last_commitment(self, who: Who) -> Commitment | None:
        """The newest commitment this person made in this team, for next week's check-in."""
        recent = self.recent_commitments(who, 1)
        return recent[0] if recent else None

    def recent_commitments(self, who: Who, limit: int = 4) -> list[Commitment]:
        """This person's newest commitments in this team, newest first (so the coach can
        notice the same step coming back week after week)."""

        def work(session: Session) -> list[Commitment]:
            member, team = self._member(session, who.user), self._team(session, who.team)
            if member is None or team is None:
                return []
            entries = session.scalars(
                sa.select(Entry)
                .where(
                    Entry.author_id == member.id,
                    Entry.team_id == team.id,
                    Entry.commitment_token.is_not(None),
                )
                .order_by(Entry.created_at.desc(), Entry.id.desc())
                .limit(max(1, limit))
            )
            return [
                Commitment(
                    text=self._cipher.decrypt(e.commitment_token),
                    made_at=e.created_at,
                    entry_id=e.number,
                )
                for e in entries
            ]

        return self._db.run(work)
