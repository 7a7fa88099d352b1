"""The Journal honours the ReflectionStore port the coaching flow is written against."""

from __future__ import annotations

import pytest

from bot.coaching.ports import ReflectionStore, Who
from bot.journal import InvalidInput, Journal


def who(user: str, team: str = "plymouth-alcohol") -> Who:
    return Who(user=user, team=team)


def test_journal_satisfies_the_port(journal):
    store: ReflectionStore = journal  # a type checker holds us to the Protocol too
    for name in ReflectionStore.__dict__:
        if not name.startswith("_"):
            assert callable(getattr(store, name)), name


def test_conversation_state_round_trips_and_survives_a_restart(journal, db_settings, clock):
    me = who("leader-1")
    assert journal.load_conversation(me) is None
    journal.save_conversation(me, {"stage": "question", "draft": "the hospital keeps…"})
    journal.save_conversation(me, {"stage": "commitment", "turns": 2})
    # A fresh process on the same database sees the same state.
    again = Journal(db_settings, clock=clock)
    assert again.load_conversation(me) == {"stage": "commitment", "turns": 2}
    # Per team: the same person in another team has no conversation there.
    assert again.load_conversation(who("leader-1", "barnet")) is None
    again.clear_conversation(me)
    assert journal.load_conversation(me) is None
    again.close()


def test_seen_questions_are_remembered_once_per_person(journal):
    me = who("leader-1")
    assert journal.seen_question_ids(me) == set()
    journal.mark_question_seen(me, "conflict-03")
    journal.mark_question_seen(me, "conflict-03")
    journal.mark_question_seen(me, "purpose-01")
    assert journal.seen_question_ids(me) == {"conflict-03", "purpose-01"}
    assert journal.seen_question_ids(who("leader-2")) == set()


def test_save_entry_numbers_entries_and_keeps_them_private(journal):
    me = who("leader-1")
    first = journal.save_entry(me, "We agreed a shared outcome.", themes=["shared_purpose"])
    second = journal.save_entry(me, "Board meeting went well.", shared=True, source="journal")
    assert second == first + 1
    entries = {e.id: e for e in journal.list_entries("leader-1")}
    assert entries[first].visibility == "private"
    assert entries[first].themes == ("shared_purpose",)
    assert entries[second].shared and entries[second].source == "journal"


def test_last_commitment_is_the_newest_in_that_team(journal, clock):
    me = who("leader-1")
    assert journal.last_commitment(me) is None
    journal.save_entry(me, "week one", commitment="Ring the hospital lead")
    clock.advance(days=7)
    newest = journal.save_entry(me, "week two", commitment="Invite police to the board")
    journal.save_entry(me, "a note without a commitment")
    journal.save_entry(who("leader-1", "barnet"), "elsewhere", commitment="Other team's promise")
    got = journal.last_commitment(me)
    assert got is not None
    assert (got.text, got.entry_id) == ("Invite police to the board", newest)
    assert got.made_at == clock.now()


def test_empty_or_huge_text_is_refused_kindly(journal):
    for text in ("", "   \n ", "x" * 50_001):
        with pytest.raises(InvalidInput) as info:
            journal.save_entry(who("leader-1"), text)
        assert "nothing was saved" in str(info.value).lower()
    assert journal.list_entries("leader-1") == []
    # Just under the limit is fine: a 40,000-character Slack message is kept whole.
    long_id = journal.save_entry(who("leader-1"), "y" * 40_000)
    assert len(journal.get_entry("leader-1", long_id).text) == 40_000


def test_emoji_and_non_latin_text_round_trip(journal):
    text = "Καλημέρα 🌊 — 협력 is hard; «ça va» 🤝"
    entry_id = journal.save_entry(who("leader-1"), text, commitment="保持联系 📞")
    [entry] = journal.list_entries("leader-1")
    assert (entry.id, entry.text, entry.commitment) == (entry_id, text, "保持联系 📞")


def test_services_hand_out_one_real_journal(db_settings, clock):
    from bot.services import Services

    services = Services(db_settings, clock=clock)
    assert services.journal is services.journal
    entry_id = services.journal.save_entry(who("leader-1"), "Through the composition root")
    assert services.journal.get_entry("leader-1", entry_id).created_at == clock.now()
    services.journal.close()


def test_malformed_ids_are_refused_kindly_on_every_backend(journal):
    for bad in ("", "   ", "U" * 65, "nul\x00byte"):
        with pytest.raises(InvalidInput):
            journal.save_entry(Who(user=bad, team="plymouth"), "text")
    with pytest.raises(InvalidInput):
        journal.save_entry(Who(user="leader-1", team="t" * 81), "text")
    with pytest.raises(InvalidInput):
        journal.mark_question_seen(who("leader-1"), "q" * 121)
    assert journal.list_teams() == []  # nothing half-created by a refused request
    assert journal.list_entries("leader-1") == []
