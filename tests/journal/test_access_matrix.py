"""Who can read which entry, through every read path the journal offers. Every cell asserted.

Team "plymouth": alice (author, admin) and bob (teammate). Team "barnet": carol. Dave has
never used Ripple. Erin is plymouth's enabler; gina is barnet's (barnet consents). The
operator reads through nothing but the same public API.
"""

from __future__ import annotations

import contextlib

import pytest

from bot.coaching.ports import Who
from bot.journal import AccessDenied, Journal, NotFound

PLY, BAR = "plymouth", "barnet"


def _setup(journal: Journal) -> dict[str, str]:
    journal.ensure_team(PLY, name="Plymouth alcohol", admin="alice")
    journal.add_member(PLY, "bob")
    journal.ensure_team(BAR, name="Barnet", admin="carol")
    journal.add_enabler("erin", PLY)
    journal.add_enabler("gina", BAR)
    journal.add_enabler("erin-in-channel", PLY)
    journal.add_member(PLY, "erin-in-channel")  # joined the channel: still no back door
    journal.agree_consent("carol", BAR)  # barnet consents: gina may read barnet, not plymouth
    texts = {"private": "Private worry about the board.", "shared": "Shared: we agreed."}
    journal.save_entry(Who("alice", PLY), texts["private"])
    journal.save_entry(Who("alice", PLY), texts["shared"], shared=True)
    journal.save_entry(Who("carol", BAR), "Barnet's own shared entry.", shared=True)
    return texts


def _set_consent(journal: Journal, consent: str) -> None:
    if consent == "granted":
        journal.agree_consent("alice", PLY)
    elif consent == "revoked":
        journal.revoke_consent("bob", PLY)


def _readable(journal: Journal, viewer: str, texts: dict[str, str]) -> set[str]:
    """Which of plymouth's entries `viewer` can get at by any read path (by text: numbers
    are each author's own, so they identify nothing across people)."""
    seen: set[str] = set()
    for number in range(1, 6):  # every number anyone could type
        with contextlib.suppress(AccessDenied, NotFound):
            seen.add(journal.get_entry(viewer, number).text)
    for read in (journal.team_entries, journal.entries_for_enabler):
        with contextlib.suppress(AccessDenied):
            seen.update(e.text for e in read(viewer, PLY))
    seen.update(e.text for e in journal.list_entries(viewer))
    return {name for name, text in texts.items() if text in seen}


# (viewer, plymouth's consent at the time, which of {private, shared} they can read).
# Rows are grouped by consent state, which only moves forward: none -> granted -> revoked.
MATRIX = [
    ("alice", "none", {"private", "shared"}),  # the author
    ("bob", "none", {"shared"}),  # a teammate
    ("erin", "none", set()),  # enabler, without consent
    ("carol", "granted", set()),  # a member of another team
    ("dave", "granted", set()),  # a non-member
    ("erin", "granted", {"shared"}),  # enabler, with consent
    ("gina", "granted", set()),  # enabler of another team
    ("operator", "granted", set()),  # an operator
    ("alice", "granted", {"private", "shared"}),  # consent changes nothing for the team
    ("bob", "granted", {"shared"}),
    ("erin", "revoked", set()),  # enabler, after revocation
    ("erin-in-channel", "revoked", set()),  # enabler who also sits in the team's channel
]


def test_access_matrix_every_cell(journal):
    texts = _setup(journal)
    state, wrong = "none", {}
    for viewer, consent, expected in MATRIX:
        if consent != state:
            _set_consent(journal, consent)
            state = consent
        got = _readable(journal, viewer, texts)
        if got != expected:
            wrong[(viewer, consent)] = got
    assert wrong == {}


def _granted(journal: Journal) -> dict[str, str]:
    texts = _setup(journal)
    _set_consent(journal, "granted")
    return texts


def test_refusals_are_explicit_and_private_text_never_appears(journal):
    _granted(journal)
    with pytest.raises(NotFound) as teammate:
        journal.get_entry("bob", 1)  # alice's #1 is hers; bob has no #1
    assert "Private worry" not in str(teammate.value)
    with pytest.raises(AccessDenied):
        journal.team_entries("carol", PLY)
    shown = journal.entries_for_enabler("erin", PLY)
    assert [e.text for e in shown] == ["Shared: we agreed."]


def test_only_the_author_can_change_an_entry(journal):
    texts = _granted(journal)
    for intruder in ("bob", "carol", "erin", "operator"):
        for change in (
            lambda u: journal.share_entry(u, 2),  # carol has a #1 of her own: not this
            lambda u: journal.unshare_entry(u, 2),
            lambda u: journal.edit_entry(u, 2, text="rewritten"),
            lambda u: journal.delete_entry(u, 2),
        ):
            with pytest.raises(NotFound):
                change(intruder)
    assert journal.get_entry("alice", 2).text == texts["shared"]
    journal.share_entry("alice", 1)
    assert {e.text for e in journal.team_entries("bob", PLY)} == set(texts.values())
    journal.unshare_entry("alice", 1)
    journal.delete_entry("alice", 2)
    assert journal.team_entries("bob", PLY) == []


