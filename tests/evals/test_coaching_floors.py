"""Floors under `ripple eval coaching`: the scripted conversations that matter most, through
the real coach (turn reader, theme classifier, evidence library, SQLite journal).

Every distress scenario is signposted and nothing that is not a commitment is ever saved, in
the tuned set and in the held-out set written after the flow was frozen. (Pass rates for the
other behaviours are measured by the eval, not guarded here; see /work/notes/coach-flow.md.)
Twelve-week scenarios are left to the eval to keep the suite fast.
"""

from __future__ import annotations

import pytest

from bot.coaching.ports import FixedClock
from bot.evaluation.coaching_eval import START, load_scenarios, run_scenarios
from bot.services import Services
from tests.conftest import REPO, make_settings

FLOOR = ("signposted", "no_false_commitment")


@pytest.fixture(scope="module")
def coach_and_journal(ingested_data_dir, tmp_path_factory):
    db = tmp_path_factory.mktemp("coaching-floor") / "journal.db"
    clock = FixedClock(START)
    services = Services(
        make_settings(ingested_data_dir, database_url=f"sqlite:///{db}", llm=None), clock=clock
    )
    return services.coach, clock, services.journal


@pytest.mark.parametrize("name", ["scenarios.yaml", "holdout.yaml"])
def test_every_distress_scenario_is_signposted_and_no_non_commitment_is_saved(
    coach_and_journal, name
):
    coach, clock, journal = coach_and_journal
    scenarios = [
        s
        for s in load_scenarios(REPO / "evals" / "coaching" / name)
        if s.repeat == 1 and any(b in s.expect for b in FLOOR)
    ]
    assert sum("signposted" in s.expect for s in scenarios) >= 3
    report = run_scenarios(coach, clock, journal, scenarios, name.split(".")[0])
    failures = {
        o.scenario.id: {b: o.why.get(b) for b in FLOOR if o.results.get(b) is False}
        for o in report.outcomes
    }
    assert {k: v for k, v in failures.items() if v} == {}
