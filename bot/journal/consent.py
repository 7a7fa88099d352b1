"""Team consent for the enabler: by an admin, or by a majority of members; revocable by anyone.

Consent records are append-only; the newest row for a team is its current state, and
`access.consent_granted` reads exactly that inside the enabler's query.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal import access, audit
from bot.journal.db import insert_ignoring_duplicates
from bot.journal.errors import AccessDenied, InvalidInput
from bot.journal.models import Consent, ConsentVote, Member, Team, TeamMembership
from bot.journal.once import OnceMixin
from bot.journal.views import CONSENT_RULES, ConsentDecision, ConsentState

ENABLER_NO_VOTE = (
    "You support this team as its enabler, so the decision about what you may see is the "
    "team's alone: you don't vote on it. Nothing was changed, and the team can see this "
    "request in `/ripple audit`."
)


NOT_A_VOTER = "Only members of this team can take part in its consent."


class ConsentMixin(OnceMixin):  # _run_once
    def consent_state(self, team: str) -> ConsentState:
        """Whether the team currently consents, under which rule, and who has agreed so far."""
        return self._db.run(lambda s: self._consent_state(s, self._require_team(s, team)))

    def set_consent_rule(self, actor: str | None, team: str, rule: str) -> ConsentState:
        """Choose "admin" (any admin decides) or "majority" (most members agree). Admin only
        (None = operator). Agreements collected under the old rule are set aside."""
        if rule not in CONSENT_RULES:
            raise InvalidInput("The consent rule is either 'admin' or 'majority'.")

        def work(session: Session) -> ConsentState:
            team_row = self._require_team(session, team)
            self._require_admin(session, actor, team_row)
            if team_row.consent_rule != rule:
                team_row.consent_rule = rule
                team_row.consent_round += 1
            return self._consent_state(session, team_row)

        return audit.raise_refusal(self._db.run(work))

    def agree_consent(self, user: str, team: str, *, once: str | None = None) -> ConsentState:
        """A member clicks "I agree". Under the admin rule an admin's agreement grants consent;
        under the majority rule consent is granted once more than half the members agree.
        Clicking twice changes nothing (`changed=False`). Raises AccessDenied for non-members.
        `once` (every consent change takes it): the click's request key; the same request
        run again returns this state, `changed` included (once.py).
        """

        def work(session: Session) -> ConsentState | audit.Refusal:
            found = self._member_of(session, user, team, "agree_consent")
            if isinstance(found, audit.Refusal):
                return found
            team_row, member, row = found
            self._lock_team(session, team_row)
            if self._granted(session, team_row):
                return self._consent_state(session, team_row, changed=False)
            voted = insert_ignoring_duplicates(
                session,
                ConsentVote,
                {
                    "team_id": team_row.id,
                    "member_id": member.id,
                    "round": team_row.consent_round,
                    "voted_at": self._now(),
                },
            )
            state = self._consent_state(session, team_row)
            decides = (team_row.consent_rule == "admin" and row.is_admin) or (
                team_row.consent_rule == "majority" and len(state.agreed) >= state.needed
            )
            if decides:
                self._record_consent(session, team_row, "granted", user)
                return self._consent_state(session, team_row)
            return self._consent_state(session, team_row, changed=voted)

        return audit.raise_refusal(self._consent_once(once, work))

    def grant_consent(self, user: str, team: str, *, once: str | None = None) -> ConsentState:
        """An admin grants consent outright (teams using the "admin" rule only)."""

        def work(session: Session) -> ConsentState | audit.Refusal:
            found = self._member_of(session, user, team, "grant_consent")
            if isinstance(found, audit.Refusal):
                return found
            team_row, _, row = found
            self._lock_team(session, team_row)
            if team_row.consent_rule != "admin":
                raise AccessDenied("This team decides by majority: each member clicks I agree.")
            if not row.is_admin:
                raise AccessDenied("Only a team admin can grant consent for this team.")
            if self._granted(session, team_row):
                return self._consent_state(session, team_row, changed=False)
            self._record_consent(session, team_row, "granted", user)
            return self._consent_state(session, team_row)

        return audit.raise_refusal(self._consent_once(once, work))

    def revoke_consent(
        self, user: str | None, team: str, *, once: str | None = None
    ) -> ConsentState:
        """Any current member (or the operator, user=None) withdraws consent. It takes effect
        on the enabler's very next request. Agreements so far are set aside."""

        def work(session: Session) -> ConsentState | audit.Refusal:
            if user is None:
                team_row = self._require_team(session, team)
            else:
                found = self._member_of(session, user, team, "revoke_consent")
                if isinstance(found, audit.Refusal):
                    return found
                team_row = found[0]
            self._lock_team(session, team_row)
            if not self._granted(session, team_row):
                return self._consent_state(session, team_row, changed=False)
            self._record_consent(session, team_row, "revoked", user or "operator")
            team_row.consent_round += 1
            return self._consent_state(session, team_row)

        return audit.raise_refusal(self._consent_once(once, work))

    def consent_history(self, team: str) -> list[ConsentDecision]:
        """Every grant and revocation, oldest first: who, when, and under which rule."""

        def work(session: Session) -> list[ConsentDecision]:
            team_row = self._require_team(session, team)
            rows = session.scalars(
                sa.select(Consent).where(Consent.team_id == team_row.id).order_by(Consent.id)
            )
            return [ConsentDecision(r.action, r.by_user, r.at.isoformat(), r.rule) for r in rows]

        return self._db.run(work)

    # --- helpers -----------------------------------------------------------------------
    def _consent_once(self, once: str | None, work) -> ConsentState | audit.Refusal:
        """`work` once per request `once`; a refusal is not remembered (it is decided anew)."""
        return self._run_once(once, work, encode=_state_outcome, decode=_state_from_outcome)

    def _lock_team(self, session: Session, team: Team) -> None:
        """Serialise consent changes for one team across threads and replicas.

        A double-clicked button arrives as two requests handled at once; without this, both
        read "not granted" and both record a grant. A no-op UPDATE takes the team row's write
        lock (a row lock on PostgreSQL, the write lock on SQLite) before the state is read,
        so the second click waits and then sees the first one's result. (Added by the Slack
        privacy helper.)
        """
        session.execute(
            sa.update(Team)
            .where(Team.id == team.id)
            .values(consent_round=Team.consent_round)
            .execution_options(synchronize_session=False)
        )
        session.refresh(team)

    def _member_of(
        self, session: Session, user: str, team: str, action: str
    ) -> tuple[Team, Member, TeamMembership] | audit.Refusal:
        """The voter's current membership, or a Refusal. An enabler is never a member (even
        one sitting in the channel): they are told kindly, and the team's trail records it."""
        team_row = self._require_team(session, team)
        member = self._member(session, user)
        row = access.current_row(session, member, team_row.id)
        if member is not None and row is not None:
            return team_row, member, row
        enabler = access.is_enabler(session, member, team_row.id)
        detail = "an enabler cannot take part in the team's consent" if enabler else "not a member"
        audit.refuse_enabler(
            session, member, action=action, detail=detail, at=self._now(), team=team_row
        )
        message = ENABLER_NO_VOTE if enabler else NOT_A_VOTER
        return audit.Refusal(AccessDenied(message))

    def _granted(self, session: Session, team: Team) -> bool:
        return bool(session.scalar(sa.select(access.consent_granted(team.id))))

    def _record_consent(self, session: Session, team: Team, action: str, by: str) -> None:
        session.add(
            Consent(
                team_id=team.id,
                rule=team.consent_rule,
                action=action,
                by_user=by[:64],
                at=self._now(),
            )
        )
        session.flush()

    def _consent_state(self, session: Session, team: Team, *, changed: bool = True) -> ConsentState:
        newest = session.scalar(
            sa.select(Consent)
            .where(Consent.team_id == team.id)
            .order_by(Consent.id.desc())
            .limit(1)
        )
        agreed = session.scalars(
            sa.select(Member.user_id)
            .join(ConsentVote, ConsentVote.member_id == Member.id)
            .join(
                TeamMembership,
                sa.and_(
                    TeamMembership.member_id == Member.id,
                    TeamMembership.team_id == team.id,
                    access.current_membership(),
                ),
            )
            .where(ConsentVote.team_id == team.id, ConsentVote.round == team.consent_round)
            .order_by(ConsentVote.id)
        ).all()
        members = session.scalar(
            sa.select(sa.func.count(TeamMembership.id))
            .join(Member, Member.id == TeamMembership.member_id)
            .where(
                TeamMembership.team_id == team.id,
                access.current_membership(),  # an enabler in the channel is not counted
                Member.is_bot.is_(False),
            )
        )
        return ConsentState(
            team=team.slug,
            rule=team.consent_rule,
            granted=newest is not None and newest.action == "granted",
            changed_by=newest.by_user if newest else None,
            changed_at=newest.at if newest else None,
            agreed=tuple(agreed),
            needed=(members or 0) // 2 + 1,
            member_count=members or 0,
            changed=changed,
        )


def _state_outcome(state: ConsentState | audit.Refusal) -> dict | None:
    if isinstance(state, audit.Refusal):
        return None
    outcome = dataclasses.asdict(state)
    outcome["changed_at"] = state.changed_at.isoformat() if state.changed_at else None
    return outcome


def _state_from_outcome(outcome: dict) -> ConsentState:
    at = outcome.get("changed_at")
    return ConsentState(
        **{
            **outcome,
            "changed_at": datetime.fromisoformat(at) if at else None,
            "agreed": tuple(outcome.get("agreed") or ()),
        }
    )
