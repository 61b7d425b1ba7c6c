"""``extractor compare``: prompt versions (or stored runs) side by side on the gold set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Group
from rich.markup import escape
from rich.table import Table

from extractor.cli.common import err_console, out_console, user_errors, write_report
from extractor.cli.options import ArticlesOption, GoldOption, RunOptions, eval_paths, run_options
from extractor.errors import ConfigError, PromptNotFoundError
from extractor.prompts import load_prompt
from extractor.settings import RULES
from extractor.store import RunStore

if TYPE_CHECKING:  # the scoring stack (scipy) loads only when a comparison runs
    from extractor.compare import CompareReport, Side, SideSummary


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _delta(value: float | None) -> str:
    if value is None:
        return "-"
    colour = "green" if value > 0 else "red" if value < 0 else ""
    text = f"{value:+.3f}"
    return f"[{colour}]{text}[/]" if colour else text


def _side(spec: str, *, options: RunOptions, articles: list[Path], store: RunStore) -> Side:
    """``rules``, a prompt ``name@version`` (run with --model), or a stored run id."""
    from extractor.compare import Side
    from extractor.runner import extract_paths

    flags = {k: v for k, v in options.flags().items() if k != "model"}
    if spec == RULES:
        lines, summary = extract_paths(articles, model=RULES, kind="eval", **flags)
        return Side(RULES, lines, summary.run_id)
    if "@" in spec:
        try:
            load_prompt(spec)
        except PromptNotFoundError:
            pass
        else:
            chosen = options.settings().resolved_model()[0]
            if chosen == RULES:
                raise ConfigError(
                    f"prompt {spec!r} needs an LLM: the rules baseline uses no prompt",
                    hint="pass --model openai/<name> (and OPENAI_API_KEY or --base-url)",
                )
            lines, summary = extract_paths(
                articles, model=chosen, prompt=spec, kind="eval", **flags
            )
            return Side(spec, lines, summary.run_id)
    run = store.get_run(spec)
    label = f"{run.prompt or run.model} ({run.run_id})"
    return Side(label, list(store.lines(run.run_id)), run.run_id)


def render(report: CompareReport, *, disagreements: int) -> Group:
    """The side-by-side tables."""
    labels = [escape(side.label) for side in report.sides]
    head = Table("", *labels, title="compared on the same gold articles")
    rows: list[tuple[str, Callable[[SideSummary], str]]] = [
        ("models", lambda s: ", ".join(s.models)),
        ("articles (failed)", lambda s: f"{s.articles} ({s.failed})"),
        ("micro F1", lambda s: _fmt(s.micro_f1)),
        ("macro F1", lambda s: _fmt(s.macro_f1)),
        ("hallucination rate", lambda s: _fmt(s.hallucination_rate)),
        ("grounding rate", lambda s: _fmt(s.grounding_rate)),
        ("tokens / article", lambda s: _fmt(s.tokens_per_article, 0)),
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

    first = report.pairs[0] if report.pairs else None
    fields = Table("field", *labels, f"Δ {labels[-1]} − {labels[0]}" if first else "Δ", "McNemar p")
    for name in report.sides[0].fields_f1:
        pair = next((p for p in report.pairs if p.a == labels[0] and p.b == labels[-1]), first)
        test = pair.fields[name] if pair else None
        fields.add_row(
            name,
            *(_fmt(side.fields_f1.get(name)) for side in report.sides),
            _delta(test.delta) if test else "-",
            _fmt(test.p_value) if test else "-",
        )

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

    queue = Table(
        "article",
        "field",
        "gold",
        *labels,
        title=f"where the sides disagree ({len(report.disagreements)}; first {disagreements})",
    )
    for item in report.disagreements[:disagreements]:
        queue.add_row(
            escape(item.doc_id),
            item.field,
            escape(str(item.gold)),
            *(escape(str(item.values.get(label, "-"))) for label in labels),
        )
    return Group(head, fields, pairs, queue)


@run_options(exclude={"prompt"})
def compare_command(
    sides: Annotated[
        list[str],
        typer.Argument(
            help="two or more of: rules, a prompt name@version (with --model), a stored run id"
        ),
    ],
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="write the whole comparison as JSON", dir_okay=False),
    ] = None,
    html_path: Annotated[
        Path | None,
        typer.Option("--html", help="also write the comparison as an HTML page", dir_okay=False),
    ] = None,
    disagreements: Annotated[
        int, typer.Option("--disagreements", help="how many disagreements to list")
    ] = 25,
    gold: GoldOption = None,
    articles: ArticlesOption = None,
    *,
    options: RunOptions,
) -> None:
    """Compare prompt versions, models or stored runs, field by field, with confidence.

    Each side is scored on the same gold articles; for each pair you get the micro-F1 delta with a paired bootstrap 95% CI and p-value, McNemar's exact test per field, and the articles where the sides disagree. Unchanged requests are answered from the response cache.

    Examples:

          extractor compare rules incident@v1 incident@v2 --model openai/gpt-4o-mini

          extractor compare 20261121-0712 20261121-0745 --json compare.json
    """
    from extractor.compare import compare
    from extractor.eval import load_gold

    if len(sides) < 2:
        raise typer.BadParameter("give at least two sides to compare")
    with user_errors():
        options.settings()  # a bad flag or variable is named before any side runs
        gold_path, article_paths = eval_paths(gold, articles)
        with RunStore() as store:
            labels = load_gold(gold_path)
            resolved = [
                _side(spec, options=options, articles=article_paths, store=store) for spec in sides
            ]
        seen: dict[str, int] = {}
        for side in resolved:  # the same spec twice still gets two columns
            seen[side.label] = seen.get(side.label, 0) + 1
            if seen[side.label] > 1:
                side.label = f"{side.label} #{seen[side.label]}"
        report = compare(resolved, labels)
        if json_path is not None:
            write_report(json_path, report.model_dump_json(indent=2) + "\n")
        if html_path is not None:
            from extractor.view import write_html

            lines = {side.label: side.lines for side in resolved}
            write_html(report, html_path, articles=article_paths, side_lines=lines)
    console = out_console()
    console.print(render(report, disagreements=disagreements))
    if json_path is not None:
        err_console.print(f"comparison written to {json_path}", highlight=False)
