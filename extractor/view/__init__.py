"""Self-contained HTML views of a run, an eval report and a comparison.

Each ``render_*`` function returns the text of one HTML file that needs nothing else: its data,
script and styles are inlined, a Content-Security-Policy forbids every fetch, and it opens from
disk in any current browser. Reports are taken as their versioned JSON (a dict, a JSON string,
or the report object), so a view depends only on the formats.

    from extractor.view import render_run, write_html
    write_html(render_run(lines), "run.html")
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.errors import ExtractorError
from extractor.predictions import PredictionLine
from extractor.settings import DEFAULT_ARTICLES
from extractor.store import RunInfo
from extractor.view.articles import load_articles
from extractor.view.page import render_page
from extractor.view.payload import compare_payload, eval_payload, run_payload

__all__ = ["as_json", "render", "render_compare", "render_eval", "render_run", "write_html"]

ArticlePaths = Sequence[str | Path]


def as_json(report: Any) -> dict[str, Any]:
    """A report as its JSON object: from a dict, a JSON string, or a pydantic report object."""
    if isinstance(report, Mapping):
        return dict(report)
    if isinstance(report, str | bytes):
        loaded = json.loads(report)
        if not isinstance(loaded, dict):
            raise TypeError("a report's JSON is an object")
        return loaded
    dumped = report.model_dump(mode="json")
    assert isinstance(dumped, dict)
    return dumped


def _paths(articles: ArticlePaths | None) -> list[str]:
    return [str(p) for p in (DEFAULT_ARTICLES if articles is None else articles)]


def render_run(
    lines: Sequence[PredictionLine],
    *,
    articles: ArticlePaths | None = None,
    run: RunInfo | None = None,
    source: str = "",
) -> str:
    """The run view: every article's text with its evidence highlighted, filters and a summary.

    Args:
        lines: the run's prediction lines (a predictions file, or a stored run's lines).
        articles: where the article texts are (default ``seeds/`` and ``evals/articles/``); an
            article not found there is listed without highlights, and says so.
        run: the stored run, for its id, prompt hash and times.
        source: what the page says it was made from.
    """
    paths = _paths(articles)
    texts = load_articles(paths, {line.doc_id for line in lines})
    data = run_payload(lines, texts, run=run)
    title = f"Run {run.run_id}" if run else f"Run: {source or 'predictions'}"
    return render_page(
        "run.html.j2", title=title, data=data, source=source or "-", article_paths=paths
    )


def render_eval(report: Any, *, articles: ArticlePaths | None = None, source: str = "") -> str:
    """The eval view: per-field scores with bars, and each field's diffs over the article text.

    Args:
        report: the eval report (``report_version`` "1") as JSON, a dict or the report object.
        articles: where the gold articles' texts are (default as ``extractor eval``).
        source: what the page says it was made from.
    """
    data_in = as_json(report)
    paths = _paths(articles)
    texts = load_articles(paths, {d["doc_id"] for d in data_in.get("diffs", [])})
    models = ", ".join(data_in.get("models", [])) or "no model"
    return render_page(
        "eval.html.j2",
        title=f"Eval: {models}",
        data=eval_payload(data_in, texts),
        report=data_in,
        source=source or "-",
        article_paths=paths,
    )


def render_compare(
    report: Any,
    *,
    articles: ArticlePaths | None = None,
    side_lines: Mapping[str, Sequence[PredictionLine]] | None = None,
    evidence_note: str = "their prediction lines were not given",
    source: str = "",
) -> str:
    """The compare view: sides as columns, per-field deltas with their tests, and the worklist.

    Args:
        report: the compare report (``compare_version`` "1") as JSON, a dict or the object.
        articles: where the gold articles' texts are (default as ``extractor compare``).
        side_lines: each side's prediction lines by label, for the evidence of its values.
        evidence_note: why a side without lines has no evidence (shown on the page).
        source: what the page says it was made from.
    """
    data_in = as_json(report)
    paths = _paths(articles)
    texts = load_articles(paths, {d["doc_id"] for d in data_in.get("disagreements", [])})
    labels = " vs ".join(side["label"] for side in data_in["sides"])
    return render_page(
        "compare.html.j2",
        title=f"Compare: {labels}",
        data=compare_payload(data_in, texts, side_lines),
        report=data_in,
        evidence_note=evidence_note,
        source=source or "-",
        article_paths=paths,
    )


def render(obj: Any, **options: Any) -> str:
    """The page for ``obj``: prediction lines (run view), an eval report or a compare report.

    ``options`` go to :func:`render_run`, :func:`render_eval` or :func:`render_compare`.
    """
    if isinstance(obj, Sequence) and not isinstance(obj, str | bytes):
        return render_run(list(obj), **options)
    data = as_json(obj)
    if "compare_version" in data:
        return render_compare(data, **options)
    if "report_version" in data:
        return render_eval(data, **options)
    raise TypeError("render() takes prediction lines, an eval report or a compare report")


def write_html(obj: Any, path: str | Path, **options: Any) -> Path:
    """Write the page for ``obj`` (see :func:`render`; a ``str`` is taken as the page) to ``path``.

    Raises:
        ExtractorError: the file cannot be written.
    """
    html = obj if isinstance(obj, str) else render(obj, **options)
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise ExtractorError(
            f"{target}: cannot write the page ({exc.strerror})", hint="give a writable file path"
        ) from None
    return target
