"""Teams are Slack channels: register a channel, follow its membership, learn timezones.

Slack is the source of truth for who is in a channel (`conversations.members`, paged) and for
each person's timezone (`users.info`). The journal keeps a copy so the scheduler can work
without asking Slack about every member on every tick.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.journal.errors import InvalidInput
from bot.services import Services
from bot.slack.who import find_team

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreatedTeam:
    slug: str
    name: str
    members: list[str]
    created: bool


def channel_members(client: WebClient, channel: str) -> list[str]:
    members: list[str] = []
    cursor: str | None = None
    while True:
        resp = client.conversations_members(channel=channel, cursor=cursor, limit=200)
        members.extend(resp.get("members", []))
        cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return members


def user_profile(client: WebClient, user: str) -> dict | None:
    try:
        return client.users_info(user=user)["user"]
    except SlackApiError as err:
        log.warning("users.info failed", extra={"error": err.response.get("error")})
        return None


def refresh_timezone(client: WebClient, services: Services, user: str) -> str | None:
    """Store the person's Slack timezone; returns it (None when Slack would not say)."""
    profile = user_profile(client, user)
    if not profile or not profile.get("tz"):
        return None
    try:
        services.journal.upsert_member(
            user,
            timezone=profile["tz"],
            display_name=profile.get("real_name") or profile.get("name"),
            is_bot=bool(profile.get("is_bot")),
        )
    except InvalidInput:  # a timezone name this system's tz database lacks: keep the old one
        log.warning("unknown timezone from Slack", extra={"user": user})
        return None
    return profile["tz"]


def create_team(
    client: WebClient,
    services: Services,
    channel: str,
    admin: str,
    workspace: str,
    bot_user: str | None = None,
) -> CreatedTeam:
    """Register `channel` as a team with its current human members; `admin` runs it."""
    info = client.conversations_info(channel=channel)["channel"]
    name = "#" + str(info.get("name") or channel)
    members = [m for m in channel_members(client, channel) if m != bot_user]
    if admin not in members:
        members.append(admin)
    existed = find_team(services, channel) is not None
    journal = services.journal
    journal.ensure_team(channel, name=name, workspace=workspace, admin=None if existed else admin)
    journal.set_members(channel, members, workspace=workspace)
    for user in members:
        refresh_timezone(client, services, user)
    # Who counts is the journal's rule: the team's enabler may sit in the channel, but is
    # never one of its members (nor is a bot Slack lists among them).
    counted = [m.user for m in journal.team_members(channel) if not m.is_bot]
    return CreatedTeam(slug=channel, name=name, members=counted, created=not existed)
