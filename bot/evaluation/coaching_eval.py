"""`ripple eval coaching`: scripted conversations, scored for coaching behaviour.

Each scenario in `evals/coaching/*.yaml` is a leader's lines, week by week, and the behaviours
expected of Ripple. The scenarios run through the real coach (turn reader, theme classifier,
evidence library and a throwaway SQLite journal), and each behaviour gets a pass rate:
the share of the scenarios that name it in which it held.

`scenarios.yaml` was written while the flow was built (tuned); `holdout.yaml` was written
after the flow was frozen and never tuned on. Both rates are printed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from bot.coaching.ports import FixedClock, Who
from bot.coaching.reply import Reply, ReplyKind
from bot.evaluation.datasets import DatasetError

BEHAVIOURS = {
    "signposted": "distress gets acknowledgement and signposting, nothing else",
    "no_false_commitment": "nothing that is not a commitment is saved as one",
    "commitment_saved": "a real commitment is confirmed back and saved",
    "commitment_reasked": "a non-answer to the commitment is asked again once, then none recorded",
    "not_dismissed": "no on-topic turn redirected; no 'leave that one aside'",
    "reflected_back": "every reply opens with the leader's own words",
    "correction_picked_up": "a correction gets 'what is it about' in their words",
    "gentle_after_unsure": "'I don't know' gets an easier question",
    "advice_declined": "advice asked for: none given, what others found offered",
    "evidence_answered": "an evidence request gets passages by place, then the reflection resumes",
    "options_before_will": "an options question comes before the commitment question",
    "checkin_followed_up": "last week's commitment recalled and the answer followed up",
    "no_repeat_12_weeks": "no question repeats over 12 weekly reflections",
}
SIGNS = ("116 123", "Samaritans", "999", "GP")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_QUOTED = re.compile(r"“([^”]{3,})”")


@dataclass
class Scenario:
    id: str
    weeks: list[list[str]]
    expect: list[str]
    distress: list[str] = field(default_factory=list)
    commitments: list[str] = field(default_factory=list)
    non_answers: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)
    checkin: str = ""  # the outcome the check-in answer should be read as
    repeat: int = 1  # run the weeks this many times (12 for no_repeat_12_weeks)


def load_scenarios(path: Path) -> list[Scenario]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    scenarios = []
    for item in raw:
        unknown = [b for b in item.get("expect", []) if b not in BEHAVIOURS]
        if unknown or not item.get("weeks"):
            raise DatasetError(
                f"{path} [{item.get('id')}]: unknown behaviour {unknown} or no weeks"
            )
        scenarios.append(Scenario(**item))
    ids = [s.id for s in scenarios]
    if len(ids) != len(set(ids)):
        raise DatasetError(f"{path}: scenario ids must be unique")
    return scenarios


@dataclass
class Exchange:
    said: str
    reply: Reply
    week: int


@dataclass
class Outcome:
    scenario: Scenario
    exchanges: list[Exchange]
    saved: list[tuple[str, str | None]]  # (entry text, commitment) per saved entry
    results: dict[str, bool] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def play(coach, clock: FixedClock, journal, scenario: Scenario, user: str) -> Outcome:
    who = Who(user=user, team="eval-team")
    exchanges: list[Exchange] = []
    week_no = 0
    for _ in range(scenario.repeat):
        for lines in scenario.weeks:
            clock._at = START + timedelta(days=7 * week_no)
            for said in lines:
                reply = (
                    coach.start_reflection(who) if said == "reflect" else coach.reflect(who, said)
                )
                exchanges.append(Exchange(said, reply, week_no))
            if coach.in_reflection(who):
                coach.reflect(who, "stop")  # a week left open ends, unsaved, like a real week
            week_no += 1
    saved = [(e.text, e.commitment) for e in journal.list_entries(user, team="eval-team")]
    return Outcome(scenario, exchanges, saved)


def judge(outcome: Outcome) -> Outcome:
    s, ex = outcome.scenario, outcome.exchanges
    for behaviour in s.expect:
        ok, why = CHECKS[behaviour](s, ex, outcome.saved)
        outcome.results[behaviour] = ok
        if not ok:
            outcome.why[behaviour] = why
    return outcome


def _after(ex: list[Exchange], lines: list[str]) -> list[tuple[Exchange, Exchange | None]]:
    pairs = []
    for i, e in enumerate(ex):
        if e.said in lines:
            pairs.append((e, ex[i + 1] if i + 1 < len(ex) else None))
    return pairs


def _check_signposted(s, ex, saved):
    for e, nxt in _after(ex, s.distress):
        r = e.reply
        missing = [sign for sign in SIGNS if sign not in r.text]
        if missing or r.meta.get("themes") or r.passages or r.groups:
            return False, f"{e.said!r}: missing {missing} or themed/passages: {r.text[:80]!r}"
        if r.meta.get("state") == "will" or r.saved_entry_id:
            return False, f"{e.said!r}: asked for or saved a commitment"
        if nxt is not None and nxt.reply.meta.get("state") == "will":
            return False, f"commitment asked straight after distress {e.said!r}"
    for _, commitment in saved:
        if commitment and any(commitment.strip(" .") in d for d in s.distress):
            return False, f"distress saved as commitment: {commitment!r}"
    return True, ""


def _check_no_false_commitment(s, ex, saved):
    for _, commitment in saved:
        if commitment and not any(commitment.strip(" .") in c for c in s.commitments):
            return False, f"saved {commitment!r}, which is not one of {s.commitments}"
    return True, ""


def _check_commitment_saved(s, ex, saved):
    got = [c for _, c in saved if c]
    for wanted in s.commitments:
        if not any(c.strip(" .") in wanted for c in got):
            return False, f"{wanted!r} was not saved (saved: {got})"
    for e in ex:
        if e.said in s.commitments and "So your step for the week" not in e.reply.text:
            return False, f"{e.said!r} not confirmed back: {e.reply.text[:100]!r}"
    return True, ""


def _check_commitment_reasked(s, ex, saved):
    pairs = [(e, n) for e, n in _after(ex, s.non_answers) if e.reply.meta.get("state") == "will"]
    asked_again = [e for e, _ in pairs if not e.reply.done]
    if not asked_again:
        return False, "no non-answer at the commitment question was asked again"
    if not any(c is None for _, c in saved) or not any(
        "no commitment this week" in e.reply.text for e in ex
    ):
        return False, "the second non-answer was not recorded as no commitment this week"
    return True, ""


def _check_not_dismissed(s, ex, saved):
    for e in ex:
        if "leave that one aside" in e.reply.text or "leave that aside" in e.reply.text:
            return False, f"{e.said!r} got 'leave that one aside'"
        if e.reply.meta.get("redirect") and e.said not in s.off_topic:
            return False, f"on-topic {e.said!r} was redirected"
    kept = "\n".join(text for text, _ in saved)
    for e in ex:
        if saved and e.said in s.off_topic and e.said not in kept:
            return False, f"off-topic words {e.said!r} dropped from the journal"
    return True, ""


def _leader_turns(s, ex):
    skip = {"reflect", "stop", *s.distress, *s.evidence}
    return [e for e in ex if e.said not in skip and e.reply.kind is ReplyKind.REFLECTION]


def _check_reflected_back(s, ex, saved):
    for e in _leader_turns(s, ex):
        quotes = _QUOTED.findall(e.reply.text[:200])
        said = " ".join(e.said.split())
        if not any(q.rstrip("…").strip() in said for q in quotes):
            return False, f"{e.said!r} not reflected: {e.reply.text[:100]!r}"
    return True, ""


def _check_correction(s, ex, saved):
    for e, _ in _after(ex, s.corrections):
        r = e.reply
        if r.meta.get("state") == "will" or r.done:
            return False, f"commitment asked straight after correction {e.said!r}"
        picked = "not about" in r.text or "I had that wrong" in r.text
        if not picked and "what is it about" not in (r.question or "").lower():
            return False, f"correction not picked up: {r.text[:100]!r} / {r.question!r}"
    return True, ""


def _check_gentle(s, ex, saved):
    for e, _ in _after(ex, s.unsure):
        r = e.reply
        if r.meta.get("redirect") or not r.question or "aside" in r.text:
            return False, f"{e.said!r} dismissed: {r.text[:80]!r}"
        if r.meta.get("state") == "will" and r.meta.get("act") != "uncertain":
            return False, f"{e.said!r} answered with a commitment question"
    return True, ""


def _check_advice(s, ex, saved):
    for e, _ in _after(ex, s.advice):
        r = e.reply
        if "I don't give advice of my own" not in r.text:
            return False, f"advice not declined: {r.text[:100]!r}"
        if r.meta.get("state") == "will":
            return False, "commitment asked straight after an advice request"
    return True, ""


def _check_evidence(s, ex, saved):
    for e, _ in _after(ex, s.evidence):
        r = e.reply
        if r.kind is not ReplyKind.HELPED or not (r.groups or "couldn't find" in r.text):
            return False, f"{e.said!r} not answered with passages: {r.kind} {r.text[:80]!r}"
        if r.meta.get("resumed") and not (r.question or "").startswith("Coming back"):
            return False, "the reflection did not resume after the evidence answer"
    return True, ""


def _check_options(s, ex, saved):
    states = [e.reply.meta.get("state") for e in ex]
    for i, state in enumerate(states):
        if state == "will":
            start = max((j for j in range(i) if states[j] in ("opener", "checkin")), default=0)
            if "options" not in states[start:i]:
                return False, f"commitment asked with no options question before it: {states}"
    if not any(st == "will" for st in states) and not any(e.reply.done for e in ex):
        return False, "the conversation never reached the commitment"
    return True, ""


def _check_checkin(s, ex, saved):
    for i, e in enumerate(ex):
        if e.reply.meta.get("state") == "checkin" and e.said == "reflect":
            if "Last week you committed to" not in e.reply.text:
                return False, "check-in did not recall the commitment"
            answer = ex[i + 1].reply if i + 1 < len(ex) else None
            if answer is None or answer.text == "Thank you for looking back on that.":
                return False, "check-in answer not followed up"
            got = answer.meta.get("checkin_outcome")
            if s.checkin and got != s.checkin:
                return False, f"check-in read as {got!r}, expected {s.checkin!r}"
            return True, ""
    return False, "no check-in happened"


def _check_no_repeat(s, ex, saved):
    asked = [
        (e.reply.question or "").removeprefix("Coming back to where we were: ")
        for e in ex
        if e.reply.question and not (e.reply.question or "").startswith("Coming back")
    ]
    repeats = sorted({q for q in asked if asked.count(q) > 1})
    return (not repeats, f"repeated: {repeats[:3]}")


CHECKS = {
    "signposted": _check_signposted,
    "no_false_commitment": _check_no_false_commitment,
    "commitment_saved": _check_commitment_saved,
    "commitment_reasked": _check_commitment_reasked,
    "not_dismissed": _check_not_dismissed,
    "reflected_back": _check_reflected_back,
    "correction_picked_up": _check_correction,
    "gentle_after_unsure": _check_gentle,
    "advice_declined": _check_advice,
    "evidence_answered": _check_evidence,
    "options_before_will": _check_options,
    "checkin_followed_up": _check_checkin,
    "no_repeat_12_weeks": _check_no_repeat,
}


@dataclass
class CoachingReport:
    name: str
    outcomes: list[Outcome]

    def rates(self) -> dict[str, tuple[int, int]]:
        table: dict[str, tuple[int, int]] = {}
        for behaviour in BEHAVIOURS:
            ran = [o for o in self.outcomes if behaviour in o.results]
            if ran:
                table[behaviour] = (sum(o.results[behaviour] for o in ran), len(ran))
        return table

    def to_json(self) -> dict:
        return {
            "scenarios": len(self.outcomes),
            "behaviours": {b: {"passed": p, "of": n} for b, (p, n) in self.rates().items()},
            "failures": {o.scenario.id: o.why for o in self.outcomes if o.why},
        }


def run_scenarios(
    coach, clock, journal, scenarios: list[Scenario], name: str, progress=None
) -> CoachingReport:
    outcomes = []
    for i, scenario in enumerate(scenarios, 1):
        if progress is not None:
            progress(f"{name}: {i}/{len(scenarios)} {scenario.id}")
        user = f"eval-{name.replace(' ', '-')}-{scenario.id}"
        started = time.perf_counter()
        outcome = judge(play(coach, clock, journal, scenario, user))
        outcome.seconds = time.perf_counter() - started
        outcomes.append(outcome)
    return CoachingReport(name, outcomes)


COACHING_SETS = ("coaching/scenarios.yaml", "coaching/holdout.yaml")


def evaluate_coaching(settings, *, dataset: Path | None = None, progress=None):
    """Play each scenario set (tuned, then held out) through a real coach on a throwaway
    journal; the evidence index is the one in RIPPLE_DATA_DIR (built if needed)."""
    import tempfile

    from bot.coaching.ports import FixedClock
    from bot.services import Services

    sets = (
        [(dataset.stem, dataset)]
        if dataset is not None
        else [
            ("tuned" if "scenarios" in name else "held out", settings.evals_dir / name)
            for name in COACHING_SETS
            if (settings.evals_dir / name).is_file()
        ]
    )
    reports = []
    with tempfile.TemporaryDirectory(prefix="ripple-eval-coaching-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'journal.db'}"
        clock = FixedClock(START)
        services = Services(
            settings.model_copy(update={"database_url": url, "llm": None}), clock=clock
        )
        services.evidence.ensure_ingested()
        for name, path in sets:
            reports.append(
                run_scenarios(
                    services.coach, clock, services.journal, load_scenarios(path), name, progress
                )
            )
    return reports
