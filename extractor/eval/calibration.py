"""Calibration: is a value's confidence (its samples' agreement) a guide to whether it is right?

Over every judged value whose prediction line has a ``confidence`` entry for it: a reliability
table (values binned by confidence into :data:`BINS` equal bins, with the share right and the
mean confidence in each), and "review only what is doubtful": at a threshold ``t``, the values
below ``t`` are the ones a person checks; the report says what share of values that is and what
share of the errors it catches. A value is *right* when judged ``correct`` or ``true_null`` (a
``partial`` counts as an error, as in compare's McNemar test). Values of a gold person the line
missed have no prediction, so no confidence, and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from extractor.eval.judge import Verdict
from extractor.eval.report import Calibration, CalibrationBin, Review
from extractor.eval.scoring import Observation

#: Equal-width confidence bins of the reliability table.
BINS = 5
#: Below this agreement a value is "doubtful" and goes to a person, unless told otherwise.
DEFAULT_REVIEW_THRESHOLD = 0.8
_RIGHT = {Verdict.correct, Verdict.true_null}


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def calibration(
    observations: Iterable[Observation], *, threshold: float = DEFAULT_REVIEW_THRESHOLD
) -> Calibration | None:
    """The reliability table and review figures, or None when no value has a confidence."""
    scored = [(o.confidence, o.outcome in _RIGHT) for o in observations if o.confidence is not None]
    if not scored:
        return None
    bins = []
    for k in range(BINS):
        low, high = k / BINS, (k + 1) / BINS
        inside = [
            (c, right) for c, right in scored if low <= c < high or (k == BINS - 1 and c == high)
        ]
        bins.append(
            CalibrationBin(
                low=low,
                high=high,
                count=len(inside),
                accuracy=_share(sum(right for _, right in inside), len(inside)),
                mean_confidence=_share(sum(c for c, _ in inside), len(inside)),
            )
        )
    errors = [c for c, right in scored if not right]
    to_check = sum(c < threshold for c, _ in scored)
    caught = sum(c < threshold for c in errors)
    return Calibration(
        values=len(scored),
        accuracy=_share(sum(right for _, right in scored), len(scored)),
        mean_confidence=_share(sum(c for c, _ in scored), len(scored)),
        bins=bins,
        review=Review(
            threshold=threshold,
            to_check=to_check,
            share_to_check=_share(to_check, len(scored)),
            errors=len(errors),
            errors_caught=caught,
            share_of_errors_caught=_share(caught, len(errors)),
        ),
    )


__all__ = ["BINS", "DEFAULT_REVIEW_THRESHOLD", "calibration"]
