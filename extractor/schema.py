"""The incident record: Pydantic models implementing ``incident-spec.md`` exactly.

Field descriptions carry the labeling rules because instructor sends them to the model as the
tool's JSON schema. Validators *normalise* what a model gets slightly wrong (``il`` -> ``IL``,
``6:50 p.m.`` -> ``18:50``, duplicate list items) and *reject* what is wrong (unknown enum values,
negative counts, impossible dates) so instructor re-asks with the error message.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from extractor.resources import state_abbreviations, state_codes, us_states

SCHEMA_VERSION: Literal["1"] = "1"


class EncounterType(StrEnum):
    """How the encounter with police began."""

    traffic_stop = "traffic_stop"
    call_for_service = "call_for_service"
    on_view = "on_view"
    off_duty = "off_duty"
    pursuit = "pursuit"
    warrant_service = "warrant_service"
    other = "other"


class YesNoUndetermined(StrEnum):
    """A yes/no answer that the article may say is still unclear."""

    yes = "yes"
    no = "no"
    undetermined = "undetermined"


class PartyFiredFirst(StrEnum):
    """Who fired first."""

    police = "police"
    subject = "subject"
    undetermined = "undetermined"


class VideoSource(StrEnum):
    """Kind of camera that recorded the incident."""

    body_camera = "body_camera"
    dash_camera = "dash_camera"
    third_party = "third_party"


class InvestigationStatus(StrEnum):
    """Where the investigation of the police use of force stands."""

    pending = "pending"
    within_policy = "within_policy"
    not_within_policy = "not_within_policy"
    other = "other"


class Role(StrEnum):
    """A person's part in the incident."""

    officer = "officer"
    subject = "subject"
    victim = "victim"
    bystander = "bystander"


class Gender(StrEnum):
    """Gender, only when the text says so."""

    male = "male"
    female = "female"
    non_binary = "non_binary"


class Armed(StrEnum):
    """What a non-officer was armed with."""

    gun = "gun"
    knife = "knife"
    vehicle = "vehicle"
    blunt_object = "blunt_object"
    replica = "replica"
    other = "other"
    unarmed = "unarmed"


class Outcome(StrEnum):
    """What happened to the person."""

    killed = "killed"
    injured = "injured"
    uninjured = "uninjured"


# --- normalisers -------------------------------------------------------------------------------

_ENUM_SEPARATORS = re.compile(r"[\s\-/]+")


def _enum_token(value: Any) -> Any:
    """``"Body Camera"`` -> ``"body_camera"``; anything else passes through for pydantic to judge."""
    if isinstance(value, str):
        token = _ENUM_SEPARATORS.sub("_", value.strip().lower())
        return token or None
    return value


def _dedupe(values: Any) -> Any:
    """Drop repeated list items while keeping the first-seen order."""
    if not isinstance(values, list):
        return values
    seen: list[Any] = []
    for item in (_enum_token(v) for v in values):
        if item is not None and item not in seen:
            seen.append(item)
    return seen


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in {"", "null", "none", "unknown", "n/a"}:
        return None
    return value.strip() if isinstance(value, str) else value


_TIME_RE = re.compile(
    r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>a\.?\s*m\.?|p\.?\s*m\.?)?$", re.IGNORECASE
)
_NAMED_TIMES = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}


def normalise_time(value: Any) -> Any:
    """Turn ``"6:50 p.m."``, ``"noon"`` or ``"18:50"`` into ``"HH:MM"``; raise on nonsense."""
    value = _blank_to_none(value)
    if value is None or not isinstance(value, str):
        return value
    text = value.lower().replace("around", "").replace("about", "").strip()
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text]
    match = _TIME_RE.match(text)
    if not match:
        raise ValueError(f"time {value!r} is not HH:MM (24-hour), e.g. '18:50'")
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").replace(" ", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"time {value!r} has an impossible hour for a.m./p.m.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"time {value!r} is not a real time of day; use HH:MM from 00:00 to 23:59")
    return f"{hour:02d}:{minute:02d}"


