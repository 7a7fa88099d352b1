"""Turning Slack ids into the `Who` that coaching and the journal understand.

A team is a Slack channel, so in a channel the team is that channel's id. In a DM the team is
the member's own team: the one whose reflection is in progress, else their first team. Someone
who belongs to no team yet reflects in a personal space named after their user id, so a DM
always works, even before anyone has run `/ripple team create`.
"""

from __future__ import annotations

from bot.coaching.ports import Who
from bot.journal.errors import JournalUnavailable, NotFound
from bot.journal.views import TeamInfo
from bot.services import Services


def personal_team(user: str) -> str:
    return f"personal-{user}"


def is_personal(team: str) -> bool:
    return team.startswith("personal-")


def find_team(services: Services, slug: str) -> TeamInfo | None:
    """The team registered for this channel, or None."""
    if not slug or slug.startswith("D"):
        return None
    try:
        return services.journal.get_team(slug)
    except NotFound:
        return None


def team_slugs(services: Services, user: str) -> list[str]:
    return [team.slug for team in services.journal.teams_for(user)]


def who_in_channel(services: Services, user: str, channel: str, workspace: str) -> Who:
    """In a team channel: that team. Elsewhere (a DM, a channel that is not a team), and for
    the team's enabler sitting in its channel (never a member): their own team, as in a DM."""
    if find_team(services, channel) is not None and not services.journal.is_enabler(user, channel):
        return Who(user=user, team=channel, workspace=workspace)
    return who_for_dm(services, user, workspace)


def who_for_question(services: Services, user: str, channel: str, workspace: str) -> Who:
    """Who is asking "what helped elsewhere?". The answer needs the evidence, not the
    journal, so when the journal is down the question is still answered: the team is taken to
    be the channel asked in (a DM: the person's own space), which only scopes "not shown to
    this team before"."""
    try:
        return who_in_channel(services, user, channel, workspace)
    except JournalUnavailable:
        team = channel if channel and not channel.startswith("D") else personal_team(user)
        return Who(user=user, team=team, workspace=workspace)


def who_for_dm(services: Services, user: str, workspace: str) -> Who:
    slugs = team_slugs(services, user)
    candidates = [Who(user=user, team=slug, workspace=workspace) for slug in slugs]
    for who in candidates:
        if services.coach.in_reflection(who):
            return who
    if candidates:
        return candidates[0]
    return personal_who(services, user, workspace)


def personal_who(services: Services, user: str, workspace: str) -> Who:
    """The personal space of someone in no team. Its weekly prompt is off: the schedule
    belongs to teams, and nobody chose one for this space."""
    slug = personal_team(user)
    if find_team(services, slug) is None:
        services.journal.ensure_team(slug, name="Personal journal", workspace=workspace)
        services.journal.set_schedule(None, slug, enabled=False)
    return Who(user=user, team=slug, workspace=workspace)


def who_in_claimed_team(services: Services, user: str, team: str | None, workspace: str) -> Who:
    """A `Who` for a team named in a button value or modal metadata, which a crafted payload
    can forge. Acting as a member of a team makes you one, so the claim is honoured only when
    the person already belongs to that team; otherwise they act in their own team."""
    if team and (team == personal_team(user) or services.journal.is_team_member(user, team)):
        return Who(user=user, team=team, workspace=workspace)
    return who_for_dm(services, user, workspace)
