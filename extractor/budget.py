"""The cost guard, ``--max-cost USD``: an estimate before a run, a ledger during it.

**Before anything is sent**, the run's cost is estimated from the requests it would send: for each
article still to do (not finished in the output, not answered from the response cache, not too
long to send), the backend's :meth:`~extractor.backend.Backend.planned_requests` (the rendered
messages, the tool schema and the call parameters as JSON, plus :data:`ENVELOPE_BYTES` for what
the SDK adds around them) is counted as bytes / 3 prompt tokens, rounded up, and ``max_tokens``
completion tokens, one first attempt per request, at the list price (the batch price with
``--batch``). There is no tokenizer for hosted models here, so the estimate is deliberately an
upper bound: English prose runs about 4 bytes per token in OpenAI's and Anthropic's tokenizers,
and a request's JSON (quotes, escapes, the SDK's keys) adds bytes no model counts; ``max_tokens``
is the most an answer can be (answers measured 250-700 tokens of the 1,200 allowed). Over the cap,
the run is refused with the estimate and its basis (:class:`~extractor.errors.CostEstimateError`).

**During the run**, re-asks, nudges and retries cost more than the first attempts: the
:class:`~extractor.ledger.Ledger` admits every request before it is sent and stops the run
cleanly, as Ctrl-C does, when the next one could pass the cap.

A model with no known price cannot be guarded: :func:`ledger_for` refuses it with the fix.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractor.backend import ENVELOPE_BYTES, PlannedRequest
from extractor.documents import BadDocument, Document
from extractor.errors import ConfigError, CostEstimateError
from extractor.ledger import BYTES_PER_TOKEN, Ledger

if TYPE_CHECKING:
    from extractor.backend import Backend
    from extractor.pricing import Price


def rates(price: Price, *, batch: bool) -> Price | None:
    """The one reading of the price table here: the list price, or the Batch API's (None: none)."""
    return price.batch() if batch else price


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a run's first attempts can cost at most, and what that figure rests on."""

    articles: int
    requests: int
    prompt_tokens: int
    completion_tokens: int
    price: Price
    batch: bool

    @property
    def cost(self) -> float:
        return self.price.cost(self.prompt_tokens, self.completion_tokens)

    def basis(self) -> str:
        """How the figure was reached, in one clause."""
        which = "batch" if self.batch else "list"
        return (
            f"{self.articles:,} articles to do, {self.requests:,} requests: "
            f"{self.prompt_tokens:,} prompt tokens (request bytes / {BYTES_PER_TOKEN}) and "
            f"{self.completion_tokens:,} completion tokens (max_tokens of each) at the {which} "
            f"price ${self.price.input_per_mtok:g} / ${self.price.output_per_mtok:g} per "
            "million tokens"
        )


def estimate_run(
    backend: Backend,
    items: Iterable[Document | BadDocument],
    *,
    skip: set[str] | frozenset[str],
    price: Price,
    batch: bool = False,
) -> Estimate:
    """The upper bound of a run's first attempts over ``items`` (``skip``: finished articles)."""
    articles = requests = prompt = completion = 0
    for item in items:
        if item.doc_id in skip or not isinstance(item, Document):
            continue  # finished, or an error line that costs nothing
        planned = backend.planned_requests(item)
        if not planned:
            continue
        articles += 1
        requests += len(planned)
        prompt += sum(p.prompt_tokens for p in planned)
        completion += sum(p.max_tokens for p in planned)
    return Estimate(articles, requests, prompt, completion, price, batch)


def ledger_for(
    cap: float | None, model: str, price: Price | None, *, batch: bool = False
) -> Ledger | None:
    """The ledger of a run under ``cap`` (None: no cap), at ``model``'s price.

    Raises:
        ConfigError: the model (or its Batch API) has no price, so the cap cannot be enforced.
    """
    if cap is None:
        return None
    priced = rates(price, batch=batch) if price is not None else None
    if price is None or priced is None:
        what = "batch price" if price is not None else "price"
        fields = ["input_per_mtok", "output_per_mtok"]
        if batch:
            fields += ["batch_input_per_mtok", "batch_output_per_mtok"]
        example = json.dumps({model: dict.fromkeys(fields, 0)})
        raise ConfigError(
            f"--max-cost ${cap:g} cannot be enforced: {model!r} has no {what} in the price table",
            hint=f"give its prices (USD per million tokens) in a JSON file passed with --prices "
            f"FILE, e.g. {example} for a free local model, or drop --max-cost",
        )
    return Ledger(cap, price)


def check_estimate(ledger: Ledger, estimate: Estimate) -> None:
    """Refuse the run before anything is sent if its estimate is over the cap.

    Raises:
        CostEstimateError: it is; the message gives the estimate, its basis and the way on.
    """
    if estimate.cost <= ledger.cap:
        return
    raise CostEstimateError(
        f"the run could cost up to {usd(estimate.cost)}, over --max-cost ${ledger.cap:g} "
        f"({estimate.basis()})",
        hint=f"raise --max-cost (or EXTRACTOR_MAX_COST) to {usd(estimate.cost)} or more, run "
        "fewer articles, or use a leaner prompt (--prompt incident@v3) or a cheaper model",
    )


def usd(amount: float) -> str:
    """Dollars to the millionth, rounded up (a cap of this figure covers the amount)."""
    text = f"{math.ceil(round(amount * 1e6, 3)) / 1e6:.6f}".rstrip("0")
    return "$" + (text + "00" if text.endswith(".") else text)


def stopped_message(ledger: Ledger) -> str:
    """What a run stopped at the cap says: spent, cap, articles left, how to go on."""
    return (
        f"stopped at the cost cap: {usd(ledger.spent)} spent of --max-cost ${ledger.cap:g} "
        f"(the next request could have cost up to {usd(ledger.refused)}); {ledger.left:,} "
        "articles not written"
    )


__all__ = [
    "ENVELOPE_BYTES",
    "Estimate",
    "PlannedRequest",
    "check_estimate",
    "estimate_run",
    "ledger_for",
    "rates",
    "stopped_message",
    "usd",
]
