"""The weekly reflection flow, driven turn by turn with in-memory ports.

The turn reader is the small pattern fake in tests/coaching/fakes.py (what a message *does*
is the reader's job, tested in test_turn_reader.py); these tests are about what the flow
does with each kind of turn.
"""

from __future__ import annotations

import re

import pytest

from bot.coaching.coach import Coach
from bot.coaching.ports import Who
from bot.coaching.questions import question_problems
from bot.coaching.reply import ReplyKind
from tests.coaching.conftest import KNOWLEDGE
from tests.coaching.fakes import FakeTurnReader, InMemoryStore, NoEvidence

SITUATION = "The hospital keeps agreeing in the board meeting and then nothing happens."
SECOND = (
    "I think the acute trust and the council want different things from this and nobody "
    "has said so out loud, so the disagreement just sits under the table every month while "
    "the board nods things through and the frontline staff wait for a decision."
)
OPTION = "I could raise it at the board, or talk to the trust's director on her own first."
COMMITMENT = "Ask the trust's director for a one-to-one about what they need from this."
SIGNPOSTS = ("116 123", "Samaritans", "GP", "employee assistance programme", "999", "line manager")


def _to_will(coach: Coach, who: Who) -> list:
    replies = [coach.start_reflection(who), coach.reflect(who, SITUATION)]
    replies.append(coach.reflect(who, SECOND))
    for _ in range(4):
        if replies[-1].meta.get("state") == "will":
            break
        replies.append(coach.reflect(who, OPTION))
    assert replies[-1].meta["state"] == "will"
    return replies


def _quoted(reply) -> list[str]:
    return re.findall(r"“([^”]+)”", reply.text)


def test_a_full_reflection_has_reality_options_then_will_and_saves_privately(coach, who, store):
    opener = coach.start_reflection(who)
    assert opener.meta["state"] == "opener" and not question_problems(opener.question)
    first = coach.reflect(who, SITUATION)
    assert first.meta["state"] == "reality" and "conflict" in first.meta["themes"]
    assert len(first.passages) <= 1
    replies = _to_will(coach, who)
    states = [r.meta["state"] for r in replies]
    assert states.index("options") < states.index("will"), states
    assert states.count("reality") >= 2
    saved = coach.reflect(who, COMMITMENT)
    assert saved.done and saved.saved_entry_id == 1
    assert f"“{COMMITMENT}”" in saved.text and "Only you can see it" in saved.text
    entry = store.entries[0]
    assert entry.commitment == COMMITMENT and entry.shared is False
    assert entry.text.startswith(SITUATION) and SECOND in entry.text
    assert not coach.in_reflection(who)


def test_every_reply_starts_with_the_leaders_own_words(coach, who):
    coach.start_reflection(who)
    for said in (SITUATION, SECOND, OPTION):
        reply = coach.reflect(who, said)
        quotes = _quoted(reply)
        assert quotes and quotes[0].rstrip("…") in said, (said, reply.text)
        assert reply.text.index("“") < 20  # it opens the reply, not buried after a label
        assert "I hear conflict" not in reply.text and "Thank you. I hear" not in reply.text


def test_the_question_follows_the_theme_of_the_latest_turn(coach, who, bank):
    coach.start_reflection(who)
    coach.reflect(who, "The police and the council keep arguing about who pays for it.")
    reply = coach.reflect(
        who, "The chief executive hasn't given us permission to pool the budget yet."
    )
    question = bank.get(reply.meta["question_id"])
    assert question is None or question.theme in ("authorising_environment", "general")


