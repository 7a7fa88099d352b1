"""`Journal`: the journal service. One class, assembled from small parts, one job each.

    journal = Journal(settings, clock=clock)   # upgrades the schema to head on start

It implements `bot.coaching.ports.ReflectionStore` and everything the adapters need. User ids
and team slugs are the opaque strings adapters already have (Slack user / channel ids, or the
names given to `ripple chat`); they are unique across workspaces. Every public method runs in
one short transaction and raises:

- `JournalUnavailable` when the database cannot be reached after a short retry;
- `AccessDenied` / `NotFound` when a rule says no (`str(error)` is fit to show a person);
- `InvalidInput` for malformed requests (empty text, bad timezone...).

The public API, by part (each method has a docstring; values are the dataclasses in views.py):

- ReflectionStore (reflection.py): load/save/clear_conversation, seen_question_ids,
  mark_question_seen, save_entry(who, text, *, themes, commitment, shared, source,
  anonymous) -> int, last_commitment(who).
- Own entries (entries.py): list_entries(user, *, team, limit, offset), count_entries,
  get_entry(viewer, id), edit_entry, delete_entry, share_entry(user, id, *, anonymous),
  unshare_entry, team_entries(viewer, team, *, limit, offset).
- Teams (teams.py): ensure_team(slug, *, name, workspace, admin), get_team, list_teams,
  upsert_member, set_member_timezone, add_member, remove_member, set_members, team_members,
  teams_for(user), is_team_member, is_team_admin, set_team_admin, get_schedule,
  set_schedule(actor, team, *, weekday, time, enabled), set_retention, scheduled_members().
- Scheduling (scheduling_store.py): claim_weekly_prompt(user, team, iso_year, iso_week),
  prompt_status, snooze_prompt, skip_prompt, mark_prompt_started, due_snoozed_prompts,
  claim_snoozed_prompt, mark_event_processed(event_id), record_feedback, feedback_counts.
- What helped (shown.py): shown_to_team(team, since), record_shown(team, keys): what a
  team was shown lately (keys only), so answers don't repeat within a month.
- Consent (consent.py): consent_state(team), set_consent_rule(actor, team, rule),
  agree_consent(user, team), grant_consent, revoke_consent(user, team), consent_history.
- Enablers (enablers.py): add_enabler(user, team, *, added_by), remove_enabler,
  list_enablers, is_enabler, enabler_teams(user), entries_for_enabler(enabler, team) (the
  only enabler read path; audited), audit_trail(team, *, viewer), add_enabler_note,
  enabler_notes; `themes_by_week(entries)` is a plain function.
- Data rights (export.py): export_user(user) -> ExportBundle, erase_user(user).
- Operations: apply_retention(*, dry_run) (retention.py), stats() (stats.py),
  rotate_key(new, *, add_key) (keys.py), ping(), close().
- Replay guard (replay.py): first_delivery(key) -> bool, forget_delivery(key).
- Once per request (once.py): save_entry and the consent changes take `once=key` (a Slack
  request's key), so running that request again returns the first run's result;
  remember(key, value) keeps the first run's value of what a click saw or decided;
  purge_request_outcomes().
"""

from __future__ import annotations

import logging
from contextlib import suppress

from bot.coaching.ports import Clock, SystemClock
from bot.config import Settings
from bot.journal.cards import CardsMixin
from bot.journal.consent import ConsentMixin
from bot.journal.crypto import KeySource, load_keys
from bot.journal.db import TRANSIENT, Database
from bot.journal.enablers import EnablersMixin
from bot.journal.entries import EntriesMixin
from bot.journal.errors import JournalUnavailable, KeyMissing
from bot.journal.export import DataRightsMixin
from bot.journal.keys import KeysMixin
from bot.journal.migrate import upgrade_to_head
from bot.journal.once import OnceMixin
from bot.journal.opening import open_database, open_keys
from bot.journal.reflection import ReflectionMixin
from bot.journal.replay import ReplayMixin
from bot.journal.retention import RetentionMixin
from bot.journal.scheduling_store import SchedulingMixin
from bot.journal.shown import ShownMixin
from bot.journal.stats import StatsMixin
from bot.journal.teams import TeamsMixin

log = logging.getLogger(__name__)


class Journal(
    ReflectionMixin,
    EntriesMixin,
    TeamsMixin,
    SchedulingMixin,
    EnablersMixin,  # builds on ConsentMixin
    ConsentMixin,
    DataRightsMixin,
    RetentionMixin,
    StatsMixin,
    CardsMixin,
    KeysMixin,
    ReplayMixin,
    ShownMixin,
    OnceMixin,
):
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        keys: KeySource | None = None,
        attempts: int = 3,
        busy_timeout_seconds: float = 5.0,
        upgrade: bool = True,
    ) -> None:
        """Open the journal on `settings.resolved_database_url` and migrate it to head.

        Raises ConfigurationError in production without an encryption key (before touching
        the database), JournalUnavailable if the database cannot be reached, JournalDamaged
        for a damaged SQLite file, and KeyMissing / KeyMismatch when the journal holds
        encrypted data the keys cannot read (nothing is written then).
        """
        self.settings = settings
        self._clock = clock or SystemClock()
        if keys is None:
            with suppress(KeyMissing):  # decided below, once we know what the journal holds
                load_keys(settings, may_generate=False)  # production without a key stops here
        self._db = Database(
            settings.resolved_database_url,
            attempts=attempts,
            busy_timeout_seconds=busy_timeout_seconds,
        )
        try:
            open_database(self._db)  # a damaged file is named now (opening.py)
            if upgrade:
                upgrade_to_head(self._db.engine)
        except TRANSIENT as error:
            raise JournalUnavailable(
                "The journal database cannot be reached, so Ripple cannot start its "
                "journal. Check RIPPLE_DATABASE_URL and that the database is running."
            ) from error
        # Refuses a missing or wrong key when the journal holds encrypted data (opening.py).
        self.key_source, self._cipher = open_keys(settings, self._db, keys)

    @property
    def key_notice(self) -> str | None:
        """Set when a development key file was just generated: where it is, back it up."""
        return self.key_source.notice

    def ping(self) -> bool:
        """True when the database answers (for /readyz)."""
        return self._db.ping()

    def close(self) -> None:
        self._db.dispose()
