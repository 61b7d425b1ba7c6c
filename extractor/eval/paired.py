"""Two or more runs scored on the same gold articles, compared pair by pair (``compare``).

Pure: each side's prediction lines and the gold labels in, a :class:`CompareReport` out
(resolving sides and extracting them is :func:`extractor.api.compare`'s). Each side is judged
once; its eval report and its (article, field) units both come from that one judged run. For
each side: the eval report's headline numbers and per-article tokens, cost and latency. For each
pair of sides:

* a **paired bootstrap** over articles of the micro-F1 delta (B minus A): the same resampled
  articles score both sides; the interval is the percentile interval and the p-value the
  two-sided bootstrap p (twice the smaller tail share of deltas at or beyond zero);
* an **exact McNemar test** per field on paired (article, field) units, where a unit is right
  when every judged value of that field in that article is ``correct`` or ``true_null``
  (``partial`` counts as not right); the test uses only the discordant units;
* the **disagreements**: (article, field) units where the two sides predicted different values,
  with the gold value and each side's outcome: the queue for the next round of labeling.

A side with no prediction for any gold article is named in ``CompareReport.warnings``: all its
values count as missed, which almost always means it ran on other articles than ``gold`` labels.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any

import numpy as np
from scipy.stats import binomtest

from extractor.eval.agreement import across_runs, field_means
from extractor.eval.gold import GoldLabel
from extractor.eval.judge import Verdict
from extractor.eval.metrics import OUTCOMES, build_report, micro_f1
from extractor.eval.report import (
    CompareReport,
    Disagreement,
    EvalReport,
    FieldTest,
    PairResult,
    SideSummary,
)
from extractor.eval.scoring import SCORED_FIELDS, Observation, Run, judge_run
from extractor.predictions import PredictionLine

RESAMPLES = 2000
SEED = 0
_RIGHT = {Verdict.correct, Verdict.true_null}


@dataclass
class Side:
    """One side of a comparison: a label and its prediction lines."""

    label: str
    lines: list[PredictionLine]
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """One (article, field) of one side: right or not, and what was predicted and judged."""

    right: bool
    predicted: Any
    gold: Any
    outcomes: list[str]


Units = dict[tuple[str, str], Unit]


def _per_article(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return mean(present) if present else None


def _summary(side: Side, report: EvalReport) -> SideSummary:
    lines = side.lines
    return SideSummary(
        label=side.label,
        run_id=side.run_id,
        models=report.models,
        prompts=report.prompts,
        articles=report.articles.scored,
        failed=len(report.articles.failed),
        micro_f1=report.micro.f1,
        macro_f1=report.macro.f1,
        hallucination_rate=report.hallucination_rate,
        grounding_rate=report.grounding.rate,
        fields_f1={name: f.f1 for name, f in report.fields.items()},
        tokens_per_article=_per_article([line.usage.total_tokens for line in lines]),
        prompt_tokens_per_article=_per_article([line.usage.prompt_tokens for line in lines]),
        cached_tokens_per_article=_per_article([line.usage.cached_tokens for line in lines]),
        completion_tokens_per_article=_per_article(
            [line.usage.completion_tokens for line in lines]
        ),
        cost_per_article=(
            None
            if any(line.cost_usd is None for line in lines)
            else _per_article([line.cost_usd for line in lines])
        ),
        latency_s_per_article=_per_article([line.latency_s for line in lines]),
        cached_articles=sum(line.cached for line in lines),
    )


def paired_bootstrap(
    a: EvalReport, b: EvalReport, *, resamples: int = RESAMPLES, seed: int = SEED
) -> tuple[float | None, float | None, float | None, int]:
    """CI and p-value of micro-F1(B) - micro-F1(A), resampling the articles both sides scored."""
    rows_a = {r.doc_id: r for r in a.per_article}
    rows_b = {r.doc_id: r for r in b.per_article}
    shared = sorted(rows_a.keys() & rows_b.keys())
    if not shared:
        return None, None, None, 0
    keys = [str(outcome) for outcome in OUTCOMES]
    ca = np.array([[getattr(rows_a[d], k) for k in keys] for d in shared], dtype=float)
    cb = np.array([[getattr(rows_b[d], k) for k in keys] for d in shared], dtype=float)
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(shared), size=(resamples, len(shared)))
    deltas = micro_f1(cb[index].sum(axis=1)) - micro_f1(ca[index].sum(axis=1))
    deltas = deltas[np.isfinite(deltas)]  # resamples where either F1 is undefined say nothing
    if deltas.size == 0:
        return None, None, None, len(shared)
    low, high = np.percentile(deltas, [2.5, 97.5])
    p = min(1.0, 2 * min(float(np.mean(deltas <= 0)), float(np.mean(deltas >= 0))))
    return float(low), float(high), p, len(shared)


def units(run: Run) -> Units:
    """A judged run's (doc_id, field) units: every judged value of that field in that article."""
    grouped: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for article in run.articles:
        for obs in article.observations:
            grouped[(obs.doc_id, obs.field)].append(obs)
    found = {}
    for key, observations in grouped.items():
        observations.sort(key=lambda o: o.gold_path or o.path)
        single = len(observations) == 1
        predicted = [o.predicted for o in observations]
        golds = [o.gold for o in observations]
        found[key] = Unit(
            right=all(o.outcome in _RIGHT for o in observations),
            predicted=predicted[0] if single else predicted,
            gold=golds[0] if single else golds,
            outcomes=[str(o.outcome) for o in observations],
        )
    return found