@pytest.mark.parametrize(
    ("distress", "after_turns"),
    [
        ("I'm exhausted and thinking of quitting. I can't see a way through this.", 0),
        ("Honestly I haven't been sleeping and my GP wants me signed off.", 1),
        ("I'm going to hand in my notice if this carries on.", 3),
    ],
)
def test_distress_at_any_point_gets_signposting_and_nothing_else(
    coach, who, store, clock, distress, after_turns
):
    coach.start_reflection(who)
    for said in (SITUATION, SECOND, OPTION)[:after_turns]:
        coach.reflect(who, said)
    reply = coach.reflect(who, distress)
    for sign in SIGNPOSTS:
        assert sign in reply.text, sign
    assert reply.meta["themes"] == [] and reply.passages == [] and reply.groups == []
    assert reply.question is None and "commitment" not in reply.text.lower()
    assert "pause" in reply.text.lower()
    assert "conflict" not in reply.text.lower() and "purpose" not in reply.text.lower()
    # Nothing said in distress becomes a plan, now or next week.
    onward = coach.reflect(who, "I'm going to hand in my notice if this carries on.")
    assert onward.meta["state"] == "safety" and store.entries == []
    clock.advance(days=7)
    week_later = coach.start_reflection(who)
    assert "notice" not in week_later.text and "committed" not in week_later.text


def test_the_turn_after_distress_is_listened_to_not_coached(coach, who, store):
    coach.start_reflection(who)
    coach.reflect(who, "Honestly I'm exhausted. I haven't slept properly in weeks.")
    reply = coach.reflect(who, "I think I just need someone to listen")
    assert "“I think I just need someone to listen”" in reply.text
    assert reply.question == "What's weighing on you most right now?"
    assert reply.meta["state"] == "listening" and reply.meta["themes"] == []
    assert reply.passages == [] and "listen?" not in (reply.question or "")
    assert store.entries == []
    # After listening once, the reflection carries on as usual.
    onward = coach.reflect(who, "The hospital keeps agreeing at the board and nothing happens.")
    assert onward.meta["state"] != "listening" and onward.question


def test_thanks_after_distress_is_not_quoted_back(coach, who):
    coach.start_reflection(who)
    coach.reflect(who, "Honestly I'm exhausted. I haven't slept properly in weeks.")
    reply = coach.reflect(who, "thanks")
    assert "“thanks”" not in reply.text and reply.meta["state"] == "listening"
    assert reply.question == "What's weighing on you most right now?"


def test_distress_caught_by_the_safety_floor_even_when_the_reader_misses_it(
    knowledge_evidence, store, clock, bank, themes, who
):
    text = "I'm completely burnt out and I can't see a way through."
    blind = FakeTurnReader(themes, acts={text: "answer"})
    coach = Coach(knowledge_evidence, store, clock, bank, themes, reader=blind)
    coach.start_reflection(who)
    reply = coach.reflect(who, text)
    assert reply.meta["state"] == "safety" and "116 123" in reply.text


def test_the_safety_text_comes_from_prompts_so_an_organisation_can_name_its_eap(
    tmp_path, knowledge_evidence, store, clock, bank, themes, who, reader
):
    from bot.coaching.safety import SafetyText

    source = (KNOWLEDGE.parent / "prompts" / "safety.yaml").read_text(encoding="utf-8")
    (tmp_path / "safety.yaml").write_text(
        source.replace("Occupational health or your employee assistance programme (EAP)",
                       "Call Plymouth Council's EAP, Health Assured, on 0800 030 5182"),
        encoding="utf-8",
    )  # fmt: skip
    coach = Coach(
        knowledge_evidence, store, clock, bank, themes, reader=reader,
        safety=SafetyText.load(tmp_path),
    )  # fmt: skip
    reply = coach.reflect(who, "I'm exhausted and thinking of quitting.")
    assert "Health Assured, on 0800 030 5182" in reply.text and "116 123" in reply.text


def test_a_non_answer_to_the_commitment_is_asked_again_once_then_recorded_honestly(
    coach, who, store
):
    first_ask = _to_will(coach, who)[-1]
    again = coach.reflect(who, "No idea.")
    assert again.meta["state"] == "will" and not again.done
    assert again.question != first_ask.question and "No idea" in again.text
    done = coach.reflect(who, "My team are just really busy.")
    assert done.done and "no commitment this week" in done.text
    assert store.entries[0].commitment is None  # the words are kept, no "commitment" invented
    assert "My team are just really busy." in store.entries[0].text


@pytest.mark.parametrize(
    "not_a_commitment",
    [
        "No idea.",
        "You didn't answer my question.",
        "I think the chief exec needs to hear it from the partners, not from me.",
        "Maybe I could talk to her, I'm not sure.",
    ],
)
def test_nothing_that_is_not_a_commitment_is_ever_saved_as_one(coach, who, store, not_a_commitment):
    _to_will(coach, who)
    for _ in range(3):
        reply = coach.reflect(who, not_a_commitment)
        if reply.done:
            break
    assert all(e.commitment is None for e in store.entries)


