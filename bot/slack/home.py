"""The App Home tab.

For a member: their last commitment and next weekly prompt at the top, then one card per entry
(`home_cards.py`: header line, text with "Show more", Edit / Share / Delete in an overflow),
paged so a view never passes Block Kit's 100 blocks, then what teammates shared.
For an enabler: a Home of their own (`enabler_home.py`): the teams they support, each with its
consent state, the shared entries it allows, the themes over time and their private notes.
Right after `/ripple erase`: what was erased and how to start again.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.coaching.ports import Who
from bot.journal.errors import JournalError, JournalUnavailable
from bot.journal.views import TeamInfo
from bot.services import Services
from bot.slack import enabler_home
from bot.slack.blocks import MAX_HOME_BLOCKS, as_dicts, button
from bot.slack.home_cards import own_entry_card, preview, teammate_entry_card
from bot.slack.listeners.common import JOURNAL_DOWN
from bot.slack.privacy_blocks import erased_home, slack_date
from bot.slack.replies import plural, team_label
from bot.slack.scheduler import scheduled_moment, zone

log = logging.getLogger(__name__)

PAGE_SIZE = 8  # entries per page: at most 4 blocks each, so a page never nears 100 blocks
SHARED_PER_TEAM = 4
MAX_TEAMS_SHOWN = 3


def entry_value(entry_id: int, page: int) -> str:
    return json.dumps({"e": entry_id, "p": page})


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:2000])])


def build_home(services: Services, user: str, page: int = 0, expanded: int | None = None) -> dict:
    """The Home view for `user` at `page` of their own entries (`expanded`: an entry shown
    in full)."""
    journal = services.journal
    teams = journal.teams_for(user)
    total = journal.count_entries(user)
    if not teams and not total and journal.enabler_teams(user):
        return _view(enabler_home.sections(services, user, own_home=True), page)

    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    own = journal.list_entries(user, limit=PAGE_SIZE, offset=page * PAGE_SIZE)

    blocks: list[Block] = [HeaderBlock(text="Your Ripple")]
    blocks.extend(_top_blocks(services, user, teams))
    blocks.append(ActionsBlock(elements=[button("home_write", "Write an entry", style="primary")]))
    blocks.extend(_teams_blocks(services, teams))
    blocks += [DividerBlock(), _section(f"*Your journal* · {plural(total, 'entry', 'entries')}")]
    if not own:
        blocks.append(_context("Nothing yet. Reflect with me in a DM, or write an entry."))
    else:
        blocks.append(DividerBlock())
    for entry in own:
        blocks.extend(own_entry_card(entry, page, expanded=entry.id == expanded))
    if pages > 1:
        blocks.extend(_pager(page, pages))
    blocks.extend(_shared_blocks(services, user, teams))
    blocks.extend(enabler_home.sections(services, user))  # teams they support, if any
    return _view(blocks, page)


def _view(blocks: list[Block], page: int) -> dict:
    return View(
        type="home",
        callback_id="ripple_home",
        blocks=fit_home(blocks),
        private_metadata=json.dumps({"p": page}),
    ).to_dict()


# --- the top: last commitment, next weekly prompt -----------------------------------------------
def _top_blocks(services: Services, user: str, teams: list[TeamInfo]) -> list[Block]:
    lines = []
    latest = None
    for team in teams:
        found = services.journal.last_commitment(Who(user=user, team=team.slug))
        if found and (latest is None or found.made_at > latest.made_at):
            latest = found
    if latest is not None:
        text, _ = preview(latest.text, 600)
        lines.append(f"*Your last commitment* ({latest.made_at.strftime('%a %d %b')}):\n> {text}")
    upcoming = next_prompt(services, user, teams)
    if upcoming is not None:
        when, team = upcoming
        lines.append(f"*Your next weekly prompt:* {slack_date(when)}, for {team_label(team)}")
    elif teams:
        lines.append("*Your next weekly prompt:* none: your teams' weekly prompts are off.")
    return [_section("\n\n".join(lines))] if lines else []


def next_prompt(
    services: Services, user: str, teams: list[TeamInfo], now: datetime | None = None
) -> tuple[datetime, str] | None:
    """When the person's next weekly prompt falls (their own timezone), and for which team."""
    now = now or services.clock.now()
    soonest: tuple[datetime, str] | None = None
    for team in teams:
        if not team.schedule.enabled:
            continue
        tz = zone(_timezone(services, user, team.slug))
        for days in (0, 7, 14):  # this week, next, or the one after a skipped week
            year, week, _ = (now.astimezone(tz) + timedelta(days=days)).isocalendar()
            moment = scheduled_moment(team.schedule, tz, year, week)
            if moment > now and not _skipped(services, user, team.slug, year, week):
                if soonest is None or moment < soonest[0]:
                    soonest = (moment, team.slug)
                break
    return soonest


