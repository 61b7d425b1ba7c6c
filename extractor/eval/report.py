"""The eval and compare reports: pydantic models serialised to stable JSON, that render themselves.

Every key is always present (``null`` when a number is undefined, e.g. precision with no
predicted values), fields appear in schema order, lists are sorted, so two reports diff cleanly.
Bump :data:`REPORT_VERSION` (the eval report's keys: REPORT_FORMAT.md) or
:data:`COMPARE_VERSION` when a key changes meaning or disappears. ``rich`` prints either report
as its tables (:mod:`extractor.eval.render`); ``report.view(...)`` takes the display options.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.eval.render import CompareView, EvalView

REPORT_VERSION = "1"
COMPARE_VERSION = "1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Scores(_Model):
    """MUC precision, recall and F1 (null when undefined) with the six outcome counts."""

    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    correct: int = 0
    partial: int = 0
    incorrect: int = 0
    missed: int = 0
    spurious: int = 0
    true_null: int = 0


class FieldReport(_Model):
    """Scores of one field, plus its type-specific extras (null where they do not apply)."""

    kind: str
    support: int = Field(description="gold values that are not null/[] (the gold file's own value)")
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    correct: int = 0
    partial: int = 0
    incorrect: int = 0
    missed: int = 0
    spurious: int = 0
    true_null: int = 0
    hallucination_rate: float | None = None
    mae: float | None = None
    mae_n: int | None = None
    item_precision: float | None = None
    item_recall: float | None = None
    item_f1: float | None = None
    filled: int = 0
    grounded: int = 0
    grounding_rate: float | None = None


class Macro(_Model):
    """Unweighted means over fields whose value is defined."""

    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    fields: int = Field(0, description="how many fields have a defined F1 (the F1 mean's size)")


class Interval(_Model):
    """A two-sided confidence interval; both ends null when it cannot be estimated."""

    low: float | None = None
    high: float | None = None


class ConfidenceIntervals(_Model):
    """Article-level percentile bootstrap intervals."""

    method: Literal["percentile bootstrap over articles"] = "percentile bootstrap over articles"
    level: float
    resamples: int
    seed: int
    articles: int
    micro_precision: Interval
    micro_recall: Interval
    micro_f1: Interval
    hallucination_rate: Interval


class Grounding(_Model):
    """Filled predicted values backed by a quote found in the article."""

    filled: int = 0
    grounded: int = 0
    rate: float | None = None


class PeopleSummary(_Model):
    """How predicted people aligned with gold people, over scored articles."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    missed: int = 0
    spurious: int = 0


class FailedArticle(_Model):
    doc_id: str
    error: str


class ArticleReport(_Model):
    """One gold article's micro scores and counts, pooled over its fields."""

    doc_id: str
    status: Literal["scored", "failed", "missing_prediction"]
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    correct: int = 0
    partial: int = 0
    incorrect: int = 0
    missed: int = 0
    spurious: int = 0
    true_null: int = 0


class Articles(_Model):
    """Which articles were scored, and the ones that could not be (each listed by doc_id)."""

    scored: int = Field(description="gold articles scored: all of them, failed/missing included")
    with_record: int = Field(description="scored articles whose prediction holds a record")
    empty_records: list[str] = Field(
        default_factory=list, description="of those, records with no value filled (all missed)"
    )
    predictions: int = Field(description="distinct doc_ids in the predictions")
    failed: list[FailedArticle] = Field(description="error lines: scored as all-missed")
    missing_predictions: list[str] = Field(description="gold without a prediction: all-missed")
    unscored_predictions: list[str] = Field(description="predictions without gold: not scored")
    duplicate_predictions: list[str] = Field(description="doc_ids with several lines: last kept")
    missing_keys: dict[str, int] = Field(
        default_factory=dict, description="lines that lacked each key and got its default"
    )


