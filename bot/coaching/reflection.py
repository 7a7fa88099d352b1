"""The weekly reflection: what to do with each leader message, once it is understood.

The turn reader decides what a message *does* (bot/coaching/turns.py); this flow decides
what to do with it, in the shape described in `reflection_state`. Every reply opens by
reflecting back the leader's own words, then asks one question chosen for the latest turn.
Distress short-circuits everything (bot/coaching/safety.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.coaching import checkin as checkins
from bot.coaching.asking import Asker
from bot.coaching.commitment import check_commitment, confirmation
from bot.coaching.ports import Clock, EvidenceSearch, ReflectionStore, Who
from bot.coaching.questions import QuestionBank
from bot.coaching.reflect_back import reflect, reflect_correction, telling_clause
from bot.coaching.reflection_evidence import ReflectionEvidence
from bot.coaching.reflection_replies import ReplyMaking
from bot.coaching.reflection_state import (
    CHECKIN,
    CHECKIN_FOLLOW_UP,
    MAX_REALITY,
    MAX_WILL_ASKS,
    MIN_REALITY,
    OPENER,
    OPTIONS,
    REALITY,
    STALE_AFTER,
    WILL,
    WORDS_FOR_EARLY_OPTIONS,
    new_state,
    upgrade,
)
from bot.coaching.reply import Action, Reply, ReplyKind
from bot.coaching.safety import SafetyText, looks_distressed
from bot.coaching.text import clean_input, has_words, is_greeting, looks_like_injection
from bot.coaching.text import wants_to_stop as stop_words
from bot.coaching.turn_patterns import ADVICE_REQUEST, pattern_act
from bot.coaching.turns import Turn, TurnAct, TurnReader

if TYPE_CHECKING:
    from bot.coaching.helped import HelpedAnswers
    from bot.coaching.phrasing import LLMPhraser
    from bot.coaching.themes import ThemeDetector

REDIRECT = "I'm here for your work with partners across organisations, so let's turn to that."
CALM_REFUSAL = (
    "I can only help with your own reflection. I never show anyone's journal entries to "
    "anyone else, and my rules stay as they are. Yours stay private too, unless you share them."
)
NO_ADVICE = (
    "I don't give advice of my own: you know your partners and your place far better than I "
    "do. What I can offer is what others found."
)
NO_ADVICE_NO_EVIDENCE = (
    "I don't give advice of my own: you know your partners and your place far better than I "
    "do, and the evidence library has nothing close enough to this to offer."
)
NO_WORDS = "I couldn't find any words in that. Take your time."
ENDED = "No problem, we'll leave it there. Nothing from this conversation was saved."
LONG = "That was long, so I kept the first part. "
BACK_TO_IT = "Coming back to where we were: "
# Turns after which the commitment question is never asked straight away.
TURN_ALREADY_ENDED = (
    "That reflection is finished and in your journal; there's nothing more to do for this week."
)
NOT_BEFORE_WILL = {TurnAct.CORRECTION, TurnAct.ADVICE_REQUEST, TurnAct.DISTRESS}


class Reflection(ReplyMaking):
    def __init__(
        self,
        store: ReflectionStore,
        evidence: EvidenceSearch | None,
        bank: QuestionBank,
        themes: ThemeDetector,
        clock: Clock,
        phraser: LLMPhraser | None = None,
        *,
        reader: TurnReader,
        helped: HelpedAnswers | None = None,
        safety: SafetyText | None = None,
    ) -> None:
        self.store, self.bank, self.clock, self.phraser = store, bank, clock, phraser
        self.reader, self.helped = reader, helped
        self.asker = Asker(bank)
        self.picker = ReflectionEvidence(evidence, themes)
        self.safety = safety or SafetyText.load()

    # The benchmark wraps these to time them; they live on the evidence picker.
    @property
    def evidence(self):
        return self.picker.evidence

    @evidence.setter
    def evidence(self, value) -> None:
        self.picker.evidence = value

    @property
    def themes(self):
        return self.picker.themes

    @themes.setter
    def themes(self, value) -> None:
        self.picker.themes = value

    # --- entry points ---------------------------------------------------------------------
    def active(self, who: Who) -> bool:
        return self.store.load_conversation(who) is not None

    def where_we_were(self, who: Who) -> Reply:
        """The reply for a turn already taken in (its first reply was lost with its replica):
        the question the conversation is waiting on, or, when that turn ended it, so."""
        state = self.store.load_conversation(who)
        if state is None:
            return Reply(ReplyKind.INFO, TURN_ALREADY_ENDED, done=True, meta={"state": "ended"})
        return self._reply(upgrade(state), "To pick up where we were:")

    def start(self, who: Who, *, lead: str = "Let's take a few minutes to reflect.") -> Reply:
        state = self.store.load_conversation(who)
        if state is not None and not self._stale(state):
            return self._reply(
                upgrade(state), "We were part-way through a reflection; let's pick it up."
            )
        state = new_state(self.clock.now())
        due = self._due_checkin(who)
        if due is not None:
            return self._ask(who, state, CHECKIN, f"{lead} {due}", stage=CHECKIN)
        return self._ask(who, state, "opener", lead, stage=OPENER)

    def handle(self, who: Who, raw: str) -> Reply:
        cleaned = clean_input(raw)
        text = cleaned.text
        saved = self.store.load_conversation(who)
        fresh = saved is None or self._stale(saved)
        state = new_state(self.clock.now()) if fresh else upgrade(saved)
        if not text or not has_words(text):
            if fresh and not text:
                return self.start(who)
            return self._reply(state, NO_WORDS if text else "Whenever you're ready.")
        if looks_like_injection(text):
            if fresh:
                return Reply(
                    ReplyKind.INFO, CALM_REFUSAL, actions=[Action("reflect_start", "Reflect")]
                )
            return self._reply(state, CALM_REFUSAL)
        turn = self._read(text)
        if state.get("last_act") == TurnAct.DISTRESS.value and _offers_a_step(turn):
            # "I will send it on Friday" straight after "I've written my resignation letter"
            # is read in the light of it: never a coaching step, still the safety reply.
            turn = Turn(text=text, act=TurnAct.DISTRESS)
        if turn.act is TurnAct.DISTRESS:
            return self._distress(who, state, turn)
        if turn.act is TurnAct.STOP or stop_words(text):
            return self._end(who, fresh)
        if fresh and is_greeting(text):
            return self.start(who)
        note = LONG if cleaned.truncated else ""
        if turn.act is TurnAct.EVIDENCE_REQUEST:
            return self._evidence_request(who, state, turn, fresh)
        if fresh:
            due = self._due_checkin(who)
            if due is not None:  # they started talking: keep their words, ask about last week
                state["turns"].append(text)
                lead = f"{note}{self._mirror(text, turn.act)} Before we go on: {due}"
                return self._ask(who, state, CHECKIN, lead, stage=CHECKIN)
        if turn.act is TurnAct.ADVICE_REQUEST:
            return self._advice(who, state, turn, note)
        stage = state["stage"]
        if stage == CHECKIN:
            return self._checkin_answer(who, state, turn, note)
        if stage == CHECKIN_FOLLOW_UP:
            state["turns"].append(text)
            lead = f"{note}{self._mirror(text, turn.act)} Thank you for looking back on it with me."
            state["last_act"] = turn.act.value
            return self._ask(who, state, "opener", lead, stage=OPENER, said=text)
        if stage == WILL:
            return self._will(who, state, turn, note)
        return self._reality(who, state, turn, note)

    # --- what each kind of turn gets -------------------------------------------------------
    def _read(self, text: str) -> Turn:
        turn = self.reader.read(text)
        if turn.act is not TurnAct.DISTRESS and looks_distressed(text):
            return Turn(text=text, act=TurnAct.DISTRESS)  # the floor under the classifier
        if turn.act is TurnAct.ADVICE_REQUEST and (
            _names_options(text) or ("?" not in text and not ADVICE_REQUEST.search(text))
        ):
            # "I could meet the chairs, or rewrite it with them", "Maybe suggest a rotating
            # chair": their own options, said, not asked; never met with "I don't give advice".
            return replace(turn, act=TurnAct.ANSWER)
        return turn

    def _distress(self, who: Who, state: dict, turn: Turn) -> Reply:
        """Acknowledge, offer to pause, signpost. Nothing else: no theme, passage or plan."""
        # Their words are not put into an entry (one they might later share without
        # re-reading), and the reflection steps back to listening: no commitment follows.
        state["last_act"] = TurnAct.DISTRESS.value
        state["stage"] = REALITY
        state["reality"], state["options"] = 0, 0
        state["question"], state["question_id"] = "", ""
        self.store.save_conversation(who, state)
        return Reply(
            ReplyKind.REFLECTION,
            self.safety.reply_text(telling_clause(turn.text)),
            actions=[
                Action("reflect_stop", "Pause the reflection", value="stop"),
            ],
            meta={"state": "safety", "themes": [], "safety": True, "act": "distress"},
        )

    def _listen(self, who: Who, state: dict, turn: Turn, note: str) -> Reply:
        """The turn after distress: still listening. Their words are reflected, not mined for a
        phrase or a theme, and not put into the entry; the reflection resumes after this."""
        state["last_act"] = "listening"
        self.store.save_conversation(who, state)
        # "thanks" or "not sure" said back in quotes reads as not listening; only their words
        # about how things are are reflected.
        quiet = {turn.act, pattern_act(turn.text)} & {TurnAct.SMALL_TALK, TurnAct.UNCERTAIN}
        lead = note + ("" if quiet else self._mirror(turn.text, turn.act))
        return Reply(
            ReplyKind.REFLECTION,
            " ".join(part for part in (lead, self.safety.after) if part),
            question=self.safety.listen,
            actions=[Action("reflect_stop", "Pause the reflection", value="stop")],
            meta={"state": "listening", "themes": [], "act": turn.act.value},
        )

    def _end(self, who: Who, fresh: bool) -> Reply:
        if fresh:
            return Reply(
                ReplyKind.INFO,
                "There's no reflection in progress. Type `reflect` whenever you'd like one.",
                done=True,
            )
        self.store.clear_conversation(who)
        return Reply(ReplyKind.REFLECTION, ENDED, done=True, meta={"state": "ended"})

    def _evidence_request(self, who: Who, state: dict, turn: Turn, fresh: bool) -> Reply:
        """The what-helped answer; inside a reflection, then back to where it was."""
        if self.helped is None:
            answer = Reply(ReplyKind.ERROR, "The evidence library is temporarily unavailable.")
        else:
            answer = self.helped.answer(who, turn.text)
        if fresh:
            return answer
        answer.text = f"{reflect(turn.text, TurnAct.EVIDENCE_REQUEST)} {answer.text}".strip()
        if state.get("question"):
            answer.question = BACK_TO_IT + state["question"]
        answer.meta.update(
            {"state": state["stage"], "resumed": True, "act": "evidence_request", "themes": []}
        )
        state["last_act"] = TurnAct.EVIDENCE_REQUEST.value
        self.store.save_conversation(who, state)
        return answer

    def _advice(self, who: Who, state: dict, turn: Turn, note: str) -> Reply:
        """No advice of Ripple's own; what others found instead; then a question that widens."""
        state["turns"].append(turn.text)
        state["last_act"] = TurnAct.ADVICE_REQUEST.value
        context = " ".join(state["turns"][-2:])
        theme = next(iter(turn.themes), None) or next(iter(state["themes"]), None)
        passage = self.picker.pick(context, theme, self.store.seen_question_ids(who))
        lead = f"{note}{self._mirror(turn.text, TurnAct.ADVICE_REQUEST)} "
        lead += NO_ADVICE if passage else NO_ADVICE_NO_EVIDENCE
        if state["reality"] >= MIN_REALITY:
            return self._ask(who, state, "options", lead, stage=OPTIONS, passage=passage)
        stage = state["stage"] if state["stage"] in (REALITY, OPTIONS) else REALITY
        return self._ask(who, state, "follow_up", lead, stage=stage, passage=passage)

    def _checkin_answer(self, who: Who, state: dict, turn: Turn, note: str) -> Reply:
        state["turns"].append(turn.text)
        state["last_act"] = turn.act.value
        result = checkins.outcome(turn.text)
        if turn.act is TurnAct.UNCERTAIN:
            result = checkins.UNCLEAR
        state["checkin_outcome"] = result
        acknowledge, bank_stage = checkins.ACKNOWLEDGE[result], checkins.FOLLOW_UP_STAGE[result]
        skip: set[str] = set()
        if result == checkins.NOT_DONE and checkins.explains_why(turn.text):
            # They have said what got in the way: asking "What got in the way?" would not
            # have listened, so the follow-up starts from it.
            acknowledge = "That happens, and you've named what got in the way."
            skip = {q.id for q in self.bank.select(bank_stage) if checkins.ASKS_WHY.search(q.text)}
        lead = f"{note}{self._mirror(turn.text, turn.act)} {acknowledge}"
        reply = self._ask(who, state, bank_stage, lead, stage=CHECKIN_FOLLOW_UP, skip=skip)
        reply.meta["checkin_outcome"] = result
        return reply

    def _reality(self, who: Who, state: dict, turn: Turn, note: str) -> Reply:
        text = turn.text
        if state.get("last_act") == TurnAct.DISTRESS.value:
            return self._listen(who, state, turn, note)
        if turn.act is TurnAct.SMALL_TALK and not turn.themes and state["redirects"] < 1:
            return self._redirect(who, state, turn, note)
        self._record(state, turn)
        in_options = state["stage"] == OPTIONS
        if not in_options:
            state["reality"] += 1
        check = check_commitment(text) if turn.act in _MAY_COMMIT else None
        if check is not None and state["options"] >= 1 and state["reality"] >= MIN_REALITY:
            return self._save(who, state, check.text, note, confirm=confirmation(check))
        if turn.act is TurnAct.CORRECTION:
            lead, positive = reflect_correction(text, turn.corrected)
            asked = self.asker.correction(
                turn.corrected, positive, self.store.seen_question_ids(who), who.user
            )
            return self._ask(
                who, state, "", note + lead, stage=state["stage"] or REALITY, asked=asked
            )
        lead = note + self._mirror(text, turn.act, state["reality"] + state["options"])
        if in_options and turn.act is TurnAct.UNCERTAIN and state["options"] < 2:
            return self._ask(who, state, "options", lead, stage=OPTIONS, said=text)
        if state["options"] >= 1 and turn.act not in NOT_BEFORE_WILL:
            return self._ask(who, state, "commitment", _will_lead(lead), stage=WILL, said=text)
        if (
            _names_options(text)
            and state["reality"] >= MIN_REALITY
            and turn.act not in NOT_BEFORE_WILL
        ):
            # "I could talk to both chief execs, or ask the ICB to pause it": they have
            # widened the choices themselves; asking for options again would not have listened.
            state["options"] += 1
            return self._ask(who, state, "commitment", _will_lead(lead), stage=WILL, said=text)
        if self._ready_for_options(state, turn):
            return self._ask(who, state, "options", lead, stage=OPTIONS, said=text)
        return self._reality_question(who, state, turn, lead)

    def _reality_question(self, who: Who, state: dict, turn: Turn, lead: str) -> Reply:
        text = turn.text
        if turn.act is TurnAct.UNCERTAIN:
            return self._ask(who, state, "gentle", lead, stage=REALITY)
        if turn.act is TurnAct.INSIGHT:
            return self._ask(who, state, "insight", lead, stage=REALITY, said=text)
        passage = None
        if turn.act in (TurnAct.ANSWER, TurnAct.COMMITMENT) and turn.themes:
            passage = self.picker.pick(text, turn.themes[0], self.store.seen_question_ids(who))
        # A turn with no theme, and every third one, gets a question made of their words.
        clean_first = not turn.themes or state["reality"] % 3 == 0
        return self._ask(
            who, state, "explore", lead, stage=REALITY, said=text, themes=turn.themes,
            passage=passage, clean_first=clean_first,
        )  # fmt: skip

    def _ready_for_options(self, state: dict, turn: Turn) -> bool:
        if turn.act in NOT_BEFORE_WILL or turn.act is TurnAct.UNCERTAIN:
            return state["reality"] >= MAX_REALITY + 1
        words = sum(len(t.split()) for t in state["turns"])
        return state["reality"] >= MAX_REALITY - 1 or (
            state["reality"] >= MIN_REALITY and words >= WORDS_FOR_EARLY_OPTIONS
        )

    def _redirect(self, who: Who, state: dict, turn: Turn, note: str) -> Reply:
        """Nothing to do with their work at all: say so kindly, keep their words, move on."""
        state["redirects"] += 1
        state["turns"].append(turn.text)  # kept for the journal either way
        state["last_act"] = turn.act.value
        lead = f"{note}{reflect(turn.text, TurnAct.SMALL_TALK)} {REDIRECT}"
        reply = self._ask(who, state, "opener", lead, stage=state["stage"] or OPENER)
        reply.meta["redirect"] = True
        return reply

    def _will(self, who: Who, state: dict, turn: Turn, note: str) -> Reply:
        text = turn.text
        self._record(state, turn)
        check = check_commitment(text) if turn.act in _MAY_COMMIT else None
        if check is not None:
            return self._save(who, state, check.text, note, confirm=confirmation(check))
        if turn.act is TurnAct.CORRECTION:  # back to listening; the commitment can wait
            lead, positive = reflect_correction(text, turn.corrected)
            asked = self.asker.correction(
                turn.corrected, positive, self.store.seen_question_ids(who), who.user
            )
            return self._ask(who, state, "", note + lead, stage=OPTIONS, asked=asked)
        lead = note + self._mirror(text, turn.act, state["will_asks"])
        if state["will_asks"] < MAX_WILL_ASKS:
            lead += " Let me ask it another way."  # the reflect-back already reassured
            return self._ask(who, state, "commitment_retry", lead, stage=WILL)
        return self._save(who, state, None, f"{lead} ")

    # --- memory -------------------------------------------------------------------------------
    def _recent_commitments(self, who: Who) -> list:
        try:
            return list(self.store.recent_commitments(who, 4))
        except (AttributeError, NotImplementedError):  # an older store: the last one only
            pass
        last = self.store.last_commitment(who)
        return [last] if last else []

    def _due_checkin(self, who: Who) -> str | None:
        """Last week's commitment, recalled in their words, when it is time to ask (once)."""
        recent = self._recent_commitments(who)
        due = checkins.due(
            recent[0] if recent else None, self.clock.now(), self.store.seen_question_ids(who)
        )
        if due is None:
            return None
        self.store.mark_question_seen(who, f"checkin:{due.entry_id}")
        return checkins.recall(due.text, [c.text for c in recent[1:]])

    def _stale(self, state: dict) -> bool:
        started = datetime.fromisoformat(state.get("started_at") or self.clock.now().isoformat())
        return self.clock.now() - checkins.aware(started) > STALE_AFTER


_MAY_COMMIT = {TurnAct.COMMITMENT, TurnAct.ANSWER, TurnAct.INSIGHT}


_OPTIONS = re.compile(
    r"\b(i|we) (could|might|can|have the option to)\b[^?]*$|\bone option (is|would be)\b|"
    r"\beither\b.+\bor\b",
    re.IGNORECASE,
)


def _names_options(text: str) -> bool:
    return bool(_OPTIONS.search(text)) and "?" not in text


def _offers_a_step(turn: Turn) -> bool:
    return turn.act is TurnAct.COMMITMENT or (
        turn.act in _MAY_COMMIT and check_commitment(turn.text) is not None
    )


def _will_lead(lead: str) -> str:
    return f"{lead} Before we finish, one concrete step for the week."
