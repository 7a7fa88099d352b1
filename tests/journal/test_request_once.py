"""A journal change made once per Slack request (journal/once.py), on SQLite and PostgreSQL:
the same request's work run again (a takeover after its replica died) returns the first
run's result and changes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.coaching.ports import Who
from bot.journal.errors import AccessDenied


def _alice(journal) -> Who:
    journal.ensure_team("T1", name="#t", workspace="W1", admin="U1")
    return Who(user="U1", team="T1", workspace="W1")


def test_a_save_run_again_with_its_key_returns_the_same_entry(journal):
    who = _alice(journal)
    first = journal.save_entry(who, "Pooled the budget", once="entry:abc")
    again = journal.save_entry(who, "Pooled the budget", once="entry:abc")
    other = journal.save_entry(who, "Pooled the budget")  # no key: a new entry, as before
    assert (first, again, other) == (1, 1, 2)
    assert [e.text for e in journal.list_entries("U1")].count("Pooled the budget") == 2


def test_two_runs_of_one_save_at_once_save_one_entry(journal):
    who = _alice(journal)
    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(
            pool.map(lambda _: journal.save_entry(who, "Once", once="entry:race"), range(4))
        )
    assert numbers == [1, 1, 1, 1]
    assert len(journal.list_entries("U1")) == 1


def test_a_grant_run_again_still_says_it_changed_consent(journal):
    _alice(journal)
    first = journal.grant_consent("U1", "T1", once="action:trig1")
    again = journal.grant_consent("U1", "T1", once="action:trig1")
    click = journal.grant_consent("U1", "T1", once="action:trig2")  # a second, real click
    assert first.changed and first.granted
    assert again == first, "the takeover announces what the first run did"
    assert not click.changed
    assert [d.action for d in journal.consent_history("T1")] == ["granted"]


def test_a_refusal_is_not_remembered(journal):
    _alice(journal)
    journal.set_consent_rule("U1", "T1", "majority")
    journal.add_member("T1", "U2", workspace="W1")
    with pytest.raises(AccessDenied):  # majority rule: nobody grants outright
        journal.grant_consent("U1", "T1", once="action:trig3")
    journal.set_consent_rule("U1", "T1", "admin")
    assert journal.grant_consent("U1", "T1", once="action:trig3").granted


def test_remember_keeps_the_first_runs_value(journal):
    assert journal.remember("action:trig4", "2026-04-01T09:00:00+00:00").startswith("2026-04-01")
    assert journal.remember("action:trig4", "2026-04-01T09:00:05+00:00").endswith("09:00:00+00:00")
    assert journal.remember("action:trig5", False) is False
    assert journal.remember("action:trig5", True) is False, "a takeover goes on with False"
    assert journal.remember(None, True) is True  # no key: nothing to remember
