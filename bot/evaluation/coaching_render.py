"""Tables and transcripts for `ripple eval coaching` (the scoring is in coaching_eval.py)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bot.evaluation.coaching_eval import CoachingReport


def print_coaching(console: Console, report: CoachingReport) -> None:
    table = Table(title=f"Coaching behaviour: {report.name} ({len(report.outcomes)} scenarios)")
    for column in ("behaviour", "passed", "scenarios", "rate"):
        table.add_column(column, justify="left" if column == "behaviour" else "right")
    for behaviour, (passed, ran) in report.rates().items():
        table.add_row(behaviour, str(passed), str(ran), f"{100 * passed / ran:.0f}%")
    console.print(table)
    turns = sum(len(o.exchanges) for o in report.outcomes)
    seconds = sum(o.seconds for o in report.outcomes)
    if turns:
        console.print(f"  {turns} turns in {seconds:.0f} s: {1000 * seconds / turns:.0f} ms a turn")
    for outcome in report.outcomes:
        for behaviour, why in outcome.why.items():
            console.print(f"  ✗ {outcome.scenario.id} · {behaviour}: {why}", highlight=False)


def print_transcript(console: Console, report: CoachingReport, scenario_id: str) -> None:
    for outcome in report.outcomes:
        if outcome.scenario.id != scenario_id:
            continue
        console.rule(f"{report.name} · {scenario_id}")
        week = -1
        for e in outcome.exchanges:
            if e.week != week:
                week = e.week
                console.print(f"[dim]— week {week + 1}[/dim]")
            console.print(f"> {e.said}", highlight=False, markup=False)
            console.print(e.reply.text, highlight=False, markup=False)
            for p in e.reply.passages or [p for g in e.reply.groups for p in g.passages]:
                console.print(f"    “{p.text[:160]}…”", highlight=False, markup=False)
            if e.reply.question:
                console.print(f"  {e.reply.question}", highlight=False, markup=False)
            console.print(f"  [dim]{e.reply.meta.get('state')} {e.reply.meta.get('act', '')}[/dim]")
