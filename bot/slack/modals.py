"""Modal views: writing or editing a journal entry, and a team's weekly schedule settings.

Block and action ids are constants so `listeners/views.py` reads the submitted state by name.
"""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

JOURNAL_CALLBACK = "journal_entry"
SETTINGS_CALLBACK = "team_settings"
ENTRY_TEXT = ("entry_text", "text")
ENTRY_VISIBILITY = ("entry_visibility", "visibility")
ENTRY_TEAM = ("entry_team", "team")
ENTRY_ANONYMOUS = ("entry_anonymous", "anonymous")
WEEKDAY = ("schedule_weekday", "weekday")
TIME = ("schedule_time", "time")
ENABLED = ("schedule_enabled", "enabled")
MAX_ENTRY_CHARS = 3000  # Slack's plain_text_input maximum

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def journal_entry(
    *,
    team: str,
    team_name: str,
    entry_id: int | None = None,
    initial_text: str = "",
    shared: bool = False,
    anonymous: bool = False,
    can_share: bool = True,
    teams: list[tuple[str, str]] | None = None,
) -> dict:
    """Write (or, with `entry_id`, edit) an entry; private by default. With several `teams`
    ((slug, name) pairs), a new entry offers a choice of which team it belongs to. A shareable
    entry offers to show its author to the enabler as "a team member" (`anonymous`)."""
    private = Option(value="private", label="Private: only me")
    team_option = Option(value="shared", label="Shared with my team")
    options = [private, team_option] if can_share else [private]
    blocks = [
        InputBlock(
            block_id=ENTRY_TEXT[0],
            label="Your entry",
            element=PlainTextInputElement(
                action_id=ENTRY_TEXT[1],
                multiline=True,
                max_length=MAX_ENTRY_CHARS,
                initial_value=initial_text[:MAX_ENTRY_CHARS] or None,
                placeholder="What happened, what you noticed, what you'll try next…",
            ),
        ),
        *_team_choice(team, teams if entry_id is None else None),
        InputBlock(
            block_id=ENTRY_VISIBILITY[0],
            label="Who can see it",
            element=RadioButtonsElement(
                action_id=ENTRY_VISIBILITY[1],
                options=options,
                initial_option=team_option if shared and can_share else private,
            ),
        ),
        *(_anonymity_choice(anonymous) if can_share else []),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Team: {team_name}. A shared entry is seen by the team's members, "
                    "and by its enabler only while the team consents."
                )
            ]
        ),
    ]
    view = View(
        type="modal",
        callback_id=JOURNAL_CALLBACK,
        title="Edit entry" if entry_id else "Journal entry",
        submit="Save",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps({"team": team, "entry": entry_id}),
    )
    return view.to_dict()


def _team_choice(team: str, teams: list[tuple[str, str]] | None) -> list[InputBlock]:
    if not teams or len(teams) < 2:
        return []
    options = [Option(value=slug, label=name[:75]) for slug, name in teams[:100]]
    initial = next((o for o in options if o.value == team), options[0])
    return [
        InputBlock(
            block_id=ENTRY_TEAM[0],
            label="Team",
            element=StaticSelectElement(
                action_id=ENTRY_TEAM[1], options=options, initial_option=initial
            ),
        )
    ]


def _anonymity_choice(anonymous: bool) -> list[InputBlock]:
    """The author's choice, kept with the entry, of how the enabler sees them once shared."""
    hidden = Option(
        value="anonymous",
        label='Show me to the enabler as "a team member"',
        description="Your teammates still see your name.",
    )
    return [_one_checkbox(ENTRY_ANONYMOUS, "If shared", hidden, checked=anonymous)]


def _one_checkbox(ids: tuple[str, str], label: str, option: Option, *, checked: bool):
    """An optional input holding a single checkbox (block id, action id)."""
    return InputBlock(
        block_id=ids[0],
        label=label,
        optional=True,
        element=CheckboxesElement(
            action_id=ids[1], options=[option], initial_options=[option] if checked else None
        ),
    )


def team_settings(*, team: str, team_name: str, schedule) -> dict:
    """Weekday, time (in each member's own timezone) and on/off for the weekly prompt."""
    days = [Option(value=str(i), label=name) for i, name in enumerate(_WEEKDAYS)]
    on = Option(value="on", label="Send the weekly reflection prompt")
    blocks = [
        InputBlock(
            block_id=WEEKDAY[0],
            label="Day",
            element=StaticSelectElement(
                action_id=WEEKDAY[1], options=days, initial_option=days[schedule.weekday]
            ),
        ),
        InputBlock(
            block_id=TIME[0],
            label="Time (each member's own timezone)",
            element=TimePickerElement(action_id=TIME[1], initial_time=schedule.time),
        ),
        _one_checkbox(ENABLED, "Weekly prompt", on, checked=schedule.enabled),
    ]
    view = View(
        type="modal",
        callback_id=SETTINGS_CALLBACK,
        title="Team settings",
        submit="Save",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps({"team": team, "name": team_name}),
    )
    return view.to_dict()


def state_value(view: dict, ids: tuple[str, str]) -> dict:
    """The submitted element state for (block_id, action_id), or {}."""
    return view.get("state", {}).get("values", {}).get(ids[0], {}).get(ids[1], {}) or {}


def metadata(view: dict) -> dict:
    try:
        return json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
