"""The journal's commitment history, which lets the coach notice a step repeated week after week."""

from __future__ import annotations

from bot.coaching.ports import Who


def test_recent_commitments_are_newest_first_in_that_team_only(journal, clock):
    me, elsewhere = Who("leader-1", "plymouth-alcohol"), Who("leader-1", "barnet")
    assert journal.recent_commitments(me) == []
    journal.save_entry(me, "week one", commitment="Ring the hospital lead")
    clock.advance(days=7)
    journal.save_entry(me, "week two, nothing committed")
    journal.save_entry(elsewhere, "other team", commitment="Other team's promise")
    clock.advance(days=7)
    journal.save_entry(me, "week three", commitment="Ring the hospital lead again")
    got = journal.recent_commitments(me, limit=4)
    assert [c.text for c in got] == ["Ring the hospital lead again", "Ring the hospital lead"]
    assert journal.last_commitment(me) == got[0]
    assert len(journal.recent_commitments(me, limit=1)) == 1
