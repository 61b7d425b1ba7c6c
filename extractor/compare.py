"""Compare two or more extraction runs on the same gold articles, field by field.

For each side: the eval report (per-field F1, micro and macro F1, hallucination and grounding
rates) and per-article tokens, cost and latency. For each pair of sides:

* a **paired bootstrap** over articles of the micro-F1 delta (B minus A): the same resampled
  articles score both sides; the interval is the percentile interval and the p-value the
  two-sided bootstrap p (twice the smaller tail share of deltas at or beyond zero);
* an **exact McNemar test** per field on paired (article, field) units, where a unit is right
  when every judged value of that field in that article is ``correct`` or ``true_null``
  (``partial`` counts as not right); the test uses only the discordant units;
* the **disagreements**: (article, field) units where the two sides predicted different values,
  with the gold value and each side's outcome: the queue for the next round of labeling.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any

import numpy as np
from pydantic import BaseModel
from scipy.stats import binomtest

from extractor.eval import EvalReport, GoldLabel, score
from extractor.eval.compare import Outcome
from extractor.eval.metrics import OUTCOMES, micro_f1
from extractor.eval.scoring import SCORED_FIELDS, judge_run
from extractor.predictions import PredictionLine

RESAMPLES = 2000
SEED = 0
_RIGHT = {Outcome.correct, Outcome.true_null}


@dataclass
class Side:
    """One side of a comparison: a label and its prediction lines."""

    label: str
    lines: list[PredictionLine]
    run_id: str | None = None


class SideSummary(BaseModel):
    """Headline numbers of one side."""

    label: str
    run_id: str | None
    models: list[str]
    prompts: list[str]
    articles: int
    failed: int
    micro_f1: float | None
    macro_f1: float | None
    hallucination_rate: float | None
    grounding_rate: float | None
    fields_f1: dict[str, float | None]
    tokens_per_article: float | None
    cost_per_article: float | None
    latency_s_per_article: float | None
    cached_articles: int


class FieldTest(BaseModel):
    """One field of a pair: F1 on each side, the delta, and McNemar's exact test."""

    f1_a: float | None
    f1_b: float | None
    delta: float | None
    a_only_right: int
    b_only_right: int
    p_value: float | None


class PairResult(BaseModel):
    """B against A."""

    a: str
    b: str
    articles: int
    micro_f1_a: float | None
    micro_f1_b: float | None
    delta_micro_f1: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    fields: dict[str, FieldTest]


class Disagreement(BaseModel):
    """An (article, field) where the sides predicted different values."""

    doc_id: str
    field: str
    gold: Any
    values: dict[str, Any]
    outcomes: dict[str, list[str]]


class CompareReport(BaseModel):
    """Everything ``extractor compare`` prints, as stable JSON."""

    compare_version: str = "1"
    confidence_level: float = 0.95
    resamples: int
    seed: int
    sides: list[SideSummary]
    pairs: list[PairResult]
    disagreements: list[Disagreement]


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


def _units(
    side: Side, gold: dict[str, GoldLabel]
) -> dict[tuple[str, str], tuple[bool, Any, Any, list[str]]]:
    """(doc_id, field) -> (right, predicted values, gold values, outcomes)."""
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for article in judge_run(side.lines, gold).articles:
        for obs in article.observations:
            grouped[(obs.doc_id, obs.field)].append(obs)
    units = {}
    for key, observations in grouped.items():
        observations.sort(key=lambda o: o.gold_path or o.path)
        right = all(o.outcome in _RIGHT for o in observations)
        predicted = [o.predicted for o in observations]
        golds = [o.gold for o in observations]
        outcomes = [str(o.outcome) for o in observations]
        single = len(observations) == 1
        units[key] = (
            right,
            predicted[0] if single else predicted,
            golds[0] if single else golds,
            outcomes,
        )
    return units


def _mcnemar(a_only: int, b_only: int) -> float | None:
    if a_only + b_only == 0:
        return None
    return float(binomtest(b_only, a_only + b_only, 0.5).pvalue)


def compare(
    sides: Sequence[Side],
    gold: dict[str, GoldLabel],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> CompareReport:
    """Score every side on ``gold`` and compare each pair (B against A, in the order given)."""
    reports = [score(side.lines, gold) for side in sides]
    units = [_units(side, gold) for side in sides]
    pairs = []
    for (i, a), (j, b) in itertools.combinations(enumerate(sides), 2):
        low, high, p, n = paired_bootstrap(reports[i], reports[j], resamples=resamples, seed=seed)
        fa, fb = reports[i].micro.f1, reports[j].micro.f1
        fields = {}
        for name in SCORED_FIELDS:
            keys = {k for k in units[i].keys() | units[j].keys() if k[1] == name}
            a_only = sum(
                1 for k in keys if units[i].get(k, (False,))[0] and not units[j].get(k, (False,))[0]
            )
            b_only = sum(
                1 for k in keys if units[j].get(k, (False,))[0] and not units[i].get(k, (False,))[0]
            )
            f1a, f1b = reports[i].fields[name].f1, reports[j].fields[name].f1
            fields[name] = FieldTest(
                f1_a=f1a,
                f1_b=f1b,
                delta=None if f1a is None or f1b is None else f1b - f1a,
                a_only_right=a_only,
                b_only_right=b_only,
                p_value=_mcnemar(a_only, b_only),
            )
        pairs.append(
            PairResult(
                a=a.label,
                b=b.label,
                articles=n,
                micro_f1_a=fa,
                micro_f1_b=fb,
                delta_micro_f1=None if fa is None or fb is None else fb - fa,
                ci_low=low,
                ci_high=high,
                p_value=p,
                fields=fields,
            )
        )
    return CompareReport(
        resamples=resamples,
        seed=seed,
        sides=[_summary(side, report) for side, report in zip(sides, reports, strict=True)],
        pairs=pairs,
        disagreements=_disagreements(sides, units),
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _disagreements(
    sides: Sequence[Side], units: list[dict[tuple[str, str], Any]]
) -> list[Disagreement]:
    keys = sorted(set().union(*(u.keys() for u in units)))
    found = []
    for key in keys:
        present = [(side.label, u[key]) for side, u in zip(sides, units, strict=True) if key in u]
        if len({_canonical(unit[1]) for _, unit in present}) <= 1:
            continue
        found.append(
            Disagreement(
                doc_id=key[0],
                field=key[1],
                gold=present[0][1][2],
                values={label: unit[1] for label, unit in present},
                outcomes={label: unit[3] for label, unit in present},
            )
        )
    return found
