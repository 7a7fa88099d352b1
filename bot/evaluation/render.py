"""Rich tables for `ripple eval`; the JSON form lives on each report's `to_json`."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bot.evaluation.retrieval_eval import LATENCY_METHOD, TOP_K, RetrievalReport
from bot.evaluation.theme_eval import ThemeReport


def _pct(value: float) -> str:
    return f"{value:.3f}"


def retrieval_table(report: RetrievalReport, name: str = "") -> Table:
    methods = list(report.methods)
    which = f"{name} set, " if name else ""
    table = Table(
        title=(
            f"Retrieval ({which}{report.on_topic} on-topic + {report.off_topic} off-topic "
            f"queries, k={TOP_K})"
        )
    )
    table.add_column("metric")
    for method in methods:
        table.add_column(method, justify="right")
    # The best score per row is bold so the comparison reads at a glance.
    rows = [
        ("recall@1", "recall_at_1"),
        ("recall@5", "recall_at_5"),
        ("MRR@10", "mrr_at_10"),
        ("off-topic rejection", "off_topic_rejection"),
        ("on-topic answered", "on_topic_answered"),
    ]
    for label, attribute in rows:
        values = [getattr(report.methods[m], attribute) for m in methods]
        best = max(values)
        table.add_row(label, *[f"[bold]{_pct(v)}[/bold]" if v == best else _pct(v) for v in values])
    if report.latency_ms:
        blanks = ["" for _ in methods]
        column = methods.index(LATENCY_METHOD) if LATENCY_METHOD in methods else None
        for label, value in (
            ("warm latency median (ms)", report.latency_median_ms),
            ("warm latency p95 (ms)", report.latency_p95_ms),
        ):
            cells = list(blanks)
            if column is not None:
                cells[column] = f"{value:.1f}"
            table.add_row(label, *cells)
    return table


def theme_table(report: ThemeReport, name: str = "") -> Table:
    which = f"{name} set, " if name else ""
    table = Table(title=f"Theme detection ({which}{report.rows} labelled reflections)")
    table.add_column("theme")
    for name in ("precision", "recall", "F1", "support"):
        table.add_column(name, justify="right")
    for theme, s in report.per_theme.items():
        table.add_row(theme, _pct(s.precision), _pct(s.recall), _pct(s.f1), str(s.support))
    table.add_row("[bold]macro[/bold]", "", "", f"[bold]{_pct(report.macro_f1)}[/bold]", "")
    return table


def print_retrieval(console: Console, report: RetrievalReport, name: str = "") -> None:
    console.print(retrieval_table(report, name))
    if "hybrid" in report.methods and len(report.methods) > 1:
        if report.hybrid_beats_singles():
            console.print("Hybrid beats every single method on recall@5 and MRR@10.")
        else:
            console.print(
                "[yellow]Hybrid does NOT beat every single method on both recall@5 and "
                "MRR@10.[/yellow]"
            )
        misses = report.misses()
        if misses:
            console.print(f"Hybrid misses at 5 ({len(misses)}): {', '.join(misses)}")
        console.print(off_topic_table(report, name))


def off_topic_table(report: RetrievalReport, name: str = "") -> Table:
    """What the request gate and floor did with each kind of off-topic question (hybrid)."""
    hybrid = report.methods.get("hybrid") or next(iter(report.methods.values()))
    which = f"{name} set, " if name else ""
    table = Table(title=f"Off-topic questions turned away ({which}{hybrid.method})")
    for column in ("kind", "turned away", "of", "rate"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, (rejected, total) in hybrid.off_topic_by_kind.items():
        table.add_row(kind, str(rejected), str(total), _pct(rejected / total if total else 0))
    refused = len(hybrid.refused)
    table.add_row(
        "[bold]on-topic refused[/bold]",
        str(refused),
        str(report.on_topic),
        _pct(refused / report.on_topic if report.on_topic else 0),
    )
    return table


def print_themes(console: Console, report: ThemeReport, name: str = "") -> None:
    console.print(theme_table(report, name))
    console.print(
        f"exact-set match {_pct(report.exact_match)}; "
        f"no-theme rows left empty {_pct(report.no_theme_correct)}"
    )
