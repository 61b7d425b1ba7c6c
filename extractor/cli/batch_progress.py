"""The ``--batch`` progress bar: one row per provider batch, its status and request counts."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from extractor.batch import RemoteBatch


class BatchPollProgress:
    """Rows ``batch <id>  <status>  ███  completed/total  N failed``, updated at each poll."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self._progress = Progress(
            TextColumn("[bold]batch[/] {task.description}"),
            TextColumn("{task.fields[status]:<11}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self._tasks: dict[int, TaskID] = {}
        self._started = False

    def update(self, batches: list[tuple[int, RemoteBatch]]) -> None:
        """Show the batches as just polled (called by the runner at each poll)."""
        if not self._started:
            self._progress.start()
            self._started = True
        for job_id, remote in batches:
            task = self._tasks.get(job_id)
            if task is None:
                task = self._tasks[job_id] = self._progress.add_task(
                    remote.batch_id, total=remote.total or None, status="", failed=0
                )
            self._progress.update(
                task,
                completed=remote.completed + remote.failed,
                total=remote.total or None,
                status=remote.status,
                failed=remote.failed,
            )

    def stop(self) -> None:
        if self._started:
            self._progress.stop()


def batch_line(counts: dict[str, int]) -> str:
    """One line under the summary: what went through batches, and what was re-asked."""
    return (
        f"batch: {counts['batches']:,} batches, {counts['requests']:,} requests "
        f"({counts['submitted']:,} submitted by this run); {counts['answered']:,} batch answers "
        f"valid, {counts['reasked']:,} re-asked synchronously ({counts['invalid']:,} invalid, "
        f"{counts['empty']:,} empty, {counts['provider_errors']:,} provider errors); "
        "batch answers priced at the batch price"
    )
