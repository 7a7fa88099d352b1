"""What a team was shown in "what helped" answers: kept per team, for a month, keys only."""

from __future__ import annotations

from datetime import timedelta

from bot.coaching.helped import HelpedAnswers
from bot.coaching.ports import Who
from bot.coaching.questions import QuestionBank
from bot.coaching.shown import REPEAT_WINDOW, shown_log_of
from bot.evidence.passage import Passage
from bot.journal import Journal
from tests.conftest import REPO

TEXT = (
    "A key difficulty that slowed the progress of the work can be traced back to an aspect of "
    "the authorising environment: concerns about permissible levels of data sharing."
)


def test_a_team_is_shown_what_it_was_shown_and_no_other_teams(journal, clock):
    journal.ensure_team("plymouth-alcohol")
    journal.ensure_team("leeds-food")
    journal.record_shown("plymouth-alcohol", ["p:002.txt:10-20", "q:abc"])
    since = clock.now() - REPEAT_WINDOW
    assert journal.shown_to_team("plymouth-alcohol", since) == {"p:002.txt:10-20", "q:abc"}
    assert journal.shown_to_team("leeds-food", since) == set()
    clock.advance(days=31)
    assert journal.shown_to_team("plymouth-alcohol", clock.now() - REPEAT_WINDOW) == set()
    # showing it again restarts its month, once, however often it is recorded
    journal.record_shown("plymouth-alcohol", ["q:abc", "q:abc"])
    journal.record_shown("plymouth-alcohol", ["q:abc"])
    assert journal.shown_to_team("plymouth-alcohol", clock.now() - timedelta(days=1)) == {"q:abc"}


def test_an_unknown_team_is_not_created_by_asking(journal, clock):
    journal.record_shown("never-created", ["p:x:1-2"])
    assert journal.shown_to_team("never-created", clock.now() - REPEAT_WINDOW) == set()
    assert "never-created" not in {t.slug for t in journal.list_teams()}


def test_answers_do_not_repeat_across_a_restart(db_settings, clock):
    """Two processes on one journal (a restart, or a second replica): no repeat."""
    passages = [
        Passage("002.txt", "T", "S", ("Barnet",), i * 1000, i * 1000 + len(TEXT), TEXT, 1 - i / 9)
        for i in range(4)
    ]

    class Evidence:
        def search(self, query, k=5, *, docs=None, places=None):
            return passages

    bank = QuestionBank.load(REPO / "prompts")
    who = Who("leader-1", "plymouth-alcohol")
    first_journal = Journal(db_settings, clock=clock)
    first_journal.ensure_team("plymouth-alcohol")
    assert shown_log_of(first_journal) is first_journal
    first = HelpedAnswers(Evidence(), bank, shown=first_journal, clock=clock)
    before = first.answer(who, "how do we share data with the police")
    first_journal.close()

    second_journal = Journal(db_settings, clock=clock)
    second = HelpedAnswers(Evidence(), bank, shown=second_journal, clock=clock)
    after = second.answer(who, "how do we share data with the police")
    second_journal.close()
    assert before.passages and after.passages
    assert not {p.start for p in before.passages} & {p.start for p in after.passages}
    assert before.question != after.question
