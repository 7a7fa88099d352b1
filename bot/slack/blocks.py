"""Block Kit rendering of coaching `Reply`s, built with `slack_sdk.models`.

Nothing here decides what to say: coaching does. This module only lays a `Reply` out as
blocks that fit Slack's limits (50 blocks per message, 3,000 characters per section text,
25 elements per actions block, 2,000 characters per button value).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.coaching.reply import Action, PlaceGroup, Reply, ReplyKind
from bot.evidence.passage import Passage

MAX_MESSAGE_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_CHARS = 3000
MAX_CONTEXT_CHARS = 2000
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS_PER_BLOCK = 25
MAX_BUTTON_LABEL = 75

# The buttons that are the obvious next step get Slack's emphasis styles.
_BUTTON_STYLE = {"reflect_start": "primary", "save_to_journal": "primary", "delete": "danger"}
# The feedback buttons wear the glyphs the README promises.
_BUTTON_GLYPH = {"feedback_up": "👍", "feedback_down": "👎"}
FEEDBACK_IDS = ("feedback_up", "feedback_down")
FEEDBACK_UNDO = "feedback_undo"
FEEDBACK_BLOCK = "ripple_feedback"  # block_id of the "Marked useful · Undo" line


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Split text into pieces no longer than `limit`, preferring paragraph, line, then word
    boundaries, so long answers become several sections rather than being cut off."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(". ") + 1)
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def text_sections(text: str) -> list[SectionBlock]:
    return [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_text(text)]


def quote(text: str) -> str:
    """A word-for-word quote as a mrkdwn block quote (every line prefixed)."""
    body = mrkdwn_escape(" ".join(text.split()))
    # The sources mark emphasis in Markdown (**bold**); Slack's mrkdwn bold is *bold*.
    return "> " + body.replace("**", "*")


def source_line(passage: Passage) -> str:
    if passage.cite:  # one line: short title, date · section
        return f"Source: {mrkdwn_escape(passage.cite)}"
    parts = [f"_{mrkdwn_escape(passage.title or passage.doc)}_"]
    if passage.section:
        parts.append(mrkdwn_escape(passage.section))
    if passage.doc_id:
        parts.append(f"doc {mrkdwn_escape(passage.doc_id)}")
    return "Source: " + " · ".join(parts)


def passage_blocks(passage: Passage) -> list[Block]:
    """The quote (split if a passage is unusually long) and its source in a context line."""
    quoted = quote(passage.shown)  # the words, without the source's markup; "…" where cut
    sections = [
        SectionBlock(text=MarkdownTextObject(text=piece if i == 0 else "> " + piece))
        for i, piece in enumerate(split_text(quoted, MAX_SECTION_CHARS - 2))
    ]
    context = ContextBlock(
        elements=[MarkdownTextObject(text=source_line(passage)[:MAX_CONTEXT_CHARS])]
    )
    return [*sections, context]


def group_blocks(group: PlaceGroup) -> list[Block]:
    header = SectionBlock(text=MarkdownTextObject(text=f"*{mrkdwn_escape(group.place)}*"))
    blocks: list[Block] = [header]
    for passage in group.passages:
        blocks.extend(passage_blocks(passage))
    return blocks


def button_value(action: Action, context: dict | None = None) -> str:
    """Actions carry coaching's value plus the adapter's context (question, channel…),
    JSON-encoded and trimmed so the whole stays under Slack's 2,000-character limit."""
    payload = {"v": action.value, **(context or {})}
    encoded = json.dumps(payload, ensure_ascii=False)
    for key in ("q", "v"):  # shorten free text, never the ids, so the value stays valid JSON
        while len(encoded) > MAX_BUTTON_VALUE and payload.get(key):
            payload[key] = payload[key][: max(0, len(payload[key]) - 200)]
            encoded = json.dumps(payload, ensure_ascii=False)
    return encoded


def decode_value(value: str | None) -> dict:
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return {"v": value or ""}
    return data if isinstance(data, dict) else {"v": str(data)}


def button(
    action_id: str, label: str, value: str = "", *, style: str | None = None, confirm=None
) -> ButtonElement:
    return ButtonElement(
        text=label[:MAX_BUTTON_LABEL],
        action_id=action_id,
        value=value[:MAX_BUTTON_VALUE] or None,
        style=style,
        confirm=confirm,
    )


def action_label(action_id: str, label: str) -> str:
    glyph = _BUTTON_GLYPH.get(action_id)
    return f"{glyph} {label}" if glyph and not label.startswith(glyph) else label


def action_blocks(actions: Sequence[Action], context: dict | None = None) -> list[ActionsBlock]:
    buttons = [
        button(
            a.id,
            action_label(a.id, a.label),
            button_value(a, context),
            style=_BUTTON_STYLE.get(a.id),
        )
        for a in actions
    ]
    return [
        ActionsBlock(elements=buttons[i : i + MAX_ACTIONS_PER_BLOCK])
        for i in range(0, len(buttons), MAX_ACTIONS_PER_BLOCK)
    ]


