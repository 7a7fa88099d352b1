"""Team consent (admin and majority rules), revocation, and the audit trail of enabler reads."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.coaching.ports import Who
from bot.journal import AccessDenied, Journal
from bot.journal.enablers import themes_by_week

PLY = "plymouth"


@pytest.fixture
def team(journal: Journal) -> Journal:
    journal.ensure_team(PLY, admin="alice")
    for user in ("bob", "carol"):
        journal.add_member(PLY, user)
    journal.add_enabler("erin", PLY)
    journal.save_entry(Who("bob", PLY), "Shared reflection", shared=True, themes=["conflict"])
    return journal


def test_admin_rule_only_an_admin_grants_and_a_double_click_changes_nothing(team):
    bob = team.agree_consent("bob", PLY)
    assert not bob.granted and bob.agreed == ("bob",)
    with pytest.raises(AccessDenied):
        team.grant_consent("bob", PLY)
    granted = team.agree_consent("alice", PLY)
    assert granted.granted and granted.changed_by == "alice" and granted.rule == "admin"
    again = team.agree_consent("alice", PLY)
    assert again.granted and not again.changed
    assert [d.action for d in team.consent_history(PLY)] == ["granted"]
    assert team.consent_history(PLY)[0].rule == "admin"


def test_majority_rule_needs_more_than_half_and_counts_each_member_once(team):
    team.set_consent_rule("alice", PLY, "majority")
    with pytest.raises(AccessDenied):
        team.grant_consent("alice", PLY)  # an admin alone cannot decide for the team
    first = team.agree_consent("alice", PLY)
    assert (first.granted, first.agreed, first.needed) == (False, ("alice",), 2)
    double = team.agree_consent("alice", PLY)  # double-clicked button
    assert not double.changed and double.agreed == ("alice",) and not double.granted
    with pytest.raises(AccessDenied):
        team.entries_for_enabler("erin", PLY)
    second = team.agree_consent("carol", PLY)
    assert second.granted and second.changed_by == "carol"
    [decision] = team.consent_history(PLY)  # who, when, and under which rule
    assert (decision.action, decision.by, decision.rule) == ("granted", "carol", "majority")
    assert decision.at.startswith("2026-")
    assert len(team.entries_for_enabler("erin", PLY)) == 1


def test_only_admins_choose_the_rule_and_only_members_vote(team):
    with pytest.raises(AccessDenied):
        team.set_consent_rule("bob", PLY, "majority")
    for outsider in ("erin", "dave"):
        with pytest.raises(AccessDenied):
            team.agree_consent(outsider, PLY)
        with pytest.raises(AccessDenied):
            team.revoke_consent(outsider, PLY)


def test_revocation_by_any_member_takes_effect_on_the_next_request(team):
    team.agree_consent("alice", PLY)
    assert len(team.entries_for_enabler("erin", PLY)) == 1  # the Home view is open...
    revoked = team.revoke_consent("carol", PLY)  # ...when a member revokes
    assert not revoked.granted and revoked.changed_by == "carol"
    with pytest.raises(AccessDenied) as refused:
        team.entries_for_enabler("erin", PLY)  # the very next refresh
    assert "Shared reflection" not in str(refused.value)
    assert not team.revoke_consent("bob", PLY).changed  # revoking twice is harmless
    # Agreements from before the revocation no longer count towards a new grant.
    team.set_consent_rule("alice", PLY, "majority")
    assert team.agree_consent("bob", PLY).agreed == ("bob",)
    assert [d.action for d in team.consent_history(PLY)] == ["granted", "revoked"]


def test_every_enabler_read_and_refusal_is_audited_and_visible_to_the_team(team):
    with pytest.raises(AccessDenied):
        team.entries_for_enabler("erin", PLY)
    team.agree_consent("alice", PLY)
    shown = team.entries_for_enabler("erin", PLY)
    team.ensure_team("barnet", admin="gina")
    team.add_enabler("gina-enabler", "barnet")
    with pytest.raises(AccessDenied):  # a crafted request for another team's journal
        team.entries_for_enabler("gina-enabler", PLY)
    trail = team.audit_trail(PLY, viewer="bob")
    assert [(e.actor, e.outcome) for e in trail] == [
        ("gina-enabler", "refused"),
        ("erin", "allowed"),
        ("erin", "refused"),
    ]
    assert trail[1].entry_ids == tuple(e.id for e in shown)
    assert trail[1].detail == "1 shared entry"
    assert team.audit_trail(PLY, viewer="erin")  # the enabler may see their own trail
    with pytest.raises(AccessDenied):
        team.audit_trail(PLY, viewer="gina")


def test_a_read_for_an_unknown_team_is_refused_and_still_audited(team, db_settings):
    with pytest.raises(AccessDenied):
        team.entries_for_enabler("erin", "no-such-team")
    engine = sa.create_engine(db_settings.resolved_database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT team_slug, outcome FROM audit_log")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("no-such-team", "refused")]


class _AuditFails(Journal):
    """A journal whose audit write fails, to show reads and audit commit together."""

    def _audit(self, session, *args, **kwargs):
        super()._audit(session, *args, **kwargs)
        session.flush()
        raise RuntimeError("audit store broken")


def test_no_audit_row_means_no_read(team, db_settings, clock):
    team.agree_consent("alice", PLY)
    broken = _AuditFails(db_settings, clock=clock)
    with pytest.raises(RuntimeError):
        broken.entries_for_enabler("erin", PLY)
    broken.close()
    assert team.audit_trail(PLY) == []  # the read was rolled back with its audit row


def test_enabler_notes_are_private_to_the_enabler(team):
    note_id = team.add_enabler_note("erin", PLY, "Ask about the pooled budget next time.")
    [note] = team.enabler_notes("erin", PLY)
    assert (note.id, note.text) == (note_id, "Ask about the pooled budget next time.")
    for other in ("alice", "bob", "gina"):
        with pytest.raises(AccessDenied):
            team.enabler_notes(other, PLY)


def test_enabler_sees_the_teams_they_support_with_consent_state_and_themes(team, clock):
    [before] = team.enabler_teams("erin")
    assert before.team.slug == PLY and not before.consent.granted
    team.agree_consent("alice", PLY)
    clock.advance(days=7)
    team.save_entry(Who("carol", PLY), "Tension again", shared=True, themes=["conflict"])
    [after] = team.enabler_teams("erin")
    assert after.consent.granted
    weeks = themes_by_week(team.entries_for_enabler("erin", PLY))
    assert weeks == {"2026-W10": {"conflict": 1}, "2026-W11": {"conflict": 1}}
    assert team.enabler_teams("bob") == []


def test_simultaneous_clicks_on_two_replicas_decide_exactly_once(team, db_settings, clock):
    import threading

    team.set_consent_rule("alice", PLY, "majority")
    other = Journal(db_settings, clock=clock)
    barrier, results = threading.Barrier(2), []

    def click(journal: Journal, user: str) -> None:
        barrier.wait()
        results.append(journal.agree_consent(user, PLY))

    # Two members whose votes together make the majority click at the same instant.
    threads = [
        threading.Thread(target=click, args=(team, "bob")),
        threading.Thread(target=click, args=(other, "carol")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    other.close()
    assert len(results) == 2
    assert team.consent_state(PLY).granted  # neither vote was lost to the race
    assert [d.action for d in team.consent_history(PLY)] == ["granted"]  # and granted once
