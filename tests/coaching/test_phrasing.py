"""Optional LLM phrasing: used when it checks out, silently dropped when it doesn't."""

from __future__ import annotations

import time

from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage

from bot.coaching.coach import Coach
from bot.coaching.phrasing import LLMPhraser, build_phraser
from tests.coaching.conftest import PROMPTS
from tests.conftest import make_settings

QUESTION = "how did others get the police and health to share data?"
SITUATION = "The hospital keeps agreeing in the board meeting and then nothing happens."


class BrokenModel(FakeListChatModel):
    """A provider that fails every call (an outage, a bad key, a rate limit)."""

    def _call(self, *args, **kwargs):
        raise RuntimeError("provider exploded")


def _coach(knowledge_evidence, store, clock, bank, themes, model, timeout=2.0) -> Coach:
    phraser = LLMPhraser(model, PROMPTS, timeout_seconds=timeout)
    return Coach(knowledge_evidence, store, clock, bank, themes, phraser=phraser)


def test_a_checked_summary_and_question_are_used(
    knowledge_evidence, store, clock, bank, themes, who
):
    plain = Coach(knowledge_evidence, store, clock, bank, themes).helped(who, QUESTION)
    honest_quote = plain.passages[0].text.split(".")[0][:60].strip()
    model = GenericFakeChatModel(
        messages=iter(
            [
                AIMessage(f'Others describe slow progress; one account says "{honest_quote}".'),
                AIMessage("You're noticing that “nothing happens” after the board agrees."),
                AIMessage("What keeps agreeing in the room from turning into action?"),
            ]
        )
    )
    coach = _coach(knowledge_evidence, store, clock, bank, themes, model)
    reply = coach.helped(who, QUESTION)
    assert reply.meta.get("phrased") and honest_quote in reply.text
    assert reply.passages == plain.passages  # the quotations themselves never change

    coach.start_reflection(who)
    turn = coach.reflect(who, SITUATION)
    assert turn.text.startswith("You're noticing that “nothing happens” after the board agrees.")
    assert turn.question == "What keeps agreeing in the room from turning into action?"


class CountingModel(FakeListChatModel):
    calls: int = 0

    def _call(self, *args, **kwargs):
        self.calls += 1
        return super()._call(*args, **kwargs)


def test_a_reflection_quoting_words_the_leader_never_said_is_not_used(
    knowledge_evidence, store, clock, bank, themes, who
):
    model = FakeListChatModel(responses=["You said “the board is hopeless and should go”."])
    coach = _coach(knowledge_evidence, store, clock, bank, themes, model)
    coach.start_reflection(who)
    turn = coach.reflect(who, SITUATION)
    assert "hopeless" not in turn.text
    assert f"“{SITUATION.rstrip('.')}”" in turn.text


def test_the_safety_reply_is_never_handed_to_the_model(
    knowledge_evidence, store, clock, bank, themes, who
):
    model = CountingModel(responses=["You said “exhausted”. Have you tried a holiday?"])
    coach = _coach(knowledge_evidence, store, clock, bank, themes, model)
    coach.start_reflection(who)
    reply = coach.reflect(who, "I'm exhausted and thinking of quitting.")
    assert model.calls == 0
    assert "116 123" in reply.text and "holiday" not in reply.text


def test_an_invented_quote_falls_back_to_the_plain_reply(
    knowledge_evidence, store, clock, bank, themes, who
):
    plain = Coach(knowledge_evidence, store, clock, bank, themes).helped(who, QUESTION)
    model = FakeListChatModel(
        responses=['Barnet found that "data sharing was solved by a single national protocol".']
    )
    reply = _coach(knowledge_evidence, store, clock, bank, themes, model).helped(who, QUESTION)
    assert reply.text == plain.text and not reply.meta.get("phrased")
    assert "single national protocol" not in reply.text


def test_a_closed_or_advising_question_from_the_model_is_not_used(
    knowledge_evidence, store, clock, bank, themes, who
):
    model = FakeListChatModel(responses=["You should talk to the hospital. Did you try that?"])
    coach = _coach(knowledge_evidence, store, clock, bank, themes, model)
    coach.start_reflection(who)
    turn = coach.reflect(who, SITUATION)
    assert turn.question in {q.text for q in bank.questions}


def test_a_provider_error_falls_back_silently(knowledge_evidence, store, clock, bank, themes, who):
    coach = _coach(knowledge_evidence, store, clock, bank, themes, BrokenModel(responses=["x"]))
    reply = coach.helped(who, QUESTION)
    assert reply.passages and "error" not in reply.text.lower()
    coach.start_reflection(who)
    assert coach.reflect(who, SITUATION).question in {q.text for q in bank.questions}


def test_a_slow_model_times_out_and_falls_back(knowledge_evidence, store, clock, bank, themes, who):
    slow = FakeListChatModel(responses=["What is really going on here?"], sleep=1.5)
    coach = _coach(knowledge_evidence, store, clock, bank, themes, slow, timeout=0.2)
    started = time.perf_counter()
    reply = coach.helped(who, QUESTION)
    assert time.perf_counter() - started < 1.4
    assert reply.passages and not reply.meta.get("phrased")


def test_phrasing_is_off_unless_a_model_is_named(tmp_path):
    assert build_phraser(make_settings(tmp_path)) is None
    # A provider whose package isn't installed must not stop the coach either.
    assert build_phraser(make_settings(tmp_path, llm="nosuchprovider:model-x")) is None
