# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""Issue 9 §1 and §5 over real HTTP, signed requests and the fake Web API, on SQLite and (with
TEST_DATABASE_URL) PostgreSQL: the enabler in the channel cannot vote, an entry is saved only
into a team its author is in at submit time, every enabler refusal is audited and shown in
`/ripple audit`, entry numbers are each person's own, and a replayed interaction does nothing
twice."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.coaching.ports import FixedClock
from bot.slack import modals
from tests.slack import payloads
from tests.slack.conftest import (
    ALICE,
    BOB,
    CAROL,
    OTHER_CHANNEL,
    TEAM_CHANNEL,
    message_text,
)
from tests.slack.fake_slack import WORKSPACE_ID
from tests.slack.privacy_support import (  # noqa: F401 - pbot, pteam are fixtures
    ENABLER,
    click,
    command,
    dms_to,
    open_home,
    pbot,
    pteam,
    team_value,
    write,
)

SHARED = {"visibility": {"type": "radio_buttons", "selected_option": {"value": "shared"}}}


def entry_values(text: str, *, team: str | None = None) -> dict:
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": text}},
        "entry_visibility": SHARED,
    }
    if team:
        values["entry_team"] = {
            "team": {"type": "static_select", "selected_option": {"value": team}}
        }
    return values


def open_journal_modal(bot, user: str) -> dict:
    before = len(bot.fake.calls_to("views.open"))
    command(bot, "journal", user=user)
    return bot.fake.wait_for("views.open", before + 1)[-1].args["view"]


def ephemerals_to(bot, user: str) -> list:
    return [c for c in bot.fake.calls_to("chat.postEphemeral") if c.args.get("user") == user]


def wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_the_enabler_in_the_channel_cannot_vote_and_is_not_counted(pbot, pteam):
    """The issue's probe: on a majority team of 2, one member's "I agree" plus the enabler's
    own used to grant consent. Now the enabler is refused kindly, audited, and not counted."""
    journal = pbot.journal
    journal.remove_member(TEAM_CHANNEL, CAROL)  # a team of two: Alice and Bob
    journal.add_enabler(ENABLER, TEAM_CHANNEL)
    journal.add_member(TEAM_CHANNEL, ENABLER, workspace=WORKSPACE_ID)  # sits in the channel
    write(pbot, BOB, "Shared: the pooled budget row", shared=True)
    command(pbot, "consent majority")
    card = pbot.fake.wait_for("chat.postMessage", 2, channel=TEAM_CHANNEL)[-1]
    assert "of the 2 members" in message_text(card)
    agree = team_value()

    click(pbot, ALICE, "consent_agree", agree, channel=TEAM_CHANNEL)
    wait_until(lambda: journal.consent_state(TEAM_CHANNEL).agreed == (ALICE,))
    click(pbot, ENABLER, "consent_agree", agree, channel=TEAM_CHANNEL)
    wait_until(lambda: ephemerals_to(pbot, ENABLER))
    [refusal] = ephemerals_to(pbot, ENABLER)
    assert "you don't vote" in message_text(refusal)
    state = journal.consent_state(TEAM_CHANNEL)
    assert not state.granted and state.agreed == (ALICE,) and state.member_count == 2
    assert [m.user for m in journal.team_members(TEAM_CHANNEL)] == [ALICE, BOB]

    command(pbot, "audit", user=BOB)
    wait_until(lambda: ephemerals_to(pbot, BOB))
    shown = message_text(ephemerals_to(pbot, BOB)[-1])
    assert f"<@{ENABLER}> asked and was refused" in shown
    assert "cannot take part in the team's consent" in shown
    assert "pooled budget" not in json.dumps([c.args for c in pbot.fake.calls])


def test_a_shared_entry_submitted_after_leaving_the_team_is_refused(pbot, pteam):
    view = open_journal_modal(pbot, BOB)
    pbot.journal.remove_member(TEAM_CHANNEL, BOB)  # he leaves while the modal is open
    sent = pbot.sender.interaction(
        payloads.view_submission(BOB, view, entry_values("Written before I left"))
    )
    assert sent.status == 200
    error = sent.json()["errors"]["entry_text"]
    assert "not a member" in error and "Nothing was saved" in error
    assert pbot.journal.list_entries(BOB) == []
    assert pbot.journal.team_entries(ALICE, TEAM_CHANNEL) == []