_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def normalise_date(value: Any) -> Any:
    """Accept ``YYYY-MM-DD`` or ``YYYY-MM`` (zero-padding added); raise on impossible dates."""
    value = _blank_to_none(value)
    if value is None or not isinstance(value, str):
        return value
    match = _DATE_RE.match(value)
    if not match:
        raise ValueError(
            f"date {value!r} must be YYYY-MM-DD, or YYYY-MM when only the month is known"
        )
    year, month = int(match[1]), int(match[2])
    if match[3] is None:
        if not 1 <= month <= 12:
            raise ValueError(f"date {value!r} has no month {month}")
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, int(match[3])).isoformat()
    except ValueError as exc:
        raise ValueError(f"date {value!r} is not a real calendar date ({exc})") from None


@cache
def _ap_states() -> dict[str, str]:
    """AP-style abbreviations, lower case, without spaces or the final period (``w.va``)."""
    return {name.lower().rstrip("."): code for name, code in state_abbreviations().items()}


def normalise_state(value: Any) -> Any:
    """``"il"``, ``"Illinois"`` or AP style ``"Ill."`` -> ``"IL"``; reject what is not a US
    postal code."""
    value = _blank_to_none(value)
    if value is None or not isinstance(value, str):
        return value
    text = value.strip().rstrip(".")
    if text.upper() in state_codes():
        return text.upper()
    code = us_states().get(text.lower()) or _ap_states().get(text.lower().replace(" ", ""))
    if code:
        return code
    raise ValueError(f"state {value!r} is not a two-letter US postal code such as 'IL' or 'TX'")


_Enum = BeforeValidator(_enum_token)
_List = BeforeValidator(_dedupe)
_Str = BeforeValidator(_blank_to_none)
_Date = BeforeValidator(normalise_date)
#: A sanity ceiling on counts (shots, officers, arrests).
MAX_COUNT = 10_000
Count = Annotated[int | None, Field(ge=0, le=MAX_COUNT)]