def test_a_correction_is_picked_up_in_the_leaders_words_and_no_commitment_follows(coach, who):
    replies = _to_will(coach, who)
    assert replies[-1].meta["state"] == "will"
    reply = coach.reflect(
        who, "It's not about money at all. It's about who carries the risk if it goes wrong."
    )
    assert reply.meta["state"] != "will" and not reply.done
    assert "not about money" in reply.text and "who carries the risk" in reply.text
    assert all("money" not in p.text.lower() for p in reply.passages)


def test_i_dont_know_gets_a_gentler_question_never_a_dismissal(coach, who, bank):
    coach.start_reflection(who)
    reply = coach.reflect(who, "Honestly I don't know.")
    assert reply.question and not reply.meta.get("redirect")
    assert "leave that one aside" not in reply.text
    question = bank.get(reply.meta["question_id"])
    assert question is not None and question.stage == "gentle"


def test_a_realisation_gets_a_what_more_do_you_think_question(coach, who, bank):
    coach.start_reflection(who)
    coach.reflect(who, SITUATION)
    reply = coach.reflect(who, "I realised the sergeant and I actually want the same thing.")
    assert bank.get(reply.meta["question_id"]).stage == "insight"


def test_advice_is_declined_kindly_and_no_commitment_is_asked_straight_after(coach, who):
    _to_will(coach, who)
    reply = coach.reflect(who, "What should I do about the trust?")
    assert "I don't give advice of my own" in reply.text
    assert reply.meta["state"] != "will" and reply.question


def test_an_evidence_request_mid_reflection_is_answered_then_the_reflection_resumes(coach, who):
    coach.start_reflection(who)
    asked = coach.reflect(who, SITUATION)
    answer = coach.reflect(who, "What did other places do when partners would not share data?")
    assert answer.kind is ReplyKind.HELPED and answer.groups
    assert answer.question == f"Coming back to where we were: {asked.question}"
    onward = coach.reflect(who, SECOND)
    assert onward.kind is ReplyKind.REFLECTION and coach.in_reflection(who)


def test_an_evidence_request_in_a_dm_outside_a_reflection_gets_the_what_helped_answer(coach, who):
    answer = coach.reflect(who, "What helped elsewhere when the police and health shared data?")
    assert answer.kind is ReplyKind.HELPED and answer.groups
    assert not coach.in_reflection(who)


def test_on_topic_words_without_a_theme_are_never_dismissed(coach, who):
    reply = coach.reflect(who, "The crisis cafe is now taking police calls at night.")
    assert not reply.meta.get("redirect") and "leave that one aside" not in reply.text
    assert "crisis cafe" in reply.text


def test_off_topic_gets_a_kind_redirect_and_the_words_are_kept(coach, who, store):
    coach.start_reflection(who)
    reply = coach.reflect(who, "The weather has been awful and the football was worse.")
    assert reply.meta.get("redirect") and reply.question and reply.passages == []
    assert "leave that one aside" not in reply.text
    onward = coach.reflect(who, "Ok. Honestly I'm mostly thinking about the football.")
    assert not onward.meta.get("redirect")
    _finish(coach, who)
    assert "The weather has been awful" in store.entries[0].text


def _finish(coach: Coach, who: Who) -> None:
    for said in (SITUATION, SECOND, OPTION, COMMITMENT, COMMITMENT, "No idea.", "No idea."):
        if coach.reflect(who, said).done:
            return


def _week(coach: Coach, who: Who, clock, commitment: str) -> list:
    clock.advance(days=7)
    replies = [coach.start_reflection(who)]
    if replies[-1].meta["state"] == "checkin":
        replies.append(coach.reflect(who, "Yes, I did it and we met."))
        replies.append(coach.reflect(who, "It was useful to hear her side."))
    for said in (SITUATION, SECOND, OPTION, commitment, "No idea.", "No idea."):
        replies.append(coach.reflect(who, said))
        if replies[-1].done:
            break
    return replies


