"""`/ripple consent | audit | export | erase | enabler`: issue 5's subcommands.

They join the `/ripple` table in `commands.py` (`register` adds them to `SUBCOMMANDS`), so
they are acked, run lazily and fail kindly exactly like every other subcommand. Every rule
(who may grant, who may name an enabler, whose data is erased) is the journal's.
"""

from __future__ import annotations

import logging
import re

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.journal.views import CONSENT_RULES, ExportBundle
from bot.services import Services
from bot.slack import consent_card as consent_card_
from bot.slack.listeners.commands import SUBCOMMANDS, Invocation, Subcommand
from bot.slack.post import Where, open_dm, post
from bot.slack.privacy_blocks import (
    audit_blocks,
    erase_confirmation,
)
from bot.slack.replies import plural, team_label
from bot.slack.who import find_team

log = logging.getLogger(__name__)

# "<@U012ABC>" or "<@U012ABC|name>" (an escaped mention), or a bare user id.
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{6,})$")

NOT_A_TEAM = (
    "Run `/ripple {name}` in your team's channel. If this channel isn't a Ripple team yet, "
    "an admin can run `/ripple team create` first."
)
WAS_MEMBER = (
    "<@{user}> was a member of this team. As its enabler they no longer are: they don't vote "
    "on consent, aren't counted or prompted as a member, and see shared entries only while "
    "the team consents, every look in `/ripple audit`. Their own entries stay theirs."
)
EXPORT_FAILED = (
    "Slack didn't accept your export files just now, so nothing was sent. Nothing was "
    "changed either. Please try `/ripple export` again in a minute."
)
EXPORT_REFUSED = (
    "Slack refused your export files ({code}), so nothing was sent and nothing was changed. "
    "This is a setting, not a hiccup: trying again won't help. Please ask whoever installed "
    "Ripple in this workspace to let it upload files (the files:write permission), or ask "
    "Ripple's operator to run `ripple export` for you."
)
# Web API errors that no retry will cure: the token, the scopes or the workspace's settings.
PERMANENT_UPLOAD_ERRORS = frozenset(
    {
        "not_allowed_token_type",
        "missing_scope",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "restricted_action",
        "file_uploads_disabled",
        "file_uploads_except_images_disabled",
        "team_access_not_granted",
    }
)


def _in_team(inv: Invocation, name: str) -> bool:
    """True in a registered team channel; otherwise says where to run the command."""
    if find_team(inv.services, inv.channel) is None:
        inv.reply_privately(NOT_A_TEAM.format(name=name))
        return False
    return True


def post_consent_card(
    client: WebClient, services: Services, team: str, user: str | None = None
) -> None:
    """Post the team's one live card in its channel (the older one is marked out of date);
    if Slack refuses, `user` is told what to do."""
    consent_card_.post_card(client, services, team, user)


def _consent(inv: Invocation) -> None:
    if not _in_team(inv, "consent"):
        return
    rule = inv.args.strip().lower()
    if rule and rule not in CONSENT_RULES:
        inv.reply_privately(
            "`/ripple consent` posts the consent card. Admins choose how the team decides "
            "with `/ripple consent admin` (any admin grants) or `/ripple consent majority` "
            "(most members click I agree)."
        )
        return
    if rule:
        before = inv.services.journal.consent_state(inv.channel).rule
        inv.services.journal.set_consent_rule(inv.user, inv.channel, rule)
        if before != rule:
            how = "any team admin can grant" if rule == "admin" else "a majority of members decide"
            post(
                inv.client,
                Where(inv.channel, user=inv.user),
                f"<@{inv.user}> changed how this team decides on enabler consent: {how}. "
                "Agreements collected so far are set aside.",
            )
    post_consent_card(inv.client, inv.services, inv.channel, inv.user)


def _audit(inv: Invocation) -> None:
    if not _in_team(inv, "audit"):
        return
    journal = inv.services.journal
    events = journal.audit_trail(inv.channel, viewer=inv.user, limit=40)
    history = journal.consent_history(inv.channel)
    blocks = audit_blocks(team_label(inv.channel), events, history[-10:])
    where = Where(inv.channel, user=inv.user, ephemeral=True)
    post(inv.client, where, blocks, text=f"Enabler audit trail: {plural(len(events), 'event')}.")


def _export(inv: Invocation) -> None:
    bundle = inv.services.journal.export_user(inv.user)
    if not bundle.has_data:
        post(
            inv.client,
            Where.dm(inv.user),
            "Ripple holds no data about you: no entries, no commitments, no settings. "
            "There is nothing to export.",
        )
        return
    problem = send_export(inv.client, inv.user, bundle)
    if problem in PERMANENT_UPLOAD_ERRORS:
        post(inv.client, Where.dm(inv.user), EXPORT_REFUSED.format(code=problem))
    elif problem is not None:
        post(inv.client, Where.dm(inv.user), EXPORT_FAILED)