class Diff(_Model):
    """One value that was not fully right."""

    doc_id: str
    field: str
    path: str = Field(description="path in the predicted record (gold path for missed people)")
    gold_path: str | None = None
    outcome: str
    gold: Any = None
    predicted: Any = None
    quote: str | None = None
    grounded: bool | None = None


class ScoringSettings(_Model):
    """The scoring choices this report was computed with."""

    text_correct_threshold: float
    text_partial_threshold: float
    people_min_similarity: float
    people_similarity_weights: dict[str, float]
    partial_credit: float = 0.5
    excluded_fields: list[str] = Field(default_factory=lambda: ["summary"])


class CalibrationBin(_Model):
    """Values whose confidence falls in ``[low, high)`` (the last bin includes 1.0)."""

    low: float
    high: float
    count: int
    accuracy: float | None = Field(description="share judged correct or true_null; null if empty")
    mean_confidence: float | None = None


class Review(_Model):
    """ "Review only what is doubtful": check the values below ``threshold``, trust the rest."""

    threshold: float
    to_check: int = Field(description="values with confidence below the threshold")
    share_to_check: float | None = Field(description="to_check over all values with confidence")
    errors: int = Field(description="values not judged correct or true_null")
    errors_caught: int = Field(description="errors among the values to check")
    share_of_errors_caught: float | None = Field(description="errors_caught over errors")


class Calibration(_Model):
    """Accuracy by confidence bin (a reliability table) over values whose line has confidence."""

    values: int
    accuracy: float | None
    mean_confidence: float | None
    bins: list[CalibrationBin]
    review: Review


class EvalReport(_Model):
    """The whole report."""

    report_version: str = REPORT_VERSION
    schema_version: str
    models: list[str]
    prompts: list[str]
    articles: Articles
    micro: Scores
    macro: Macro
    hallucination_rate: float | None
    grounding: Grounding
    people: PeopleSummary
    confidence_intervals: ConfidenceIntervals
    fields: dict[str, FieldReport]
    per_article: list[ArticleReport]
    diffs: list[Diff]
    settings: ScoringSettings
    #: null when no scored line carries ``confidence`` (a run without ``--samples``)
    calibration: Calibration | None = None

    def to_json(self) -> str:
        """Stable, indented JSON (key order as declared, fields in schema order)."""
        return self.model_dump_json(indent=2) + "\n"

    def view(
        self, *, show_diffs: bool = False, model: str | None = None, prompt: str | None = None
    ) -> EvalView:
        """The report as ``rich`` renders it, with the diff listing when ``show_diffs``.

        ``model`` and ``prompt`` name the run in the title (default: the predictions' own).
        """
        return EvalView(self, show_diffs=show_diffs, model=model, prompt=prompt)

    def __rich__(self) -> EvalView:
        return self.view()


class SideSummary(BaseModel):
    """Headline numbers of one side of a comparison."""

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
    #: of the tokens: prompt tokens, those of them read from the provider's prompt cache, and
    #: completion tokens, per article (None in a compare JSON written before they were recorded)
    prompt_tokens_per_article: float | None = None
    cached_tokens_per_article: float | None = None
    completion_tokens_per_article: float | None = None
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

    compare_version: str = COMPARE_VERSION
    confidence_level: float = 0.95
    resamples: int
    seed: int
    warnings: list[str] = Field(
        default_factory=list, description="sides whose scores mean little, and why"
    )
    sides: list[SideSummary]
    pairs: list[PairResult]
    disagreements: list[Disagreement]
    agreement: dict[str, float] = Field(
        default_factory=dict,
        description="per field, the mean agreement of the sides' values (share of sides giving "
        "the majority value) over gold articles that two or more sides have a record for",
    )

    def to_json(self) -> str:
        """Stable, indented JSON (key order as declared, sides in the order given)."""
        return self.model_dump_json(indent=2) + "\n"

    def view(self, *, disagreements: int = 25) -> CompareView:
        """The comparison as ``rich`` renders it, listing the first ``disagreements``."""
        return CompareView(self, disagreements=disagreements)

    def __rich__(self) -> CompareView:
        return self.view()
