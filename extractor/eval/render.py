"""How the reports look in a terminal: every rich rendering of an eval or a compare report.

:class:`EvalView` (the per-field table, notes, and the diff listing) and :class:`CompareView`
(the side-by-side tables and the disagreement queue) are what ``report.view(...)`` returns and
what ``console.print(report)`` draws; the CLI prints them and renders nothing itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # the reports import this module to render themselves
    from extractor.eval.report import (
        CompareReport,
        EvalReport,
        FieldReport,
        Interval,
        Macro,
        Scores,
        SideSummary,
    )

_OUTCOMES = ("correct", "partial", "incorrect", "missed", "spurious", "true_null")
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


def _counts(s: Scores | FieldReport) -> list[str]:
    return [str(getattr(s, outcome)) for outcome in _OUTCOMES]


def _row(
    name: str,
    support: str,
    counts: list[str],
    s: Scores | FieldReport | Macro,
    extra: str = "",
    style: str = "",
) -> list[Text]:
    cells = [name, support, *counts, _pct(s.precision), _pct(s.recall), _pct(s.f1), extra]
    return [Text(c, style=style) for c in cells]


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
        table.add_row(*_row(name, str(f.support), _counts(f), f, "; ".join(notes)))
    table.add_section()
    ci = report.confidence_intervals
    support = str(sum(f.support for f in report.fields.values()))
    micro, macro = report.micro, report.macro
    micro_ci = f"F1 {_ci(ci.micro_f1)}"
    table.add_row(*_row("micro", support, _counts(micro), micro, micro_ci, style="bold"))
    macro_of = f"mean of {macro.fields} field F1s"
    table.add_row(*_row("macro", "", [""] * len(_OUTCOMES), macro, macro_of, style="bold"))
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
    if a.empty_records:
        texts.append(
            Text(
                "records with no value filled (every gold value missed): "
                + ", ".join(a.empty_records),
                style="yellow",
            )
        )
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


def calibration_table(report: EvalReport) -> RenderableType:
    """The reliability table (accuracy by confidence bin) and the review-only-the-doubtful line."""
    cal = report.calibration
    if cal is None:
        return Group()
    table = Table(
        title=f"calibration: {cal.values} values with confidence",
        title_justify="left",
    )
    for name in ("confidence", "values", "accuracy", "mean confidence"):
        table.add_column(name, justify="right")
    for b in cal.bins:
        closing = "]" if b.high == 1.0 else ")"
        table.add_row(
            f"[{b.low:.1f}, {b.high:.1f}{closing}",
            str(b.count),
            _pct(b.accuracy),
            _pct(b.mean_confidence),
        )
    table.add_section()
    table.add_row("all", str(cal.values), _pct(cal.accuracy), _pct(cal.mean_confidence))
    r = cal.review
    review = Text(
        f"review below {r.threshold:g}: check {r.to_check} of {cal.values} values "
        f"({_pct(r.share_to_check)}), catching {r.errors_caught} of {r.errors} errors "
        f"({_pct(r.share_of_errors_caught)})"
    )
    return Group(table, review)


@dataclass(frozen=True)
class EvalView:
    """An eval report as printed: scores table and notes, then the diffs when asked for."""

    report: EvalReport
    show_diffs: bool = False
    model: str | None = None
    prompt: str | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield scores_table(self.report, model=self.model, prompt=self.prompt)
        yield notes(self.report)
        if self.report.calibration is not None:
            yield calibration_table(self.report)
        if self.show_diffs:
            yield diffs_table(self.report)


# --- compare -----------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _delta(value: float | None) -> str:
    if value is None:
        return "-"
    colour = "green" if value > 0 else "red" if value < 0 else ""
    text = f"{value:+.3f}"
    return f"[{colour}]{text}[/]" if colour else text


def _token_split(side: SideSummary) -> str:
    """Prompt, cached (of prompt) and completion tokens per article, as ``1,234 / 1,024 / 300``."""
    parts = (
        side.prompt_tokens_per_article,
        side.cached_tokens_per_article,
        side.completion_tokens_per_article,
    )
    return " / ".join("-" if part is None else f"{part:,.0f}" for part in parts)


def _headers(report: CompareReport) -> list[str]:
    """Each side's label as a column header (labels are the user's: escaped, not markup)."""
    return [escape(side.label) for side in report.sides]


def _sides_table(report: CompareReport) -> Table:
    head = Table("", *_headers(report), title="compared on the same gold articles")
    rows: list[tuple[str, Callable[[SideSummary], str]]] = [
        ("models", lambda s: ", ".join(s.models)),
        ("articles (failed)", lambda s: f"{s.articles} ({s.failed})"),
        ("micro F1", lambda s: _fmt(s.micro_f1)),
        ("macro F1", lambda s: _fmt(s.macro_f1)),
        ("hallucination rate", lambda s: _fmt(s.hallucination_rate)),
        ("grounding rate", lambda s: _fmt(s.grounding_rate)),
        ("tokens / article", lambda s: _fmt(s.tokens_per_article, 0)),
        ("  prompt / cached / completion", _token_split),
        (
            "cost / article",
            lambda s: "unknown" if s.cost_per_article is None else f"${s.cost_per_article:.5f}",
        ),
        (
            "latency / article",
            lambda s: (
                "-" if s.latency_s_per_article is None else f"{s.latency_s_per_article:.2f} s"
            ),
        ),
        ("answered from cache", lambda s: str(s.cached_articles)),
    ]
    for name, get in rows:
        head.add_row(name, *(get(side) for side in report.sides))
    return head


def _fields_table(report: CompareReport) -> Table:
    first = report.pairs[0] if report.pairs else None
    heads = _headers(report)
    delta = f"Δ {heads[-1]} − {heads[0]}" if first else "Δ"
    fields = Table("field", *heads, delta, "McNemar p")
    a, b = report.sides[0].label, report.sides[-1].label
    for name in report.sides[0].fields_f1:
        pair = next((p for p in report.pairs if p.a == a and p.b == b), first)
        test = pair.fields[name] if pair else None
        fields.add_row(
            name,
            *(_fmt(side.fields_f1.get(name)) for side in report.sides),
            _delta(test.delta) if test else "-",
            _fmt(test.p_value) if test else "-",
        )
    return fields


def _pairs_table(report: CompareReport) -> Table:
    pairs = Table(
        "B vs A",
        "micro F1 A",
        "micro F1 B",
        "Δ micro F1",
        "95% CI (paired bootstrap)",
        "p",
        "articles",
    )
    for pair in report.pairs:
        pairs.add_row(
            f"{pair.b} vs {pair.a}", _fmt(pair.micro_f1_a), _fmt(pair.micro_f1_b),
            _delta(pair.delta_micro_f1), f"[{_fmt(pair.ci_low)}, {_fmt(pair.ci_high)}]",
            _fmt(pair.p_value), str(pair.articles),
        )  # fmt: skip
    return pairs


def _queue_table(report: CompareReport, disagreements: int) -> Table:
    queue = Table(
        "article",
        "field",
        "gold",
        *_headers(report),
        title=f"where the sides disagree ({len(report.disagreements)}; first {disagreements})",
    )
    for item in report.disagreements[:disagreements]:
        queue.add_row(
            escape(item.doc_id),
            item.field,
            escape(str(item.gold)),
            *(escape(str(item.values.get(side.label, "-"))) for side in report.sides),
        )
    return queue


@dataclass(frozen=True)
class CompareView:
    """A compare report as printed: its warnings, then the side-by-side tables."""

    report: CompareReport
    disagreements: int = 25

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for warning in self.report.warnings:
            yield Text(f"warning: {warning}", style="bold yellow")
        yield _sides_table(self.report)
        yield _fields_table(self.report)
        yield _pairs_table(self.report)
        yield _queue_table(self.report, self.disagreements)
