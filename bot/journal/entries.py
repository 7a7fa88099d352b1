"""Reading and changing journal entries, under the rules in `access.py`."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal import access
from bot.journal.base import JournalBase
from bot.journal.errors import AccessDenied, NotFound
from bot.journal.models import Entry, Member, Team
from bot.journal.reflection import clean_text, clean_themes
from bot.journal.views import PRIVATE, SHARED, EntryView

_UNSET = object()


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

    def get_entry(self, viewer: str, entry_id: int) -> EntryView:
        """One entry, if `viewer` may read it: the author, or a current teammate once shared.

        Raises NotFound if there is no such entry, AccessDenied if it isn't theirs to see.
        """

        def work(session: Session) -> EntryView:
            entry, team, author = self._load(session, entry_id)
            member = self._member(session, viewer)
            readable = session.scalar(
                sa.select(Entry.id).where(
                    Entry.id == entry_id,
                    access.readable_by_member(member.id if member else -1),
                )
            )
            if readable is None:
                raise AccessDenied(f"Entry {entry_id} is private to its author.")
            return self._entry_view(entry, team, author)

        return self._db.run(work)

    def edit_entry(
        self,
        user: str,
        entry_id: int,
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

        def work(session: Session) -> EntryView:
            entry, team, author = self._owned(session, user, entry_id)
            if new_text is not None:
                entry.text_token = self._cipher.encrypt(new_text)
            if new_commitment is not _UNSET:
                entry.commitment_token = self._cipher.encrypt_optional(new_commitment)
            if themes is not None:
                entry.themes = clean_themes(themes)
            entry.updated_at = self._now()
            return self._entry_view(entry, team, author)

        return self._db.run(work)

    def delete_entry(self, user: str, entry_id: int) -> None:
        """Delete an entry for good. Author only."""

        def work(session: Session) -> None:
            entry, _, _ = self._owned(session, user, entry_id)
            session.delete(entry)

        self._db.run(work)

    def share_entry(self, user: str, entry_id: int, *, anonymous: bool | None = None) -> EntryView:
        """Make an entry visible to the team (and, with consent, its enabler). Author only.

        `anonymous=True` shows the author to the enabler as "a team member".
        """
        return self._set_visibility(user, entry_id, SHARED, anonymous)

    def unshare_entry(self, user: str, entry_id: int) -> EntryView:
        """Make an entry private to its author again. Author only."""
        return self._set_visibility(user, entry_id, PRIVATE, None)

    def team_entries(
        self, viewer: str, team: str, *, limit: int | None = None, offset: int = 0
    ) -> list[EntryView]:
        """The team's SHARED entries, newest first, for current members of the team only.

        Raises NotFound for an unknown team, AccessDenied for anyone not a current member.
        """

        def work(session: Session) -> list[EntryView]:
            team_row = self._require_team(session, team)
            member = self._member(session, viewer)
            access.require_active_member(session, member, team_row.id)
            where = sa.and_(
                Entry.team_id == team_row.id,
                Entry.visibility == SHARED,
                access.readable_by_member(member.id),
            )
            query = self._entries_query(where).offset(offset).limit(limit)
            return [self._entry_view(e, t, a) for e, t, a in session.execute(query)]

        return self._db.run(work)

    # --- helpers -----------------------------------------------------------------------
    def _load(self, session: Session, entry_id: int) -> tuple[Entry, Team, Member]:
        row = session.execute(self._entries_query(Entry.id == entry_id)).first()
        if row is None:
            raise NotFound(f"There is no entry {entry_id}.")
        return row[0], row[1], row[2]

    def _owned(self, session: Session, user: str, entry_id: int) -> tuple[Entry, Team, Member]:
        entry, team, author = self._load(session, entry_id)
        access.require_author(entry, self._member(session, user))
        return entry, team, author

    def _set_visibility(
        self, user: str, entry_id: int, visibility: str, anonymous: bool | None
    ) -> EntryView:
        def work(session: Session) -> EntryView:
            entry, team, author = self._owned(session, user, entry_id)
            entry.visibility = visibility
            if anonymous is not None:
                entry.author_anonymous = anonymous
            entry.updated_at = self._now()
            return self._entry_view(entry, team, author)

        return self._db.run(work)
