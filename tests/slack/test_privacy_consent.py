# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""The consent card over real HTTP: grant by an admin, grant by a majority (the card shows
who has agreed), one-click revoke by any member, every change told to the channel once, and
double or crafted clicks that change nothing."""

from __future__ import annotations

import time

from tests.slack.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, buttons, message_text
from tests.slack.privacy_support import (  # noqa: F401 - pbot, pteam are fixtures
    ENABLER,
    OUTSIDER,
    click,
    command,
    open_home,
    pbot,
    pteam,
    team_value,
    view_text,
    write,
)


def post_card(bot) -> object:
    command(bot, "consent")
    [card] = bot.fake.wait_for("chat.postMessage", channel=TEAM_CHANNEL)
    return card


def live_ts(bot) -> str:
    """The ts of the team's one live card (issue 12: changes update it in place)."""
    for _ in range(100):
        found = bot.journal.card_for(TEAM_CHANNEL, "consent")
        if found:
            return found[1]
        time.sleep(0.05)
    raise AssertionError("no live consent card recorded")


def channel_posts(bot) -> list:
    return bot.fake.calls_to("chat.postMessage")


def test_the_card_says_in_plain_words_what_the_enabler_will_and_will_not_see(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    card = post_card(pbot)
    text = message_text(card)
    assert f"<@{ENABLER}>" in text
    assert "will see" in text and "will never see" in text
    assert "private entries" in text and "/ripple audit" in text
    assert "any team admin can grant" in text
    assert set(buttons(card)) == {"consent_grant"}


def test_an_admin_grants_and_the_channel_is_told(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    card = post_card(pbot)
    grant = buttons(card)["consent_grant"]["value"]

    click(
        pbot, BOB, "consent_grant", grant, channel=TEAM_CHANNEL, message_ts=live_ts(pbot)
    )  # not an admin
    [refusal] = pbot.fake.wait_for("chat.postEphemeral")
    assert refusal.args["user"] == BOB and "admin" in message_text(refusal)
    assert not pbot.journal.consent_state(TEAM_CHANNEL).granted

    click(pbot, ALICE, "consent_grant", grant, channel=TEAM_CHANNEL, message_ts=live_ts(pbot))
    [updated] = pbot.fake.wait_for("chat.update")
    assert updated.args["ts"] == live_ts(pbot) and updated.args["channel"] == TEAM_CHANNEL
    assert "consent given by" in message_text(updated)
    assert set(buttons(updated)) == {"consent_revoke"}
    posts = pbot.fake.wait_for("chat.postMessage", 2, channel=TEAM_CHANNEL)
    assert f"<@{ALICE}> gave consent" in message_text(posts[-1])
    [(action, by, _, rule)] = pbot.journal.consent_history(TEAM_CHANNEL)
    assert (action, by, rule) == ("granted", ALICE, "admin")
    [told] = pbot.fake.wait_for("chat.postMessage", channel="D" + ENABLER[1:])
    assert "has consented" in message_text(told)


def test_a_majority_grants_and_the_card_shows_who_agreed(pbot, pteam):
    command(pbot, "consent majority")
    posts = pbot.fake.wait_for("chat.postMessage", 2, channel=TEAM_CHANNEL)
    assert "a majority of members decide" in message_text(posts[0])
    card = posts[1]
    assert "2 of the 3 members" in message_text(card)
    agree = buttons(card)["consent_agree"]["value"]

    click(pbot, BOB, "consent_agree", agree, channel=TEAM_CHANNEL, message_ts=live_ts(pbot))
    [first] = pbot.fake.wait_for("chat.update")
    assert f"Agreed so far* (1 of 2 needed): <@{BOB}>" in message_text(first)
    assert not pbot.journal.consent_state(TEAM_CHANNEL).granted

    click(pbot, CAROL, "consent_agree", agree, channel=TEAM_CHANNEL, message_ts=live_ts(pbot))
    second = pbot.fake.wait_for("chat.update", 2)[-1]
    assert set(buttons(second)) == {"consent_revoke"}
    announced = pbot.fake.wait_for("chat.postMessage", 3, channel=TEAM_CHANNEL)[-1]
    assert "A majority of members" in message_text(announced)
    assert f"<@{BOB}>" in message_text(announced) and f"<@{CAROL}>" in message_text(announced)
    state = pbot.journal.consent_state(TEAM_CHANNEL)
    assert state.granted and state.rule == "majority"


def test_a_non_admin_cannot_change_the_rule(pbot, pteam):
    command(pbot, "consent majority", user=BOB)
    [note] = pbot.fake.wait_for("chat.postEphemeral")
    assert "Only a team admin" in message_text(note)
    assert pbot.journal.consent_state(TEAM_CHANNEL).rule == "admin"


def test_any_member_revokes_with_one_click_and_the_open_enabler_home_empties(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    write(pbot, BOB, "We finally agreed what we are for", shared=True)
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    assert "We finally agreed what we are for" in view_text(open_home(pbot, ENABLER))

    card = post_card(pbot)
    revoke = buttons(card)["consent_revoke"]
    # One click and Slack's own "are you sure?" (issue 12: Grant/Revoke/Erase/Delete confirm).
    assert revoke["confirm"]["confirm"]["text"] == "Revoke"
    click(
        pbot,
        CAROL,
        "consent_revoke",
        revoke["value"],
        channel=TEAM_CHANNEL,
        message_ts=live_ts(pbot),
    )
    announced = pbot.fake.wait_for("chat.postMessage", 2, channel=TEAM_CHANNEL)[-1]
    assert f"<@{CAROL}> *revoked*" in message_text(announced)
    assert not pbot.journal.consent_state(TEAM_CHANNEL).granted
    # The enabler's Home is republished at once, without the entry.
    republished = [
        c for c in pbot.fake.wait_for("views.publish", 2) if c.args["user_id"] == ENABLER
    ][-1]
    text = view_text(republished.args["view"])
    assert "We finally agreed" not in text and "not given" in text


def test_a_double_clicked_button_changes_and_announces_once(pbot, pteam):
    card = post_card(pbot)
    grant = buttons(card)["consent_grant"]["value"]
    for _ in range(2):  # two deliveries, back to back, handled concurrently
        click(pbot, ALICE, "consent_grant", grant, channel=TEAM_CHANNEL, message_ts=live_ts(pbot))
    pbot.fake.wait_for("chat.update")
    time.sleep(0.5)  # give the second click time to do anything it (wrongly) might
    assert [d.action for d in pbot.journal.consent_history(TEAM_CHANNEL)] == ["granted"]
    assert len(pbot.fake.calls_to("chat.update")) == 1
    assert len(pbot.fake.calls_to("chat.postMessage")) == 2  # the card, one announcement

    for _ in range(2):
        click(pbot, BOB, "consent_revoke", grant, channel=TEAM_CHANNEL, message_ts=live_ts(pbot))
    pbot.fake.wait_for("chat.update", 2)
    time.sleep(0.5)
    assert [d.action for d in pbot.journal.consent_history(TEAM_CHANNEL)] == [
        "granted",
        "revoked",
    ]
    assert len(pbot.fake.calls_to("chat.postMessage")) == 3


def test_a_double_clicked_agreement_counts_once(pbot, pteam):
    command(pbot, "consent majority")
    card = pbot.fake.wait_for("chat.postMessage", 2, channel=TEAM_CHANNEL)[-1]
    agree = buttons(card)["consent_agree"]["value"]
    for _ in range(2):
        click(pbot, BOB, "consent_agree", agree, channel=TEAM_CHANNEL, message_ts=live_ts(pbot))
    pbot.fake.wait_for("chat.update")
    time.sleep(0.5)
    state = pbot.journal.consent_state(TEAM_CHANNEL)
    assert state.agreed == (BOB,) and not state.granted
    assert len(pbot.fake.calls_to("chat.update")) == 1


def test_an_outsiders_crafted_click_changes_nothing(pbot, pteam):
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    click(pbot, OUTSIDER, "consent_revoke", team_value(), channel=TEAM_CHANNEL)
    [note] = pbot.fake.wait_for("chat.postEphemeral")
    assert note.args["user"] == OUTSIDER and "Only members" in message_text(note)
    assert pbot.journal.consent_state(TEAM_CHANNEL).granted
    assert pbot.fake.calls_to("chat.postMessage") == []


def test_consent_outside_a_team_channel_says_where_to_run_it(pbot):
    command(pbot, "consent", channel="D0ALICE001")
    [note] = pbot.fake.wait_for("chat.postEphemeral")
    assert "team's channel" in message_text(note)


def test_a_card_slack_refuses_to_post_tells_the_person_what_to_do(pbot, pteam):
    pbot.fake.fail("chat.postMessage", error="not_in_channel")  # Ripple was removed
    command(pbot, "consent", user=BOB)
    [refused, advice] = pbot.fake.wait_for("chat.postMessage", 2)
    assert refused.args["channel"] == TEAM_CHANNEL
    assert advice.args["channel"] == "D" + BOB[1:]  # privately, by DM
    assert "/invite @Ripple" in message_text(advice)
