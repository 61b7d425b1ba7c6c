"""Counts -> scores: MUC precision/recall/F1, micro and macro averages, rates, bootstrap CIs.

MUC slot scoring with half credit for partial matches::

    credit    = correct + 0.5 * partial
    precision = credit / (correct + partial + incorrect + spurious)   # of what was filled
    recall    = credit / (correct + partial + incorrect + missed)     # of what gold filled
    F1        = 2 * P * R / (P + R)  (= 2 * credit / (both denominators), 0 when credit is 0)

``true_null`` counts in neither (it is neither a found value nor a missed one) but feeds the
hallucination rate, ``spurious / (spurious + true_null)``: of the values gold leaves null, the
share the prediction filled anyway. A number whose denominator is zero is undefined (``None``).
Micro averages pool the counts of every field; macro averages are the unweighted means of the
per-field numbers that are defined.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from statistics import fmean

import numpy as np
import numpy.typing as npt

from extractor.eval.calibration import DEFAULT_REVIEW_THRESHOLD, calibration
from extractor.eval.judge import FIELD_KINDS, TEXT_CORRECT_THRESHOLD, TEXT_PARTIAL_THRESHOLD, Kind
from extractor.eval.judge import Verdict as V
from extractor.eval.people import MIN_SIMILARITY, SIMILARITY_WEIGHTS
from extractor.eval.report import (
    ArticleReport,
    Articles,
    ConfidenceIntervals,
    Diff,
    EvalReport,
    FailedArticle,
    FieldReport,
    Grounding,
    Interval,
    Macro,
    PeopleSummary,
    Scores,
    ScoringSettings,
)
from extractor.eval.scoring import SCORED_FIELDS, ArticleScore, Observation, Run
from extractor.schema import SCHEMA_VERSION

#: Column order of the per-article count matrix used by the bootstrap.
OUTCOMES: tuple[V, ...] = (V.correct, V.partial, V.incorrect, V.missed, V.spurious, V.true_null)
PARTIAL_CREDIT = 0.5
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0
CONFIDENCE_LEVEL = 0.95
_DIFF_OUTCOMES = {V.partial, V.incorrect, V.missed, V.spurious}


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def precision_recall_f1(counts: Mapping[V, int]) -> tuple[float | None, float | None, float | None]:
    """MUC precision, recall and F1 of a set of counts (``None`` when undefined)."""
    c, p, i, m, s = (counts.get(o, 0) for o in OUTCOMES[:5])
    credit = c + PARTIAL_CREDIT * p
    filled, gold = c + p + i + s, c + p + i + m
    return _ratio(credit, filled), _ratio(credit, gold), _ratio(2 * credit, filled + gold)


def hallucination_rate(counts: Mapping[V, int]) -> float | None:
    """``spurious / (spurious + true_null)``: share of gold nulls the prediction filled."""
    return _ratio(counts.get(V.spurious, 0), counts.get(V.spurious, 0) + counts.get(V.true_null, 0))


def _counts(counts: Mapping[V, int]) -> dict[str, int]:
    return {o.value: counts.get(o, 0) for o in OUTCOMES}


def scores(counts: Mapping[V, int]) -> Scores:
    precision, recall, f1 = precision_recall_f1(counts)
    return Scores(**_counts(counts), precision=precision, recall=recall, f1=f1)


def count_matrix(articles: Sequence[ArticleScore]) -> npt.NDArray[np.int64]:
    """One row per article, one column per outcome (:data:`OUTCOMES`), pooled over fields."""
    matrix = np.zeros((len(articles), len(OUTCOMES)), dtype=np.int64)
    for row, article in enumerate(articles):
        counts = article.counts()
        matrix[row] = [counts.get(o, 0) for o in OUTCOMES]
    return matrix


def _safe_divide(
    num: npt.NDArray[np.float64], den: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def micro_f1(totals: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """MUC micro F1 of pooled outcome counts (last axis in :data:`OUTCOMES` order); NaN if undefined."""
    c, p, i, m, s = (totals[..., k] for k in range(5))
    credit = c + PARTIAL_CREDIT * p
    return _safe_divide(2 * credit, (c + p + i + s) + (c + p + i + m))


def _interval(values: npt.NDArray[np.float64], level: float) -> Interval:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return Interval()
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(finite, [tail, 100 - tail])
    return Interval(low=float(low), high=float(high))


def bootstrap(
    matrix: npt.NDArray[np.int64],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE_LEVEL,
) -> ConfidenceIntervals:
    """Percentile bootstrap CIs for micro P/R/F1 and the hallucination rate.

    Articles are resampled with replacement (a resample's counts are the article counts weighted
    by how often each article was drawn); resamples where a number is undefined are left out of
    its interval. Fewer than two articles give no interval (both ends null).
    """
    n = matrix.shape[0]
    empty = Interval()
    result = {
        "micro_precision": empty,
        "micro_recall": empty,
        "micro_f1": empty,
        "hallucination_rate": empty,
    }
    if n >= 2:
        rng = np.random.default_rng(seed)
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples)
        totals = (weights @ matrix).astype(np.float64)
        c, p, i, m, s, t = totals.T
        credit = c + PARTIAL_CREDIT * p
        filled, gold = c + p + i + s, c + p + i + m
        result = {
            "micro_precision": _interval(_safe_divide(credit, filled), level),
            "micro_recall": _interval(_safe_divide(credit, gold), level),
            "micro_f1": _interval(micro_f1(totals), level),
            "hallucination_rate": _interval(_safe_divide(s, s + t), level),
        }
    return ConfidenceIntervals(level=level, resamples=resamples, seed=seed, articles=n, **result)


def field_report(
    key: str, observations: Sequence[Observation], support: int, filled: int, grounded: int
) -> FieldReport:
    """Scores of one field over every article, with its MAE or item-level P/R/F1."""
    counts = Counter(o.outcome for o in observations)
    kind = FIELD_KINDS[key]
    extras: dict[str, float | int | None] = {}
    if kind is Kind.integer:
        errors = [o.abs_error for o in observations if o.abs_error is not None]
        extras = {"mae": fmean(errors) if errors else None, "mae_n": len(errors)}
    if kind is Kind.list:
        items = [o.items for o in observations if o.items is not None]
        tp, fp, fn = (sum(getattr(x, name) for x in items) for name in ("tp", "fp", "fn"))
        extras = {
            "item_precision": _ratio(tp, tp + fp),
            "item_recall": _ratio(tp, tp + fn),
            "item_f1": _ratio(2 * tp, 2 * tp + fp + fn),
        }
    return FieldReport(
        **scores(counts).model_dump(),
        kind=kind.value,
        support=support,
        hallucination_rate=hallucination_rate(counts),
        filled=filled,
        grounded=grounded,
        grounding_rate=_ratio(grounded, filled),
        **extras,
    )


def _macro(fields: Mapping[str, FieldReport]) -> Macro:
    def mean(values: list[float | None]) -> float | None:
        defined = [v for v in values if v is not None]
        return fmean(defined) if defined else None

    f1s = [f.f1 for f in fields.values() if f.f1 is not None]
    return Macro(
        precision=mean([f.precision for f in fields.values()]),
        recall=mean([f.recall for f in fields.values()]),
        f1=mean(list(f1s)),
        fields=len(f1s),
    )


def _diff(o: Observation) -> Diff:
    return Diff(
        doc_id=o.doc_id,
        field=o.field,
        path=o.path,
        gold_path=o.gold_path,
        outcome=o.outcome.value,
        gold=o.gold,
        predicted=o.predicted,
        quote=o.quote,
        grounded=o.grounded,
    )


def build_report(
    run: Run,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE_LEVEL,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
) -> EvalReport:
    """Build the :class:`EvalReport` of a judged run (``review_threshold``: see calibration)."""
    articles = run.articles
    by_field: dict[str, list[Observation]] = {key: [] for key in SCORED_FIELDS}
    support: Counter[str] = Counter()
    filled: Counter[str] = Counter()
    grounded: Counter[str] = Counter()
    for article in articles:
        for o in article.observations:
            by_field[o.field].append(o)
        support.update(article.support)
        filled.update(article.filled)
        grounded.update(article.grounded)
    fields = {
        key: field_report(key, by_field[key], support[key], filled[key], grounded[key])
        for key in SCORED_FIELDS
    }
    pooled: Counter[V] = Counter()
    for article in articles:
        pooled.update(article.counts())
    per_article = []
    for article in articles:
        s = scores(article.counts())
        per_article.append(
            ArticleReport(**s.model_dump(), doc_id=article.doc_id, status=article.status)
        )
    matched = sum(a.people_matched for a in articles)
    people_gold = sum(a.people_gold for a in articles)
    people_predicted = sum(a.people_predicted for a in articles)
    total_filled, total_grounded = sum(filled.values()), sum(grounded.values())
    return EvalReport(
        schema_version=SCHEMA_VERSION,
        models=run.models,
        prompts=run.prompts,
        articles=Articles(
            scored=len(articles),
            with_record=sum(a.status == "scored" for a in articles),
            empty_records=[a.doc_id for a in articles if a.status == "scored" and not a.filled],
            predictions=run.predicted_doc_ids,
            failed=[
                FailedArticle(doc_id=a.doc_id, error=a.error or "")
                for a in articles
                if a.status == "failed"
            ],
            missing_predictions=[a.doc_id for a in articles if a.status == "missing_prediction"],
            unscored_predictions=run.unscored_predictions,
            duplicate_predictions=run.duplicate_predictions,
            missing_keys=run.missing_keys,
        ),
        micro=scores(pooled),
        macro=_macro(fields),
        hallucination_rate=hallucination_rate(pooled),
        grounding=Grounding(
            filled=total_filled, grounded=total_grounded, rate=_ratio(total_grounded, total_filled)
        ),
        people=PeopleSummary(
            gold=people_gold,
            predicted=people_predicted,
            matched=matched,
            missed=people_gold - matched,
            spurious=people_predicted - matched,
        ),
        confidence_intervals=bootstrap(
            count_matrix(articles), resamples=resamples, seed=seed, level=level
        ),
        fields=fields,
        per_article=per_article,
        diffs=[_diff(o) for a in articles for o in a.observations if o.outcome in _DIFF_OUTCOMES],
        settings=ScoringSettings(
            text_correct_threshold=TEXT_CORRECT_THRESHOLD,
            text_partial_threshold=TEXT_PARTIAL_THRESHOLD,
            people_min_similarity=MIN_SIMILARITY,
            people_similarity_weights=dict(SIMILARITY_WEIGHTS),
            partial_credit=PARTIAL_CREDIT,
        ),
        calibration=calibration(
            (o for a in articles for o in a.observations), threshold=review_threshold
        ),
    )
