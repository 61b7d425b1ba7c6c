"""The response cache: an unchanged request is answered from the run store, with no model call.

The key is the backend's :meth:`~extractor.backends.Backend.cache_key` (model, rendered messages,
schema hash, parameters), so changing any of them misses. Only successful extractions are
cached; failures are always retried.
"""

from __future__ import annotations

import json

from extractor.backend import Backend, ExtractionResult, PlannedRequest
from extractor.documents import Document
from extractor.evidence import Evidence
from extractor.schema import IncidentRecord
from extractor.store import RunStore
from extractor.usage import Usage


class CachingBackend(Backend):
    """Wraps a backend; answers repeated requests from the store's cache."""

    def __init__(self, inner: Backend, store: RunStore) -> None:
        self.inner = inner
        self.store = store
        self.model = inner.model
        self.prompt = inner.prompt
        self.workers_per_slot = inner.workers_per_slot
        self.hits = 0

    def cache_key(self, document: Document) -> str | None:
        return self.inner.cache_key(document)

    def planned_requests(self, document: Document) -> list[PlannedRequest]:
        key = self.inner.cache_key(document)
        if key is not None and self.store.cache_get(key) is not None:
            return []  # answered from the cache: nothing is sent
        return self.inner.planned_requests(document)

    async def extract(self, document: Document) -> ExtractionResult:
        key = self.inner.cache_key(document)
        if key is not None:
            cached = self.store.cache_get(key)
            if cached is not None:
                self.hits += 1
                return _load(cached)
        result = await self.inner.extract(document)
        if key is not None:
            self.store.cache_put(key, self.model, _dump(result))
        return result

    async def aclose(self) -> None:
        await self.inner.aclose()


def _dump(result: ExtractionResult) -> str:
    data = {
        "record": result.record.model_dump(mode="json"),
        "evidence": {k: v.model_dump() for k, v in result.evidence.items()},
        "usage": result.usage.as_dict(),
        "attempts": result.attempts,
    }
    if result.confidence is not None:  # sampled results only: other entries keep their bytes
        data["confidence"] = result.confidence
    return json.dumps(data)


def _load(text: str) -> ExtractionResult:
    data = json.loads(text)
    return ExtractionResult(
        record=IncidentRecord.model_validate(data["record"]),
        evidence={k: Evidence.model_validate(v) for k, v in data["evidence"].items()},
        usage=Usage.model_validate(data["usage"]),
        attempts=data["attempts"],
        cached=True,
        confidence=data.get("confidence"),
    )