def test_crafted_metadata_or_team_select_naming_another_team_is_refused(pbot, pteam):
    pbot.journal.ensure_team(OTHER_CHANNEL, name="#other", workspace=WORKSPACE_ID, admin=CAROL)
    view = open_journal_modal(pbot, ALICE)
    forged = {**view, "private_metadata": json.dumps({"team": OTHER_CHANNEL, "entry": None})}
    for crafted, values in (
        (forged, entry_values("Via forged metadata")),
        (view, entry_values("Via a forged select value", team=OTHER_CHANNEL)),
    ):
        sent = pbot.sender.interaction(payloads.view_submission(ALICE, crafted, values))
        assert "not a member of #other" in sent.json()["errors"]["entry_text"]
    assert pbot.journal.list_entries(ALICE) == []
    assert not pbot.journal.is_team_member(ALICE, OTHER_CHANNEL)
    assert pbot.journal.team_entries(CAROL, OTHER_CHANNEL) == []


def test_every_enabler_refusal_path_is_audited_and_shown_in_ripple_audit(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    write(pbot, BOB, "Bob's shared entry", shared=True)
    stale = json.dumps({"e": 1, "p": 0})  # a Home button from someone else's view, or stale
    home = {"id": "V0HOME", "type": "home"}
    for action_id in ("entry_edit", "entry_share", "entry_unshare", "entry_delete"):
        click(pbot, ENABLER, action_id, stale, view=home)
    click(pbot, ENABLER, "enabler_open_team", team_value(), view=home)  # no consent yet
    wait_until(lambda: len(pbot.journal.audit_trail(TEAM_CHANNEL)) >= 5)
    trail = pbot.journal.audit_trail(TEAM_CHANNEL, viewer=BOB)
    assert sorted(e.action for e in trail) == [
        "delete_entry",
        "open_entry",  # Edit opens the entry first
        "read_entries",
        "share_entry",
        "unshare_entry",
    ]
    assert {(e.actor, e.outcome) for e in trail} == {(ENABLER, "refused")}
    assert [e.text for e in pbot.journal.team_entries(ALICE, TEAM_CHANNEL)] == [
        "Bob's shared entry"
    ]
    command(pbot, "audit", user=BOB)
    wait_until(lambda: ephemerals_to(pbot, BOB))
    shown = message_text(ephemerals_to(pbot, BOB)[-1])
    assert shown.count(f"<@{ENABLER}> asked and was refused") == len(trail)
    assert "no entry of theirs with that number" in shown


def test_entry_numbers_are_each_persons_own(pbot, pteam):
    for n in range(3):
        write(pbot, BOB, f"Bob's entry {n}")
    view = open_journal_modal(pbot, CAROL)
    sent = pbot.sender.interaction(payloads.view_submission(CAROL, view, entry_values("Mine")))
    assert sent.status == 200 and sent.body == ""
    [saved] = pbot.fake.wait_for("chat.postMessage", channel="D" + CAROL[1:])
    assert re.search(r"entry #?1\b", message_text(saved))  # not 4: nothing of Bob's three
    # A number that is not yours reads exactly like one that does not exist.
    home = {"id": "V0HOME", "type": "home"}
    click(pbot, CAROL, "entry_edit", json.dumps({"e": 3, "p": 0}), view=home)  # Bob has a #3
    click(pbot, CAROL, "entry_edit", json.dumps({"e": 999, "p": 0}), view=home)
    wait_until(lambda: len(dms_to(pbot, CAROL)) >= 3)
    not_yours, missing = (message_text(c) for c in dms_to(pbot, CAROL)[-2:])
    assert not_yours.replace(" 3.", " N.") == missing.replace(" 999.", " N.")
    assert "Bob's entry" not in json.dumps([c.args for c in pbot.fake.calls])


def test_a_replayed_view_submission_saves_one_entry(pbot, pteam):
    view = open_journal_modal(pbot, ALICE)
    payload = payloads.view_submission(ALICE, view, entry_values("Once, please"))
    stamp = int(time.time())
    first = pbot.sender.interaction(payload, timestamp=stamp)
    replay = pbot.sender.interaction(payload, timestamp=stamp)  # the same signed bytes
    assert (first.status, replay.status) == (200, 200)
    assert [e.text for e in pbot.journal.list_entries(ALICE)] == ["Once, please"]
    time.sleep(0.3)
    assert len(dms_to(pbot, ALICE)) == 1  # one confirmation


def test_a_replayed_button_click_changes_consent_once(pbot, pteam):
    journal = pbot.journal
    journal.add_enabler(ENABLER, TEAM_CHANNEL)
    journal.grant_consent(ALICE, TEAM_CHANNEL)
    revoke = payloads.block_action(BOB, "consent_revoke", team_value(), channel=TEAM_CHANNEL)
    stamp = int(time.time())
    assert pbot.sender.interaction(revoke, timestamp=stamp).status == 200
    wait_until(lambda: not journal.consent_state(TEAM_CHANNEL).granted)
    journal.grant_consent(ALICE, TEAM_CHANNEL)  # the team decides again
    assert pbot.sender.interaction(revoke, timestamp=stamp).status == 200  # captured, replayed
    time.sleep(0.5)
    assert journal.consent_state(TEAM_CHANNEL).granted
    assert [d.action for d in journal.consent_history(TEAM_CHANNEL)] == [
        "granted",
        "revoked",
        "granted",
    ]


def test_a_person_never_sees_operator_instructions(pbot, pteam, caplog):
    write(pbot, ALICE, "Words that can no longer be decrypted")
    engine = sa.create_engine(pbot.services.settings.resolved_database_url)
    with engine.begin() as conn:  # as if a key was dropped before a rotation finished
        conn.execute(sa.text("UPDATE entries SET text_token = 'gAAAAABnot-a-real-token'"))
    engine.dispose()
    click(pbot, ALICE, "entry_edit", json.dumps({"e": 1, "p": 0}), view={"id": "V0HOME"})
    wait_until(lambda: dms_to(pbot, ALICE))
    told = message_text(dms_to(pbot, ALICE)[-1])
    assert "Nothing you wrote is lost" in told
    assert "RIPPLE_ENCRYPTION_KEYS" not in json.dumps([c.args for c in pbot.fake.calls])
    assert "RIPPLE_ENCRYPTION_KEYS" in caplog.text  # the operator's log has the detail


HOSTILE = "I will tell <!channel> to <http://x|click> & sign"


def test_a_persons_own_words_are_escaped_when_echoed_in_their_dm(pbot, pteam):
    """A reflection reply quotes the person's words back (coaching returns plain text); the
    one renderer escapes it, so `<!channel>` is text in their DM, never a broadcast or link."""
    from slack_sdk import WebClient

    from bot.coaching.reply import Reply, ReplyKind
    from bot.slack.post import Where, post
    from tests.slack.conftest import BOT_TOKEN

    client = WebClient(token=BOT_TOKEN, base_url=pbot.fake.api_url)
    reply = Reply(ReplyKind.REFLECTION, f"Last week you said: {HOSTILE}", question="How did it go?")
    assert post(client, Where.dm(ALICE), reply).ok
    [sent] = pbot.fake.wait_for("chat.postMessage")
    posted = json.dumps(sent.args, ensure_ascii=False)
    assert "&lt;!channel&gt;" in posted and "&lt;http://x|click&gt; &amp; sign" in posted
    assert "<!channel>" not in posted and "<http://x|click>" not in posted


def test_a_commitment_is_escaped_in_the_home_tab(pbot, pteam):
    pbot.journal.save_entry(_who(ALICE), "Last week", commitment=HOSTILE)
    home = json.dumps(open_home(pbot, ALICE), ensure_ascii=False)
    assert "&lt;!channel&gt;" in home
    assert "<!channel>" not in home and "<http://x|click>" not in home


def _who(user: str):
    from bot.coaching.ports import Who

    return Who(user=user, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)


def test_modal_submit_uses_the_number_not_a_row_id(pbot, pteam):
    """Editing through the modal addresses the person's own number (metadata is re-checked:
    a number that is not theirs edits nothing)."""
    write(pbot, BOB, "Bob's only entry")
    view = modals.journal_entry(team=TEAM_CHANNEL, team_name="#plymouth-alcohol", entry_id=1)
    sent = pbot.sender.interaction(
        payloads.view_submission(ALICE, view, entry_values("Overwritten by Alice"))
    )
    assert "You have no entry 1." in sent.json()["errors"]["entry_text"]
    assert [e.text for e in pbot.journal.list_entries(BOB)] == ["Bob's only entry"]


def test_naming_a_member_as_enabler_ends_their_membership_and_the_team_is_told(pbot, pteam):
    command(pbot, f"enabler add <@{BOB}>")
    posts = pbot.fake.wait_for("chat.postMessage", 2, channel=TEAM_CHANNEL)
    assert any(f"<@{BOB}> was a member of this team" in message_text(p) for p in posts)
    assert not pbot.journal.is_team_member(BOB, TEAM_CHANNEL)
    assert pbot.journal.consent_state(TEAM_CHANNEL).member_count == 2  # Alice and Carol
    command(pbot, f"enabler add <@{ALICE}>")  # the only admin: refused, explained
    wait_until(lambda: ephemerals_to(pbot, ALICE))
    assert "only admin" in message_text(ephemerals_to(pbot, ALICE)[-1])
    assert pbot.journal.is_team_admin(ALICE, TEAM_CHANNEL)
    assert not pbot.journal.is_enabler(ALICE, TEAM_CHANNEL)


def test_the_enabler_sees_no_entry_numbers(pbot, pteam):
    """Each author's own number would tell the enabler how many entries, private ones
    included, that person has written: the enabler's views carry none."""
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    for n in range(6):
        write(pbot, BOB, f"Bob's private entry {n}")
    write(pbot, BOB, "Bob's one shared entry", shared=True)  # Bob's #7
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    home = open_home(pbot, ENABLER)
    shown = json.dumps(home, ensure_ascii=False)
    assert "Bob's one shared entry" in shown
    assert not re.search(r"[Ee]ntry #?7\b|#7\b", shown)


def test_the_enabler_in_the_channel_is_not_among_the_members_team_create_counts(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    pbot.fake.add_user(ENABLER, "sam")
    pbot.fake.add_channel(TEAM_CHANNEL, "plymouth-alcohol", [ALICE, BOB, CAROL, ENABLER])
    command(pbot, "team create")  # re-run: the channel's members are read again
    [said] = pbot.fake.wait_for("chat.postEphemeral")
    assert re.search(r"refreshed its members \(3\b", message_text(said))  # not 4
    assert ENABLER not in {m.user for m in pbot.journal.team_members(TEAM_CHANNEL)}
    assert not pbot.journal.is_team_member(ENABLER, TEAM_CHANNEL)


def test_the_enabler_in_the_channel_is_not_invited_to_the_weekly_reflection(
    fake_slack, tmp_path, db_url
):
    """The scheduler's tick, over HTTP to the fake Web API: every member gets the weekly DM,
    the enabler sitting in the channel does not."""
    from bot.services import Services
    from bot.slack.app import build_client
    from bot.slack.scheduler import tick
    from tests.slack.conftest import slack_settings

    clock = FixedClock(datetime(2026, 3, 25, 12, 0, tzinfo=UTC))  # set up the week before
    services = Services(slack_settings(tmp_path / "data", db_url, fake_slack.api_url), clock=clock)
    journal = services.journal
    try:
        journal.ensure_team(TEAM_CHANNEL, name="#plymouth", workspace=WORKSPACE_ID, admin=ALICE)
        journal.add_member(TEAM_CHANNEL, BOB, workspace=WORKSPACE_ID)
        journal.add_enabler(ENABLER, TEAM_CHANNEL)
        journal.add_member(TEAM_CHANNEL, ENABLER, workspace=WORKSPACE_ID)  # in the channel
        fake_slack.reset()
        monday_nine = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 09:00 in London
        clock.advance(seconds=(monday_nine - clock.now()).total_seconds())
        tick(services, build_client(services.settings))
        opened = sorted(c.args["users"] for c in fake_slack.calls_to("conversations.open"))
        assert opened == sorted([ALICE, BOB])
    finally:
        journal.close()
