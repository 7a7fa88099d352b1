"""Reading and changing journal entries, under the rules in `access.py`.

A person addresses their entries by their OWN number (`Entry.number`: 1, 2, 3... per author,
assigned at save and never reused). Nobody can name anyone else's entry, so "not yours" and
"there is no such entry" are one and the same answer, and no number says how many entries
another person or team holds. The internal row id never leaves the journal.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal import access, audit
from bot.journal.base import JournalBase
from bot.journal.errors import AccessDenied, NotFound
from bot.journal.models import Entry, Member, Team
from bot.journal.reflection import clean_text, clean_themes
from bot.journal.views import PRIVATE, SHARED, EntryView

_UNSET = object()

LEFT_TEAM = (
    "You're no longer a member of {team}, so this entry can't be shared with it. "
    "Nothing was changed."
)


def no_such_entry(number: object) -> NotFound:
    """The one answer for an entry that isn't the asker's, whether or not it exists."""
    return NotFound(f"You have no entry {number}. Your own entries are listed in your journal.")


class EntriesMixin(JournalBase):
    def list_entries(
        self, user: str, *, team: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[EntryView]:
        """The user's OWN entries (every team, or one `team`), newest first. Paged."""

        def work(session: Session) -> list[EntryView]:
            member = self._member(session, user)
            if member is None:
                return []
            where = Entry.author_id == member.id
            if team is not None:
                where = sa.and_(where, Team.slug == team)
            query = self._entries_query(where).offset(offset).limit(limit)
            return [self._entry_view(e, t, a) for e, t, a in session.execute(query)]

        return self._db.run(work)

    def count_entries(self, user: str, *, team: str | None = None) -> int:
        """How many entries the user wrote (for paging)."""

        def work(session: Session) -> int:
            member = self._member(session, user)
            if member is None:
                return 0
            query = sa.select(sa.func.count(Entry.id)).where(Entry.author_id == member.id)
            if team is not None:
                query = query.join(Team, Team.id == Entry.team_id).where(Team.slug == team)
            return session.scalar(query) or 0

        return self._db.run(work)

    def get_entry(self, viewer: str, number: int) -> EntryView:
        """The viewer's own entry number `number`. Raises NotFound otherwise (the same words
        whether it is someone else's or does not exist; an enabler's miss is audited)."""
        return self._on_own_entry(viewer, number, "open_entry", lambda s, e, t, a: None)

    def edit_entry(
        self,
        user: str,
        number: int,
        *,
        text: str | None = None,
        commitment: str | object | None = _UNSET,
        themes: Sequence[str] | None = None,
    ) -> EntryView:
        """Change an entry's text, commitment (None clears it) or themes. Author only."""
        new_text = clean_text(text) if text is not None else None
        new_commitment = commitment
        if isinstance(commitment, str):
            new_commitment = clean_text(commitment, "A commitment") if commitment.strip() else None

        def change(session: Session, entry: Entry, team: Team, author: Member) -> None:
            if new_text is not None:
                entry.text_token = self._cipher.encrypt(new_text)
            if new_commitment is not _UNSET:
                entry.commitment_token = self._cipher.encrypt_optional(new_commitment)
            if themes is not None:
                entry.themes = clean_themes(themes)
            entry.updated_at = self._now()

        return self._on_own_entry(user, number, "edit_entry", change)

    def delete_entry(self, user: str, number: int) -> None:
        """Delete an entry for good. Author only."""
        self._on_own_entry(user, number, "delete_entry", lambda s, e, t, a: s.delete(e))

    def share_entry(self, user: str, number: int, *, anonymous: bool | None = None) -> EntryView:
        """Make an entry visible to the team (and, with consent, its enabler). Author only,
        and only while the author is still a current member of the entry's team.

        `anonymous=True` shows the author to the enabler as "a team member".
        """
        return self._set_visibility(user, number, SHARED, anonymous)

    def unshare_entry(self, user: str, number: int) -> EntryView:
        """Make an entry private to its author again. Author only (always allowed)."""
        return self._set_visibility(user, number, PRIVATE, None)

    def team_entries(
        self, viewer: str, team: str, *, limit: int | None = None, offset: int = 0
    ) -> list[EntryView]:
        """The team's SHARED entries, newest first, for current members of the team only.

        Raises NotFound for an unknown team, AccessDenied for anyone not a current member
        (an enabler's attempt is audited in the team's trail).
        """

        def work(session: Session) -> list[EntryView] | audit.Refusal:
            team_row = self._require_team(session, team)
            member = self._member(session, viewer)
            if not access.is_active_member(session, member, team_row.id):
                audit.refuse_enabler(
                    session,
                    member,
                    action="team_entries",
                    detail="asked for the team's entries as a member; not a member",
                    at=self._now(),
                    team=team_row,
                )
                return audit.Refusal(
                    AccessDenied("Only members of this team can see its shared journal.")
                )
            where = sa.and_(
                Entry.team_id == team_row.id,
                Entry.visibility == SHARED,
                access.readable_by_member(member.id),
            )
            query = self._entries_query(where).offset(offset).limit(limit)
            return [self._entry_view(e, t, a) for e, t, a in session.execute(query)]

        return audit.raise_refusal(self._db.run(work))

    # --- helpers -----------------------------------------------------------------------
    def _on_own_entry(self, user: str, number: int, action: str, change) -> EntryView | None:
        """Run `change(session, entry, team, author)` on the user's own entry `number`.

        Anything else (someone else's entry, no such entry, a malformed number) is the same
        NotFound; when the asker is an enabler, the refusal is audited first.
        """

        def work(session: Session):
            member = self._member(session, user)
            row = None
            if member is not None and isinstance(number, int) and not isinstance(number, bool):
                row = session.execute(
                    self._entries_query(
                        sa.and_(Entry.author_id == member.id, Entry.number == number)
                    )
                ).first()
            if row is None:
                audit.refuse_enabler(
                    session,
                    member,
                    action=action,
                    detail=f"{action.replace('_', ' ')}: no entry of theirs with that number",
                    at=self._now(),
                )
                return audit.Refusal(no_such_entry(number))
            entry, team, author = row
            refused = change(session, entry, team, author)
            if isinstance(refused, audit.Refusal):
                return refused
            if action == "delete_entry":
                return None
            return self._entry_view(entry, team, author)

        return audit.raise_refusal(self._db.run(work))

    def _set_visibility(
        self, user: str, number: int, visibility: str, anonymous: bool | None
    ) -> EntryView:
        def change(session: Session, entry: Entry, team: Team, author: Member):
            if visibility == SHARED and not access.is_active_member(session, author, team.id):
                # An entry belongs to the team it was written in; someone who has left it
                # (or supports it as its enabler) no longer shares into it.
                audit.refuse_enabler(
                    session,
                    author,
                    action="share_entry",
                    detail="tried to share into a team they are not a member of",
                    at=self._now(),
                    team=team,
                )
                return audit.Refusal(AccessDenied(LEFT_TEAM.format(team=team.name)))
            entry.visibility = visibility
            if anonymous is not None:
                entry.author_anonymous = anonymous
            entry.updated_at = self._now()
            return None

        action = "share_entry" if visibility == SHARED else "unshare_entry"
        return self._on_own_entry(user, number, action, change)
