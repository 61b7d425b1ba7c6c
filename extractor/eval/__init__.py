"""Score predicted incident records against gold labels: predictions and gold in, a report out.

>>> from extractor.eval import load_gold, read_predictions, score
>>> report = score(read_predictions("out.jsonl"), load_gold("evals/gold"))  # doctest: +SKIP
>>> report.micro.f1  # doctest: +SKIP

Pure scoring: nothing here extracts or writes the run store (that is :mod:`extractor.api`).
How each value is judged: :mod:`.judge` (comparators), :mod:`.people` (aligning people),
:mod:`.scoring` (every value of a run), :mod:`.metrics` (precision, recall, rates, confidence
intervals, the report); :mod:`.paired` compares runs; :mod:`.render` draws the reports. The JSON
report's keys are documented in ``REPORT_FORMAT.md`` next to this file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from extractor.errors import PredictionsFileError
from extractor.eval.calibration import DEFAULT_REVIEW_THRESHOLD
from extractor.eval.gold import GoldLabel, load_gold
from extractor.eval.metrics import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    CONFIDENCE_LEVEL,
    build_report,
)
from extractor.eval.report import REPORT_VERSION, CompareReport, EvalReport
from extractor.eval.scoring import judge_run
from extractor.predictions import PredictionLine, read_predictions

__all__ = [
    "REPORT_VERSION",
    "CompareReport",
    "EvalReport",
    "GoldLabel",
    "PredictionsFileError",
    "load_gold",
    "read_predictions",
    "score",
]


def score(
    predictions: Iterable[PredictionLine],
    gold: Mapping[str, GoldLabel],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE_LEVEL,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
) -> EvalReport:
    """Score prediction lines against gold labels keyed by doc_id.

    Every gold article is scored (failed or missing predictions as all-missed); predictions
    without gold are listed in ``report.articles.unscored_predictions``.
    """
    return build_report(
        judge_run(predictions, gold),
        resamples=resamples,
        seed=seed,
        level=level,
        review_threshold=review_threshold,
    )
