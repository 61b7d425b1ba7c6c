"""Score predicted incident records against gold labels (the scoring half of ``extractor eval``).

>>> from extractor.eval import load_gold, read_predictions, score
>>> report = score(read_predictions("out.jsonl"), load_gold("evals/gold"))  # doctest: +SKIP
>>> report.micro.f1  # doctest: +SKIP

How each value is judged: :mod:`extractor.eval.compare` (comparators), :mod:`.people`
(aligning people), :mod:`.metrics` (precision, recall, rates, confidence intervals); the JSON
report's keys are documented in ``REPORT_FORMAT.md`` next to this file.
"""

from __future__ import annotations

from collections.abc import Iterable

from extractor.errors import PredictionsFileError
from extractor.eval.gold import GoldLabel, load_gold
from extractor.eval.metrics import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL, summarise
from extractor.eval.predictions_file import read_predictions
from extractor.eval.report import REPORT_VERSION, EvalReport
from extractor.eval.scoring import judge_run
from extractor.predictions import PredictionLine

__all__ = [
    "REPORT_VERSION",
    "EvalReport",
    "GoldLabel",
    "PredictionsFileError",
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
    return summarise(judge_run(predictions, gold), resamples=resamples, seed=seed, level=level)