def test_a_member_who_leaves_stops_seeing_shared_entries(journal):
    texts = _setup(journal)
    assert journal.remove_member(PLY, "bob")
    assert _readable(journal, "bob", texts) == set()
    journal.set_members(PLY, ["alice", "bob"])  # bob re-joins the channel
    assert _readable(journal, "bob", texts) == {"shared"}


def test_anonymous_authors_are_hidden_from_the_enabler_only(journal):
    texts = _granted(journal)
    journal.share_entry("alice", 1, anonymous=True)
    by_text = {e.text: e for e in journal.entries_for_enabler("erin", PLY)}
    assert by_text[texts["private"]].author is None
    assert by_text[texts["private"]].author_name == "a team member"
    assert by_text[texts["shared"]].author == "alice"
    teammate_view = {e.text: e for e in journal.team_entries("bob", PLY)}
    assert teammate_view[texts["private"]].author == "alice"


# --- issue 9: consent and access integrity ---------------------------------------------------


def _two_person_majority_team(journal: Journal) -> None:
    """alice (admin) and bob decide by majority; erin is the enabler AND sits in the channel."""
    journal.ensure_team(PLY, name="Plymouth alcohol", admin="alice")
    journal.add_member(PLY, "bob")
    journal.add_enabler("erin", PLY)
    journal.set_members(PLY, ["alice", "bob", "erin"])  # the channel's members, as Slack says
    journal.set_consent_rule("alice", PLY, "majority")
    journal.save_entry(Who("bob", PLY), "Shared: the pooled budget row.", shared=True)


def test_the_enabler_in_the_channel_cannot_vote_and_is_never_counted(journal):
    _two_person_majority_team(journal)
    first = journal.agree_consent("alice", PLY)
    assert (first.granted, first.member_count, first.needed) == (False, 2, 2)
    with pytest.raises(AccessDenied) as refused:
        journal.agree_consent("erin", PLY)  # the enabler's own "I agree"
    assert "you don't vote" in str(refused.value)
    state = journal.consent_state(PLY)
    assert not state.granted and state.agreed == ("alice",) and state.member_count == 2
    with pytest.raises(AccessDenied):
        journal.entries_for_enabler("erin", PLY)
    with pytest.raises(AccessDenied):
        journal.revoke_consent("erin", PLY)
    # Not a member by any measure: counts, lists, prompts, stats.
    assert [m.user for m in journal.team_members(PLY)] == ["alice", "bob"]
    assert not journal.is_team_member("erin", PLY) and journal.teams_for("erin") == []
    assert ("erin", PLY) not in {(m.user, m.team) for m in journal.scheduled_members()}
    [row] = [t for t in journal.stats().teams if t.team == PLY]
    assert row.members == 2
    with pytest.raises(AccessDenied):
        journal.save_entry(Who("erin", PLY), "Writing as if I were a member")
    assert journal.list_entries("erin") == []
    # bob's agreement is the team's majority, and only then may erin read.
    assert journal.agree_consent("bob", PLY).granted
    assert [e.text for e in journal.entries_for_enabler("erin", PLY)] == [
        "Shared: the pooled budget row."
    ]


def test_naming_a_member_as_enabler_ends_their_membership_and_their_vote(journal):
    _two_person_majority_team(journal)
    journal.add_member(PLY, "carol")
    journal.agree_consent("carol", PLY)
    journal.add_enabler("carol", PLY)  # the team picks one of its own as its coach
    assert not journal.is_team_member("carol", PLY)
    state = journal.consent_state(PLY)
    assert state.agreed == () and state.member_count == 2
    assert _team_entry_texts(journal, "carol") is None  # no unaudited teammate read left
    journal.add_member(PLY, "carol")  # she is still in the channel: recorded, never counted
    assert journal.consent_state(PLY).member_count == 2
    with pytest.raises(AccessDenied):  # an enabler is never an admin either
        journal.add_member(PLY, "carol", is_admin=True)
    with pytest.raises(AccessDenied, match="only admin"):
        journal.add_enabler("alice", PLY)  # the team would have nobody left to decide
    assert journal.is_team_admin("alice", PLY)


def _team_entry_texts(journal: Journal, viewer: str) -> list[str] | None:
    try:
        return [e.text for e in journal.team_entries(viewer, PLY)]
    except AccessDenied:
        return None


