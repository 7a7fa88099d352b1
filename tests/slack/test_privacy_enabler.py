# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""The enabler over real HTTP: named by an admin (enabler and team told), their Home before
and after consent and after revocation, "Open team entries" through the journal's one audited
read (crafted payloads get nothing and leave a refusal row), private notes, and the team's
`/ripple audit`. Every test runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL:
the enabler's consent is a consent test too."""

from __future__ import annotations

import json

from tests.slack import payloads
from tests.slack.conftest import (
    ALICE,
    BOB,
    CAROL,
    OTHER_CHANNEL,
    TEAM_CHANNEL,
    buttons,
    message_text,
)
from tests.slack.fake_slack import WORKSPACE_ID
from tests.slack.privacy_support import (  # noqa: F401 - pbot, pteam are fixtures
    ENABLER,
    OUTSIDER,
    click,
    command,
    dms_to,
    open_home,
    pbot,
    pteam,
    team_value,
    view_text,
    write,
)


def home_buttons(view: dict) -> dict[str, dict]:
    return buttons(type("Call", (), {"args": {"view": view}})())


def test_an_admin_names_the_enabler_and_both_are_told(pbot, pteam):
    command(pbot, f"enabler add <@{ENABLER}|sam>")
    [told_team] = pbot.fake.wait_for("chat.postMessage", channel=TEAM_CHANNEL)
    text = message_text(told_team)
    assert f"<@{ALICE}> named <@{ENABLER}>" in text and "until the team consents" in text
    [told_enabler] = pbot.fake.wait_for("chat.postMessage", channel="D" + ENABLER[1:])
    assert "only while the team consents" in message_text(told_enabler)
    assert pbot.journal.is_enabler(ENABLER, TEAM_CHANNEL)


def test_only_an_admin_can_name_an_enabler(pbot, pteam):
    command(pbot, f"enabler add <@{OUTSIDER}>", user=BOB)
    [note] = pbot.fake.wait_for("chat.postEphemeral")
    assert note.args["user"] == BOB and "Only a team admin" in message_text(note)
    assert not pbot.journal.is_enabler(OUTSIDER, TEAM_CHANNEL)
    assert pbot.fake.calls_to("chat.postMessage") == []


def test_an_enabler_command_without_a_mention_explains_itself(pbot, pteam):
    command(pbot, "enabler add @sam")
    [note] = pbot.fake.wait_for("chat.postEphemeral")
    assert "mentioning them" in message_text(note)


