# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""One consent card per team, updated in place (issue 12 §1): chat.update on the live card's
ts for every change, an older card turned into a line without buttons, confirm objects on
Grant and Revoke, a refusal that names who decides, the enabler told by DM on revocation, and
an erased person shown as "a former member"."""

from __future__ import annotations

import json
import time

from tests.slack.conftest import ALICE, BOB, TEAM_CHANNEL, buttons, message_text
from tests.slack.privacy_support import (  # noqa: F401 - pbot, pteam are fixtures
    ENABLER,
    click,
    command,
    dms_to,
    pbot,
    pteam,
    team_value,
)


def post_card(bot, n: int = 1):
    command(bot, "consent")
    card = bot.fake.wait_for("chat.postMessage", n, channel=TEAM_CHANNEL)[-1]
    known = {c.args.get("ts") for c in bot.fake.calls_to("chat.update")}
    for _ in range(100):  # the journal records the card just after Slack accepted it
        found = bot.journal.card_for(TEAM_CHANNEL, "consent")
        if found and found[1] not in known and (n == 1 or bot.fake.calls_to("chat.update")):
            break
        time.sleep(0.05)
    channel, ts = found
    assert channel == TEAM_CHANNEL
    return card, ts


def updates_of(bot, ts: str) -> list:
    return [c for c in bot.fake.calls_to("chat.update") if c.args["ts"] == ts]


def test_grant_asks_first_and_updates_the_live_card_in_place(pbot, pteam):
    card, ts = post_card(pbot)
    grant = buttons(card)["consent_grant"]
    assert grant["confirm"]["title"]["text"] == "Grant consent?"
    assert f"(admins: <@{ALICE}>)" in message_text(card)  # who decides, by name
    click(pbot, ALICE, "consent_grant", grant["value"], channel=TEAM_CHANNEL, message_ts=ts)
    [updated] = pbot.fake.wait_for("chat.update")
    assert updated.args["channel"] == TEAM_CHANNEL and updated.args["ts"] == ts
    revoke = buttons(updated)["consent_revoke"]
    assert (
        revoke["confirm"]["confirm"]["text"] == "Revoke" and revoke["confirm"]["style"] == "danger"
    )
    assert "consent given by" in message_text(updated)


def test_a_new_card_marks_the_old_one_out_of_date_and_clicks_on_it_update_the_live_one(pbot, pteam):
    _, old_ts = post_card(pbot)
    _, live_ts = post_card(pbot, 2)
    assert old_ts != live_ts
    [outdated] = pbot.fake.wait_for("chat.update")
    assert outdated.args["ts"] == old_ts and "out of date" in message_text(outdated)
    assert not [b for b in outdated.args["blocks"] if b["type"] == "actions"]  # no live buttons

    # Someone clicks Grant on the old card (their client had not refreshed yet).
    click(pbot, ALICE, "consent_grant", team_value(), channel=TEAM_CHANNEL, message_ts=old_ts)
    pbot.fake.wait_for("chat.update", 3)
    [live] = updates_of(pbot, live_ts)
    assert "consent_revoke" in buttons(live)
    assert all("out of date" in message_text(c) for c in updates_of(pbot, old_ts))
    assert pbot.journal.consent_state(TEAM_CHANNEL).granted


def test_a_refusal_names_who_can_decide(pbot, pteam):
    _, ts = post_card(pbot)
    click(pbot, BOB, "consent_grant", team_value(), channel=TEAM_CHANNEL, message_ts=ts)
    [note] = pbot.fake.wait_for("chat.postEphemeral")
    assert note.args["user"] == BOB
    assert "Only a team admin" in message_text(note) and f"<@{ALICE}>" in message_text(note)
    assert not pbot.journal.consent_state(TEAM_CHANNEL).granted
    assert pbot.fake.calls_to("chat.update") == []


def test_the_enabler_is_told_by_dm_when_consent_is_revoked(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    _, ts = post_card(pbot)
    click(pbot, BOB, "consent_revoke", team_value(), channel=TEAM_CHANNEL, message_ts=ts)
    pbot.fake.wait_for("chat.postMessage", 2, channel=TEAM_CHANNEL)  # the channel is told
    for _ in range(50):
        if dms_to(pbot, ENABLER):
            break
        pbot.fake.wait_for("views.publish")
    [dm] = dms_to(pbot, ENABLER)
    assert "revoked consent" in message_text(dm)
    [updated] = updates_of(pbot, ts)
    assert "consent_grant" in buttons(updated)


def test_an_erased_person_is_a_former_member_on_the_card(pbot, pteam):
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    pbot.journal.set_team_admin(TEAM_CHANNEL, BOB)  # someone must still be able to decide
    pbot.journal.erase_user(ALICE)
    card, _ = post_card(pbot)
    text = json.dumps(card.args["blocks"])
    assert "<@erased user>" not in text and "erased user" not in text
    assert "consent given by a former member" in text


def test_naming_an_enabler_updates_the_live_card(pbot, pteam):
    card, ts = post_card(pbot)
    assert "No enabler has been named yet" in message_text(card)
    command(pbot, f"enabler add <@{ENABLER}|sam>")
    [updated] = pbot.fake.wait_for("chat.update")
    assert updated.args["ts"] == ts and f"Should <@{ENABLER}> see" in message_text(updated)
