"""Block Kit rendering stays inside Slack's limits, whatever coaching hands it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_sdk.models.blocks import ContextBlock, SectionBlock
from slack_sdk.models.views import View

from bot.coaching.reply import Action, PlaceGroup, Reply, ReplyKind
from bot.evidence.passage import Passage
from bot.journal.views import EntryView
from bot.slack import blocks as bk
from bot.slack.home import PAGE_SIZE, fit_home
from bot.slack.home_cards import own_entry_card


def passage(
    i: int, text: str = "Partners agreed to pool budgets after a shared review."
) -> Passage:
    return Passage(
        doc="002_ee7f87da510b47a4.txt",
        title="Lessons from the Total Place pilots",
        section=f"Section {i}",
        places=("Barnet",),
        start=i * 100,
        end=i * 100 + len(text),
        text=text,
        doc_id="002",
    )


def test_helped_reply_groups_by_place_with_quote_and_source():
    reply = Reply(
        ReplyKind.HELPED,
        "Here is what others found.",
        question="What would a first shared step look like for you?",
        groups=[PlaceGroup("Barnet", (passage(1),)), PlaceGroup("Leeds", (passage(2),))],
        actions=[Action("feedback_up", "Useful"), Action("save_to_journal", "Save to journal")],
    )
    rendered = bk.as_dicts(bk.render_reply(reply, {"q": "pooled budgets", "t": "C1"}))
    texts = [json.dumps(b) for b in rendered]
    assert any("*Barnet*" in t for t in texts) and any("*Leeds*" in t for t in texts)
    quotes = [b for b in rendered if b["type"] == "section" and b["text"]["text"].startswith(">")]
    assert quotes[0]["text"]["text"] == "> Partners agreed to pool budgets after a shared review."
    contexts = [b for b in rendered if b["type"] == "context"]
    assert "Lessons from the Total Place pilots" in contexts[0]["elements"][0]["text"]
    buttons = rendered[-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["feedback_up", "save_to_journal"]
    assert json.loads(buttons[0]["value"])["q"] == "pooled budgets"


def test_long_text_and_many_passages_split_into_valid_messages():
    long_lead = ("A sentence about partnership working across boundaries. " * 400).strip()
    groups = [PlaceGroup(f"Place {i}", tuple(passage(j) for j in range(5))) for i in range(8)]
    reply = Reply(ReplyKind.HELPED, long_lead, question="What now?", groups=groups)
    rendered = bk.render_reply(reply)
    chunks = bk.chunk_blocks(rendered)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= bk.MAX_MESSAGE_BLOCKS
        for block in chunk:
            block.validate_json()  # slack_sdk's own limits: 3,000 chars per section text
    # Nothing was lost: every word of the lead is somewhere in the sections.
    joined = " ".join(b.text.text for chunk in chunks for b in chunk if isinstance(b, SectionBlock))
    assert joined.count("partnership working") == 400
    # No quote's source line starts a new message on its own.
    assert all(not isinstance(chunk[0], ContextBlock) for chunk in chunks[1:])


def test_a_passage_longer_than_a_section_is_quoted_in_full():
    text = "word " * 1000  # 5,000 characters
    rendered = bk.passage_blocks(passage(1, text))
    sections = [b for b in rendered if isinstance(b, SectionBlock)]
    assert len(sections) >= 2
    for section in sections:
        assert len(section.text.text) <= bk.MAX_SECTION_CHARS
        assert section.text.text.startswith("> ")
    assert sum(s.text.text.count("word") for s in sections) == 1000


def test_button_values_stay_under_slacks_limit():
    action = Action("save_to_journal", "Save to journal", value="v" * 100)
    value = bk.button_value(action, {"q": "why? " * 1000, "t": "C1"})
    assert len(value) <= bk.MAX_BUTTON_VALUE
    assert json.loads(value)["t"] == "C1"
    retry = bk.button_value(Action("retry", "Try again", value="my words " * 500), {"t": "C1"})
    assert len(retry) <= bk.MAX_BUTTON_VALUE
    assert json.loads(retry)["v"].startswith("my words")  # still valid JSON, text shortened


def test_mrkdwn_control_characters_are_escaped_in_quotes():
    quoted = bk.quote("Budgets <b> & <@U123> > plans")
    assert "<@U123>" not in quoted and "&lt;@U123&gt;" in quoted
    # The sources' Markdown emphasis becomes Slack's, with the same words.
    emphasised = bk.quote("this **prevented genuine pooling** of")
    assert emphasised == "> this *prevented genuine pooling* of"


def _entry(i: int, text: str) -> EntryView:
    now = datetime(2026, 3, 30, tzinfo=UTC)
    return EntryView(
        id=i,
        team="C1",
        team_name="#t",
        author="U1",
        author_name="a",
        text=text,
        themes=("conflict",),
        commitment="Call the CCG lead" * 50,
        visibility="private",
        anonymous=False,
        source="journal",
        created_at=now,
        updated_at=now,
    )


def test_home_entries_respect_section_and_view_limits():
    blocks_ = []
    for i in range(60):  # far more than one Home view may hold
        blocks_.extend(own_entry_card(_entry(i, "x" * 5000), page=0))
        blocks_.extend(own_entry_card(_entry(i, "x" * 5000), page=0, expanded=True))
    assert all(len(b.to_dict().get("text", {}).get("text", "")) <= 3000 for b in blocks_)
    fitted = fit_home(blocks_)
    assert len(fitted) <= bk.MAX_HOME_BLOCKS
    view = View(type="home", blocks=fitted)
    view.validate_json()
    # A full page of the longest cards (4 blocks each) leaves room for the rest of the Home.
    assert PAGE_SIZE * 4 + 40 < bk.MAX_HOME_BLOCKS