def test_an_entry_is_saved_only_into_a_team_its_author_is_in_at_that_moment(journal):
    _two_person_majority_team(journal)
    journal.ensure_team(BAR, name="Barnet", admin="carol")
    journal.remove_member(PLY, "bob")  # bob leaves while his modal is open
    with pytest.raises(AccessDenied, match="Nothing was saved"):
        journal.save_entry(Who("bob", PLY), "Late thought", shared=True, member_only=True)
    with pytest.raises(AccessDenied, match="Nothing was saved"):  # crafted: another team
        journal.save_entry(Who("alice", BAR), "Into barnet", shared=True, member_only=True)
    with pytest.raises(AccessDenied):  # the enabler is never a member
        journal.save_entry(Who("erin", PLY), "In as a member", member_only=True)
    assert [e.text for e in journal.list_entries("bob")] == ["Shared: the pooled budget row."]
    assert journal.list_entries("alice") == [] and journal.list_entries("erin") == []
    assert not journal.is_team_member("alice", BAR)
    # An entry he kept private cannot be shared into the team he left either.
    journal.unshare_entry("bob", 1)
    with pytest.raises(AccessDenied, match="no longer a member"):
        journal.share_entry("bob", 1)
    assert not journal.get_entry("bob", 1).shared


def test_every_refusal_of_an_enabler_is_audited_whatever_the_path(journal):
    _two_person_majority_team(journal)
    attempts = {
        "open_entry": lambda: journal.get_entry("erin", 1),
        "edit_entry": lambda: journal.edit_entry("erin", 1, text="changed"),
        "share_entry": lambda: journal.share_entry("erin", 1),
        "delete_entry": lambda: journal.delete_entry("erin", 1),
        "team_entries": lambda: journal.team_entries("erin", PLY),
        "read_entries": lambda: journal.entries_for_enabler("erin", PLY),
        "agree_consent": lambda: journal.agree_consent("erin", PLY),
        "grant_consent": lambda: journal.grant_consent("erin", PLY),
        "revoke_consent": lambda: journal.revoke_consent("erin", PLY),
    }
    for attempt in attempts.values():
        with pytest.raises((AccessDenied, NotFound)):
            attempt()
    trail = journal.audit_trail(PLY, viewer="bob")
    assert sorted(e.action for e in trail) == sorted(attempts)
    assert {(e.actor, e.outcome) for e in trail} == {("erin", "refused")}
    assert journal.get_entry("bob", 1).text == "Shared: the pooled budget row."
    # An ordinary member's own typo is nobody's business: not audited.
    with pytest.raises(NotFound):
        journal.get_entry("alice", 7)
    assert len(journal.audit_trail(PLY)) == len(attempts)


def test_no_entry_id_oracle_numbers_are_each_persons_own(journal):
    journal.ensure_team(PLY, admin="alice")
    journal.add_member(PLY, "bob")
    journal.ensure_team(BAR, admin="carol")
    for n in range(5):
        journal.save_entry(Who("alice", PLY), f"Alice {n}")
    assert journal.save_entry(Who("bob", PLY), "Bob's first") == 1
    assert journal.save_entry(Who("carol", BAR), "Carol's first") == 1  # says nothing of others
    with pytest.raises(NotFound) as not_yours:
        journal.get_entry("bob", 3)  # alice has a #3
    with pytest.raises(NotFound) as no_such:
        journal.get_entry("bob", 4_000)
    assert str(not_yours.value).replace(" 3.", " N.") == str(no_such.value).replace(" 4000.", " N.")
    journal.delete_entry("alice", 5)
    assert journal.save_entry(Who("alice", PLY), "Alice again") == 6  # #5 is never reused
    assert [e.id for e in journal.list_entries("alice")] == [6, 4, 3, 2, 1]
    exported = journal.export_user("alice")
    assert '"number": 6' in exported.json and "Entry 6 ·" in exported.markdown


def test_a_replayed_interaction_key_is_let_through_once(journal, clock):
    assert journal.first_delivery("view:V1:abc") is True
    assert journal.first_delivery("view:V1:abc") is False  # the replay
    assert journal.first_delivery("view:V2:abc") is True
    journal.forget_delivery("view:V2:abc")  # its save failed: the person may send it again
    assert journal.first_delivery("view:V2:abc") is True
    clock.advance(minutes=11)  # long after Slack would refuse the signature
    assert journal.first_delivery("view:V1:abc") is True


def test_an_enabler_keeping_notes_about_a_team_they_do_not_support_is_audited(journal):
    _two_person_majority_team(journal)
    journal.ensure_team(BAR, name="Barnet", admin="carol")
    for attempt in (
        lambda: journal.add_enabler_note("erin", BAR, "About barnet"),
        lambda: journal.enabler_notes("erin", BAR),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    trail = journal.audit_trail(BAR)
    assert sorted(e.action for e in trail) == ["add_note", "read_notes"]
    assert {(e.actor, e.outcome) for e in trail} == {("erin", "refused")}
    assert journal.add_enabler_note("erin", PLY, "About my own team") >= 1
    assert journal.audit_trail(PLY) == []  # allowed notes are the enabler's own business
