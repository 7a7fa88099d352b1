"""Block Kit for the privacy surfaces: the consent card, the audit trail, the enabler's Home
sections (consent state, shared entries, themes over the weeks as a text bar chart, notes) and
the erase confirmation.

Nothing here decides who may see what: `bot.journal` does. These functions only lay out what
the journal already allowed, in plain words.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.journal.views import (
    AuditEvent,
    ConsentDecision,
    ConsentState,
)
from bot.slack.blocks import button, mrkdwn_escape, split_text
from bot.slack.replies import entry_refs, person, plural

# action ids (listeners/privacy_actions.py registers each one)
CONSENT_GRANT = "consent_grant"
CONSENT_AGREE = "consent_agree"
CONSENT_REVOKE = "consent_revoke"
ERASE_CONFIRM = "privacy_erase_confirm"
ERASE_CANCEL = "privacy_erase_cancel"
ENABLER_OPEN = "enabler_open_team"
ENABLER_NOTE = "enabler_note_open"
NOTE_CALLBACK = "enabler_note"
NOTE_TEXT = ("enabler_note_text", "text")

THEME_NAMES = {
    "shared_purpose": "shared purpose",
    "authorising_environment": "authorising environment",
    "conflict": "conflict",
}
RULE_NAMES = {"admin": "rule: any team admin", "majority": "rule: a majority of members"}
CHART_WEEKS = 8  # the newest weeks shown in the chart
BAR_WIDTH = 12  # characters for the longest bar
ENTRIES_ON_HOME = 5
NOTES_ON_HOME = 3


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:2000])])


def sections(text: str) -> list[Block]:
    return [section(piece) for piece in split_text(text)]


def slack_date(moment: datetime | None) -> str:
    """A date Slack shows in each reader's own timezone, with a UTC fallback."""
    if moment is None:
        return "never"
    fallback = moment.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def team_value(team: str) -> str:
    return json.dumps({"t": team})


def people(users: Sequence[str]) -> str:
    return ", ".join(person(u) for u in users)


def confirm(title: str, text: str, yes: str, no: str = "Cancel", *, danger: bool = False):
    """A Block Kit confirm dialog: Slack itself asks "are you sure?" before the click counts."""
    return ConfirmObject(
        title=title, text=text, confirm=yes, deny=no, style="danger" if danger else "primary"
    )


GRANT_CONFIRM = (
    "The enabler will see the entries members share with the team, and the themes in them, "
    "until any member revokes. Every look is shown to the team."
)
AGREE_CONFIRM = (
    "Your agreement counts towards the majority. When enough members agree, the enabler sees "
    "the entries members share with the team."
)
REVOKE_CONFIRM = (
    "The enabler will see nothing of this team's journal from now on. The team can consent "
    "again later."
)


# --- the consent card ----------------------------------------------------------------------
def consent_card(
    state: ConsentState,
    team_label: str,
    enablers: Sequence[str],
    admins: Sequence[str] = (),
) -> list[Block]:
    """The card `/ripple consent` posts, and every change re-renders in place (`chat.update`).
    Grant, I agree and Revoke each ask for confirmation first (Block Kit `confirm`)."""
    who = people(enablers) if enablers else "the team's enabler"
    intro = (
        f"*Should {who} see {team_label}'s shared journal?*\n"
        "An enabler is the external coach who supports this team. They see nothing of the "
        "journal unless the team agrees here."
    )
    if not enablers:
        intro += (
            "\n_No enabler has been named yet. An admin can name one with "
            "`/ripple enabler add @person`._"
        )
    will = (
        "*If the team agrees, the enabler will see:*\n"
        "• entries a member has chosen to share with the team, with the author's name "
        'unless the author chose to appear as "a team member"\n'
        "• how often each theme (shared purpose, the authorising environment, conflict) "
        "comes up in those shared entries, week by week"
    )
    never = (
        "*The enabler will never see:*\n"
        "• private entries: they stay with the person who wrote them\n"
        "• your reflection conversations with me, or anything you have not shared\n"
        "• anything at all once any member revokes consent: that takes effect at once\n"
        "Every look the enabler takes is recorded, and the team can see it with "
        "`/ripple audit`. Nothing is reported to anyone outside the team."
    )
    blocks: list[Block] = [section(intro), section(will), section(never), DividerBlock()]
    blocks.append(section(_rule_and_status(state, admins)))
    value = team_value(state.team)
    if state.granted:
        ask = confirm("Revoke consent?", REVOKE_CONFIRM, "Revoke", "Keep consent", danger=True)
        revoke = button(CONSENT_REVOKE, "Revoke consent", value, style="danger", confirm=ask)
        blocks.append(ActionsBlock(elements=[revoke]))
    elif state.rule == "admin":
        ask = confirm("Grant consent?", GRANT_CONFIRM, "Grant", "Not now")
        grant = button(CONSENT_GRANT, "Grant consent", value, style="primary", confirm=ask)
        blocks.append(ActionsBlock(elements=[grant]))
    else:
        ask = confirm("Agree?", AGREE_CONFIRM, "I agree", "Not now")
        agree = button(CONSENT_AGREE, "I agree", value, style="primary", confirm=ask)
        blocks.append(ActionsBlock(elements=[agree]))
    return blocks