def render_reply(reply: Reply, context: dict | None = None) -> list[Block]:
    """Lay a Reply out: lead text, evidence grouped by place, the question, then buttons."""
    blocks: list[Block] = []
    # Coaching text is plain (it never formats for Slack) and echoes the person's own words,
    # so it is escaped: a commitment holding `<!channel>` reads as text, never a broadcast.
    if reply.text:
        blocks.extend(text_sections(mrkdwn_escape(reply.text)))
    groups = reply.groups or (
        [PlaceGroup("What others found", tuple(reply.passages))] if reply.passages else []
    )
    for group in groups:
        blocks.append(DividerBlock())
        blocks.extend(group_blocks(group))
    if reply.question:
        if groups:
            blocks.append(DividerBlock())
        blocks.extend(text_sections(f"*{mrkdwn_escape(reply.question)}*"))
    if reply.actions:
        blocks.extend(action_blocks(reply.actions, context))
    return blocks


def fallback_text(reply: Reply) -> str:
    """Plain notification text (push notifications, screen readers, clients without blocks)."""
    parts = [reply.text.strip()]
    if reply.question:
        parts.append(reply.question)
    text = mrkdwn_escape("\n\n".join(p for p in parts if p))  # notifications parse it too
    if not text and reply.kind is ReplyKind.HELPED:
        text = "What others found"
    return text[:3000] or "Ripple"


def chunk_blocks(blocks: Sequence[Block], limit: int = MAX_MESSAGE_BLOCKS) -> list[list[Block]]:
    """Split blocks into messages of at most `limit`, never leaving a source line or a divider
    stranded at the top of the next message when it can be avoided."""
    chunks: list[list[Block]] = []
    current: list[Block] = []
    for block in blocks:
        if len(current) >= limit:
            carry: list[Block] = []
            # Keep a quote with its context line: move a trailing section to the next chunk.
            if isinstance(block, ContextBlock) and isinstance(current[-1], SectionBlock):
                carry = [current.pop()]
            chunks.append(current)
            current = carry
        current.append(block)
    if current:
        chunks.append(current)
    return chunks


def as_dicts(blocks: Iterable[Block]) -> list[dict]:
    return [b.to_dict() for b in blocks]


def notice_blocks(text: str) -> list[Block]:
    """A plain message: help text, confirmations, apologies."""
    return list(text_sections(text))


# --- a clicked message changes ---------------------------------------------------------------
# These work on the blocks Slack sends back with a click (`body["message"]["blocks"]`), so the
# message keeps everything it said and only its buttons change.
def settled(blocks: Sequence[dict], line: str) -> list[dict]:
    """The message with its buttons replaced by one plain line ("Started ✓ · Monday 09:00")."""
    kept = [b for b in blocks if b.get("type") != "actions" and b.get("block_id") != FEEDBACK_BLOCK]
    return [*kept, ContextBlock(elements=[MarkdownTextObject(text=line)]).to_dict()]


def feedback_marked(blocks: Sequence[dict], line: str, undo_value: str) -> list[dict]:
    """The answer with its 👍/👎 replaced by `line` ("👍 Marked useful") and an Undo button;
    its other buttons (Save to journal) stay."""
    undo = ButtonElement(text="Undo", action_id=FEEDBACK_UNDO, value=undo_value[:MAX_BUTTON_VALUE])
    marked = SectionBlock(
        block_id=FEEDBACK_BLOCK, text=MarkdownTextObject(text=line), accessory=undo
    ).to_dict()
    out: list[dict] = []
    for block in blocks:
        if block.get("block_id") == FEEDBACK_BLOCK:
            continue
        if block.get("type") == "actions":
            rest = [e for e in block["elements"] if e.get("action_id") not in FEEDBACK_IDS]
            if marked:
                out.append(marked)
                marked = None
            if rest:
                out.append({**block, "elements": rest})
            continue
        out.append(block)
    return out + ([marked] if marked else [])


def feedback_restored(blocks: Sequence[dict], value: str) -> list[dict]:
    """Undo: the 👍/👎 buttons come back where the "Marked useful" line was."""
    fresh = [
        button(i, action_label(i, label), value).to_dict()
        for i, label in (("feedback_up", "Useful"), ("feedback_down", "Not useful"))
    ]
    out: list[dict] = []
    waiting = False  # the marked line was just dropped: its buttons go back here
    for block in blocks:
        if block.get("block_id") == FEEDBACK_BLOCK:
            waiting = True
            continue
        if waiting:
            if block.get("type") == "actions":
                block = {**block, "elements": fresh + list(block["elements"])}
            else:
                out.append({"type": "actions", "elements": fresh})
            waiting = False
            fresh = []
        out.append(block)
    if fresh:
        out.append({"type": "actions", "elements": fresh})
    return out