def send_export(client: WebClient, user: str, bundle: ExportBundle) -> str | None:
    """DM the two export files (files.uploadV2). None when sent; else Slack's error code
    ("unreachable" for network trouble), so the caller can tell a setting from a hiccup."""
    stem = f"ripple-export-{re.sub(r'[^A-Za-z0-9_-]+', '_', user)[:64]}"
    try:
        client.files_upload_v2(
            channel=open_dm(client, user),
            initial_comment=(
                "Here is everything Ripple holds about you: a Markdown file to read and a "
                "JSON file with the same data in full. Only you can see this DM."
            ),
            file_uploads=[
                {"content": bundle.markdown, "filename": f"{stem}.md", "title": "Your data"},
                {"content": bundle.json, "filename": f"{stem}.json", "title": "Your data (JSON)"},
            ],
        )
        return None
    except SlackApiError as error:
        code = str(error.response.get("error") or f"http_{error.response.status_code}")
        log.warning("export upload refused", extra={"error": code})
        return code
    except (SlackRequestError, OSError) as error:
        log.warning("export upload failed", extra={"error": type(error).__name__})
        return "unreachable"


def _erase(inv: Invocation) -> None:
    where = Where(inv.channel, user=inv.user, ephemeral=True)
    teams = [team_label(t.slug) for t in inv.services.journal.teams_for(inv.user)]
    blocks = erase_confirmation(teams)  # says beforehand: you leave every team's schedule
    post(inv.client, where, blocks, text="Erase everything Ripple holds about you?")


def _enabler(inv: Invocation) -> None:
    action, _, rest = inv.args.strip().partition(" ")
    action = action.lower()
    found = _MENTION.match(rest.strip())
    if action not in ("add", "remove") or not found:
        inv.reply_privately(
            "Name the enabler by mentioning them, e.g. `/ripple enabler add @sam` "
            "(or `/ripple enabler remove @sam`). Pick them from the list Slack suggests "
            "as you type, so the mention turns into a link."
        )
        return
    if not _in_team(inv, "enabler"):
        return
    target = found.group(1) or found.group(2)
    journal = inv.services.journal
    if action == "remove":
        if journal.remove_enabler(target, inv.channel, removed_by=inv.user):
            text = f"<@{inv.user}> removed <@{target}> as this team's enabler."
            post(inv.client, Where(inv.channel, user=inv.user), text)
            consent_card_.refresh(inv.client, inv.services, inv.channel)  # it names the enabler
        else:
            inv.reply_privately(f"<@{target}> is not this team's enabler.")
        return
    was_member = journal.is_team_member(target, inv.channel)
    if not journal.add_enabler(target, inv.channel, added_by=inv.user, workspace=inv.workspace):
        inv.reply_privately(f"<@{target}> is already this team's enabler.")
        return
    granted = journal.consent_state(inv.channel).granted
    announce_enabler(inv.client, inv.channel, target, by=inv.user, granted=granted)
    consent_card_.refresh(inv.client, inv.services, inv.channel)  # the live card names them now
    if was_member:  # the journal ended their membership: one person never holds both roles
        post(inv.client, Where(inv.channel, user=inv.user), WAS_MEMBER.format(user=target))


def announce_enabler(
    client: WebClient, team: str, enabler: str, *, by: str | None, granted: bool
) -> bool:
    """Tell the team's channel and the new enabler (by DM) that `by` (None: Ripple's operator,
    from `ripple enabler add`) named them. True when Slack took both messages."""
    named_by = f"<@{by}>" if by else "Ripple's operator"
    sees = (
        "The team has consented, so they can now see entries members share with the team. "
        "Any member can revoke that with `/ripple consent`."
        if granted
        else "They see nothing of the journal until the team consents: `/ripple consent`."
    )
    told_team = post(
        client,
        Where(team, user=by),
        f"{named_by} named <@{enabler}> as this team's enabler. {sees} "
        "Every look they take is shown to the team with `/ripple audit`.",
    )
    told_enabler = post(
        client,
        Where.dm(enabler),
        f"{named_by} named you the enabler of {team_label(team)} in Ripple. You will see the "
        "entries its members share with the team, and the themes over time, only while the "
        "team consents; the team sees every look you take. Your teams are in my Home tab.",
    )
    return told_team.ok and told_enabler.ok


def register(app: App, services: Services) -> None:
    """Add the privacy subcommands to `/ripple` (idempotent; `app` is unused on purpose:
    the command itself is registered once, by `commands.register`)."""
    SUBCOMMANDS.update(
        {
            "consent": Subcommand(None, _consent),
            "audit": Subcommand(None, _audit),
            "export": Subcommand(
                "I'm gathering everything Ripple holds about you; it will arrive in a DM.",
                _export,
            ),
            "erase": Subcommand(None, _erase),
            "enabler": Subcommand(None, _enabler),
        }
    )
