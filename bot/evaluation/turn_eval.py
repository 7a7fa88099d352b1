"""Score a turn reader against the labelled messages in `evals/turns.jsonl`.

Each row is `{"id", "text", "act"}` (the act is a `TurnAct` value); a correction row may add
`"corrected"`, what the leader says it was not about. The report gives per-act precision and
recall, accuracy, and the figure that matters most: distress recall.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.coaching.turns import Turn, TurnAct
from bot.evaluation.datasets import DatasetError, _field, _unique_ids, read_jsonl
from bot.evaluation.metrics import PRF, macro_f1, per_label_prf

ACT_IDS = tuple(a.value for a in TurnAct)


@dataclass(frozen=True)
class TurnCase:
    id: str
    text: str
    act: str
    corrected: str | None = None


def load_turn_cases(path: Path) -> list[TurnCase]:
    cases: list[TurnCase] = []
    for row in read_jsonl(path):
        where = f"{path} [{row.get('id', '?')}]"
        act = _field(row, "act", where)
        if act not in ACT_IDS:
            raise DatasetError(f"{where}: unknown act {act!r}; use {list(ACT_IDS)}.")
        cases.append(
            TurnCase(
                id=_field(row, "id", where),
                text=_field(row, "text", where),
                act=act,
                corrected=row.get("corrected"),
            )
        )
    _unique_ids((c.id for c in cases), path)
    return cases


@dataclass
class TurnReport:
    per_act: dict[str, PRF]
    accuracy: float
    macro_f1: float
    distress_missed: list[str]  # ids of distress rows read as anything else
    themed_distress: list[str]  # ids of distress rows that were given a theme anyway
    corrected_read: float  # share of labelled corrections whose subject was read right
    rows: int
    errors: list[tuple[str, str, str, str]]  # (id, gold, predicted, text)

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_act": {
                act: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for act, s in self.per_act.items()
            },
            "distress_missed": self.distress_missed,
            "themed_distress": self.themed_distress,
            "corrected_read": round(self.corrected_read, 4),
            "errors": [
                {"id": i, "gold": g, "predicted": p, "text": t} for i, g, p, t in self.errors
            ],
        }


def run_turn_eval(read: Callable[[str], Turn], cases: Sequence[TurnCase]) -> TurnReport:
    turns = [read(c.text) for c in cases]
    gold = [{c.act} for c in cases]
    predicted = [{t.act.value} for t in turns]
    labels = [a for a in ACT_IDS if any(a in g for g in gold)]
    scores = per_label_prf(gold, predicted, labels)
    distress = TurnAct.DISTRESS.value
    with_subject = [(c, t) for c, t in zip(cases, turns, strict=True) if c.corrected]
    return TurnReport(
        per_act=scores,
        accuracy=sum(1 for c, t in zip(cases, turns, strict=True) if c.act == t.act.value)
        / len(cases)
        if cases
        else 0.0,
        macro_f1=macro_f1(scores),
        distress_missed=[
            c.id for c, t in zip(cases, turns, strict=True) if c.act == distress != t.act.value
        ],
        themed_distress=[
            c.id for c, t in zip(cases, turns, strict=True) if c.act == distress and t.themes
        ],
        corrected_read=sum(
            1 for c, t in with_subject if (t.corrected or "").lower() == c.corrected.lower()
        )
        / len(with_subject)
        if with_subject
        else 1.0,
        rows=len(cases),
        errors=[
            (c.id, c.act, t.act.value, c.text)
            for c, t in zip(cases, turns, strict=True)
            if c.act != t.act.value
        ],
    )


def print_turns(console: Console, report: TurnReport, name: str = "") -> None:
    which = f"{name} set, " if name else ""
    table = Table(title=f"Turn understanding ({which}{report.rows} labelled messages)")
    table.add_column("act")
    for column in ("precision", "recall", "F1", "support"):
        table.add_column(column, justify="right")
    for act, s in report.per_act.items():
        table.add_row(act, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
    table.add_row("[bold]macro[/bold]", "", "", f"[bold]{report.macro_f1:.3f}[/bold]", "")
    console.print(table)
    console.print(
        f"accuracy {report.accuracy:.3f}; distress missed {len(report.distress_missed)}"
        f"{' (' + ', '.join(report.distress_missed) + ')' if report.distress_missed else ''}; "
        f"distress given a theme {len(report.themed_distress)}; "
        f"correction subject read {report.corrected_read:.3f}"
    )
