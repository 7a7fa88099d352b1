"""The App Home's entry cards: the overflow menu (Edit / Share / Make private / Delete…) and
"Show more". Delete asks first, in a small modal, because an overflow option cannot carry a
confirm dialog of its own (a confirm on the menu would ask before Edit too).

Every journal call is made as the person who clicked; the entry number in a value is only a
claim that the journal checks.
"""

from __future__ import annotations

import json

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.journal.errors import JournalError
from bot.services import Services
from bot.slack import home, modals
from bot.slack.blocks import decode_value
from bot.slack.home_cards import ENTRY_MENU, ENTRY_MORE, preview
from bot.slack.listeners.common import kind_message, user_of, workspace_of
from bot.slack.post import Where, post
from bot.slack.replies import entry_ref, team_label
from bot.slack.who import is_personal

DELETE_CALLBACK = "entry_delete_confirm"


def delete_modal(entry, page: int) -> dict:
    """ "Delete entry 3?" with the first words of the entry, so the person knows which."""
    text, _ = preview(entry.text, 300)
    return View(
        type="modal",
        callback_id=DELETE_CALLBACK,
        title="Delete entry?",
        submit="Delete",
        close="Keep it",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(text=f"*Delete {entry_ref(entry.id)}?*\n> {text}")
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="It will be gone for good, for you and for your team. "
                        "This cannot be undone."
                    )
                ]
            ),
        ],
        private_metadata=json.dumps({"e": entry.id, "p": page}),
    ).to_dict()


def open_editor(click, entry) -> None:
    """The journal modal, filled with the person's own entry (from the menu or an old button)."""
    if entry.author != click.user:
        post(click.client, click.here, "You can only edit your own entries.")
        return
    view = modals.journal_entry(
        team=entry.team,
        team_name=team_label(entry.team),
        entry_id=entry.id,
        initial_text=entry.text,
        shared=entry.shared,
        anonymous=entry.anonymous,
        can_share=not is_personal(entry.team),
    )
    click.client.views_open(trigger_id=click.body["trigger_id"], view=view)


def register(app: App, on, services: Services) -> None:
    """Add the listeners, using `actions.click_listener`'s `on`."""

    def republish(click, page: int, expanded: int | None = None) -> None:
        home.publish(click.client, services, click.user, click.workspace, page, expanded)

    @on(ENTRY_MENU, "entry_menu")
    def entry_menu(click) -> None:
        chosen = decode_value((click.action.get("selected_option") or {}).get("value"))
        click.value = chosen  # so click.entry_id() reads the menu's entry
        page = int(chosen.get("p") or 0)
        what = chosen.get("do")
        journal = services.journal
        if what == "share":
            journal.share_entry(click.user, click.entry_id())
        elif what == "unshare":
            journal.unshare_entry(click.user, click.entry_id())
        elif what == "edit":
            open_editor(click, journal.get_entry(click.user, click.entry_id()))
            return
        elif what == "delete":
            entry = journal.get_entry(click.user, click.entry_id())
            if entry.author != click.user:
                post(click.client, click.here, "You can only delete your own entries.")
                return
            modal = delete_modal(entry, page)
            click.client.views_open(trigger_id=click.body["trigger_id"], view=modal)
            return
        republish(click, page)

    @on(ENTRY_MORE, "entry_more")
    def entry_more(click) -> None:
        page = int(click.value.get("p") or 0)
        expanded = click.entry_id() if click.value.get("x") else None
        republish(click, page, expanded)

    @app.view(DELETE_CALLBACK)
    def confirm_delete(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        user, meta = user_of(body), modals.metadata(view)
        try:
            services.journal.delete_entry(user, int(meta.get("e") or 0))
        except (JournalError, ValueError) as error:
            ack()
            message = kind_message(error) if isinstance(error, JournalError) else str(error)
            post(client, Where.dm(user), message)
            return
        ack()
        home.publish(client, services, user, workspace_of(body), int(meta.get("p") or 0))
