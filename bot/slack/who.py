"""Turning Slack ids into the `Who` that coaching and the journal understand.

A team is a Slack channel, so in a channel the team is that channel's id. In a DM the team is
the member's own team: the one whose reflection is in progress, else their first team. Someone
who belongs to no team yet reflects in a personal space named after their user id, so a DM
always works, even before anyone has run `/ripple team create`.
"""

from __future__ import annotations

from bot.coaching.ports import Who
from bot.journal.errors import NotFound
from bot.journal.views import TeamInfo
from bot.services import Services


def personal_team(user: str) -> str:
    return f"personal-{user}"


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
    """In a team channel: that team. Elsewhere (a DM, a channel that is not a team): the
    member's own team, as in a DM."""
    if find_team(services, channel) is not None:
        return Who(user=user, team=channel, workspace=workspace)
    return who_for_dm(services, user, workspace)


def who_for_dm(services: Services, user: str, workspace: str) -> Who:
    slugs = team_slugs(services, user)
    candidates = [Who(user=user, team=slug, workspace=workspace) for slug in slugs]
    for who in candidates:
        if services.coach.in_reflection(who):
            return who
    if candidates:
        return candidates[0]
    return Who(user=user, team=personal_team(user), workspace=workspace)