def mcnemar(a_only: int, b_only: int) -> float | None:
    """Exact McNemar p-value from the discordant counts (``None`` when there are none)."""
    if a_only + b_only == 0:
        return None
    return float(binomtest(b_only, a_only + b_only, 0.5).pvalue)


def _right(side: Units, key: tuple[str, str]) -> bool:
    unit = side.get(key)
    return unit is not None and unit.right


def _field_test(
    name: str, reports: tuple[EvalReport, EvalReport], pair: tuple[Units, Units]
) -> FieldTest:
    ua, ub = pair
    keys = {k for k in ua.keys() | ub.keys() if k[1] == name}
    a_only = sum(1 for k in keys if _right(ua, k) and not _right(ub, k))
    b_only = sum(1 for k in keys if _right(ub, k) and not _right(ua, k))
    f1a, f1b = reports[0].fields[name].f1, reports[1].fields[name].f1
    return FieldTest(
        f1_a=f1a,
        f1_b=f1b,
        delta=None if f1a is None or f1b is None else f1b - f1a,
        a_only_right=a_only,
        b_only_right=b_only,
        p_value=mcnemar(a_only, b_only),
    )


def _pair(
    labels: tuple[str, str],
    reports: tuple[EvalReport, EvalReport],
    pair: tuple[Units, Units],
    *,
    resamples: int,
    seed: int,
) -> PairResult:
    low, high, p, n = paired_bootstrap(*reports, resamples=resamples, seed=seed)
    fa, fb = reports[0].micro.f1, reports[1].micro.f1
    return PairResult(
        a=labels[0],
        b=labels[1],
        articles=n,
        micro_f1_a=fa,
        micro_f1_b=fb,
        delta_micro_f1=None if fa is None or fb is None else fb - fa,
        ci_low=low,
        ci_high=high,
        p_value=p,
        fields={name: _field_test(name, reports, pair) for name in SCORED_FIELDS},
    )


def _warnings(sides: Sequence[Side], reports: Sequence[EvalReport]) -> list[str]:
    found = []
    for side, report in zip(sides, reports, strict=True):
        scored = report.articles.scored
        if scored and len(report.articles.missing_predictions) == scored:
            found.append(
                f"side {side.label!r} has no prediction for any of the {scored} gold articles, "
                f"so all its values count as missed: was it run on other articles? Compare "
                f"sides run on the articles the gold labels are for (doc_id = file name)"
            )
    return found


def compare_sides(
    sides: Sequence[Side],
    gold: Mapping[str, GoldLabel],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> CompareReport:
    """Score every side on ``gold`` and compare each pair (B against A, in the order given)."""
    runs = [judge_run(side.lines, gold) for side in sides]
    reports = [build_report(run) for run in runs]
    judged = [units(run) for run in runs]
    pairs = [
        _pair(
            (sides[i].label, sides[j].label),
            (reports[i], reports[j]),
            (judged[i], judged[j]),
            resamples=resamples,
            seed=seed,
        )
        for i, j in itertools.combinations(range(len(sides)), 2)
    ]
    return CompareReport(
        resamples=resamples,
        seed=seed,
        warnings=_warnings(sides, reports),
        sides=[_summary(side, report) for side, report in zip(sides, reports, strict=True)],
        pairs=pairs,
        disagreements=_disagreements([side.label for side in sides], judged),
        agreement=field_means(
            a.agreement for a in across_runs([side.lines for side in sides], gold).values()
        ),
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _disagreements(labels: Sequence[str], judged: Sequence[Units]) -> list[Disagreement]:
    keys = sorted(set().union(*(u.keys() for u in judged)))
    found = []
    for key in keys:
        present = [(label, u[key]) for label, u in zip(labels, judged, strict=True) if key in u]
        if len({_canonical(unit.predicted) for _, unit in present}) <= 1:
            continue
        found.append(
            Disagreement(
                doc_id=key[0],
                field=key[1],
                gold=present[0][1].gold,
                values={label: unit.predicted for label, unit in present},
                outcomes={label: unit.outcomes for label, unit in present},
            )
        )
    return found
