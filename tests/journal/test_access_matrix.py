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


def _setup(journal: Journal) -> dict[str, int]:
    journal.ensure_team(PLY, name="Plymouth alcohol", admin="alice")
    journal.add_member(PLY, "bob")
    journal.ensure_team(BAR, name="Barnet", admin="carol")
    journal.add_enabler("erin", PLY)
    journal.add_enabler("gina", BAR)
    journal.add_enabler("erin-in-channel", PLY)
    journal.add_member(PLY, "erin-in-channel")  # joined the channel: still no back door
    journal.agree_consent("carol", BAR)  # barnet consents: gina may read barnet, not plymouth
    private = journal.save_entry(Who("alice", PLY), "Private worry about the board.")
    shared = journal.save_entry(Who("alice", PLY), "Shared: we agreed an outcome.", shared=True)
    journal.save_entry(Who("carol", BAR), "Barnet's own shared entry.", shared=True)
    return {"private": private, "shared": shared}


def _set_consent(journal: Journal, consent: str) -> None:
    if consent == "granted":
        journal.agree_consent("alice", PLY)
    elif consent == "revoked":
        journal.revoke_consent("bob", PLY)


def _readable(journal: Journal, viewer: str, ids: dict[str, int]) -> set[str]:
    """Which of plymouth's entries `viewer` can get at by any read path."""
    seen: set[int] = set()
    for entry_id in ids.values():
        with contextlib.suppress(AccessDenied):
            seen.add(journal.get_entry(viewer, entry_id).id)
    for read in (journal.team_entries, journal.entries_for_enabler):
        with contextlib.suppress(AccessDenied):
            seen.update(e.id for e in read(viewer, PLY))
    seen.update(e.id for e in journal.list_entries(viewer))
    return {name for name, entry_id in ids.items() if entry_id in seen}


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
    ids = _setup(journal)
    state, wrong = "none", {}
    for viewer, consent, expected in MATRIX:
        if consent != state:
            _set_consent(journal, consent)
            state = consent
        got = _readable(journal, viewer, ids)
        if got != expected:
            wrong[(viewer, consent)] = got
    assert wrong == {}


def _granted(journal: Journal) -> dict[str, int]:
    ids = _setup(journal)
    _set_consent(journal, "granted")
    return ids


def test_refusals_are_explicit_and_private_text_never_appears(journal):
    ids = _granted(journal)
    with pytest.raises(AccessDenied) as teammate:
        journal.get_entry("bob", ids["private"])
    assert "Private worry" not in str(teammate.value)
    with pytest.raises(AccessDenied):
        journal.team_entries("carol", PLY)
    with pytest.raises(NotFound):
        journal.get_entry("alice", 999_999)
    shown = journal.entries_for_enabler("erin", PLY)
    assert [e.text for e in shown] == ["Shared: we agreed an outcome."]


def test_only_the_author_can_change_an_entry(journal):
    ids = _granted(journal)
    for intruder in ("bob", "carol", "erin", "operator"):
        for change in (
            lambda u: journal.share_entry(u, ids["private"]),
            lambda u: journal.unshare_entry(u, ids["shared"]),
            lambda u: journal.edit_entry(u, ids["shared"], text="rewritten"),
            lambda u: journal.delete_entry(u, ids["shared"]),
        ):
            with pytest.raises(AccessDenied):
                change(intruder)
    assert journal.get_entry("alice", ids["shared"]).text == "Shared: we agreed an outcome."
    journal.share_entry("alice", ids["private"])
    assert {e.id for e in journal.team_entries("bob", PLY)} == set(ids.values())
    journal.unshare_entry("alice", ids["private"])
    journal.delete_entry("alice", ids["shared"])
    assert journal.team_entries("bob", PLY) == []


def test_a_member_who_leaves_stops_seeing_shared_entries(journal):
    ids = _setup(journal)
    assert journal.remove_member(PLY, "bob")
    assert _readable(journal, "bob", ids) == set()
    journal.set_members(PLY, ["alice", "bob"])  # bob re-joins the channel
    assert _readable(journal, "bob", ids) == {"shared"}


def test_anonymous_authors_are_hidden_from_the_enabler_only(journal):
    ids = _granted(journal)
    journal.share_entry("alice", ids["private"], anonymous=True)
    by_id = {e.id: e for e in journal.entries_for_enabler("erin", PLY)}
    assert by_id[ids["private"]].author is None
    assert by_id[ids["private"]].author_name == "a team member"
    assert by_id[ids["shared"]].author == "alice"
    teammate_view = {e.id: e for e in journal.team_entries("bob", PLY)}
    assert teammate_view[ids["private"]].author == "alice"
