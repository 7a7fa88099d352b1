"""One card per journal entry, for the App Home: a header line (date · team · who sees it),
the text (a preview with "Show more" when long), and Edit / Share / Delete in an overflow menu.

Block Kit only: what an entry says and who may see it come from the journal.
"""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)

from bot.journal.views import EntryView
from bot.slack.blocks import button, mrkdwn_escape
from bot.slack.replies import entry_ref, person, team_label

ENTRY_MENU = "entry_menu"  # the overflow: edit / share / unshare / delete
ENTRY_MORE = "entry_more"  # "Show more" / "Show less"
PREVIEW_CHARS = 700
FULL_CHARS = 2800  # within a section's 3,000 with the header line

THEME_NAMES = {
    "shared_purpose": "shared purpose",
    "authorising_environment": "authorising environment",
    "conflict": "conflict",
}


def section(text: str, accessory=None) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]), accessory=accessory)


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:2000])])


def preview(text: str, limit: int = PREVIEW_CHARS) -> tuple[str, bool]:
    """(escaped text, cut?) : the first `limit` characters, ending on a word."""
    text = mrkdwn_escape(text.strip())
    if len(text) <= limit:
        return text, False
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…", True


def visibility(entry: EntryView) -> str:
    if not entry.shared:
        return ":lock: Private"
    if entry.anonymous:
        return ':busts_in_silhouette: Shared (enabler sees "a team member")'
    return ":busts_in_silhouette: Shared with the team"


def menu_value(action: str, entry: EntryView, page: int) -> str:
    return json.dumps({"do": action, "e": entry.id, "p": page})  # well under 150 chars


def entry_menu(entry: EntryView, page: int) -> OverflowMenuElement:
    share = (
        Option(value=menu_value("unshare", entry, page), label="Make private")
        if entry.shared
        else Option(value=menu_value("share", entry, page), label="Share with team")
    )
    options = [Option(value=menu_value("edit", entry, page), label="Edit"), share]
    if entry.team.startswith("personal-"):
        options = options[:1]  # nobody to share a personal entry with
    options.append(Option(value=menu_value("delete", entry, page), label="Delete…"))
    return OverflowMenuElement(action_id=ENTRY_MENU, options=options)


def own_entry_card(entry: EntryView, page: int, *, expanded: bool = False) -> list[Block]:
    """The person's own entry: header line, text, commitment, themes; its overflow menu."""
    when = entry.created_at.strftime("%a %d %b %Y")
    head = f"*{when}* · {team_label(entry.team)} · {visibility(entry)}"
    body, cut = preview(entry.text, FULL_CHARS if expanded else PREVIEW_CHARS)
    blocks: list[Block] = [section(f"{head}\n{body}", accessory=entry_menu(entry, page))]
    meta = [entry_ref(entry.id, capital=True)]
    themes = ", ".join(THEME_NAMES.get(t, t) for t in entry.themes)
    if themes:
        meta.append(themes)
    if entry.commitment:
        meta.append(f"Commitment: {preview(entry.commitment, 300)[0]}")
    blocks.append(context(" · ".join(meta)))
    if cut or expanded:
        label, show = ("Show less", 0) if expanded else ("Show more", 1)
        more = button(ENTRY_MORE, label, json.dumps({"e": entry.id, "p": page, "x": show}))
        blocks.append(ActionsBlock(elements=[more]))
    blocks.append(DividerBlock())
    return blocks


def teammate_entry_card(entry: EntryView) -> list[Block]:
    author = person(entry.author) if entry.author else (entry.author_name or "a team member")
    text, _ = preview(entry.text, 500)
    when = entry.created_at.strftime("%a %d %b")
    return [section(f"*{author}* · {when}\n{text}")]
