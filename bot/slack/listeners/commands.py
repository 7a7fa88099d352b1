"""The `/ripple` slash command: one command, subcommands dispatched from a table.

The ack answers within Slack's 3 seconds with a short ephemeral note (or nothing, when a
modal is about to open); the subcommand's work runs in a lazy listener. Unknown subcommands
get the help text. Other rooms add subcommands with `SUBCOMMANDS[name] = Subcommand(...)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.services import Services
from bot.slack import modals, teams
from bot.slack.listeners.common import clip, kindly, new_entry_view, slack_unescape
from bot.slack.post import Where, post
from bot.slack.replies import help_text, plural
from bot.slack.who import find_team, who_for_question, who_in_channel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invocation:
    """One `/ripple …` call, translated out of Slack's form body."""

    services: Services
    client: WebClient
    context: BoltContext
    user: str
    channel: str
    workspace: str
    args: str  # the text after the subcommand
    trigger_id: str

    @property
    def in_dm(self) -> bool:
        return self.channel.startswith("D")

    def reply_privately(self, content) -> None:
        post(self.client, Where(self.channel, user=self.user, ephemeral=True), content)


@dataclass(frozen=True)
class Subcommand:
    ack_text: str | None  # shown at once; None: an empty ack (a modal opens instead)
    run: Callable[[Invocation], None]


def _helped(inv: Invocation) -> None:
    question = clip(slack_unescape(inv.args).strip())
    if not question:
        inv.reply_privately(
            "Add your question after the command, e.g. "
            "`/ripple helped partners disagreed about pooling budgets`."
        )
        return
    who = who_for_question(inv.services, inv.user, inv.channel, inv.workspace)
    reply = inv.services.coach.helped(who, question)
    where = Where(inv.channel, user=inv.user, ephemeral=True)
    context = {"q": question[:1500], "t": who.team}
    if not post(inv.client, where, reply, context=context).ok:
        # Not in that channel: post() has told them how to invite me; the answer goes by DM.
        post(inv.client, Where.dm(inv.user), reply, context=context)


def _reflect(inv: Invocation) -> None:
    who = who_in_channel(inv.services, inv.user, inv.channel, inv.workspace)
    reply = inv.services.coach.start_reflection(who)
    post(inv.client, Where.dm(inv.user), reply, context={"t": who.team})


def _journal(inv: Invocation) -> None:
    who = who_in_channel(inv.services, inv.user, inv.channel, inv.workspace)
    inv.client.views_open(trigger_id=inv.trigger_id, view=new_entry_view(inv.services, who))


def _settings(inv: Invocation) -> None:
    journal = inv.services.journal
    team = find_team(inv.services, inv.channel)
    if team is None:
        inv.reply_privately(
            "Run `/ripple settings` in your team's channel. If this channel "
            "isn't a team yet, an admin can run `/ripple team create` first."
        )
        return
    if not journal.is_team_admin(inv.user, inv.channel):
        inv.reply_privately(
            "Only this team's admins can change its settings. "
            "Ask whoever ran `/ripple team create`."
        )
        return
    view = modals.team_settings(team=inv.channel, schedule=team.schedule, team_name=team.name)
    inv.client.views_open(trigger_id=inv.trigger_id, view=view)


def _team(inv: Invocation) -> None:
    action = inv.args.strip().split(" ", 1)[0].lower()
    if action != "create":
        inv.reply_privately("Try `/ripple team create` in the channel your team uses.")
        return
    if inv.in_dm:
        inv.reply_privately("Run `/ripple team create` in your team's channel, not in a DM.")
        return
    created = teams.create_team(
        inv.client,
        inv.services,
        inv.channel,
        admin=inv.user,
        workspace=inv.workspace,
        bot_user=inv.context.bot_user_id,
    )
    schedule = inv.services.journal.get_schedule(inv.channel)
    if created.created:
        text = (
            f"<#{inv.channel}> is now a Ripple team with {plural(len(created.members), 'member')}. "
            f"I'll invite each of you to a short reflection by DM every "
            f"{schedule.weekday_name} at {schedule.time}, in your own timezone. "
            "Entries stay private unless you share them. "
            "Admins can change the day and time with `/ripple settings`."
        )
        post(inv.client, Where(inv.channel, user=inv.user), text)  # user: told if refused
    else:
        inv.reply_privately(
            f"<#{inv.channel}> is already a Ripple team; I've refreshed its members "
            f"({plural(len(created.members), 'member')})."
        )


SUBCOMMANDS: dict[str, Subcommand] = {
    "helped": Subcommand("Looking through the evidence for what helped elsewhere…", _helped),
    "reflect": Subcommand("I've sent you a DM to start your reflection.", _reflect),
    "journal": Subcommand(None, _journal),
    "settings": Subcommand(None, _settings),
    "team": Subcommand(None, _team),
}


def split_command(text: str) -> tuple[str, str]:
    name, _, rest = (text or "").strip().partition(" ")
    return name.lower(), rest


def register(app: App, services: Services) -> None:
    def ack_command(ack: Ack, command: dict) -> None:
        name, _ = split_command(command.get("text", ""))
        if name in ("", "help"):
            ack(text=help_text())
        elif name not in SUBCOMMANDS:
            ack(text=help_text(unknown=name))
        else:
            text = SUBCOMMANDS[name].ack_text
            ack(text=text) if text else ack()

    def run_command(command: dict, client: WebClient, context: BoltContext) -> None:
        name, rest = split_command(command.get("text", ""))
        sub = SUBCOMMANDS.get(name)
        if sub is None:
            return  # help and unknown subcommands were fully answered by the ack
        inv = Invocation(
            services=services,
            client=client,
            context=context,
            user=command["user_id"],
            channel=command["channel_id"],
            workspace=command.get("team_id") or "local",
            args=rest,
            trigger_id=command.get("trigger_id", ""),
        )
        where = Where(inv.channel, user=inv.user, ephemeral=True)
        with kindly(client, where, f"/ripple {name}"):
            sub.run(inv)

    app.command("/ripple")(ack=ack_command, lazy=[run_command])
