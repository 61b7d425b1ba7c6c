"""N samples per article: ask N times, keep each field's majority value and its agreement.

Each sample is a :class:`~extractor.strategies.single_pass.SinglePass` with its own call
parameters: the prompt's ``meta.toml`` params (temperature included) and ``seed`` = the prompt's
seed (0 when it names none) + the sample index, so each sample's request, and so its part of the
cache key, differs. The record written holds the majority values
(:func:`extractor.eval.agreement.agree`, people aligned to the sample that agrees most with the
majority), ``confidence`` holds each field path's agreement, and each path's evidence comes from a
sample that gave the majority value. Usage and attempts add up over the samples. A sample that
fails does not vote; the article fails only when every sample does.
"""

from __future__ import annotations

import asyncio
import hashlib
import json

from extractor.backend import Backend, ExtractionResult, PlannedRequest
from extractor.documents import Document
from extractor.errors import ConfigError, ExtractionError
from extractor.eval.agreement import agree, majority_record
from extractor.ledger import CapReached
from extractor.pricing import Price
from extractor.prompts import PromptTemplate
from extractor.providers.base import Provider
from extractor.strategies.single_pass import SinglePass
from extractor.usage import Usage

#: The smallest number of samples that makes a majority mean anything.
MIN_SAMPLES = 2


class Sampled(Backend):
    """``samples`` single passes per article, merged to the majority with per-field agreement."""

    def __init__(
        self,
        provider: Provider,
        prompt: PromptTemplate,
        price: Price | None,
        *,
        samples: int | None = None,
    ) -> None:
        """``samples`` passes per article (default: the provider's ``settings.samples``).

        Raises:
            ConfigError: fewer than two samples.
        """
        samples = provider.settings.samples if samples is None else samples
        if samples < MIN_SAMPLES:
            raise ConfigError(
                f"--samples {samples!r} is too few to sample",
                hint=f"give --samples {MIN_SAMPLES} or more, or leave it out for one call",
            )
        self.passes = [SinglePass(provider, prompt, price) for _ in range(samples)]
        base = self.passes[0]
        seed = int(base.params.get("seed", 0))
        for index, single in enumerate(self.passes):
            single.params = {**base.params, "seed": seed + index}
        self.provider = provider
        self.model = base.model
        self.prompt = base.prompt
        self.workers_per_slot = base.workers_per_slot

    def cache_key(self, document: Document) -> str | None:
        keys = [(index, p.cache_key(document)) for index, p in enumerate(self.passes)]
        return hashlib.sha256(json.dumps({"samples": keys}).encode()).hexdigest()

    def planned_requests(self, document: Document) -> list[PlannedRequest]:
        return [r for single in self.passes for r in single.planned_requests(document)]

    async def extract(self, document: Document) -> ExtractionResult:
        outcomes = await asyncio.gather(
            *(p.extract(document) for p in self.passes), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, ConfigError | CapReached):
                raise outcome  # the setup is wrong, or the run stops at --max-cost
        usage, attempts = Usage(), 0
        results: list[ExtractionResult] = []
        for outcome in outcomes:
            if isinstance(outcome, ExtractionResult):
                results.append(outcome)
                usage.add(outcome.usage)
                attempts += outcome.attempts
            elif isinstance(outcome, ExtractionError):
                usage.add(outcome.usage)
                attempts += outcome.attempts
        if not results:
            failure = next(o for o in outcomes if isinstance(o, BaseException))
            if isinstance(failure, ExtractionError):
                failure.usage, failure.attempts = usage, attempts
            raise failure
        records = [r.record for r in results]
        agreement = agree(records)
        evidence = {}
        for path in agreement.votes:
            index, own = agreement.source(path)
            found = results[index].evidence.get(own)
            if found is not None:
                evidence[path] = found
        return ExtractionResult(
            record=majority_record(records, agreement),
            evidence=evidence,
            usage=usage,
            attempts=attempts,
            confidence=agreement.shares(),
        )

    async def aclose(self) -> None:
        await self.provider.aclose()


__all__ = ["MIN_SAMPLES", "Sampled"]
