"""A leader's data rights: export everything held about them, or erase it all.

Used by `/ripple export` / `/ripple erase` in Slack and `ripple export|erase --user` for an
operator handling a subject access or erasure request.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.models import (
    AuditRecord,
    Consent,
    ConsentVote,
    ConversationState,
    Enabler,
    EnablerNote,
    Entry,
    Feedback,
    SeenQuestion,
    Team,
    TeamMembership,
    WeeklyPrompt,
)
from bot.journal.views import ErasureSummary, ExportBundle

ERASED = "erased user"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


class DataRightsMixin(JournalBase):
    def export_user(self, user: str) -> ExportBundle:
        """Everything Ripple holds about `user`, as Markdown (to read) and JSON (to reuse).

        Includes every entry and commitment in every team, conversation state, questions
        seen, prompts, feedback, consent votes and decisions, and, for enablers, their notes
        and their reads of team journals. `has_data` is False for someone Ripple never saw.
        """
        data = self._db.run(lambda s: self._collect(s, user))
        data["exported_at"] = _iso(self._now())
        return ExportBundle(
            user=user,
            markdown=render_markdown(data),
            json=json.dumps(data, ensure_ascii=False, indent=2),
            has_data=data["profile"] is not None,
        )

    def erase_user(self, user: str) -> ErasureSummary:
        """Erase everything held about `user`, in every team, in one transaction.

        Entries, commitments, conversation state (even mid-reflection), questions seen,
        prompts, feedback, votes, enabler roles and notes, memberships and the profile go.
        Their name is removed from the team's consent history. Audit rows of reads they made
        as an enabler stay, because they are the team's record of who read its journal.
        """

        def work(session: Session) -> ErasureSummary:
            summary = ErasureSummary(user=user)
            member = self._member(session, user)
            if member is None:
                return summary
            summary.teams = list(
                session.scalars(
                    sa.select(Team.slug)
                    .join(TeamMembership, TeamMembership.team_id == Team.id)
                    .where(TeamMembership.member_id == member.id)
                    .order_by(Team.slug)
                )
            )
            owned = [
                ("entries", Entry, Entry.author_id),
                ("conversations", ConversationState, ConversationState.member_id),
                ("seen_questions", SeenQuestion, SeenQuestion.member_id),
                ("weekly_prompts", WeeklyPrompt, WeeklyPrompt.member_id),
                ("feedback", Feedback, Feedback.member_id),
                ("consent_votes", ConsentVote, ConsentVote.member_id),
                ("enabler_notes", EnablerNote, EnablerNote.enabler_id),
                ("enabler_roles", Enabler, Enabler.member_id),
                ("team_memberships", TeamMembership, TeamMembership.member_id),
            ]
            for name, model, column in owned:
                result = session.execute(sa.delete(model).where(column == member.id))
                summary.counts[name] = result.rowcount or 0
            renamed = session.execute(
                sa.update(Consent).where(Consent.by_user == user).values(by_user=ERASED)
            )
            summary.counts["consent_decisions_anonymised"] = renamed.rowcount or 0
            session.delete(member)
            summary.counts["profile"] = 1
            return summary

        return self._db.run(work)

    # --- helpers -----------------------------------------------------------------------
    def _collect(self, session: Session, user: str) -> dict:
        member = self._member(session, user)
        data: dict = {"user": user, "profile": None}
        if member is None:
            return data
        mid = member.id
        data["profile"] = {
            "display_name": member.display_name,
            "timezone": member.timezone,
            "first_seen": _iso(member.created_at),
        }
        slugs = dict(session.execute(sa.select(Team.id, Team.slug)).all())
        data["teams"] = [
            {
                "team": slugs[m.team_id],
                "admin": m.is_admin,
                "joined": _iso(m.joined_at),
                "left": _iso(m.left_at),
            }
            for m in session.scalars(
                sa.select(TeamMembership).where(TeamMembership.member_id == mid)
            )
        ]
        data["entries"] = [
            {
                "number": e.number,  # their own entry number, as shown in Slack and the CLI
                "team": slugs[e.team_id],
                "created": _iso(e.created_at),
                "updated": _iso(e.updated_at),
                "visibility": e.visibility,
                "anonymous_to_enabler": e.author_anonymous,
                "themes": list(e.themes or []),
                "source": e.source,
                "text": self._cipher.decrypt(e.text_token),
                "commitment": self._cipher.decrypt_optional(e.commitment_token),
            }
            for e in session.scalars(
                sa.select(Entry).where(Entry.author_id == mid).order_by(Entry.number)
            )
        ]
        data["conversations"] = [
            {"team": slugs[c.team_id], "state": self._cipher.decrypt_json(c.state_token)}
            for c in session.scalars(
                sa.select(ConversationState).where(ConversationState.member_id == mid)
            )
        ]
        data["seen_questions"] = sorted(
            session.scalars(
                sa.select(SeenQuestion.question_id).where(SeenQuestion.member_id == mid)
            )
        )
        data["weekly_prompts"] = [
            {
                "team": slugs[p.team_id],
                "week": f"{p.iso_year}-W{p.iso_week:02d}",
                "status": p.status,
            }
            for p in session.scalars(sa.select(WeeklyPrompt).where(WeeklyPrompt.member_id == mid))
        ]
        data["feedback"] = [
            {"team": slugs[f.team_id], "value": f.value, "at": _iso(f.created_at)}
            for f in session.scalars(sa.select(Feedback).where(Feedback.member_id == mid))
        ]
        data["consent_votes"] = [
            {"team": slugs[v.team_id], "at": _iso(v.voted_at)}
            for v in session.scalars(sa.select(ConsentVote).where(ConsentVote.member_id == mid))
        ]
        data["consent_decisions"] = [
            {"team": slugs.get(c.team_id), "action": c.action, "at": _iso(c.at)}
            for c in session.scalars(sa.select(Consent).where(Consent.by_user == user))
        ]
        data["enabler_of"] = [
            {"team": slugs[e.team_id], "since": _iso(e.added_at)}
            for e in session.scalars(sa.select(Enabler).where(Enabler.member_id == mid))
        ]
        data["enabler_notes"] = [
            {
                "team": slugs[n.team_id],
                "at": _iso(n.created_at),
                "text": self._cipher.decrypt(n.text_token),
            }
            for n in session.scalars(sa.select(EnablerNote).where(EnablerNote.enabler_id == mid))
        ]
        data["enabler_reads"] = [
            {"team": a.team_slug, "at": _iso(a.at), "outcome": a.outcome, "detail": a.detail}
            for a in session.scalars(sa.select(AuditRecord).where(AuditRecord.actor == user))
        ]
        return data


def render_markdown(data: dict) -> str:
    user = data["user"]
    lines = [f"# Ripple: everything held about {user}", ""]
    lines.append(f"Exported {data.get('exported_at') or ''}.")
    lines.append("")
    if data["profile"] is None:
        lines.append("Ripple holds no data about you: no entries, no commitments, no settings.")
        return "\n".join(lines) + "\n"
    profile = data["profile"]
    lines += [
        "## Profile",
        f"- Name: {profile['display_name'] or '(not recorded)'}",
        f"- Timezone: {profile['timezone']}",
        f"- First seen: {profile['first_seen']}",
        "",
        "## Teams",
    ]
    lines += [
        f"- {t['team']}{' (admin)' if t['admin'] else ''}, joined {t['joined']}"
        + (f", left {t['left']}" if t["left"] else "")
        for t in data["teams"]
    ] or ["- none"]
    lines += ["", f"## Journal entries ({len(data['entries'])})", ""]
    for entry in data["entries"]:
        who_sees = "shared with the team" if entry["visibility"] == "shared" else "private"
        lines.append(f"### Entry {entry['number']} · {entry['team']} · {entry['created']}")
        lines.append(f"_{who_sees}; themes: {', '.join(entry['themes']) or 'none'}_")
        lines.append("")
        lines.append(entry["text"])
        if entry["commitment"]:
            lines += ["", f"**Commitment:** {entry['commitment']}"]
        lines.append("")
    counts = [
        ("Reflections in progress", len(data["conversations"])),
        ("Questions you have been asked", len(data["seen_questions"])),
        ("Weekly prompts", len(data["weekly_prompts"])),
        ("Feedback clicks", len(data["feedback"])),
        ("Consent agreements", len(data["consent_votes"])),
        ("Consent decisions", len(data["consent_decisions"])),
        ("Teams you support as enabler", len(data["enabler_of"])),
        ("Your enabler notes", len(data["enabler_notes"])),
        ("Your reads as an enabler", len(data["enabler_reads"])),
    ]
    lines += ["## Everything else", ""]
    lines += [f"- {label}: {n}" for label, n in counts]
    for note in data["enabler_notes"]:
        lines += ["", f"### Note on {note['team']} · {note['at']}", "", note["text"]]
    lines += ["", "The JSON file holds all of this in full, in a machine-readable form."]
    return "\n".join(lines) + "\n"
