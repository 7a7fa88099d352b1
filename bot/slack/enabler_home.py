"""The enabler's part of the App Home: the teams they support, each with its consent state;
for consented teams only, the shared entries and the themes over the weeks; their own notes.

Every read of a team's entries goes through `Journal.entries_for_enabler`, the journal's one
audited path, which re-checks consent inside its own query. So a team that revoked a moment
ago shows nothing on the very next Home render, even if `enabler_teams` said "granted".
"""

from __future__ import annotations

import logging

from slack_sdk.models.blocks import Block

from bot.journal.enablers import themes_by_week
from bot.journal.errors import AccessDenied
from bot.journal.views import EnablerTeam, EntryView
from bot.services import Services
from bot.slack.enabler_blocks import enabler_header, enabler_intro, enabler_team_blocks
from bot.slack.replies import team_label

log = logging.getLogger(__name__)

MAX_TEAMS = 4  # keeps the Home tab within its 100 blocks alongside the person's own journal
READ_LIMIT = 200  # entries read per team for the chart; the Home shows the newest few


def sections(services: Services, user: str, *, own_home: bool = False) -> list[Block]:
    """The enabler's Home sections, or [] for someone who supports no team. With `own_home`
    (an enabler who belongs to no team) they open the Home under an introduction of their
    own, never "You're not in a Ripple team yet". Each call reads each team once (audited)."""
    supported = services.journal.enabler_teams(user)
    if not supported:
        return []
    count = len(supported)
    blocks: list[Block] = enabler_intro(count) if own_home else enabler_header(count)
    for team in supported[:MAX_TEAMS]:
        blocks.extend(team_blocks(services, user, team))
    return blocks


def team_blocks(services: Services, user: str, supported: EnablerTeam) -> list[Block]:
    slug = supported.team.slug
    entries = read_entries(services, user, slug) if supported.consent.granted else None
    weeks = themes_by_week(entries) if entries else {}
    notes = services.journal.enabler_notes(user, slug)
    return enabler_team_blocks(team_label(slug), supported.consent, entries, weeks, notes)


def read_entries(services: Services, user: str, team: str) -> list[EntryView] | None:
    """The team's shared entries through the audited path; None when it refuses (consent was
    revoked since the team list was read: the refusal is in the team's audit trail)."""
    try:
        return services.journal.entries_for_enabler(user, team, limit=READ_LIMIT)
    except AccessDenied:
        log.info("enabler home: consent no longer given")
        return None
