"""Block Kit for the enabler's Home: the teams they support, each with its consent state; for
a consented team, the themes over the weeks (a text bar chart) and the newest shared entries;
their own private notes. Also the "Open team entries" and "Add a private note" modals.

Only lays out what `journal.entries_for_enabler` (the audited read) already allowed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.journal.views import ConsentState, EnablerNoteView, EntryView
from bot.slack.blocks import button, mrkdwn_escape
from bot.slack.privacy_blocks import (
    BAR_WIDTH,
    CHART_WEEKS,
    ENABLER_NOTE,
    ENABLER_OPEN,
    ENTRIES_ON_HOME,
    NOTE_CALLBACK,
    NOTE_TEXT,
    NOTES_ON_HOME,
    THEME_NAMES,
    context,
    section,
    slack_date,
    team_value,
)
from bot.slack.replies import person, plural


def enabler_header(count: int = 0) -> list[Block]:
    title = "Teams you support" + (f" ({count})" if count > 1 else "")
    return [
        DividerBlock(),
        HeaderBlock(text=title),
        context(
            "You see a team's shared entries only while it consents. Every look is shown to "
            "the team. Your notes are private to you; Ripple never posts them anywhere."
        ),
    ]


def enabler_intro(teams: int) -> list[Block]:
    """The top of an enabler's own Home (someone who supports teams but belongs to none)."""
    return [
        HeaderBlock(text="Teams you support"),
        section(
            f"You are the enabler of {plural(teams, 'team')}. For each one you see whether it "
            "consents to you reading its shared journal; while it does, its shared entries "
            "and the themes in them over the weeks. Your private notes sit beside each team."
        ),
        context(
            "Every look you take is shown to the team with `/ripple audit`. Nothing here is "
            "reported to anyone else."
        ),
    ]


def enabler_team_blocks(
    team_label: str,
    state: ConsentState,
    entries: Sequence[EntryView] | None,
    weeks: dict[str, dict[str, int]],
    notes: Sequence[EnablerNoteView],
) -> list[Block]:
    """One team: its consent state; for consented teams (`entries` not None) the shared
    entries and the themes chart; then the enabler's own notes."""
    value = team_value(state.team)
    if entries is None:
        head = (
            f"*{team_label}* · :white_circle: consent *not given*\n"
            "You see none of this team's journal."
        )
        blocks: list[Block] = [DividerBlock(), section(head)]
        blocks.append(context("The team decides in its channel with `/ripple consent`."))
    else:
        head = (
            f"*{team_label}* · :large_green_circle: consent given {slack_date(state.changed_at)}"
            f"\n{plural(len(entries), 'shared entry', 'shared entries')} you can read."
        )
        blocks = [DividerBlock(), section(head), *theme_chart_blocks(weeks)]
        shown = entries[:ENTRIES_ON_HOME]
        if not shown:
            blocks.append(context("Nothing has been shared with the team yet."))
        for entry in shown:
            blocks.extend(entry_blocks(entry))
        if len(entries) > len(shown):
            more = plural(len(entries) - len(shown), "more shared entry", "more shared entries")
            blocks.append(context(f"{more}: open them with the button below."))
        blocks.append(ActionsBlock(elements=[button(ENABLER_OPEN, "Open team entries", value)]))
    blocks.extend(note_blocks(notes))
    blocks.append(ActionsBlock(elements=[button(ENABLER_NOTE, "Add a private note", value)]))
    return blocks


def entry_blocks(entry: EntryView, limit: int = 600) -> list[Block]:
    author = person(entry.author) if entry.author else (entry.author_name or "a team member")
    text = mrkdwn_escape(entry.text.strip())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    themes = ", ".join(THEME_NAMES.get(t, t) for t in entry.themes)
    when = entry.created_at.strftime("%d %b %Y")
    # No entry number: numbers are each author's own, and "Entry 7" would tell the enabler
    # how many entries (private ones included) that person has written.
    meta = f"{author} · {when}"
    return [section(text), context(meta + (f" · {themes}" if themes else ""))]


def note_blocks(notes: Sequence[EnablerNoteView]) -> list[Block]:
    if not notes:
        return []
    lines = [
        f"• {n.created_at.strftime('%d %b')}: {mrkdwn_escape(n.text.strip())[:400]}"
        for n in notes[:NOTES_ON_HOME]
    ]
    return [section("*Your private notes* (only you see these)\n" + "\n".join(lines))]


def theme_chart(weeks: dict[str, dict[str, int]]) -> str:
    """Counts per theme per week as a monospaced text bar chart (newest weeks last)."""
    recent = list(weeks.items())[-CHART_WEEKS:]
    top = max((n for _, counts in recent for n in counts.values()), default=0)
    if not recent or top == 0:
        return ""
    width = max(len(name) for name in THEME_NAMES.values())
    lines = []
    for week, counts in recent:
        lines.append(week)
        for theme, name in THEME_NAMES.items():
            count = counts.get(theme, 0)
            bar = "█" * max(1, round(count / top * BAR_WIDTH)) if count else "·"
            lines.append(f"  {name.ljust(width)}  {bar} {count}")
    return "```\n" + "\n".join(lines) + "\n```"


def theme_chart_blocks(weeks: dict[str, dict[str, int]]) -> list[Block]:
    chart = theme_chart(weeks)
    if not chart:
        return [context("No themes yet in the shared entries.")]
    return [section("*Themes over the weeks* (shared entries per theme per week)\n" + chart)]


def team_entries_modal(team_label: str, entries: Sequence[EntryView]) -> dict:
    """ "Open team entries": the consented team's shared entries (newest first), read-only."""
    blocks: list[Block] = [section(f"Shared entries of {team_label}, newest first.")]
    for entry in entries[:24]:  # two blocks each: within a modal's 100 blocks
        blocks.extend(entry_blocks(entry, limit=2500))
    if not entries:
        blocks.append(context("Nothing has been shared with the team yet."))
    blocks.append(context("The team can see that you opened these, in `/ripple audit`."))
    return View(type="modal", title="Team journal", close="Close", blocks=blocks).to_dict()


def note_modal(team: str, team_label: str) -> dict:
    """A private note the enabler keeps for themself; it is never posted anywhere."""
    blocks: list[Block] = [
        InputBlock(
            block_id=NOTE_TEXT[0],
            label="Your note",
            element=PlainTextInputElement(action_id=NOTE_TEXT[1], multiline=True, max_length=3000),
        ),
        context(
            f"About {team_label}. Only you will ever see this note: it is not sent to the team "
            "and Ripple never posts it on anyone's behalf."
        ),
    ]
    return View(
        type="modal",
        callback_id=NOTE_CALLBACK,
        title="Private note",
        submit="Save note",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps({"team": team}),
    ).to_dict()