@pytest.mark.parametrize(
    ("answer", "stage"),
    [
        ("Yes, I did it and we met on Tuesday.", "checkin_done"),
        ("No, I didn't get round to it.", "checkin_not"),
        ("I didn't get round to it, the winter pressures took over.", "checkin_not"),
        ("It changed: she left, so I spoke to her deputy instead.", "checkin_changed"),
    ],
)
def test_the_check_in_follows_up_what_happened(coach, who, clock, bank, answer, stage):
    _week(coach, who, clock, COMMITMENT)
    clock.advance(days=7)
    checkin = coach.start_reflection(who)
    assert checkin.meta["state"] == "checkin" and COMMITMENT in checkin.text
    reply = coach.reflect(who, answer)
    assert reply.meta["checkin_outcome"] + "" and bank.get(reply.meta["question_id"]).stage == stage
    assert reply.text != "Thank you for looking back on that."
    assert _quoted(reply)[0].rstrip("…") in answer


@pytest.mark.parametrize(
    "answer",
    [
        "I didn't get round to it, the winter pressures took over.",
        "No, I didn't manage it. Her diary was full and then I was off sick for two days.",
    ],
)
def test_a_check_in_that_names_the_obstacle_is_not_asked_what_got_in_the_way(
    coach, who, clock, answer
):
    _week(coach, who, clock, COMMITMENT)
    clock.advance(days=7)
    coach.start_reflection(who)
    reply = coach.reflect(who, answer)
    assert reply.meta["state"] != "safety", "a short illness is not distress"
    assert "named what got in the way" in reply.text
    assert not re.search(r"got in the way|made it hard|instead", reply.question or "")


def test_the_same_commitment_week_after_week_is_noticed_gently(coach, who, clock):
    _week(coach, who, clock, COMMITMENT)
    _week(coach, who, clock, COMMITMENT)
    clock.advance(days=7)
    checkin = coach.start_reflection(who)
    assert "much the same step" in checkin.text


def test_no_question_or_passage_repeats_over_twelve_weekly_reflections(coach, who, clock, store):
    asked, shown = [], []
    for _ in range(12):
        for reply in _week(coach, who, clock, COMMITMENT):
            if reply.question:
                asked.append(reply.question.removeprefix("Coming back to where we were: "))
            shown.extend(f"{p.doc}:{p.start}" for p in reply.passages)
    assert len(asked) > 60
    assert len(asked) == len(set(asked)), [q for q in asked if asked.count(q) > 1][:5]
    assert len(shown) == len(set(shown))


def test_the_conversation_survives_a_restart(
    knowledge_evidence, store, clock, bank, themes, who, reader
):
    first_process = Coach(knowledge_evidence, store, clock, bank, themes, reader=reader)
    first_process.start_reflection(who)
    asked = first_process.reflect(who, SITUATION).question
    second_process = Coach(knowledge_evidence, store, clock, bank, themes, reader=reader)
    assert second_process.in_reflection(who)
    resumed = second_process.start_reflection(who)
    assert resumed.question == asked and "pick it up" in resumed.text


def test_skip_stop_and_not_now_end_gracefully_without_saving(coach, who, store):
    for word in ("skip", "stop", "not now"):
        coach.start_reflection(who)
        coach.reflect(who, SITUATION)
        reply = coach.reflect(who, word)
        assert reply.done and "Nothing from this conversation was saved" in reply.text
        assert not coach.in_reflection(who)
    assert store.entries == []


def test_without_evidence_the_reflection_carries_on(
    store, clock, bank, themes, who, knowledge_evidence, reader
):
    knowledge_evidence.down = True
    coach = Coach(knowledge_evidence, store, clock, bank, themes, reader=reader)
    coach.start_reflection(who)
    reply = coach.reflect(who, SITUATION)
    assert reply.kind is ReplyKind.REFLECTION and reply.question and reply.passages == []
    knowledge_evidence.down = False
    quiet = Coach(NoEvidence(), InMemoryStore(clock), clock, bank, themes, reader=reader)
    quiet.start_reflection(who)
    assert quiet.reflect(who, SITUATION).passages == []


