"""Score predicted incident records against gold labels (the scoring half of ``extractor eval``).

>>> from extractor.eval import load_gold, read_predictions, score
>>> report = score(read_predictions("out.jsonl"), load_gold("evals/gold"))  # doctest: +SKIP
>>> report.micro.f1  # doctest: +SKIP

How each value is judged: :mod:`extractor.eval.compare` (comparators), :mod:`.people`
(aligning people), :mod:`.metrics` (precision, recall, rates, confidence intervals); the JSON
report's keys are documented in ``REPORT_FORMAT.md`` next to this file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from extractor.errors import ConfigError, PredictionsFileError
from extractor.eval.gold import GoldLabel, load_gold
from extractor.eval.metrics import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL, summarise
from extractor.eval.report import REPORT_VERSION, EvalReport
from extractor.eval.scoring import judge_run
from extractor.predictions import PredictionLine, missing_key_counts, read_predictions
from extractor.settings import DEFAULT_ARTICLES, DEFAULT_GOLD

__all__ = [
    "REPORT_VERSION",
    "EvalReport",
    "GoldLabel",
    "PredictionsFileError",
    "evaluate",
    "load_gold",
    "read_predictions",
    "score",
]


def score(
    predictions: Iterable[PredictionLine],
    gold: dict[str, GoldLabel],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE_LEVEL,
) -> EvalReport:
    """Score prediction lines against gold labels keyed by doc_id.

    Every gold article is scored (failed or missing predictions as all-missed); predictions
    without gold are listed in ``report.articles.unscored_predictions``.
    """
    lines = list(predictions)
    report = summarise(judge_run(lines, gold), resamples=resamples, seed=seed, level=level)
    report.articles.missing_keys = missing_key_counts(lines)
    return report


def evaluate(
    *,
    gold: str | Path = DEFAULT_GOLD,
    predictions: str | Path | None = None,
    model: str | None = None,
    prompt: str | None = None,
    articles: Sequence[str | Path] = DEFAULT_ARTICLES,
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
        return score(read_predictions(predictions), labels)
    from extractor.runner import extract_paths
    from extractor.store import RunStore

    lines, summary = extract_paths(
        list(articles), model=model, prompt=prompt, kind="eval", **options
    )
    report = score(lines, labels)
    if summary.run_id is not None:
        with RunStore() as store:
            stored = store.get_run(summary.run_id).summary
            stored["eval"] = {
                "micro": report.micro.model_dump(),
                "macro_f1": report.macro.f1,
                "hallucination_rate": report.hallucination_rate,
                "grounding_rate": report.grounding.rate,
            }
            store.set_summary(summary.run_id, stored)
    return report
