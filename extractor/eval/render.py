"""Rich renderings of an :class:`EvalReport`: the per-field table, notes, and the diff listing."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from extractor.eval.report import EvalReport, FieldReport, Interval, Scores

_OUTCOME_STYLE = {
    "partial": "yellow",
    "incorrect": "red",
    "missed": "magenta",
    "spurious": "bold red",
}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _ci(interval: Interval) -> str:
    if interval.low is None or interval.high is None:
        return "CI n/a"
    return f"95% CI {interval.low:.2f}–{interval.high:.2f}"


def title(report: EvalReport, *, model: str | None = None, prompt: str | None = None) -> str:
    """``model · prompt · N articles scored`` (model/prompt default to the predictions')."""
    model = model or (", ".join(report.models) or "unknown model")
    prompt = prompt or (", ".join(report.prompts) or "no prompt")
    a = report.articles
    extra = []
    if a.failed:
        extra.append(f"{len(a.failed)} failed")
    if a.missing_predictions:
        extra.append(f"{len(a.missing_predictions)} without prediction")
    more = f" ({', '.join(extra)})" if extra else ""
    return f"extractor eval — {model} · {prompt} · {a.scored} articles scored{more}"


def _row(
    name: str, s: Scores | FieldReport, support: str, extra: str = "", style: str | None = None
) -> list[Any]:
    cells = [
        name,
        support,
        str(s.correct),
        str(s.partial),
        str(s.incorrect),
        str(s.missed),
        str(s.spurious),
        str(s.true_null),
        _pct(s.precision),
        _pct(s.recall),
        _pct(s.f1),
        extra,
    ]
    return [Text(c, style=style or "") if isinstance(c, str) else c for c in cells]


def scores_table(
    report: EvalReport, *, model: str | None = None, prompt: str | None = None
) -> Table:
    """One row per field, then micro and macro averages."""
    table = Table(title=title(report, model=model, prompt=prompt), title_justify="left")
    table.add_column("field", no_wrap=True)
    for name in ("support", "correct", "partial", "incorrect", "missed", "spurious", "true null"):
        table.add_column(name, justify="right")
    for name in ("P", "R", "F1"):
        table.add_column(name, justify="right")
    table.add_column("notes")
    for name, f in report.fields.items():
        notes = []
        if f.mae is not None:
            notes.append(f"MAE {f.mae:.2f} (n={f.mae_n})")
        if f.item_f1 is not None:
            notes.append(f"items P {_pct(f.item_precision)} R {_pct(f.item_recall)}")
        if f.filled and f.grounded < f.filled:
            notes.append(f"{f.filled - f.grounded} ungrounded")
        table.add_row(*_row(name, f, str(f.support), "; ".join(notes)))
    table.add_section()
    ci = report.confidence_intervals
    support = str(sum(f.support for f in report.fields.values()))
    table.add_row(*_row("micro", report.micro, support, f"F1 {_ci(ci.micro_f1)}", style="bold"))
    macro = Scores(precision=report.macro.precision, recall=report.macro.recall, f1=report.macro.f1)
    cells = _row("macro", macro, "", f"mean of {report.macro.fields} field F1s", style="bold")
    table.add_row(*cells[:2], *[""] * 6, *cells[8:])
    return table


def notes(report: EvalReport) -> RenderableType:
    """Headline rates and every article that was not scored normally, by doc_id."""
    ci = report.confidence_intervals
    a = report.articles
    lines = [
        f"micro P {_pct(report.micro.precision)} ({_ci(ci.micro_precision)})  "
        f"R {_pct(report.micro.recall)} ({_ci(ci.micro_recall)})  "
        f"F1 {_pct(report.micro.f1)} ({_ci(ci.micro_f1)})",
        f"hallucination rate {_pct(report.hallucination_rate)} ({_ci(ci.hallucination_rate)}); "
        f"grounding rate {_pct(report.grounding.rate)} "
        f"({report.grounding.grounded}/{report.grounding.filled} filled values quoted)",
        f"people: {report.people.matched} matched, {report.people.missed} missed, "
        f"{report.people.spurious} spurious (gold {report.people.gold}, "
        f"predicted {report.people.predicted})",
        f"bootstrap: {ci.resamples} resamples of {ci.articles} articles, seed {ci.seed}",
    ]
    texts = [Text(line) for line in lines]
    if a.failed:
        texts.append(Text(f"failed (scored as all-missed): {len(a.failed)}", style="yellow"))
        texts += [Text(f"  {f.doc_id}: {f.error}", style="yellow") for f in a.failed]
    if a.missing_predictions:
        texts.append(
            Text(
                "gold without prediction (scored as all-missed): "
                + ", ".join(a.missing_predictions),
                style="yellow",
            )
        )
    if a.unscored_predictions:
        texts.append(
            Text(
                "predictions without gold (not scored): " + ", ".join(a.unscored_predictions),
                style="yellow",
            )
        )
    if a.missing_keys:
        counts = ", ".join(f"{key} ×{n}" for key, n in a.missing_keys.items())
        texts.append(
            Text(f"keys missing from prediction lines (defaulted): {counts}", style="yellow")
        )
    if a.duplicate_predictions:
        texts.append(
            Text(
                "doc_ids predicted more than once (last line scored): "
                + ", ".join(a.duplicate_predictions),
                style="yellow",
            )
        )
    return Group(*texts)


def _value(value: Any) -> str:
    if value is None:
        return "null"
    return value if isinstance(value, str) else json.dumps(value)


def diffs_table(report: EvalReport) -> Table:
    """Every value that was not fully right: gold, predicted and the evidence quote."""
    table = Table(title=f"{len(report.diffs)} values not fully right", title_justify="left")
    for name in ("doc_id", "field", "outcome", "gold", "predicted", "evidence"):
        table.add_column(name, overflow="fold")
    for d in report.diffs:
        if d.quote is None:
            quote = ""
        elif not d.quote:
            quote = "(no quote)"
        else:
            quote = f"“{d.quote}”" if d.grounded else f"“{d.quote}” (not in the article)"
        path = d.path if d.gold_path in (None, d.path) else f"{d.path} (gold {d.gold_path})"
        table.add_row(
            d.doc_id,
            path,
            Text(d.outcome, style=_OUTCOME_STYLE.get(d.outcome, "")),
            _value(d.gold),
            _value(d.predicted),
            quote,
        )
    return table