def test_enabler_home_before_and_after_consent(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    write(pbot, BOB, "Partners argued about the pooled budget", shared=True, themes=["conflict"])
    write(
        pbot,
        CAROL,
        "We named our shared purpose at last",
        shared=True,
        anonymous=True,
        themes=["shared_purpose", "conflict"],
    )
    write(pbot, ALICE, "My private doubt about the board")

    before = view_text(open_home(pbot, ENABLER))
    assert "Teams you support" in before and "consent *not given*" in before
    assert "pooled budget" not in before and "shared purpose at last" not in before
    assert pbot.journal.audit_trail(TEAM_CHANNEL) == []  # nothing read, nothing to audit

    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    after = open_home(pbot, ENABLER)
    text = view_text(after)
    assert "Partners argued about the pooled budget" in text and f"<@{BOB}>" in text
    assert "We named our shared purpose at last" in text and "a team member" in text
    assert CAROL not in text  # she chose to appear as "a team member"
    assert "My private doubt" not in text
    assert "Themes over the weeks" in text and "conflict" in text and "█ 2" in text
    assert "enabler_open_team" in home_buttons(after)
    assert len(after["blocks"]) <= 100
    [read] = pbot.journal.audit_trail(TEAM_CHANNEL)
    assert (read.actor, read.outcome, read.detail) == (ENABLER, "allowed", "2 shared entries")


def test_revoking_while_the_home_is_open_shows_nothing_on_the_next_request(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    write(pbot, BOB, "A hard conversation with the council", shared=True)
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    stale = open_home(pbot, ENABLER)
    open_button = home_buttons(stale)["enabler_open_team"]

    pbot.journal.revoke_consent(BOB, TEAM_CHANNEL)  # the view above is still on screen
    click(pbot, ENABLER, "enabler_open_team", open_button["value"], view=stale)
    [refusal] = pbot.fake.wait_for("chat.postMessage", channel="D" + ENABLER[1:])
    assert "nothing is shown" in message_text(refusal)
    assert pbot.fake.calls_to("views.open") == []
    newest = pbot.journal.audit_trail(TEAM_CHANNEL)[0]
    assert (newest.actor, newest.outcome, newest.detail) == (ENABLER, "refused", "no consent")
    assert "hard conversation" not in view_text(open_home(pbot, ENABLER))


def test_open_team_entries_shows_the_shared_entries_in_a_modal(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    write(pbot, BOB, "What the police lead said about trust", shared=True)
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    home = open_home(pbot, ENABLER)
    value = home_buttons(home)["enabler_open_team"]["value"]
    click(pbot, ENABLER, "enabler_open_team", value, view=home)
    [opened] = pbot.fake.wait_for("views.open")
    assert "What the police lead said about trust" in view_text(opened.args["view"])
    assert [e.outcome for e in pbot.journal.audit_trail(TEAM_CHANNEL)] == ["allowed", "allowed"]


def test_a_crafted_payload_for_another_team_gets_nothing_and_is_audited(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    pbot.journal.ensure_team(OTHER_CHANNEL, name="#other", workspace=WORKSPACE_ID, admin=CAROL)
    write(pbot, CAROL, "The other team's shared secret", team=OTHER_CHANNEL, shared=True)
    pbot.journal.grant_consent(CAROL, OTHER_CHANNEL)  # consented, but not to this enabler
    home = open_home(pbot, ENABLER)

    click(pbot, ENABLER, "enabler_open_team", team_value(OTHER_CHANNEL), view=home)
    [refusal] = pbot.fake.wait_for("chat.postMessage", channel="D" + ENABLER[1:])
    assert "nothing is shown" in message_text(refusal)
    assert "shared secret" not in json.dumps([c.args for c in pbot.fake.calls])
    [row] = pbot.journal.audit_trail(OTHER_CHANNEL)
    assert (row.actor, row.outcome, row.detail) == (ENABLER, "refused", "not this team's enabler")
    assert row.entry_ids == ()

    # Their own team, which has not consented: nothing either, and refused in its trail.
    click(pbot, ENABLER, "enabler_open_team", team_value(TEAM_CHANNEL), view=home)
    pbot.fake.wait_for("chat.postMessage", 2, channel="D" + ENABLER[1:])
    [own] = pbot.journal.audit_trail(TEAM_CHANNEL)
    assert (own.outcome, own.detail) == ("refused", "no consent")
    assert pbot.fake.calls_to("views.open") == []


def test_a_private_note_is_kept_for_the_enabler_and_never_posted(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    home = open_home(pbot, ENABLER)
    value = home_buttons(home)["enabler_note_open"]["value"]
    click(pbot, ENABLER, "enabler_note_open", value, view=home)
    [opened] = pbot.fake.wait_for("views.open")
    view = opened.args["view"]
    assert "Only you will ever see this note" in view_text(view)
    values = {"enabler_note_text": {"text": {"type": "plain_text_input", "value": "Ask Bob"}}}
    before = len(pbot.fake.calls_to("views.publish"))
    sent = pbot.sender.interaction(payloads.view_submission(ENABLER, view, values))
    assert sent.status == 200 and sent.body == ""
    [note] = pbot.journal.enabler_notes(ENABLER, TEAM_CHANNEL)
    assert note.text == "Ask Bob"
    republished = pbot.fake.wait_for("views.publish", before + 1)[-1]
    assert "Ask Bob" in view_text(republished.args["view"])
    assert pbot.fake.calls_to("chat.postMessage") == []  # nothing in the team's voice

    # A forged submission for a team they do not support is refused in the modal.
    forged = {**view, "private_metadata": json.dumps({"team": OTHER_CHANNEL})}
    sent = pbot.sender.interaction(payloads.view_submission(ENABLER, forged, values))
    assert sent.json()["response_action"] == "errors"
    assert pbot.journal.list_enablers(OTHER_CHANNEL) == []


def test_the_team_sees_every_look_and_refusal_with_audit(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    first = write(pbot, BOB, "Shared one", shared=True)
    second = write(pbot, CAROL, "Shared two", shared=True)
    open_home(pbot, ENABLER)  # consent not given: nothing read, nothing audited
    click(pbot, ENABLER, "enabler_open_team", team_value(), view={"id": "V1"})
    pbot.fake.wait_for("chat.postMessage", channel="D" + ENABLER[1:])  # refused
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    open_home(pbot, ENABLER)  # read

    command(pbot, "audit", user=BOB)
    [shown] = pbot.fake.wait_for("chat.postEphemeral")
    assert shown.args["user"] == BOB and shown.args["channel"] == TEAM_CHANNEL
    text = message_text(shown)
    assert f"<@{ENABLER}> read 2 shared entries (yours among them: entry {first})" in text
    assert second == first == 1  # each author's own number: Carol's #1 is not Bob's
    assert "was refused (no consent); nothing was shown" in text
    assert f"consent granted by <@{ALICE}> (rule: any team admin)" in text
    assert "Shared one" not in text  # the trail says what was read, never the text again

    command(pbot, "audit", user=OUTSIDER)
    notes = pbot.fake.wait_for("chat.postEphemeral", 2)
    assert "Only the team and its enabler" in message_text(notes[-1])
    assert dms_to(pbot, BOB) == []


def test_themes_over_the_weeks_are_counted_per_theme_per_week(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    write(pbot, BOB, "Week one: a row", shared=True, themes=["conflict"])  # 2026-W14
    write(pbot, CAROL, "Week one: another row", shared=True, themes=["conflict"])
    pbot.clock.advance(days=7)  # 2026-W15
    write(pbot, BOB, "Week two: our purpose", shared=True, themes=["shared_purpose"])
    write(pbot, BOB, "Week two: private", themes=["authorising_environment"])  # not shared
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    chart = next(
        b["text"]["text"]
        for b in open_home(pbot, ENABLER)["blocks"]
        if "Themes over the weeks" in b.get("text", {}).get("text", "")
    )
    week14, week15 = chart.split("2026-W14")[1].split("2026-W15")
    assert "conflict                 ████████████ 2" in week14
    assert "shared purpose           · 0" in week14
    assert "shared purpose           ████████████ 1" not in week14
    assert "shared purpose           ██████ 1" in week15  # scaled against the top count, 2
    assert "authorising environment  · 0" in week15  # the private entry is not counted


def test_an_admin_removes_the_enabler_and_the_team_is_told(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    command(pbot, f"enabler remove <@{ENABLER}>")
    [told] = pbot.fake.wait_for("chat.postMessage", channel=TEAM_CHANNEL)
    assert f"removed <@{ENABLER}>" in message_text(told)
    assert not pbot.journal.is_enabler(ENABLER, TEAM_CHANNEL)
    assert "Teams you support" not in view_text(open_home(pbot, ENABLER))


def test_an_unknown_consent_option_explains_the_choices(pbot, pteam):
    command(pbot, "consent everyone")
    [note] = pbot.fake.wait_for("chat.postEphemeral")
    assert "/ripple consent majority" in message_text(note)
    assert pbot.fake.calls_to("chat.postMessage") == []
