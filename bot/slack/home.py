"""The App Home tab: your recent entries (paged), your last commitment, your teams, and what
your teammates have shared. Own entries carry Share/Unshare, Edit and Delete buttons.

The view always stays within Block Kit's 100-block limit for a Home tab, and every section's
text within 3,000 characters; long entries show a preview (the whole text is in the editor).
"""

from __future__ import annotations

import json
import logging

from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.coaching.ports import Who
from bot.journal.errors import JournalUnavailable
from bot.journal.views import EntryView, TeamInfo
from bot.services import Services
from bot.slack import enabler_home
from bot.slack.blocks import MAX_HOME_BLOCKS, button, mrkdwn_escape
from bot.slack.listeners.common import JOURNAL_DOWN
from bot.slack.replies import team_label

log = logging.getLogger(__name__)

PAGE_SIZE = 5
SHARED_PER_TEAM = 5
MAX_TEAMS_SHOWN = 3
PREVIEW_CHARS = 1200


def entry_value(entry_id: int, page: int) -> str:
    return json.dumps({"e": entry_id, "p": page})


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:2000])])


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    text = mrkdwn_escape(text.strip())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _entry_meta(entry: EntryView) -> str:
    seen = "Shared with the team" if entry.shared else "Private: only you"
    if entry.shared and entry.anonymous:
        seen += ' (the enabler sees "a team member")'
    themes = ", ".join(t.replace("_", " ") for t in entry.themes)
    parts = [f"#{entry.id}", entry.created_at.strftime("%d %b %Y"), team_label(entry.team), seen]
    if themes:
        parts.append(themes)
    return " · ".join(parts)


def own_entry_blocks(entry: EntryView, page: int) -> list[Block]:
    value = entry_value(entry.id, page)
    share = (
        button("entry_unshare", "Make private", value)
        if entry.shared
        else button("entry_share", "Share with team", value)
    )
    delete = button(
        "entry_delete",
        "Delete",
        value,
        style="danger",
        confirm=ConfirmObject(
            title="Delete this entry?",
            text="It will be gone for good, for you and your team.",
            confirm="Delete",
            deny="Keep it",
        ),
    )
    text = preview(entry.text)
    if entry.commitment:
        text += f"\n*Commitment:* {preview(entry.commitment, 400)}"
    return [
        _section(text),
        _context(_entry_meta(entry)),
        ActionsBlock(elements=[share, button("entry_edit", "Edit", value), delete]),
    ]


def shared_entry_blocks(entry: EntryView) -> list[Block]:
    author = f"<@{entry.author}>" if entry.author else (entry.author_name or "a team member")
    meta = f"{author} · {entry.created_at.strftime('%d %b %Y')}"
    return [_section(preview(entry.text, 600)), _context(meta)]


def build_home(services: Services, user: str, page: int = 0) -> dict:
    """The Home view for `user` at `page` of their own entries."""
    journal = services.journal
    teams = journal.teams_for(user)
    total = journal.count_entries(user)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    own = journal.list_entries(user, limit=PAGE_SIZE, offset=page * PAGE_SIZE)

    blocks: list[Block] = [HeaderBlock(text="Your Ripple")]
    blocks.append(ActionsBlock(elements=[button("home_write", "Write an entry", style="primary")]))
    blocks.extend(_commitment_blocks(services, user, teams))
    blocks.extend(_teams_blocks(teams))
    blocks.extend(enabler_home.sections(services, user))  # issue 5: teams they support
    blocks += [DividerBlock(), _section(f"*Your entries* ({total})")]
    if not own:
        blocks.append(_context("Nothing yet. Reflect with me in a DM, or write an entry."))
    for entry in own:
        blocks.extend(own_entry_blocks(entry, page))
    if pages > 1:
        blocks.append(_pager(page, pages))
    blocks.extend(_shared_blocks(services, user, teams))
    return View(
        type="home",
        callback_id="ripple_home",
        blocks=fit_home(blocks),
        private_metadata=json.dumps({"p": page}),
    ).to_dict()


def _commitment_blocks(services: Services, user: str, teams: list[TeamInfo]) -> list[Block]:
    latest = None
    for team in teams:
        found = services.journal.last_commitment(Who(user=user, team=team.slug))
        if found and (latest is None or found.made_at > latest.made_at):
            latest = found
    if latest is None:
        return []
    when = latest.made_at.strftime("%d %b")
    return [_section(f"*Your last commitment* ({when}):\n> {preview(latest.text, 800)}")]


def _teams_blocks(teams: list[TeamInfo]) -> list[Block]:
    if not teams:
        return [
            _context(
                "You're not in a Ripple team yet. Run `/ripple team create` in your team's channel."
            )
        ]
    lines = []
    for team in teams:
        s = team.schedule
        when = f"{s.weekday_name}s at {s.time}" if s.enabled else "weekly prompt off"
        lines.append(f"• {team_label(team.slug)}: {when}")
    return [_section("*Your teams*\n" + "\n".join(lines))]


def _shared_blocks(services: Services, user: str, teams: list[TeamInfo]) -> list[Block]:
    blocks: list[Block] = []
    for team in teams[:MAX_TEAMS_SHOWN]:
        entries = [
            e
            for e in services.journal.team_entries(user, team.slug, limit=SHARED_PER_TEAM + 5)
            if e.author != user
        ][:SHARED_PER_TEAM]
        blocks += [DividerBlock(), _section(f"*Shared in {team_label(team.slug)}*")]
        if not entries:
            blocks.append(_context("Nothing shared by teammates yet."))
        for entry in entries:
            blocks.extend(shared_entry_blocks(entry))
    return blocks


def _pager(page: int, pages: int) -> ActionsBlock:
    buttons = []
    if page > 0:
        buttons.append(button("home_page_newer", "← Newer", json.dumps({"p": page - 1})))
    if page < pages - 1:
        buttons.append(button("home_page_older", "Older →", json.dumps({"p": page + 1})))
    return ActionsBlock(elements=buttons)


def fit_home(blocks: list[Block]) -> list[Block]:
    """Trim to the Home tab's 100-block limit, saying so rather than failing to publish."""
    if len(blocks) <= MAX_HOME_BLOCKS:
        return blocks
    return [*blocks[: MAX_HOME_BLOCKS - 1], _context("More in the older pages.")]


def publish(client: WebClient, services: Services, user: str, workspace: str = "", page=0) -> None:
    """Publish the Home tab; if the journal is down, publish a calm notice instead."""
    try:
        view = build_home(services, user, page)
    except JournalUnavailable:
        log.warning("home: journal unavailable")
        view = View(type="home", blocks=[_section(JOURNAL_DOWN)]).to_dict()
    client.views_publish(user_id=user, view=view)


def page_of(view: dict | None) -> int:
    try:
        return int(json.loads((view or {}).get("private_metadata") or "{}").get("p", 0))
    except (ValueError, TypeError, AttributeError):
        return 0
