# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""App Home over real HTTP (issue 12 §2): one card per entry (header line, text with Show more,
Edit / Share / Delete in an overflow menu), the last commitment and next weekly prompt at the
top, paging within Block Kit's 100 blocks, an enabler's own Home, the Home after erasing."""

from __future__ import annotations

import json

from bot.coaching.ports import Who
from tests.slack import payloads
from tests.slack.conftest import ALICE, BOB, TEAM_CHANNEL, buttons
from tests.slack.fake_slack import WORKSPACE_ID
from tests.slack.privacy_support import (  # noqa: F401 - pbot, pteam are fixtures
    ENABLER,
    click,
    command,
    open_home,
    pbot,
    pteam,
    view_text,
    write,
)


def home_buttons(view: dict) -> dict[str, dict]:
    return buttons(type("Call", (), {"args": {"view": view}})())


def menus(view: dict) -> list[dict]:
    """The overflow menus of the entry cards, in order."""
    return [
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("type") == "overflow"
    ]


def option(menu: dict, label: str) -> str:
    return next(o["value"] for o in menu["options"] if o["text"]["text"] == label)


def choose(bot, user: str, view: dict, value: str) -> None:
    """Pick an option of an entry card's overflow menu, as Slack sends it."""
    payload = payloads.block_action(user, "entry_menu", None, view=view)
    payload["actions"][0].update({"type": "overflow", "selected_option": {"value": value}})
    assert bot.sender.interaction(payload).status == 200


def republished(bot, before: int) -> dict:
    return bot.fake.wait_for("views.publish", before + 1)[-1].args["view"]


def test_one_card_per_entry_with_header_line_and_overflow_menu(pbot, pteam):
    write(pbot, ALICE, "Alice's private thought about trust")
    write(pbot, ALICE, "Alice's shared note", shared=True)
    write(pbot, BOB, "Bob's shared note on the pooled budget", shared=True)
    write(pbot, BOB, "Bob's private worry")
    view = open_home(pbot, ALICE)
    text = view_text(view)
    assert "Bob's shared note on the pooled budget" in text and "Bob's private worry" not in text
    cards = [b for b in view["blocks"] if b.get("accessory", {}).get("type") == "overflow"]
    assert len(cards) == 2  # one per own entry
    head = cards[0]["text"]["text"].splitlines()[0]
    assert f"<#{TEAM_CHANNEL}>" in head and "Shared with the team" in head  # date · team · who
    assert ":lock: Private" in cards[1]["text"]["text"]
    labels = [[o["text"]["text"] for o in m["options"]] for m in menus(view)]
    assert labels == [["Edit", "Make private", "Delete…"], ["Edit", "Share with team", "Delete…"]]
    assert "*Your journal* · 2 entries" in text
    assert "3 members" in text  # the team line counts its members
    kinds = [b["type"] for b in view["blocks"]]
    assert kinds.count("divider") >= 3  # cards are separated


def test_last_commitment_and_next_prompt_are_at_the_top(pbot, pteam):
    who = Who(user=ALICE, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)
    pbot.journal.save_entry(who, "Reflection", commitment="Call both finance leads by Friday")
    view = open_home(pbot, ALICE)
    top = view["blocks"][1]["text"]["text"]
    assert "Your last commitment" in top and "Call both finance leads by Friday" in top
    # The clock is Monday 30 March 2026 08:00 UTC = 09:00 London: the next prompt is next
    # Monday's, shown in the reader's own timezone by Slack's date formatting.
    assert "Your next weekly prompt" in top and "<!date^1775462400^" in top
    assert view_text(view).index("Your last commitment") < view_text(view).index("Your journal")


def test_the_next_prompt_skips_a_week_skipped_ahead_of_time(pbot, pteam):
    pbot.clock.advance(seconds=-3600 * 24)  # Sunday 29 March: this week's prompt is tomorrow
    assert "<!date^1774857600^" in view_text(open_home(pbot, ALICE))  # Mon 30 Mar 09:00 BST
    pbot.journal.skip_prompt(ALICE, TEAM_CHANNEL, 2026, 14)
    assert "<!date^1775462400^" in view_text(open_home(pbot, ALICE))  # Mon 6 Apr instead


def test_share_make_private_and_delete_from_the_menu(pbot, pteam):
    entry_id = write(pbot, ALICE, "A reflection about shared purpose")
    view = open_home(pbot, ALICE)
    before = len(pbot.fake.calls_to("views.publish"))
    choose(pbot, ALICE, view, option(menus(view)[0], "Share with team"))
    view = republished(pbot, before)
    assert pbot.journal.get_entry(ALICE, entry_id).shared
    assert [e.id for e in pbot.journal.team_entries(BOB, TEAM_CHANNEL)] == [entry_id]

    before = len(pbot.fake.calls_to("views.publish"))
    choose(pbot, ALICE, view, option(menus(view)[0], "Make private"))
    view = republished(pbot, before)
    assert not pbot.journal.get_entry(ALICE, entry_id).shared

    # Delete asks first, in a modal naming the entry; only its submission deletes.
    choose(pbot, ALICE, view, option(menus(view)[0], "Delete…"))
    [opened] = pbot.fake.wait_for("views.open")
    modal = opened.args["view"]
    assert modal["callback_id"] == "entry_delete_confirm" and modal["submit"]["text"] == "Delete"
    assert "A reflection about shared purpose" in view_text(modal)
    assert pbot.journal.list_entries(ALICE)  # nothing deleted yet
    before = len(pbot.fake.calls_to("views.publish"))
    assert pbot.sender.interaction(payloads.view_submission(ALICE, modal, {})).status == 200
    view = republished(pbot, before)
    assert pbot.journal.list_entries(ALICE) == []
    assert "A reflection about shared purpose" not in view_text(view)


