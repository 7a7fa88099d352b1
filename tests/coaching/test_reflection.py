"""The weekly reflection flow, driven turn by turn with in-memory ports."""

from __future__ import annotations

from bot.coaching.coach import Coach
from bot.coaching.ports import Who
from bot.coaching.questions import question_problems
from bot.coaching.reply import ReplyKind
from tests.coaching.conftest import KNOWLEDGE
from tests.coaching.fakes import InMemoryStore, NoEvidence

SITUATION = "The hospital keeps agreeing in the board meeting and then nothing happens."
SECOND = (
    "I think the acute trust and the council want different things from this and nobody "
    "has said so out loud, so the disagreement just sits under the table every month while "
    "the board nods things through and the frontline staff wait for a decision."
)
COMMITMENT = "Ask the trust's director for a one-to-one about what they need from this."


def _reflect_to_commitment(coach: Coach, who: Who) -> list:
    replies = [coach.start_reflection(who), coach.reflect(who, SITUATION)]
    replies.append(coach.reflect(who, SECOND))
    while replies[-1].meta.get("state") != "commitment":
        replies.append(coach.reflect(who, "It is mostly about trust between the two boards."))
    return replies


def test_a_full_reflection_asks_open_questions_then_saves_a_private_entry(coach, who, store):
    opener = coach.start_reflection(who)
    assert opener.kind is ReplyKind.REFLECTION and opener.meta["state"] == "opener"
    assert opener.question and not question_problems(opener.question)

    first = coach.reflect(who, SITUATION)
    assert "conflict" in first.meta["themes"]
    assert first.question and not question_problems(first.question)
    assert len(first.passages) <= 1  # at most one short passage of evidence a turn

    second = coach.reflect(who, SECOND)
    assert second.meta["state"] == "commitment"  # asked after two substantial exchanges
    assert "commitment" in second.text.lower()

    saved = coach.reflect(who, COMMITMENT)
    assert saved.done and saved.saved_entry_id == 1
    assert "Only you can see it" in saved.text and COMMITMENT in saved.text
    [entry] = store.entries
    assert entry.text == f"{SITUATION}\n\n{SECOND}"
    assert entry.commitment == COMMITMENT
    assert "conflict" in entry.themes and entry.shared is False
    assert not coach.in_reflection(who)


def test_short_answers_get_a_third_exchange_before_the_commitment(coach, who):
    coach.start_reflection(who)
    coach.reflect(who, "Partners keep arguing about the budget.")
    second = coach.reflect(who, "Mostly the council.")
    assert second.meta["state"] == "exploring"
    third = coach.reflect(who, "They think the trust is hiding its numbers.")
    assert third.meta["state"] == "commitment"


def test_evidence_is_quoted_exactly_and_offered_as_what_others_found(coach, who):
    coach.start_reflection(who)
    reply = coach.reflect(
        who,
        "Partners blame each other when things go wrong and consensus hides the difficult issues.",
    )
    assert len(reply.passages) == 1
    passage = reply.passages[0]
    assert "what others found" in reply.text.lower()
    source = (KNOWLEDGE / passage.doc).read_text(encoding="utf-8")
    assert source[passage.start : passage.end] == passage.text
    assert len(passage.text) <= 320


def test_the_conversation_survives_a_restart(knowledge_evidence, store, clock, bank, themes, who):
    first_process = Coach(knowledge_evidence, store, clock, bank, themes)
    first_process.start_reflection(who)
    asked = first_process.reflect(who, SITUATION).question

    second_process = Coach(knowledge_evidence, store, clock, bank, themes)  # nothing in memory
    assert second_process.in_reflection(who)
    resumed = second_process.start_reflection(who)
    assert resumed.question == asked and "pick it up" in resumed.text
    second_process.reflect(who, SECOND)
    assert second_process.reflect(who, COMMITMENT).saved_entry_id == 1


def test_no_question_is_ever_asked_twice(coach, who, store, clock):
    asked: list[str] = []
    for week in range(8):
        for reply in _reflect_to_commitment(coach, who):
            if reply.meta.get("question_id"):
                asked.append(reply.meta["question_id"])
        coach.reflect(who, f"Week {week}: talk to the finance director.")
        clock.advance(days=7)
    assert len(asked) == len(set(asked)), "a question was repeated"
    assert store.seen[who.user] >= set(asked)


def test_next_week_starts_by_asking_how_the_commitment_went(coach, who, clock):
    _reflect_to_commitment(coach, who)
    coach.reflect(who, COMMITMENT)

    # The same day: no check-in yet.
    assert coach.start_reflection(who).meta["state"] == "opener"
    coach.reflect(who, "stop")

    clock.advance(days=7)
    checkin = coach.start_reflection(who)
    assert checkin.meta["state"] == "checkin"
    assert COMMITMENT in checkin.text
    assert checkin.question and not question_problems(checkin.question)
    after = coach.reflect(who, "It went well; we met and she was more open than I expected.")
    assert after.meta["state"] == "opener"

    # Asked once only: stopping and starting again does not ask about it a second time.
    coach.reflect(who, "not now")
    assert coach.start_reflection(who).meta["state"] == "opener"


