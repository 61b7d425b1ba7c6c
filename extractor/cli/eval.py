"""``extractor eval``: score records against gold labels, field by field, and gate CI on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from extractor.cli.common import err_console, user_errors
from extractor.errors import ConfigError, ExtractorError
from extractor.eval.report import EvalReport
from extractor.predictions import PredictionLine

DEFAULT_GOLD = Path("evals/gold")
DEFAULT_ARTICLES = (Path("seeds"), Path("evals/articles"))
#: Width used when stdout is not a terminal (CI logs, pipes): wide enough for the table.
PIPE_WIDTH = 160


def _predict(
    articles: list[Path], model: str, prompt: str
) -> tuple[list[PredictionLine], str | None]:
    """Run the model over the articles (recorded as an ``eval`` run); bad articles are error lines."""
    from extractor.runner import extract_paths

    lines, summary = extract_paths(articles, model=model, prompt=prompt, kind="eval")
    return lines, summary.run_id


def _record_scores(run_id: str, report: EvalReport) -> None:
    """Attach the headline scores to the stored eval run, for `extractor runs show`."""
    from extractor.store import RunStore

    with RunStore() as store:
        stored = store.get_run(run_id).summary
        stored["eval"] = {
            "micro": report.micro.model_dump(),
            "macro_f1": report.macro.f1,
            "hallucination_rate": report.hallucination_rate,
            "grounding_rate": report.grounding.rate,
        }
        store.set_summary(run_id, stored)


def eval_command(
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="Score this predictions .jsonl file (as `extractor run` writes it); no model call.",
            dir_okay=False,
        ),
    ] = None,
    gold: Annotated[
        Path, typer.Option("--gold", help="Folder of <doc_id>.json gold label files.")
    ] = DEFAULT_GOLD,
    show_diffs: Annotated[
        bool,
        typer.Option(
            "--show-diffs",
            help="List every wrong, partial, missed or spurious value with evidence.",
        ),
    ] = False,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write the full report as JSON here.", dir_okay=False),
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            help="Exit with code 1 when micro F1 is below this (0 to 1), e.g. 0.8 in CI.",
            min=0.0,
            max=1.0,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", metavar="MODEL", help="Extract with this model first (rules, openai/<name>)."
        ),
    ] = None,
    prompt: Annotated[
        str,
        typer.Option(
            "--prompt", metavar="NAME@VERSION", help="Prompt template name@version, with --model."
        ),
    ] = "incident@v1",
    articles: Annotated[
        list[Path] | None,
        typer.Option(
            "--articles",
            metavar="PATH",
            help="Articles to extract from, with --model (repeatable). "
            "Default: seeds/ and evals/articles/.",
        ),
    ] = None,
) -> None:
    """Score records against gold labels: P/R/F1 per field, with confidence intervals.

    Score a predictions file (--predictions out.jsonl), or extract with a model first (--model). Every gold article is scored; failed or missing predictions count as all-missed. Predictions without gold are listed, not scored.

    Example: extractor eval --predictions out.jsonl --show-diffs --json report.json --fail-under 0.7
    """
    from extractor.eval import load_gold, read_predictions, score
    from extractor.eval.render import diffs_table, notes, scores_table

    with user_errors():
        if (predictions is None) == (model is None):
            raise ConfigError(
                "give either --predictions (score a file) or --model (extract, then score)"
                + (", not both" if predictions is not None else ""),
                hint="e.g. extractor eval --predictions out.jsonl",
            )
        labels = load_gold(gold)
        if predictions is not None:
            lines = read_predictions(predictions)
        else:
            assert model is not None
            lines, run_id = _predict(list(articles or DEFAULT_ARTICLES), model, prompt)
        report = score(lines, labels)
        if model is not None and run_id is not None:
            _record_scores(run_id, report)
        if json_path is not None:
            try:
                json_path.parent.mkdir(parents=True, exist_ok=True)
                json_path.write_text(report.to_json(), encoding="utf-8")
            except OSError as exc:
                raise ExtractorError(
                    f"{json_path}: cannot write the report ({exc.strerror})",
                    hint="give --json a writable file path",
                ) from None

    probe = Console()
    console = Console(width=None if probe.is_terminal else PIPE_WIDTH)
    console.print(
        scores_table(report, model=model, prompt=prompt if model and model != "rules" else None),
        notes(report),
    )
    if show_diffs:
        console.print(diffs_table(report))
    if json_path is not None:
        err_console.print(f"report written to {json_path}", highlight=False)
    if fail_under is not None:
        f1 = report.micro.f1
        if f1 is None or f1 < fail_under:
            shown = "undefined" if f1 is None else f"{f1:.4f}"
            err_console.print(
                f"[bold red]fail:[/] micro F1 {shown} is below --fail-under {fail_under}",
                highlight=False,
            )
            raise typer.Exit(1)