class Person(BaseModel):
    """One individually described person involved in the incident."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    role: Annotated[Role, _Enum] = Field(
        description="officer: an officer who fired, was hurt, or is described individually. "
        "subject: a person police fired at, used force on, pursued or arrested. "
        "victim: a person harmed by someone other than police. "
        "bystander: a person hit or endangered who was not targeted (e.g. an untargeted passenger)."
    )
    name: Annotated[str | None, _Str] = Field(
        None, description="Name as written; null if not named."
    )
    age: Annotated[int | None, Field(ge=0, le=120)] = Field(
        None, description="Age in years if stated."
    )
    gender: Annotated[Gender | None, _Enum] = Field(
        None, description="Only when the text says so (a pronoun or 'man'/'woman' counts)."
    )
    on_duty: bool | None = Field(
        None,
        description="Officers only: true when working (patrol, a call, a warrant), false when "
        "the article says off-duty; null for non-officers.",
    )
    fired_weapon: bool | None = Field(
        None, description="This person fired a firearm (a Taser is not). Null when not stated."
    )
    armed_with: Annotated[list[Armed], _List] = Field(
        default_factory=list,
        description="Non-officers only; [] for officers and when not stated.",
    )
    outcome: Annotated[Outcome | None, _Enum] = Field(
        None, description="killed, injured or uninjured (said to be unhurt)."
    )
    shot_by_police: Annotated[YesNoUndetermined | None, _Enum] = Field(
        None,
        description="yes/no/undetermined; 'no' for a person said to be unhurt or wounded by "
        "another shooter; 'undetermined' when the article says it is unclear.",
    )
    arrested: bool | None = Field(None, description="Whether this person was arrested, if stated.")


class IncidentRecord(BaseModel):
    """The police use-of-force incident an article is about (the main one if several)."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    schema_version: Literal["1"] = SCHEMA_VERSION
    incident_date: Annotated[str | None, _Date] = Field(
        None,
        description="YYYY-MM-DD, or YYYY-MM when only the month is known. Resolve relative dates "
        "against the publication date: a weekday is the most recent such day on or before "
        "publication; a month and day without a year is the most recent such date on or before "
        "publication ('Dec. 18' in an article of 2021-02-03 is 2020-12-18).",
    )
    incident_time: Annotated[str | None, BeforeValidator(normalise_time)] = Field(
        None,
        description="HH:MM, 24-hour local time of the use of force (failing that, the earliest "
        "stated time of the encounter). '6:50 p.m.' -> '18:50', 'around noon' -> '12:00'.",
    )
    city: Annotated[str | None, _Str] = Field(None, description="City, e.g. 'Chicago'.")
    state: Annotated[str | None, BeforeValidator(normalise_state)] = Field(
        None,
        description="Two-letter US postal code, e.g. 'IL'; also when only a well-known city is "
        "named (Chicago -> IL, Houston -> TX).",
    )
    location: Annotated[str | None, _Str] = Field(
        None,
        description="Where police used force, as precisely as written: '2200 block of West "
        "Maypole Avenue', 'Leavitt and Walnut streets'; failing that, where the encounter began.",
    )
    neighborhood: Annotated[str | None, _Str] = Field(
        None, description="Neighborhood or community area as written, e.g. 'Near West Side'."
    )
    police_agency: Annotated[str | None, _Str] = Field(
        None, description="Agency of the officers involved, in full: 'Chicago Police Department'."
    )
    encounter_type: Annotated[EncounterType | None, _Enum] = Field(
        None,
        description="traffic_stop, call_for_service, on_view (officers saw the offense happen), "
        "off_duty, pursuit, warrant_service or other.",
    )
    shots_fired_by_police: Count = Field(
        None,
        description="Total shots fired by police when stated; sum the officers' stated shots "
        "(4 + 2 -> 6). 'Struck several times' is about hits, not shots.",
    )
    officers_who_fired: Count = Field(None, description="How many officers fired.")
    police_hit_someone: Annotated[YesNoUndetermined | None, _Enum] = Field(
        None, description="yes, no, or undetermined when the article says it is unclear."
    )
    party_fired_first: Annotated[PartyFiredFirst | None, _Enum] = Field(
        None,
        description="police when only police are said to have fired; null when police did not "
        "fire; undetermined when the article says it is unclear.",
    )
    fired_at_moving_vehicle: bool | None = Field(
        None,
        description="true when police fired at or into a moving vehicle; false only when the "
        "article says the vehicle was stopped or police did not fire at it; otherwise null.",
    )
    officer_injured: bool | None = Field(
        None, description="Any officer injured; false only when the article says so."
    )
    arrests: Count = Field(
        None,
        description="People arrested or taken into custody in connection with the incident, "
        "later arrests included; 0 only when the article says no one was arrested. Detained and "
        "released is not an arrest.",
    )
    video_released: bool | None = Field(
        None, description="Video of the incident was released to the public."
    )
    video_sources: Annotated[list[VideoSource], _List] = Field(
        default_factory=list,
        description="Kinds of camera the article says recorded the incident (released or not): "
        "body_camera, dash_camera, third_party (surveillance, bystander, business cameras).",
    )
    video_release_date: Annotated[str | None, _Date] = Field(
        None,
        description="YYYY-MM-DD (or YYYY-MM) the video was released; resolve weekdays against "
        "the publication date.",
    )
    investigating_agency: Annotated[str | None, _Str] = Field(
        None,
        description="Body investigating the police use of force, written in full, not as an "
        "acronym: 'Civilian Office of Police Accountability'. Null when no police use of force "
        "is investigated.",
    )
    investigation_status: Annotated[InvestigationStatus | None, _Enum] = Field(
        None,
        description="pending; within_policy (justified, cleared or not charged); "
        "not_within_policy (a finding against the officer or charges filed); other.",
    )
    people: list[Person] = Field(
        default_factory=list,
        description="Each individually described person (officers who fired, were hurt or are "
        "described individually; subjects; victims; bystanders). Not quoted witnesses, relatives "
        "or officials, and not unnamed groups.",
    )
    summary: str = Field("", description="One or two plain sentences about the incident.")

    @field_validator("incident_date", "video_release_date")
    @classmethod
    def _not_after_publication(cls, value: str | None, info: ValidationInfo) -> str | None:
        published = (info.context or {}).get("published")
        if value and published and value > published[: len(value)]:
            raise ValueError(
                f"{info.field_name} {value!r} is after the article's publication date "
                f"{published}; resolve relative dates to the most recent date on or before it"
            )
        return value


#: Scalar fields of the record, in spec order (``people``, ``summary`` and the version excluded).
SCALAR_FIELDS: tuple[str, ...] = tuple(
    name
    for name in IncidentRecord.model_fields
    if name not in {"schema_version", "people", "summary"}
)
PERSON_FIELDS: tuple[str, ...] = tuple(Person.model_fields)
