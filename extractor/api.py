"""``evaluate`` and ``compare``: extract (or read) predictions, score them, record the scores.

The one layer above both extraction (:mod:`extractor.runner`, :mod:`extractor.store`) and
scoring (:mod:`extractor.eval`, which only turns predictions and gold into reports), so data
flows one way: articles -> lines -> reports. ``extractor eval`` and ``extractor compare`` call
these; ``extractor`` re-exports them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.errors import ConfigError, PromptNotFoundError
from extractor.eval import CompareReport, EvalReport, GoldLabel, load_gold, read_predictions, score
from extractor.eval.calibration import DEFAULT_REVIEW_THRESHOLD
from extractor.eval.paired import RESAMPLES, SEED, Side, compare_sides
from extractor.prompts import load_prompt
from extractor.runner import extract_paths
from extractor.settings import DEFAULT_ARTICLES, DEFAULT_GOLD, RULES, Settings
from extractor.store import RunStore

__all__ = ["Side", "compare", "evaluate", "resolve_sides"]


def evaluate(
    *,
    gold: str | Path = DEFAULT_GOLD,
    predictions: str | Path | None = None,
    model: str | None = None,
    prompt: str | None = None,
    articles: Sequence[str | Path] = DEFAULT_ARTICLES,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    **options: Any,
) -> EvalReport:
    """Score a predictions file against gold labels, or extract with ``model`` first.

    With ``model``, the articles are extracted (recorded in the run store as an ``eval`` run,
    answered from the response cache where unchanged) and the headline scores are attached to
    that run.

    Args:
        gold: folder of ``<doc_id>.json`` gold label files.
        predictions: a predictions ``.jsonl`` file to score, with no model call.
        model: ``"rules"`` or ``"openai/<name>"``, to extract first (instead of ``predictions``).
        prompt: the prompt template ``name@version`` for ``model``.
        articles: articles to extract, with ``model``.
        review_threshold: values with confidence below this are the ones to review (the
            report's ``calibration.review``; only lines with ``confidence`` have any).
        **options: other settings for the extraction (``base_url``, ``concurrency``, ``cache``...).

    Raises:
        ConfigError: both or neither of ``predictions`` and ``model`` were given.
        GoldFileError, PredictionsFileError: a gold or predictions file is malformed.
    """
    if (predictions is None) == (model is None):
        raise ConfigError(
            "give either predictions (score a file) or a model (extract, then score)"
            + (", not both" if predictions is not None else ""),
            hint="e.g. extractor eval --predictions out.jsonl, or extractor eval --model rules",
        )
    labels = load_gold(gold)
    if predictions is not None:
        return score(read_predictions(predictions), labels, review_threshold=review_threshold)
    lines, summary = extract_paths(
        list(articles), model=model, prompt=prompt, kind="eval", **options
    )
    report = score(lines, labels, review_threshold=review_threshold)
    if summary.run_id is not None:
        _record_scores(summary.run_id, report)
    return report


def _record_scores(run_id: str, report: EvalReport) -> None:
    """Attach the headline scores to the run's summary in the store (``runs show`` lists them)."""
    with RunStore() as store:
        stored = store.get_run(run_id).summary
        stored["eval"] = {
            "micro": report.micro.model_dump(),
            "macro_f1": report.macro.f1,
            "hallucination_rate": report.hallucination_rate,
            "grounding_rate": report.grounding.rate,
        }
        store.set_summary(run_id, stored)


def compare(
    sides: Sequence[str | Side],
    *,
    gold: str | Path | Mapping[str, GoldLabel] = DEFAULT_GOLD,
    model: str | None = None,
    articles: Sequence[str | Path] = DEFAULT_ARTICLES,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    **options: Any,
) -> CompareReport:
    """Score two or more sides on the same gold articles and compare each pair (B against A).

    Args:
        sides: each ``"rules"``, a prompt ``"name@version"`` (extracted with ``model``), a stored
            run id (or a unique prefix), or a :class:`Side` holding prediction lines already.
        gold: folder of ``<doc_id>.json`` gold label files, or labels already loaded.
        model: the model for prompt-version sides (default: as configured).
        articles: the articles extracted for ``rules`` and prompt-version sides.
        resamples: paired-bootstrap resamples.
        seed: the bootstrap's random seed.
        **options: other settings for the extractions (``cache``, ``base_url``...).

    Raises:
        ConfigError: fewer than two sides, or a prompt side without an LLM.
        GoldFileError: a gold file is malformed. StoreError: a side names no stored run.
    """
    if len(sides) < 2:
        raise ConfigError(
            f"compare needs at least two sides, got {len(sides)}",
            hint="e.g. extractor compare rules incident@v1 --model openai/gpt-4o-mini",
        )
    # a bad gold file is named before any side runs
    labels = gold if isinstance(gold, Mapping) else load_gold(gold)
    resolved = resolve_sides(sides, model=model, articles=articles, **options)
    return compare_sides(resolved, labels, resamples=resamples, seed=seed)


def resolve_sides(
    sides: Sequence[str | Side],
    *,
    model: str | None = None,
    articles: Sequence[str | Path] = DEFAULT_ARTICLES,
    **options: Any,
) -> list[Side]:
    """Each side's prediction lines, extracting ``rules`` and prompt sides (see :func:`compare`).

    A label given twice is numbered (``rules``, ``rules #2``) so each side keeps its column.
    """
    with RunStore() as store:
        resolved = [
            side
            if isinstance(side, Side)
            else _side(side, model=model, articles=list(articles), store=store, options=options)
            for side in sides
        ]
    return _numbered(resolved)


def _side(
    spec: str,
    *,
    model: str | None,
    articles: list[str | Path],
    store: RunStore,
    options: dict[str, Any],
) -> Side:
    """``rules``, a prompt ``name@version`` (run with ``model``), or a stored run id."""
    if spec == RULES:
        lines, summary = extract_paths(articles, model=RULES, kind="eval", **options)
        return Side(RULES, lines, summary.run_id)
    if "@" in spec:
        try:
            load_prompt(spec)
        except PromptNotFoundError:
            pass  # not a prompt: perhaps a run id
        else:
            given = {key: value for key, value in options.items() if value is not None}
            chosen = model or Settings(**given).resolved_model()[0]
            if chosen == RULES:
                raise ConfigError(
                    f"prompt {spec!r} needs an LLM: the rules baseline uses no prompt",
                    hint="pass --model openai/<name> (and OPENAI_API_KEY or --base-url)",
                )
            lines, summary = extract_paths(
                articles, model=chosen, prompt=spec, kind="eval", **options
            )
            return Side(spec, lines, summary.run_id)
    run, lines = store.run_lines(spec)
    return Side(f"{run.prompt or run.model} ({run.run_id})", lines, run.run_id)


def _numbered(sides: list[Side]) -> list[Side]:
    """The same label twice still gets two columns: ``rules``, ``rules #2``."""
    seen: dict[str, int] = {}
    numbered = []
    for side in sides:
        seen[side.label] = seen.get(side.label, 0) + 1
        count = seen[side.label]
        numbered.append(
            side if count == 1 else dataclasses.replace(side, label=f"{side.label} #{count}")
        )
    return numbered
