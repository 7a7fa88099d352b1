"""How a reflection reply is made: the reflect-back, the one question, the saved entry.

The flow (`reflection.Reflection`) decides what a turn gets; this base class builds it, so
every reply has the same shape: the leader's own words, at most one passage, one question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.coaching.asking import Asked, Asker
from bot.coaching.commitment import much_the_same
from bot.coaching.ports import ReflectionStore, Who, turn_key
from bot.coaching.reflect_back import reflect
from bot.coaching.reflection_state import WILL
from bot.coaching.reply import Action, Reply, ReplyKind
from bot.coaching.turns import Turn, TurnAct
from bot.evidence.passage import Passage

if TYPE_CHECKING:
    from bot.coaching.phrasing import LLMPhraser
    from bot.coaching.themes import ThemeDetector

PRIVACY_NOTE = "Only you can see it, unless you choose to share it with your team."


class ReplyMaking:
    store: ReflectionStore
    asker: Asker
    phraser: LLMPhraser | None
    themes: ThemeDetector

    def _save(
        self, who: Who, state: dict, commitment: str | None, note: str, *, confirm: str = ""
    ) -> Reply:
        body = "\n\n".join(state["turns"]) or (commitment or "")
        repeat = ""
        if commitment is not None:
            earlier = self._recent_commitments(who)
            if earlier and much_the_same(commitment, earlier[0].text):
                repeat = (
                    " It's much the same step as last week; that's all right, and next week "
                    "it may be worth asking what keeps it open."
                )
        once = {"once": f"entry:{key}"} if (key := turn_key.get()) else {}
        entry_id = self.store.save_entry(
            who, body, themes=state["themes"], commitment=commitment, shared=False, **once
        )
        self.store.clear_conversation(who)
        labels = ", ".join(self.themes.label(t) for t in state["themes"]) or "no particular theme"
        if commitment is None:
            text = (
                f"{note}That's fine: no commitment this week, and I've noted it that way. I saved "
                f"your reflection to your journal as entry {entry_id} (themes: {labels}). "
                f"{PRIVACY_NOTE}"
            )
        else:
            text = (
                f"{note}{confirm}{repeat} Saved to your journal as entry {entry_id}: your "
                f"reflection (themes: {labels}) and your commitment for the week. {PRIVACY_NOTE} "
                "I'll ask how it went next week."
            )
        return Reply(
            ReplyKind.REFLECTION,
            " ".join(text.split()),
            saved_entry_id=entry_id,
            done=True,
            actions=[Action("share_entry", "Share with my team", value=str(entry_id))],
            meta={"state": "saved", "themes": list(state["themes"]), "commitment": commitment},
        )

    def _ask(
        self,
        who: Who,
        state: dict,
        bank_stage: str,
        lead: str,
        *,
        stage: str,
        said: str = "",
        themes=(),
        passage: Passage | None = None,
        asked: Asked | None = None,
        clean_first: bool = False,
        skip: set[str] | frozenset[str] = frozenset(),
    ) -> Reply:
        seen = self.store.seen_question_ids(who) | set(skip)  # skip: not right for this turn
        if asked is None:
            asked = self.asker.ask(
                bank_stage, seen, themes=themes, said=said, salt=who.user, clean_first=clean_first
            )
        wording = asked.text
        if asked.id:
            self.store.mark_question_seen(who, asked.id)
            state["asked"].append(asked.id)
            if self.phraser is not None and said and not asked.id.startswith("clean:"):
                wording = self.phraser.phrase_question(wording, said, asked.theme) or wording
        if passage is not None:
            self.store.mark_question_seen(who, passage.extra.get("shown_id", ""))
            lead = f"{lead} Here is what others found:"
        if stage == WILL:
            state["will_asks"] += 1
        if bank_stage == "options":
            state["options"] += 1  # an options question asked: the choices were widened
        state["stage"] = stage
        state["question"], state["question_id"] = wording, asked.id
        self.store.save_conversation(who, state)
        return self._reply(state, lead, passage=passage)

    def _reply(self, state: dict, lead: str, *, passage: Passage | None = None) -> Reply:
        return Reply(
            ReplyKind.REFLECTION,
            " ".join(lead.split()),
            question=state.get("question") or None,
            passages=[passage] if passage else [],
            actions=[Action("reflect_stop", "Not now", value="stop")],
            meta={
                "state": state["stage"],
                "themes": list(state["themes"]),
                "question_id": state.get("question_id", ""),
                "act": state.get("last_act", ""),
            },
        )

    # --- memory -------------------------------------------------------------------------------
    def _record(self, state: dict, turn: Turn) -> None:
        state["turns"].append(turn.text)
        state["last_act"] = turn.act.value
        state["themes"].extend(t for t in turn.themes if t not in state["themes"])

    def _mirror(self, said: str, act: TurnAct, turn_number: int = 0) -> str:
        """The reflect-back: plain by default, phrased by the LLM when one is set and its
        quotation checks out (never for distress, which never reaches here)."""
        plain = reflect(said, act, turn_number)
        if self.phraser is None or not plain:
            return plain
        return self.phraser.phrase_reflection(said, plain) or plain