def outdated_card(team_label: str) -> list[Block]:
    """What an older consent card becomes when a newer one is posted: no live buttons."""
    return [
        context(
            f":information_source: This consent card for {team_label} is out of date. "
            "The current card is further down the channel; `/ripple consent` shows it again."
        )
    ]


def deciders(state: ConsentState, admins: Sequence[str]) -> str:
    """Who can decide, by name: for a refusal and for the card."""
    if state.rule == "admin":
        named = people(admins) if admins else "a team admin"
        return f"any team admin ({named})" if admins else "a team admin"
    return f"a majority of the team's members ({state.needed} of {state.member_count})"


def _rule_and_status(state: ConsentState, admins: Sequence[str] = ()) -> str:
    if state.rule == "admin":
        named = f" (admins: {people(admins)})" if admins else ""
        rule = f"*How this team decides:* any team admin can grant consent{named}."
    else:
        members = plural(state.member_count, "member")
        rule = (
            f"*How this team decides:* a majority: {state.needed} of the "
            f"{members} must click *I agree*."
        )
    if state.granted:
        status = (
            f"*Status:* consent given by {person(state.changed_by)} "
            f"{slack_date(state.changed_at)}. Any member can revoke it with one click."
        )
    elif state.changed_by:
        status = (
            f"*Status:* not given. Last revoked by {person(state.changed_by)} "
            f"{slack_date(state.changed_at)}."
        )
    else:
        status = "*Status:* not given. The enabler sees nothing."
    lines = [rule, status]
    if state.rule == "majority" and not state.granted:
        agreed = people(state.agreed) if state.agreed else "nobody yet"
        lines.append(f"*Agreed so far* ({len(state.agreed)} of {state.needed} needed): {agreed}")
    return "\n".join(lines)


def consent_fallback(state: ConsentState, team_label: str) -> str:
    now = "given" if state.granted else "not given"
    return f"Enabler consent for {team_label}: {now}."


# --- the audit trail -----------------------------------------------------------------------
def audit_blocks(
    team_label: str, events: Sequence[AuditEvent], history: Sequence[ConsentDecision]
) -> list[Block]:
    """`/ripple audit`: every look the enabler took (and every refusal), newest first."""
    blocks: list[Block] = [section(f"*What the enabler has seen in {team_label}*")]
    if not events:
        blocks.append(context("No enabler has looked at this team's journal."))
    lines = [_audit_line(e) for e in events]
    blocks += sections("\n".join(lines)) if lines else []
    if history:
        decisions = [
            f"• {slack_date(datetime.fromisoformat(d.at))}: consent {d.action} by "
            f"{_person(d.by)} ({RULE_NAMES.get(d.rule, d.rule)})"
            for d in reversed(history)
        ]
        blocks.append(section("*Consent decisions*"))
        blocks += sections("\n".join(decisions))
    blocks.append(context("Entry numbers are your own, as in your Home tab."))
    return blocks[:50]


def _audit_line(event: AuditEvent) -> str:
    when = slack_date(event.at)
    if event.outcome == "allowed":
        # Only the viewer's own entry numbers: numbers are per person, so others' mean nothing.
        yours = entry_refs(event.entry_ids) if event.entry_ids else ""
        mine = f" (yours among them: {yours})" if yours else ""
        return f"• {when}: {person(event.actor)} read {event.detail}{mine}"
    return (
        f"• {when}: {person(event.actor)} asked and was refused ({event.detail}); nothing was shown"
    )


def _person(user: str) -> str:
    return person(user)


# --- erase --------------------------------------------------------------------------------
def erase_confirmation(teams: Sequence[str] = ()) -> list[Block]:
    """The ephemeral "are you sure?" before `/ripple erase`. It says beforehand that erasing
    takes the person off every team's weekly schedule (their memberships go too)."""
    where = f" ({', '.join(teams)})" if teams else ""
    text = (
        "*Erase everything Ripple holds about you?*\n"
        "This deletes every journal entry and commitment you wrote, in every team, any "
        "reflection in progress, your settings and your consent votes. It cannot be undone.\n"
        f"You also leave every Ripple team's weekly schedule{where}: no more weekly prompts. "
        "You stay in the Slack channels; run `/ripple team create` in a channel to rejoin "
        "its team later.\n"
        "If you want a copy first, run `/ripple export`."
    )
    ask = confirm(
        "Erase everything?",
        "Every entry, commitment and setting goes, and you leave every team's weekly "
        "schedule. This cannot be undone.",
        "Erase everything",
        "Keep my data",
        danger=True,
    )
    return [
        section(text),
        ActionsBlock(
            elements=[
                button(ERASE_CONFIRM, "Erase everything", "{}", style="danger", confirm=ask),
                button(ERASE_CANCEL, "Cancel", "{}"),
            ]
        ),
    ]


def erased_home(summary_text: str) -> list[Block]:
    """The Home tab right after `/ripple erase`: what happened, and how to start again."""
    return [
        HeaderBlock(text="Your Ripple"),
        section(
            ":wastebasket: *Your data was erased.*\n"
            + mrkdwn_escape(summary_text)
            + "\nYou are no longer on any team's weekly schedule, so no prompts will come."
        ),
        context(
            "To start again, DM me to reflect, or ask an admin to run `/ripple team create` "
            "in your team's channel. Nothing you wrote before can be recovered."
        ),
    ]