def _skipped(services: Services, user: str, team: str, year: int, week: int) -> bool:
    """This week's prompt was skipped ahead of time (or already started): not "next"."""
    try:
        record = services.journal.prompt_status(user, team, year, week)
    except JournalError:
        return False
    return record is not None and record.status in ("skipped", "started")


def _timezone(services: Services, user: str, team: str) -> str | None:
    try:
        members = services.journal.team_members(team)
    except JournalError:
        return None
    return next((m.timezone for m in members if m.user == user), None)


def _teams_blocks(services: Services, teams: list[TeamInfo]) -> list[Block]:
    if not teams:
        return [
            _context(
                "You're not in a Ripple team yet. Run `/ripple team create` in your team's "
                "channel, or just DM me to reflect on your own."
            )
        ]
    lines = []
    for team in teams:
        s = team.schedule
        when = f"prompts {s.weekday_name}s at {s.time}" if s.enabled else "weekly prompt off"
        try:
            size = plural(len(services.journal.team_members(team.slug)), "member")
        except JournalError:
            size = ""
        lines.append(" · ".join(p for p in (team_label(team.slug), size, when) if p))
    heading = "*Your team*" if len(teams) == 1 else f"*Your teams* ({len(teams)})"
    return [_context(heading + "\n" + "\n".join(f"• {line}" for line in lines))]


def _shared_blocks(services: Services, user: str, teams: list[TeamInfo]) -> list[Block]:
    blocks: list[Block] = []
    for team in teams[:MAX_TEAMS_SHOWN]:
        entries = [
            e
            for e in services.journal.team_entries(user, team.slug, limit=SHARED_PER_TEAM + 5)
            if e.author != user
        ][:SHARED_PER_TEAM]
        blocks += [DividerBlock(), _section(f"*Shared by teammates in {team_label(team.slug)}*")]
        if not entries:
            blocks.append(_context("Nothing shared by teammates yet."))
        for entry in entries:
            blocks.extend(teammate_entry_card(entry))
    return blocks


def _pager(page: int, pages: int) -> list[Block]:
    buttons = []
    if page > 0:
        buttons.append(button("home_page_newer", "← Newer", json.dumps({"p": page - 1})))
    if page < pages - 1:
        buttons.append(button("home_page_older", "Older →", json.dumps({"p": page + 1})))
    return [_context(f"Page {page + 1} of {pages}"), ActionsBlock(elements=buttons)]


def fit_home(blocks: list[Block]) -> list[Block]:
    """Trim to the Home tab's 100-block limit, saying so rather than failing to publish
    (two dividers in a row, where one part ends and the next begins, count once)."""
    blocks = [
        b
        for i, b in enumerate(blocks)
        if not (i and isinstance(b, DividerBlock) and isinstance(blocks[i - 1], DividerBlock))
    ]
    if len(blocks) <= MAX_HOME_BLOCKS:
        return blocks
    return [*blocks[: MAX_HOME_BLOCKS - 1], _context("There is more than fits here.")]


def publish(
    client: WebClient, services: Services, user: str, workspace: str = "", page=0, expanded=None
) -> None:
    """Publish the Home tab; if the journal is down, publish a calm notice instead."""
    try:
        view = build_home(services, user, page, expanded)
    except JournalUnavailable:
        log.warning("home: journal unavailable")
        view = View(type="home", blocks=[_section(JOURNAL_DOWN)]).to_dict()
    client.views_publish(user_id=user, view=view)


def publish_erased(client: WebClient, user: str, summary_text: str) -> None:
    """Right after `/ripple erase`: the Home says what happened, not an empty journal."""
    view = {"type": "home", "blocks": as_dicts(erased_home(summary_text))}
    try:
        client.views_publish(user_id=user, view=view)
    except Exception as error:  # the DM says the same; a Home that can't update is not fatal
        log.warning("erased home not published", extra={"error": type(error).__name__})


def page_of(view: dict | None) -> int:
    try:
        return int(json.loads((view or {}).get("private_metadata") or "{}").get("p", 0))
    except (ValueError, TypeError, AttributeError):
        return 0