def test_a_database_outage_keeps_the_words_and_asks_to_try_again(coach, who, store):
    _to_will(coach, who)
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


def test_a_commitment_offered_after_the_options_question_is_saved_without_asking(coach, who, store):
    replies = [
        coach.start_reflection(who),
        coach.reflect(who, SITUATION),
        coach.reflect(who, SECOND),
    ]
    while replies[-1].meta["state"] != "options":
        replies.append(coach.reflect(who, OPTION))
    offered = "I will ask both of them to meet me before the next board"
    saved = coach.reflect(who, f"{offered}.")
    assert saved.done and saved.meta["state"] == "saved"
    assert store.entries[0].commitment == f"{offered}."


def test_a_step_offered_before_any_options_question_waits_for_one(coach, who, store):
    coach.start_reflection(who)
    reply = coach.reflect(who, "I will ask both of them to meet me before the next board.")
    assert not reply.done and store.entries == []


def test_a_passage_is_shown_only_when_it_speaks_to_the_words_quoted_exactly_in_whole_sentences(
    coach, who
):
    coach.start_reflection(who)
    shown = []
    for said in (
        "The Better Care Fund is breeding distrust between the NHS and social care.",
        "The hospital trust's own organisational imperatives override the shared purpose.",
    ):
        shown.extend(coach.reflect(who, said).passages)
    assert shown, "no passage for two turns that a passage speaks to almost word for word"
    for passage in shown:
        source = (KNOWLEDGE / passage.doc).read_text(encoding="utf-8")
        assert source[passage.start : passage.end] == passage.text
        assert passage.text[0].isupper() and passage.text.rstrip()[-1] in ".!?”’\"'"
        assert len(passage.text) <= 320
    coach.reflect(who, "stop")
    coach.start_reflection(who)
    small_talk = coach.reflect(who, "Honestly the football was dreadful at the weekend.")
    assert small_talk.passages == []


def test_a_step_offered_straight_after_distress_is_read_in_its_light_never_saved(coach, who, store):
    coach.start_reflection(who)
    coach.reflect(who, "I'm thinking of resigning, if I'm honest.")
    reply = coach.reflect(who, "I will send the letter to my director on Friday.")
    assert reply.meta["state"] == "safety" and "116 123" in reply.text
    assert "possible step" not in reply.text and store.entries == []


@pytest.mark.parametrize(
    "options",
    [
        "I could talk to both chief execs, or ask the ICB to pause it.",
        "I could meet the chairs, or rewrite the strategy with them.",  # not a request for advice
    ],
)
def test_options_the_leader_names_are_heard_and_the_step_is_asked_for_next(coach, who, options):
    coach.start_reflection(who)
    coach.reflect(who, "The hospice and the community trust are competing for one contract.")
    coach.reflect(who, "We used to plan together and now it's all very guarded.")
    reply = coach.reflect(who, options)
    assert "I don't give advice" not in reply.text
    assert reply.meta["state"] == "will", reply.question
    assert "step" in (reply.question or "").lower() or "step" in reply.text.lower()


def test_not_knowing_what_they_want_is_met_gently_not_with_a_demand_for_a_step(coach, who):
    coach.start_reflection(who)
    coach.reflect(who, "The safeguarding partnership meeting got derailed over who chairs it.")
    coach.reflect(who, "The police want to chair because they fund most of it.")
    reply = coach.reflect(who, "Honestly I don't know what I want to happen.")
    assert reply.meta["state"] != "will" and "concrete step" not in reply.text


def test_a_suggestion_said_without_asking_is_not_taken_for_a_request_for_advice(coach, who):
    coach.start_reflection(who)
    coach.reflect(who, "The safeguarding partnership meeting got derailed over who chairs it.")
    reply = coach.reflect(who, "Maybe suggest a rotating chair, or an independent one.")
    assert "I don't give advice" not in reply.text and reply.question


def test_the_reflect_back_quotes_what_comes_after_but(coach, who):
    coach.start_reflection(who)
    reply = coach.reflect(
        who,
        "We launched the joint commissioning board but the voluntary sector feel like "
        "they're there to make up the numbers.",
    )
    assert "the voluntary sector feel like they're there to make up the numbers" in reply.text
