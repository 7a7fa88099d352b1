"""The weekly reflection: a small, explicit state machine.

    (start) ─► checkin? ─► opener ─► exploring ─(2-3 exchanges)─► commitment ─► saved
                                          └─(a commitment offered unasked)─► saved
                    any stage ── "skip" / "stop" / "not now" ──► ended

The state lives in the `ReflectionStore` (the journal database), never in memory, so a
restart mid-conversation loses nothing. Each question asked is marked seen for that person,
and the bank never offers it to them again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.coaching.ports import Clock, EvidenceSearch, ReflectionStore, Who
from bot.coaching.questions import QuestionBank
from bot.coaching.quotes import looks_like_prose, trim_passage
from bot.coaching.reply import Action, Reply, ReplyKind
from bot.coaching.text import (
    clean_input,
    has_words,
    is_greeting,
    looks_like_injection,
    volunteered_commitment,
    wants_to_stop,
)
from bot.evidence.passage import EvidenceUnavailable, Passage

if TYPE_CHECKING:
    from bot.coaching.phrasing import LLMPhraser
    from bot.coaching.themes import ThemeDetector

STATE_VERSION = 1
OPENER, CHECKIN, EXPLORING, COMMITMENT = "opener", "checkin", "exploring", "commitment"
MIN_EXCHANGES, MAX_EXCHANGES = 2, 3  # reflective turns before asking for a commitment
WORDS_FOR_EARLY_COMMITMENT = 40  # after two turns, enough said to ask for a commitment
CHECKIN_AFTER = timedelta(days=5)  # "last week" is anything from five days back ...
CHECKIN_WITHIN = timedelta(days=45)  # ... until it is too old to be worth recalling
STALE_AFTER = timedelta(days=3)  # a new weekly prompt replaces a conversation this old
EVIDENCE_CHARS = 320  # one short passage per turn at most
EVIDENCE_CANDIDATES = 6  # retrieved, then re-ranked by theme fit

PRIVACY_NOTE = "Only you can see it, unless you choose to share it with your team."
REDIRECT = (
    "I'm here to help you think about your work with partners across organisations, so I'll "
    "leave that one aside."
)
REDIRECT_QUESTION = "What is a situation with your partners this week that has been on your mind?"
CALM_REFUSAL = (
    "I can only help with your own reflection. I never show anyone's journal entries to "
    "anyone else, and my rules stay as they are. Yours stay private too, unless you share them."
)
NO_WORDS = "I couldn't find any words in that. Take your time."
ENDED = "No problem, we'll leave it there. Nothing from this conversation was saved."
FALLBACK_QUESTIONS = {
    # Used only when a person has seen every question in a stage (after many months).
    OPENER: "What would be useful to reflect on today?",
    EXPLORING: "What else feels important about this?",
    COMMITMENT: "What is one thing you'll do about this in the coming week?",
    CHECKIN: "How did that go?",
}


class Reflection:
    def __init__(
        self,
        store: ReflectionStore,
        evidence: EvidenceSearch | None,
        bank: QuestionBank,
        themes: ThemeDetector,
        clock: Clock,
        phraser: LLMPhraser | None = None,
    ) -> None:
        self.store, self.evidence, self.bank = store, evidence, bank
        self.themes, self.clock, self.phraser = themes, clock, phraser

    # --- entry points ---------------------------------------------------------------------
    def active(self, who: Who) -> bool:
        return self.store.load_conversation(who) is not None

    def start(self, who: Who, *, lead: str = "Let's take a few minutes to reflect.") -> Reply:
        state = self.store.load_conversation(who)
        if state is not None and not self._stale(state):
            return self._reply(
                who, state, "We were part-way through a reflection; let's pick it up."
            )
        state = self._new_state()
        checkin = self._due_checkin(who)
        if checkin is not None:
            state["stage"] = CHECKIN
            state["checkin"] = checkin
            return self._ask(who, state, CHECKIN, f"{lead} {self._recall(checkin)}")
        return self._ask(who, state, OPENER, lead)

    def handle(self, who: Who, raw: str) -> Reply:
        cleaned = clean_input(raw)
        text = cleaned.text
        state = self.store.load_conversation(who)
        if state is None:
            return self._handle_without_conversation(who, text, cleaned.truncated)
        if wants_to_stop(text):
            self.store.clear_conversation(who)
            return Reply(ReplyKind.REFLECTION, ENDED, done=True, meta={"state": "ended"})
        if not text or not has_words(text):
            return self._reply(who, state, NO_WORDS if text else "Whenever you're ready.")
        if looks_like_injection(text):
            return self._reply(who, state, CALM_REFUSAL)
        note = "That was long, so I kept the first part. " if cleaned.truncated else ""
        stage = state["stage"]
        if stage == CHECKIN:
            return self._after_checkin(who, state, text, note)
        if stage == COMMITMENT:
            return self._save(who, state, text, note)
        return self._explore(who, state, text, note)

    # --- stages -----------------------------------------------------------------------------
    def _handle_without_conversation(self, who: Who, text: str, truncated: bool) -> Reply:
        if not text or is_greeting(text):
            return self.start(who)
        if wants_to_stop(text):
            return Reply(
                ReplyKind.INFO,
                "There's no reflection in progress. Type `reflect` whenever you'd like one.",
                done=True,
            )
        if looks_like_injection(text):
            return Reply(ReplyKind.INFO, CALM_REFUSAL, actions=[Action("reflect_start", "Reflect")])
        if not has_words(text):
            return Reply(ReplyKind.INFO, NO_WORDS)
        state = self._new_state()
        checkin = self._due_checkin(who)
        note = "That was long, so I kept the first part. " if truncated else ""
        if checkin is None:
            return self._explore(who, state, text, note)
        # They started talking; keep their words, then ask about last week first.
        self._record_turn(state, text, self.themes.detect(text))
        state["checkin"] = checkin
        return self._ask(
            who, state, CHECKIN, f"{note}Thank you. Before we go on: {self._recall(checkin)}"
        )

    def _after_checkin(self, who: Who, state: dict, text: str, note: str) -> Reply:
        state["turns"].append(text)
        state["checkin_reply"] = text
        if state["exchanges"] == 0:
            return self._ask(who, state, OPENER, f"{note}Thank you for looking back on that.")
        return self._next_question(who, state, f"{note}Thank you for looking back on that.")

    def _explore(self, who: Who, state: dict, text: str, note: str) -> Reply:
        found = self.themes.detect(text)
        if not found and not state["themes"] and state["redirects"] < 1:
            state["redirects"] += 1
            state["stage"] = state["stage"] or OPENER
            state["question"], state["question_id"] = REDIRECT_QUESTION, ""
            self.store.save_conversation(who, state)
            return Reply(
                ReplyKind.REFLECTION,
                note + REDIRECT,
                question=REDIRECT_QUESTION,
                meta={"state": state["stage"], "themes": [], "redirect": True},
            )
        fresh = [t for t in found if t not in state["themes"]]
        self._record_turn(state, text, found)
        # Once the situation is told, a commitment they offer unasked is the one to keep:
        # asking for it again would sound as if Ripple had not listened.
        offered = volunteered_commitment(text) if state["exchanges"] > 1 else None
        if offered is not None:
            return self._save(who, state, offered, note)
        return self._next_question(who, state, note + self._acknowledge(fresh))

    def _next_question(self, who: Who, state: dict, lead: str) -> Reply:
        words = sum(len(t.split()) for t in state["turns"])
        enough = state["exchanges"] >= MAX_EXCHANGES or (
            state["exchanges"] >= MIN_EXCHANGES and words >= WORDS_FOR_EARLY_COMMITMENT
        )
        if enough:
            return self._ask(who, state, COMMITMENT, lead)
        passage = self._evidence(state, state["turns"][-1])
        return self._ask(who, state, EXPLORING, lead, passage=passage)

    def _save(self, who: Who, state: dict, commitment: str, note: str) -> Reply:
        body = "\n\n".join(state["turns"]) or commitment
        entry_id = self.store.save_entry(
            who, body, themes=state["themes"], commitment=commitment, shared=False
        )
        self.store.clear_conversation(who)
        labels = ", ".join(self.themes.label(t) for t in state["themes"]) or "no particular theme"
        text = (
            f"{note}Saved to your journal as entry {entry_id}: your reflection (themes: {labels}) "
            f"and your commitment for the week: “{commitment}”{_stop(commitment)} {PRIVACY_NOTE} "
            "I'll ask how it went next week."
        )
        return Reply(
            ReplyKind.REFLECTION,
            text,
            saved_entry_id=entry_id,
            done=True,
            actions=[Action("share_entry", "Share with my team", value=str(entry_id))],
            meta={"state": "saved", "themes": list(state["themes"]), "commitment": commitment},
        )

    # --- helpers ----------------------------------------------------------------------------
    def _ask(
        self, who: Who, state: dict, stage: str, lead: str, *, passage: Passage | None = None
    ) -> Reply:
        seen = self.store.seen_question_ids(who)
        bank_stage = {EXPLORING: "explore"}.get(stage, stage)
        question = None
        if stage == EXPLORING:
            asked_themes = {self._theme_of(q) for q in state["asked"]}
            fresh = [t for t in state["themes"] if t not in asked_themes]
            if fresh:
                question = self.bank.next_unseen("explore", seen, fresh, salt=who.user)
            question = question or self.bank.next_unseen("follow_up", seen, salt=who.user)
            question = question or self.bank.next_unseen(
                "explore", seen, state["themes"], salt=who.user
            )
        else:
            question = self.bank.next_unseen(bank_stage, seen, salt=who.user)
        wording = question.text if question else FALLBACK_QUESTIONS[stage]
        if question is not None:
            self.store.mark_question_seen(who, question.id)
            state["asked"].append(question.id)
            if self.phraser is not None and stage == EXPLORING and state["turns"]:
                wording = (
                    self.phraser.phrase_question(wording, state["turns"][-1], question.theme)
                    or wording
                )
        state["stage"] = stage
        state["question"], state["question_id"] = wording, question.id if question else ""
        if passage is not None:
            state["shown"].append(f"{passage.doc}:{passage.start}")
        self.store.save_conversation(who, state)
        if stage == COMMITMENT:
            lead = f"{lead} Before we finish, one concrete commitment for the week.".strip()
        if passage is not None:
            lead = f"{lead} Here is what others found:"
        return self._reply(who, state, lead, passage=passage)

    def _reply(self, who: Who, state: dict, lead: str, *, passage: Passage | None = None) -> Reply:
        return Reply(
            ReplyKind.REFLECTION,
            lead.strip(),
            question=state.get("question") or None,
            passages=[passage] if passage else [],
            actions=[Action("reflect_stop", "Not now", value="stop")],
            meta={
                "state": state["stage"],
                "themes": list(state["themes"]),
                "question_id": state.get("question_id", ""),
            },
        )

    def _record_turn(self, state: dict, text: str, found: list[str]) -> None:
        state["turns"].append(text)
        state["exchanges"] += 1
        state["themes"].extend(t for t in found if t not in state["themes"])

    def _acknowledge(self, found: list[str]) -> str:
        if not found:
            return "Thank you."
        labels = [self.themes.label(t) for t in found]
        joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        return f"Thank you. I hear {joined} in that."

    def _evidence(self, state: dict, text: str) -> Passage | None:
        """One short passage that speaks to the leading theme, or None rather than a stretch."""
        if self.evidence is None or not state["themes"]:
            return None
        theme = state["themes"][0]
        query = text[:1000]
        try:
            found = self.evidence.search(query, k=EVIDENCE_CANDIDATES)
        except (EvidenceUnavailable, ValueError):
            return None  # the conversation goes on without evidence
        candidates = [
            trim_passage(c, EVIDENCE_CHARS, query)
            for c in found
            if f"{c.doc}:{c.start}" not in state["shown"]
        ]
        candidates = [c for c in candidates if len(c.text) >= 60 and looks_like_prose(c.text)]
        if not candidates:
            return None
        # Retrieval finds passages near the words; re-rank by how squarely each one speaks
        # to the theme, and offer none if none clearly does.
        fits = self.themes.fit([c.text for c in candidates], theme)
        best_fit, best = max(zip(fits, candidates, strict=True), key=lambda pair: pair[0])
        return best if best_fit >= self.themes.thresholds.get(theme, 1.0) else None

    def _theme_of(self, question_id: str) -> str:
        question = self.bank.get(question_id)
        return question.theme if question else ""

    def _due_checkin(self, who: Who) -> dict | None:
        last = self.store.last_commitment(who)
        if last is None:
            return None
        age = self.clock.now() - _aware(last.made_at)
        marker = f"checkin:{last.entry_id}"
        if not (CHECKIN_AFTER <= age <= CHECKIN_WITHIN) or marker in self.store.seen_question_ids(
            who
        ):
            return None
        self.store.mark_question_seen(who, marker)
        return {
            "entry_id": last.entry_id,
            "text": last.text,
            "made_at": _aware(last.made_at).isoformat(),
        }

    @staticmethod
    def _recall(checkin: dict) -> str:
        return f"Last week you committed to: “{checkin['text']}”{_stop(checkin['text'])}"

    def _new_state(self) -> dict:
        return {
            "v": STATE_VERSION, "stage": "", "turns": [], "themes": [], "exchanges": 0,
            "redirects": 0, "asked": [], "shown": [], "question": "", "question_id": "",
            "checkin": None, "started_at": self.clock.now().isoformat(),
        }  # fmt: skip

    def _stale(self, state: dict) -> bool:
        started = datetime.fromisoformat(state.get("started_at") or self.clock.now().isoformat())
        return self.clock.now() - _aware(started) > STALE_AFTER


def _stop(sentence: str) -> str:
    """A full stop after a quoted sentence, unless it already ends with one."""
    return "" if sentence.rstrip()[-1:] in ".!?…" else "."


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
