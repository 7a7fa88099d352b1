"""The adapter's own words: help text and confirmations of what was saved and who can see it.

These describe Slack-side things (commands, buttons, the Home tab); anything about coaching
comes from `coaching` as a `Reply`.
"""

from __future__ import annotations

HELP = """*Ripple* helps you reflect each week and find what helped elsewhere.

• `/ripple helped <question>`: what helped other places, quoted from the evidence library
• `/ripple reflect`: start a reflection now, in a DM with me
• `/ripple journal`: write a journal entry (private, or shared with your team)
• `/ripple team create`: make this channel a Ripple team (its members become the team)
• `/ripple settings`: team admins choose the weekly prompt's day, time, and on/off
• `/ripple consent`: the team decides whether its enabler may see shared entries
• `/ripple audit`: see every time the enabler looked, and what
• `/ripple export` / `/ripple erase`: get a copy of all your data by DM, or erase it all
• `/ripple enabler add @person`: team admins name the team's enabler
• `/ripple help`: this list

You can also @mention me in a team channel with a question, or just DM me to reflect. \
Your entries are private unless you share them; see them in my *Home* tab."""


def help_text(*, mentioned: bool = False, unknown: str | None = None) -> str:
    if unknown:
        return f"I don't know `{unknown[:40]}` yet. Here's what I can do:\n\n{HELP}"
    if mentioned:
        return (
            "Ask me what helped elsewhere, e.g. "
            "`@Ripple what helped when partners disagreed about pooling budgets?`\n\n" + HELP
        )
    return HELP


def who_can_see(shared: bool, team_name: str | None = None, *, anonymous: bool = False) -> str:
    if shared:
        where = f"the members of {team_name}" if team_name else "your team's members"
        shown = ', who sees you as "a team member"' if anonymous else ""
        return (
            f"It is shared with {where}, and with the team's enabler only if the team "
            f"consents{shown}."
        )
    return "Only you can see it. You can share it with your team from my Home tab."


def saved_message(
    entry_id: int, *, shared: bool, team_name: str | None = None, anonymous: bool = False
) -> str:
    return f":white_check_mark: Saved to your journal as {entry_ref(entry_id)}. " + who_can_see(
        shared, team_name, anonymous=anonymous
    )


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 member", "3 members": the count and the word that agrees with it."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def entry_ref(number: int | str, *, capital: bool = False) -> str:
    """The one way an entry number is written: "entry 7" (the author's own number, as in
    the Home tab, the audit trail and the reflection's own "saved as entry 7")."""
    return f"{'Entry' if capital else 'entry'} {number}"


def entry_refs(numbers) -> str:
    """ "entry 3", "entries 3, 4 and 9" """
    numbers = [str(n) for n in numbers]
    if not numbers:
        return "no entries"
    if len(numbers) == 1:
        return entry_ref(numbers[0])
    return "entries " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


FORMER_MEMBER = "a former member"


def person(user: str | None) -> str:
    """A Slack mention for a real user id; "a former member" for someone erased (the
    journal keeps the word "erased user" where their id was) or anything else."""
    if user and user[:1] in "UW" and user.isalnum() and user.isupper():
        return f"<@{user}>"
    return FORMER_MEMBER


def team_label(team_slug: str) -> str:
    """How a team is named in messages: a channel link for channels, else its name."""
    if team_slug.startswith(("C", "G")) and team_slug.isalnum():
        return f"<#{team_slug}>"
    if team_slug.startswith("personal-"):
        return "your personal journal"
    return team_slug