def test_just_talking_a_week_later_keeps_the_words_and_asks_about_last_week(
    coach, who, clock, store
):
    _reflect_to_commitment(coach, who)
    coach.reflect(who, COMMITMENT)
    clock.advance(days=8)
    reply = coach.reflect(
        who, "Data sharing with the police is stuck at information governance again."
    )
    assert reply.meta["state"] == "checkin" and COMMITMENT in reply.text
    nxt = coach.reflect(who, "I did meet her, it helped a bit.")
    assert nxt.meta["state"] == "exploring"
    assert "authorising_environment" in nxt.meta["themes"]


def test_weekly_prompt_recalls_last_weeks_commitment(coach, who, clock):
    _reflect_to_commitment(coach, who)
    coach.reflect(who, COMMITMENT)
    clock.advance(days=7)
    prompt = coach.weekly_prompt(who)
    assert COMMITMENT in prompt.text and "weekly reflection" in prompt.text
    assert {a.id for a in prompt.actions} >= {"snooze", "skip_week"}


def test_skip_stop_and_not_now_end_gracefully_without_saving(coach, who, store):
    for word in ("skip", "stop", "Not now."):
        coach.start_reflection(who)
        coach.reflect(who, SITUATION)
        reply = coach.reflect(who, word)
        assert reply.done and "Nothing from this conversation was saved" in reply.text
        assert not coach.in_reflection(who)
    assert store.entries == []


def test_off_topic_text_gets_a_gentle_redirect(coach, who):
    coach.start_reflection(who)
    reply = coach.reflect(who, "What's the weather like tomorrow?")
    assert reply.meta.get("redirect") and reply.question
    assert reply.passages == []
    # The next answer carries on whatever it is about: no loop of redirects.
    onward = coach.reflect(who, "Honestly I'm just tired.")
    assert not onward.meta.get("redirect")


def test_without_evidence_the_reflection_carries_on(
    store, clock, bank, themes, who, knowledge_evidence
):
    knowledge_evidence.down = True
    coach = Coach(knowledge_evidence, store, clock, bank, themes)
    coach.start_reflection(who)
    reply = coach.reflect(who, SITUATION)
    assert reply.kind is ReplyKind.REFLECTION and reply.question and reply.passages == []
    knowledge_evidence.down = False

    quiet = Coach(NoEvidence(), InMemoryStore(clock), clock, bank, themes)
    quiet.start_reflection(who)
    assert quiet.reflect(who, SITUATION).passages == []


def test_a_database_outage_keeps_the_words_and_asks_to_try_again(coach, who, store):
    coach.start_reflection(who)
    coach.reflect(who, SITUATION)
    coach.reflect(who, SECOND)
    store.down = True
    reply = coach.reflect(who, COMMITMENT)
    assert reply.kind is ReplyKind.ERROR
    assert "your words are kept, please try again" in reply.text
    assert reply.meta["retry_text"] == COMMITMENT
    store.down = False
    retried = coach.reflect(who, reply.meta["retry_text"])
    assert retried.saved_entry_id == 1 and store.entries[0].commitment == COMMITMENT


def test_people_and_teams_do_not_share_a_conversation(coach, store):
    a, b = Who("leader-1", "team-a"), Who("leader-2", "team-a")
    coach.start_reflection(a)
    coach.reflect(a, SITUATION)
    assert coach.in_reflection(a) and not coach.in_reflection(b)


def test_a_commitment_offered_before_it_is_asked_for_is_saved(coach, who, store):
    coach.start_reflection(who)
    coach.reflect(who, SITUATION)
    offered = "I will ask both of them to meet me on Tuesday and agree one shared goal"
    saved = coach.reflect(who, f"They both say yes and do nothing. {offered}.")
    assert saved.done and saved.meta["state"] == "saved"
    assert f"commitment for the week: “{offered}.”" in saved.text
    [entry] = store.entries
    assert entry.commitment == f"{offered}."
    assert entry.text.startswith(SITUATION) and offered in entry.text
    assert not coach.in_reflection(who)


def test_words_that_only_sound_like_a_commitment_keep_the_conversation_going(coach, who, store):
    coach.start_reflection(who)
    coach.reflect(who, SITUATION)
    reply = coach.reflect(who, "I'll be honest, I will never get the two boards to agree on this.")
    assert reply.meta["state"] in {"exploring", "commitment"} and not reply.done
    first_turn = coach.start_reflection(Who("leader-2", "t"))
    assert first_turn.meta["state"] == "opener"
    # The situation itself comes first: a first answer that says "I will" is not yet a commitment.
    early = coach.reflect(Who("leader-2", "t"), f"I will ask both of them to meet. {SITUATION}")
    assert not early.done
    assert store.entries == []
