"""The run store: every run and eval, its per-article lines, and the response cache, in SQLite.

One file, ``<state dir>/extractor.db`` (``EXTRACTOR_HOME`` moves it). Lines are committed as each
article finishes, in WAL mode, so a crash loses nothing already written; a run whose process died
is marked ``incomplete`` the next time the store is opened. The schema is versioned with
``PRAGMA user_version`` and migrated forward step by step, never dropped.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extractor.errors import StoreError
from extractor.predictions import PredictionLine, PromptRef
from extractor.settings import state_dir

DB_NAME = "extractor.db"


def add_batch_jobs(db: sqlite3.Connection) -> None:
    """2 -> 3: provider batches (``run --batch``) and which article went into which.

    A job row is written before its file is uploaded and updated at each step (file id, batch
    id, status), so a rerun knows where every submitted article is; ``(output, doc_id)`` is the
    key of ``batch_docs``, so no article is ever planned into two batches for one output.
    """
    db.execute(
        """CREATE TABLE batch_jobs (
            job_id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            output TEXT NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            input_file_id TEXT,
            batch_id TEXT,
            output_file_id TEXT,
            error_file_id TEXT,
            n_requests INTEGER NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX batch_jobs_by_output ON batch_jobs(output)")
    db.execute(
        """CREATE TABLE batch_docs (
            output TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            job_id INTEGER NOT NULL REFERENCES batch_jobs(job_id),
            PRIMARY KEY (output, doc_id)
        )"""
    )


Migration = str | Callable[[sqlite3.Connection], None]

#: Each entry moves the schema from version i to i + 1: SQL statements, or a named function of
#: the connection. Append; never edit a released step.
MIGRATIONS: tuple[Migration, ...] = (
    # 0 -> 1: runs and their lines, and the response cache
    """
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        finished_at REAL,
        model TEXT NOT NULL,
        prompt_name TEXT,
        prompt_version TEXT,
        prompt_hash TEXT,
        schema_version TEXT NOT NULL,
        args_json TEXT NOT NULL,
        pid INTEGER NOT NULL
    );
    CREATE TABLE lines (
        run_id TEXT NOT NULL REFERENCES runs(run_id),
        doc_id TEXT NOT NULL,
        ok INTEGER NOT NULL,
        line_json TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        latency_s REAL,
        PRIMARY KEY (run_id, doc_id)
    );
    CREATE TABLE cache (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        result_json TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    """,
    # 1 -> 2: the host a run started on, so a run is only declared dead by a process on its host;
    # and a summary blob (totals, eval scores) written when the run finishes
    """
    ALTER TABLE runs ADD COLUMN hostname TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN summary_json TEXT;
    CREATE INDEX lines_by_run ON lines(run_id);
    """,
    add_batch_jobs,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class RunInfo:
    """One stored run."""

    run_id: str
    kind: str
    status: str
    created_at: float
    finished_at: float | None
    model: str
    prompt: str | None
    prompt_hash: str | None
    schema_version: str
    args: dict[str, Any]
    summary: dict[str, Any]
    n_lines: int
    n_failed: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    #: of prompt_tokens: read from / written to the provider's prompt cache (0 in older lines)
    cached_tokens: int = 0
    cache_write_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The run as ``runs list --json`` prints it (times in ISO 8601, UTC)."""
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "status": self.status,
            "model": self.model,
            "prompt": self.prompt,
            "prompt_hash": self.prompt_hash,
            "schema_version": self.schema_version,
            "started": _iso(self.created_at),
            "finished": _iso(self.finished_at),
            "articles": self.n_lines,
            "failed": self.n_failed,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "cost_usd": self.cost_usd,
        }


@dataclass
class BatchJob:
    """One provider batch (or the plan of one): where it is, and the articles in it."""

    job_id: int
    run_id: str
    output: str
    model: str
    #: planned, uploaded (or submitting: an inline batch's create call under way), then the
    #: provider's status (validating, in_progress, finalizing,
    #: completed, failed, expired, cancelling, cancelled)
    status: str
    input_file_id: str | None
    batch_id: str | None
    output_file_id: str | None
    error_file_id: str | None
    doc_ids: list[str]
    #: when the job last changed (a ``submitting`` job: when its create call was about to go out)
    updated_at: float = 0.0


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunStore:
    """Open (creating or migrating) the store at ``path`` or the default location."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else state_dir() / DB_NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the run store {str(self.path)!r}: {exc}",
                hint="set EXTRACTOR_HOME to a writable folder",
            ) from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.migrate()
        except sqlite3.DatabaseError as exc:  # e.g. "file is not a database"
            self.db.close()
            raise StoreError(
                f"the run store {str(self.path)!r} is not a usable SQLite database ({exc})",
                hint="move that file aside (it is not extractor's), or set EXTRACTOR_HOME to "
                "another folder",
            ) from None
        self._mark_dead_runs()

    # --- schema ---------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply every migration above the file's version, each in its own transaction."""
        current = self.version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the run store {str(self.path)!r} has schema version {current}, newer than this "
                f"extractor's {SCHEMA_VERSION}",
                hint="upgrade extractor, or point EXTRACTOR_HOME elsewhere",
            )
        for version in range(current, SCHEMA_VERSION):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                step = MIGRATIONS[version]
                if callable(step):
                    step(self.db)
                else:
                    for statement in step.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version + 1}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _mark_dead_runs(self) -> None:
        host = socket.gethostname()
        rows = self.db.execute(
            "SELECT run_id, pid, hostname FROM runs WHERE status = 'running'"
        ).fetchall()
        for row in rows:
            if row["hostname"] in ("", host) and not _pid_alive(row["pid"]):
                self.db.execute(
                    "UPDATE runs SET status = 'incomplete' WHERE run_id = ?", (row["run_id"],)
                )

    # --- runs -----------------------------------------------------------------------------------

    def start_run(
        self,
        *,
        kind: str,
        model: str,
        prompt: PromptRef | None,
        schema_version: str,
        args: dict[str, Any],
    ) -> str:
        """Record a new run as ``running`` and return its id."""
        run_id = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        self.db.execute(
            "INSERT INTO runs (run_id, kind, status, created_at, model, prompt_name, prompt_version,"
            " prompt_hash, schema_version, args_json, pid, hostname)"
            " VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id, kind, time.time(), model, prompt.name if prompt else None,
                prompt.version if prompt else None, prompt.content_hash if prompt else None,
                schema_version,
                json.dumps(args, default=str, sort_keys=True), os.getpid(), socket.gethostname(),
            ),
        )  # fmt: skip
        return run_id

    def add_line(self, run_id: str, line: PredictionLine) -> None:
        """Store one finished article (committed at once)."""
        self.db.execute(
            "INSERT OR REPLACE INTO lines (run_id, doc_id, ok, line_json, prompt_tokens,"
            " completion_tokens, cost_usd, latency_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id, line.doc_id, int(line.ok), line.to_json(),
                line.usage.prompt_tokens, line.usage.completion_tokens,
                line.cost_usd, line.latency_s,
            ),
        )  # fmt: skip

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any] | None = None) -> None:
        """Mark a run ``complete`` or ``incomplete`` (interrupted), with its summary."""
        self.db.execute(
            "UPDATE runs SET status = ?, finished_at = ?, summary_json = ? WHERE run_id = ?",
            (status, time.time(), json.dumps(summary or {}, default=str), run_id),
        )

    def set_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        """Attach or replace a run's summary (e.g. its eval scores)."""
        self.db.execute(
            "UPDATE runs SET summary_json = ? WHERE run_id = ?",
            (json.dumps(summary, default=str), run_id),
        )

    def runs(self, limit: int | None = None) -> list[RunInfo]:
        """Stored runs, newest first."""
        query = _RUN_QUERY + " GROUP BY r.run_id ORDER BY r.created_at DESC"
        if limit:
            query += f" LIMIT {int(limit)}"
        return [_run_info(row) for row in self.db.execute(query)]

    def get_run(self, run_id: str) -> RunInfo:
        """One run, by id or unique id prefix.

        Raises:
            StoreError: no run, or several, match.
        """
        rows = self.db.execute(
            _RUN_QUERY + " WHERE r.run_id LIKE ? GROUP BY r.run_id", (run_id + "%",)
        ).fetchall()
        if len(rows) != 1:
            found = "no run" if not rows else f"{len(rows)} runs"
            raise StoreError(
                f"{found} matches {run_id!r} in {self.path}",
                hint="see `extractor runs list` for run ids",
            )
        return _run_info(rows[0])

    def output_prompt_hash(self, output: str) -> str | None:
        """The prompt content hash of the latest ``run`` that wrote ``output`` (absolute path)."""
        row = self.db.execute(
            "SELECT prompt_hash FROM runs WHERE kind = 'run'"
            " AND json_extract(args_json, '$.output') = ? ORDER BY created_at DESC LIMIT 1",
            (output,),
        ).fetchone()
        return None if row is None else row["prompt_hash"]

    def run_lines(self, run_id: str) -> tuple[RunInfo, list[PredictionLine]]:
        """A stored run, by id or unique id prefix, and its prediction lines in doc_id order.

        Raises:
            StoreError: no run, or several, match (one line naming ``run_id`` and
                ``extractor runs list``).
        """
        run = self.get_run(run_id)
        return run, list(self.lines(run.run_id))

    def lines(self, run_id: str) -> Iterator[PredictionLine]:
        """A run's lines, in doc_id order."""
        cursor = self.db.execute(
            "SELECT line_json FROM lines WHERE run_id = ? ORDER BY doc_id", (run_id,)
        )
        for (line_json,) in cursor:
            yield PredictionLine.from_json(line_json)

    # --- provider batches (run --batch) --------------------------------------------------------

    def plan_batch_jobs(
        self, run_id: str, output: str, model: str, jobs: Sequence[Sequence[str]]
    ) -> list[int]:
        """Record new jobs (``planned``), each with its doc ids, in one transaction; their ids.

        Raises:
            sqlite3.IntegrityError: a doc id is already in a batch for ``output`` (nothing is
                recorded then).
        """
        now = time.time()
        ids: list[int] = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for doc_ids in jobs:
                cursor = self.db.execute(
                    "INSERT INTO batch_jobs (run_id, output, model, status, n_requests,"
                    " created_at, updated_at) VALUES (?, ?, ?, 'planned', ?, ?, ?)",
                    (run_id, output, model, len(doc_ids), now, now),
                )
                job_id = int(cursor.lastrowid or 0)
                self.db.executemany(
                    "INSERT INTO batch_docs (output, doc_id, job_id) VALUES (?, ?, ?)",
                    [(output, doc_id, job_id) for doc_id in doc_ids],
                )
                ids.append(job_id)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return ids

    def update_batch_job(self, job_id: int, **values: str | None) -> None:
        """Set a job's ``status``, ``input_file_id``, ``batch_id``, ... (committed at once)."""
        allowed = {"status", "input_file_id", "batch_id", "output_file_id", "error_file_id"}
        if not values or not set(values) <= allowed:
            raise ValueError(f"unknown batch job columns: {sorted(set(values) - allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.db.execute(
            f"UPDATE batch_jobs SET {assignments}, updated_at = ? WHERE job_id = ?",
            (*values.values(), time.time(), job_id),
        )

    def batch_jobs(self, *, output: str | None = None, run_id: str | None = None) -> list[BatchJob]:
        """The jobs writing ``output`` (or submitted by ``run_id``), oldest first, with doc ids."""
        column, value = ("output", output) if output is not None else ("run_id", run_id)
        rows = self.db.execute(
            f"SELECT * FROM batch_jobs WHERE {column} = ? AND status != 'abandoned'"
            " ORDER BY job_id",
            (value,),
        ).fetchall()
        jobs = []
        for row in rows:
            doc_ids = [
                r[0]
                for r in self.db.execute(
                    "SELECT doc_id FROM batch_docs WHERE job_id = ? ORDER BY rowid",
                    (row["job_id"],),
                )
            ]
            jobs.append(
                BatchJob(
                    job_id=row["job_id"], run_id=row["run_id"], output=row["output"],
                    model=row["model"], status=row["status"],
                    input_file_id=row["input_file_id"], batch_id=row["batch_id"],
                    output_file_id=row["output_file_id"], error_file_id=row["error_file_id"],
                    doc_ids=doc_ids, updated_at=row["updated_at"],
                )
            )  # fmt: skip
        return jobs

    def abandon_batch_jobs(self, output: str) -> None:
        """Forget which articles went into batches for ``output`` (``--overwrite`` starts over).

        The job rows stay (``abandoned``), so ``runs cancel`` still finds their provider batches.
        """
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM batch_docs WHERE output = ?", (output,))
            self.db.execute(
                "UPDATE batch_jobs SET status = 'abandoned' WHERE output = ?", (output,)
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def batch_ids(self) -> set[str]:
        """Every provider batch id any job recorded (abandoned ones too)."""
        rows = self.db.execute("SELECT batch_id FROM batch_jobs WHERE batch_id IS NOT NULL")
        return {row[0] for row in rows}

    def cancellable_batch_ids(self, run_id: str) -> list[str]:
        """Provider batch ids submitted by ``run_id`` or by any run writing the same output."""
        rows = self.db.execute(
            "SELECT DISTINCT j.batch_id FROM batch_jobs j JOIN batch_jobs o ON o.output = j.output"
            " WHERE o.run_id = ? AND j.batch_id IS NOT NULL ORDER BY j.job_id",
            (run_id,),
        ).fetchall()
        return [row[0] for row in rows]

    # --- response cache -------------------------------------------------------------------------

    def cache_get(self, key: str) -> str | None:
        row = self.db.execute("SELECT result_json FROM cache WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def cache_put(self, key: str, model: str, result_json: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO cache (key, model, result_json, created_at) VALUES (?, ?, ?, ?)",
            (key, model, result_json, time.time()),
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_RUN_QUERY = """
SELECT r.*, COUNT(l.doc_id) AS n_lines, COALESCE(SUM(1 - l.ok), 0) AS n_failed,
       COALESCE(SUM(l.prompt_tokens), 0) AS prompt_tokens,
       COALESCE(SUM(l.completion_tokens), 0) AS completion_tokens,
       COALESCE(SUM(json_extract(l.line_json, '$.usage.cached_tokens')), 0) AS cached_tokens,
       COALESCE(SUM(json_extract(l.line_json, '$.usage.cache_write_tokens')), 0)
           AS cache_write_tokens,
       SUM(l.cost_usd) AS cost_usd, COUNT(l.cost_usd) AS n_costed
FROM runs r LEFT JOIN lines l ON l.run_id = r.run_id
"""


def _run_info(row: sqlite3.Row) -> RunInfo:
    prompt = f"{row['prompt_name']}@{row['prompt_version']}" if row["prompt_name"] else None
    cost = row["cost_usd"] if row["n_costed"] == row["n_lines"] else None
    return RunInfo(
        run_id=row["run_id"],
        kind=row["kind"],
        status=row["status"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        model=row["model"],
        prompt=prompt,
        prompt_hash=row["prompt_hash"],
        schema_version=row["schema_version"],
        args=json.loads(row["args_json"]),
        summary=json.loads(row["summary_json"] or "{}"),
        n_lines=row["n_lines"],
        n_failed=row["n_failed"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        cost_usd=cost,
        cached_tokens=row["cached_tokens"],
        cache_write_tokens=row["cache_write_tokens"],
    )
