"""The offline ``rules`` baseline: patterns and gazetteers fill the same record as the LLM.

Deterministic, no network, no tokens. Every value it fills carries the sentence (or phrase) it
was read from as evidence. Fields no rule can decide stay null: this baseline prefers a missing
value to a wrong one.
"""

from __future__ import annotations

from typing import Any

from extractor.backend import Backend, ExtractionResult
from extractor.backends.rules import (
    agencies,
    counts,
    dates,
    encounter,
    flags,
    investigation,
    people,
    places,
    video,
)
from extractor.backends.rules.text import Article, Hit
from extractor.documents import Document
from extractor.evidence import Evidence
from extractor.schema import IncidentRecord
from extractor.usage import Usage

MODEL = "rules"


def _scalar_hits(article: Article) -> dict[str, Hit[Any] | None]:
    mentions = dates.date_mentions(article)
    incident_date = dates.incident_date(article, mentions)
    article.excluded = dates.other_incident_sentences(article, mentions, incident_date)
    city, state = places.city_state(article)
    city_name = city.value if city else None
    named = agencies.mentions(article, city_name, state.value if state else None)
    police = agencies.police_agency(article, named)
    return {
        "incident_date": incident_date,
        "incident_time": dates.incident_time(article),
        "city": city,
        "state": state,
        "location": places.location(article),
        "neighborhood": places.neighborhood(article, city_name),
        "police_agency": police,
        "encounter_type": encounter.encounter_type(article),
        "shots_fired_by_police": counts.shots_fired(article),
        "officers_who_fired": article.officers_who_fired,
        "police_hit_someone": flags.police_hit_someone(article),
        "party_fired_first": flags.party_fired_first(article),
        "fired_at_moving_vehicle": flags.fired_at_moving_vehicle(article),
        "officer_injured": flags.officer_injured(article),
        "arrests": counts.arrests(article),
        "video_released": video.video_released(article),
        "video_sources": video.video_sources(article),
        "video_release_date": dates.video_release_date(article, mentions),
        "investigating_agency": agencies.investigating_agency(article, named, police),
        "investigation_status": investigation.investigation_status(
            article, bool(article.police_shooters)
        ),
    }


def _value(person: dict[str, Hit[Any]], name: str) -> Any:
    hit = person.get(name)
    return hit.value if hit else None


def _evidence(article: Article, hit: Hit[Any]) -> Evidence:
    return Evidence(
        quote=article.text[hit.start : hit.end], start=hit.start, end=hit.end, grounded=True
    )


def extract_rules(document: Document) -> ExtractionResult:
    """Extract one record from ``document`` with the rules; pure, deterministic and offline."""
    article = Article(document.text, document.published)
    hits = _scalar_hits(article)
    data: dict[str, Any] = {name: hit.value if hit else None for name, hit in hits.items()}
    data["video_sources"] = data["video_sources"] or []
    persons = people.extract_people(
        article,
        hits["encounter_type"],
        hits["police_hit_someone"],
        hits["officer_injured"],
        hits["arrests"],
    )
    if hits["police_hit_someone"] is None:
        # a person the rules read as shot by police: police hit someone
        shot = next(
            (p["shot_by_police"] for p in persons if _value(p, "shot_by_police") == "yes"), None
        )
        if shot is not None:
            hits["police_hit_someone"] = shot
            data["police_hit_someone"] = shot.value
    data["people"] = [{name: hit.value for name, hit in person.items()} for person in persons]
    record = IncidentRecord.model_validate(data, context={"published": document.published})
    evidence = {name: _evidence(article, hit) for name, hit in hits.items() if hit is not None}
    for i, person in enumerate(persons):
        for name, hit in person.items():
            evidence[f"people[{i}].{name}"] = _evidence(article, hit)
    return ExtractionResult(record=record, evidence=evidence, usage=Usage(), attempts=1)


class RulesBackend(Backend):
    """The offline baseline behind ``--model rules``: zero tokens, zero cost."""

    model = MODEL
    prompt = None

    async def extract(self, document: Document) -> ExtractionResult:
        return extract_rules(document)


__all__ = ["MODEL", "RulesBackend", "extract_rules"]
