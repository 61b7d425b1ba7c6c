"""Progress bar and end-of-run summary table for a batch (both on stderr)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from extractor.budget import usd
from extractor.pool import RunSummary
from extractor.predictions import PredictionLine


class BatchProgress:
    """A live bar (done, failed, tokens, elapsed, ETA) that stays silent when stderr is piped."""

    def __init__(self, console: Console, total: int | None, *, enabled: bool) -> None:
        self.failed = 0
        self.tokens = 0
        self._progress = Progress(
            TextColumn("[bold]extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TextColumn("{task.fields[tokens]:,} tokens"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self._task = self._progress.add_task("run", total=total, failed=0, tokens=0)

    def __enter__(self) -> BatchProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def advance(self, line: PredictionLine) -> None:
        self.failed += 0 if line.ok else 1
        self.tokens += line.usage.total_tokens
        self._progress.update(self._task, advance=1, failed=self.failed, tokens=self.tokens)


def summary_table(summary: RunSummary) -> Table:
    """The final accounting: counts, tokens (re-asks included), estimated cost, wall time."""
    table = Table(
        title=f"run {summary.run_id or 'summary'}: {summary.model}"
        + (f" · {summary.prompt}" if summary.prompt else "")
    )
    table.add_column("", style="bold")
    table.add_column("value", justify="right")
    rows = [
        ("articles processed", f"{summary.total:,}"),
        ("records written", f"{summary.succeeded:,}"),
        ("  of which empty (no value filled)", f"{summary.empty_records:,}"),
        ("failed (error lines)", f"{summary.failed:,}"),
        ("skipped (already done)", f"{summary.skipped:,}"),
        ("inputs skipped (no article)", f"{len(summary.inputs_skipped):,}"),
        ("ungrounded values", f"{summary.ungrounded_values:,}"),
        ("answered from cache (no model call)", f"{summary.cache_hits:,}"),
        ("attempts (model calls; re-asks, retries incl.)", f"{summary.model_calls:,}"),
        ("  of which retries and re-asks", f"{summary.retries:,}"),
        ("prompt tokens", f"{summary.usage.prompt_tokens:,}"),
        ("  of which cached (prompt cache)", f"{summary.usage.cached_tokens:,}"),
        *(
            [("  of which written to the prompt cache", f"{summary.usage.cache_write_tokens:,}")]
            if summary.usage.cache_write_tokens
            else []
        ),
        ("completion tokens", f"{summary.usage.completion_tokens:,}"),
        (
            "estimated cost",
            "unknown price" if summary.cost_usd is None else f"${summary.cost_usd:.4f}",
        ),
        ("wall time", f"{summary.wall_s:.2f} s"),
    ]
    if summary.cost_cap is not None:  # --max-cost: every request counted, written or not
        cap = summary.cost_cap
        rows.insert(-1, ("spent of --max-cost", f"{usd(cap['spent'])} of ${cap['cap']:g}"))
    for name, value in rows:
        table.add_row(name, value)
    return table


def print_skipped_inputs(console: Console, summary: RunSummary, *, limit: int = 20) -> None:
    """One line per input path passed over (a picture, a symlinked folder), and why."""
    for path, reason in summary.inputs_skipped[:limit]:
        console.print(
            f"[yellow]skipped[/] {escape(path)}: {reason}", highlight=False, soft_wrap=True
        )
    if len(summary.inputs_skipped) > limit:
        console.print(f"... and {len(summary.inputs_skipped) - limit} more skipped inputs")