def test_edit_from_the_menu_opens_the_entry_and_saves_changes(pbot, pteam):
    entry_id = write(pbot, ALICE, "First draft")
    view = open_home(pbot, ALICE)
    choose(pbot, ALICE, view, option(menus(view)[0], "Edit"))
    [opened] = pbot.fake.wait_for("views.open")
    assert "First draft" in view_text(opened.args["view"])
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": "Second draft"}},
        "entry_visibility": {
            "visibility": {"type": "radio_buttons", "selected_option": {"value": "private"}}
        },
    }
    pbot.sender.interaction(payloads.view_submission(ALICE, opened.args["view"], values))
    assert pbot.journal.get_entry(ALICE, entry_id).text == "Second draft"


def test_someone_elses_entry_cannot_be_changed_by_a_crafted_menu_choice(pbot, pteam):
    entry_id = write(pbot, ALICE, "Alice only")
    view = open_home(pbot, BOB)
    for action in ("share", "delete", "edit"):
        choose(pbot, BOB, view, json.dumps({"do": action, "e": entry_id, "p": 0}))
    notes = pbot.fake.wait_for("chat.postMessage", 3)
    assert all(n.args["channel"].startswith("D") for n in notes)  # told privately
    entry = pbot.journal.get_entry(ALICE, entry_id)
    assert entry.text == "Alice only" and not entry.shared
    assert pbot.fake.calls_to("views.open") == []


def test_a_long_entry_shows_more_on_request(pbot, pteam):
    long_text = "We talked about the pooled budget. " * 60 + "THE VERY END"
    write(pbot, ALICE, long_text)
    view = open_home(pbot, ALICE)
    assert "THE VERY END" not in view_text(view)
    more = home_buttons(view)["entry_more"]
    assert more["text"]["text"] == "Show more"
    before = len(pbot.fake.calls_to("views.publish"))
    click(pbot, ALICE, "entry_more", more["value"], view=view)
    view = republished(pbot, before)
    assert "THE VERY END" in view_text(view)
    assert home_buttons(view)["entry_more"]["text"]["text"] == "Show less"


def test_many_entries_are_paged_within_block_kit_limits(pbot, pteam):
    for i in range(23):
        write(pbot, ALICE, f"Entry number {i:02d} " + "long words " * 400)
    view = open_home(pbot, ALICE)
    blocks = view["blocks"]
    assert len(blocks) <= 100
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "Entry number 22" in view_text(view) and "Entry number 14" not in view_text(view)
    assert "Page 1 of 3" in view_text(view)
    older = home_buttons(view)["home_page_older"]
    before = len(pbot.fake.calls_to("views.publish"))
    click(pbot, ALICE, "home_page_older", older["value"], view=view)
    page2 = republished(pbot, before)
    assert "Entry number 14" in view_text(page2) and "Entry number 22" not in view_text(page2)
    assert "home_page_newer" in home_buttons(page2) and len(page2["blocks"]) <= 100


def test_an_enabler_gets_a_home_of_their_own(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    write(pbot, BOB, "We finally agreed what we are for", shared=True, themes=("shared_purpose",))
    pbot.journal.add_enabler_note(ENABLER, TEAM_CHANNEL, "Ask about the board next time")
    view = open_home(pbot, ENABLER)
    text = view_text(view)
    assert "not in a Ripple team" not in text and "Write an entry" not in text
    assert "Teams you support" in text and "1 team" in text
    assert "consent *not given*" in text and "We finally agreed" not in text
    assert "Ask about the board next time" in text  # their private notes

    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    view = open_home(pbot, ENABLER)
    text = view_text(view)
    assert "consent given" in text and "We finally agreed what we are for" in text
    assert "Themes over the weeks" in text and "shared purpose" in text
    assert "1 shared entry you can read" in text


def test_after_erase_the_home_says_what_happened(pbot, pteam):
    write(pbot, ALICE, "Something to erase")
    command(pbot, "erase")
    [ask] = pbot.fake.wait_for("chat.postEphemeral")
    said = json.dumps(ask.args["blocks"])
    assert "leave every Ripple team's weekly schedule" in said and f"<#{TEAM_CHANNEL}>" in said
    erase = buttons(ask)["privacy_erase_confirm"]
    assert erase["confirm"]["confirm"]["text"] == "Erase everything"  # Slack asks first
    before = len(pbot.fake.calls_to("views.publish"))
    click(pbot, ALICE, "privacy_erase_confirm", erase["value"], channel=TEAM_CHANNEL)
    view = republished(pbot, before)
    assert "Your data was erased" in view_text(view)
    assert "no longer on any team's weekly schedule" in view_text(view)


def test_home_when_the_journal_is_down_is_a_calm_notice(fake_slack, tmp_path):
    from tests.slack.conftest import _running_bot

    url = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"
    gen = _running_bot(tmp_path / "data", url, fake_slack, None, ping=False)
    down = next(gen)
    try:
        assert down.sender.event(payloads.app_home_opened(ALICE)).status == 200
        [published] = fake_slack.wait_for("views.publish")
        assert "unavailable" in view_text(published.args["view"])
    finally:
        gen.close()
