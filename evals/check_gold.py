"""Check every gold label file in evals/gold/ against incident-spec.md.

Standard library only. Run from anywhere:

    python evals/check_gold.py                      # checks evals/gold/
    python evals/check_gold.py --articles DIR ...   # also look for articles in DIR

It checks: file layout and key order, every record and person field present with an allowed
type or enum value, date/time formats, dates not after the article's publication date, that each
gold file has an article (evals/articles/ or seeds/) and each synthetic article has a gold file,
that alternatives name real fields and hold valid whole values, a few cross-field rules from the
spec's hard calls, and the synthetic articles' first-line format and length. If the project's
Pydantic model (extractor.schema.IncidentRecord) can be imported, each record is validated with
it as well. Exit status 1 when anything is flagged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EVALS = Path(__file__).resolve().parent
REPO = EVALS.parent
DEFAULT_ARTICLE_DIRS = [EVALS / "articles", REPO / "seeds"]

FILE_KEYS = ["doc_id", "record", "alternatives", "notes"]
RECORD_FIELDS = [
    "schema_version",
    "incident_date",
    "incident_time",
    "city",
    "state",
    "location",
    "neighborhood",
    "police_agency",
    "encounter_type",
    "shots_fired_by_police",
    "officers_who_fired",
    "police_hit_someone",
    "party_fired_first",
    "fired_at_moving_vehicle",
    "officer_injured",
    "arrests",
    "video_released",
    "video_sources",
    "video_release_date",
    "investigating_agency",
    "investigation_status",
    "people",
    "summary",
]
PERSON_FIELDS = [
    "role",
    "name",
    "age",
    "gender",
    "on_duty",
    "fired_weapon",
    "armed_with",
    "outcome",
    "shot_by_police",
    "arrested",
]

ENCOUNTER = {
    "traffic_stop",
    "call_for_service",
    "on_view",
    "off_duty",
    "pursuit",
    "warrant_service",
    "other",
}
YES_NO_UND = {"yes", "no", "undetermined"}
FIRED_FIRST = {"police", "subject", "undetermined"}
VIDEO = {"body_camera", "dash_camera", "third_party"}
STATUS = {"pending", "within_policy", "not_within_policy", "other"}
ROLE = {"officer", "subject", "victim", "bystander"}
GENDER = {"male", "female", "non_binary"}
ARMED = {"gun", "knife", "vehicle", "blunt_object", "replica", "other", "unarmed"}
OUTCOME = {"killed", "injured", "uninjured"}
STATES = set(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
ACRONYM = re.compile(r"^[A-Z]{2,6}$")
DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*\r?\n)")
SYNTHETIC_LINE = re.compile(r"^ date \d{4}-\d{2}-\d{2} \S")
PERSON_ALT = re.compile(r"^people\[(\d+)\]\.(\w+)$")
MIN_WORDS, MAX_WORDS = 150, 450

Check = Callable[[Any], "str | None"]


# --- value checks: each returns None when fine, else what is wrong ------------------------------


def _nullable(inner: Check) -> Check:
    return lambda v: None if v is None else inner(v)


def _enum(allowed: set[str]) -> Check:
    return lambda v: None if v in allowed else f"{v!r} is not one of {sorted(allowed)}"


def _enum_list(allowed: set[str]) -> Check:
    def check(v: Any) -> str | None:
        if not isinstance(v, list):
            return f"{v!r} is not a list"
        bad = [x for x in v if x not in allowed]
        if bad:
            return f"{bad!r} not in {sorted(allowed)}"
        if len(set(v)) != len(v):
            return f"{v!r} repeats a value"
        return None

    return check


def _string(v: Any) -> str | None:
    if not isinstance(v, str) or not v.strip():
        return f"{v!r} is not a non-empty string"
    if v != v.strip():
        return f"{v!r} has surrounding whitespace"
    return None


def _agency(v: Any) -> str | None:
    return _string(v) or (
        f"{v!r} is an acronym; write the name in full" if ACRONYM.match(v) else None
    )


def _count(v: Any) -> str | None:
    ok = isinstance(v, int) and not isinstance(v, bool) and v >= 0
    return None if ok else f"{v!r} is not a non-negative integer"


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else f"{v!r} is not true/false"


def _date(v: Any) -> str | None:
    if not isinstance(v, str):
        return f"{v!r} is not a string"
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            dt.date.fromisoformat(v)
            return None
        if re.fullmatch(r"\d{4}-\d{2}", v) and 1 <= int(v[5:]) <= 12:
            return None
    except ValueError:
        pass
    return f"{v!r} is not YYYY-MM-DD or YYYY-MM"


def _time(v: Any) -> str | None:
    ok = isinstance(v, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v)
    return None if ok else f"{v!r} is not HH:MM (00:00-23:59)"


def _state(v: Any) -> str | None:
    return None if v in STATES else f"{v!r} is not a two-letter US postal code"


RECORD_CHECKS: dict[str, Check] = {
    "schema_version": lambda v: None if v == "1" else f"{v!r} should be '1'",
    "incident_date": _nullable(_date),
    "incident_time": _nullable(_time),
    "city": _nullable(_string),
    "state": _nullable(_state),
    "location": _nullable(_string),
    "neighborhood": _nullable(_string),
    "police_agency": _nullable(_agency),
    "encounter_type": _nullable(_enum(ENCOUNTER)),
    "shots_fired_by_police": _nullable(_count),
    "officers_who_fired": _nullable(_count),
    "police_hit_someone": _nullable(_enum(YES_NO_UND)),
    "party_fired_first": _nullable(_enum(FIRED_FIRST)),
    "fired_at_moving_vehicle": _nullable(_bool),
    "officer_injured": _nullable(_bool),
    "arrests": _nullable(_count),
    "video_released": _nullable(_bool),
    "video_sources": _enum_list(VIDEO),
    "video_release_date": _nullable(_date),
    "investigating_agency": _nullable(_agency),
    "investigation_status": _nullable(_enum(STATUS)),
    "summary": _string,
}
PERSON_CHECKS: dict[str, Check] = {
    "role": _enum(ROLE),
    "name": _nullable(_string),
    "age": _nullable(lambda v: _count(v) or (None if v <= 120 else f"{v!r} is not an age")),
    "gender": _nullable(_enum(GENDER)),
    "on_duty": _nullable(_bool),
    "fired_weapon": _nullable(_bool),
    "armed_with": _enum_list(ARMED),
    "outcome": _nullable(_enum(OUTCOME)),
    "shot_by_police": _nullable(_enum(YES_NO_UND)),
    "arrested": _nullable(_bool),
}


# --- checks of one file ---------------------------------------------------------------------------


def check_person(i: int, person: Any) -> list[str]:
    where = f"people[{i}]"
    if not isinstance(person, dict):
        return [f"{where} is not an object"]
    problems = _keys(where, person, PERSON_FIELDS)
    for field, check in PERSON_CHECKS.items():
        if field in person and (err := check(person[field])):
            problems.append(f"{where}.{field}: {err}")
    if person.get("role") == "officer" and person.get("armed_with"):
        problems.append(f"{where}.armed_with: must be [] for officers")
    if person.get("role") != "officer" and person.get("on_duty") is not None:
        problems.append(f"{where}.on_duty: only officers have a duty status")
    if person.get("outcome") == "uninjured" and person.get("shot_by_police") == "yes":
        problems.append(f"{where}: uninjured but shot_by_police yes")
    return problems


def check_record(record: Any, published: str | None) -> list[str]:
    if not isinstance(record, dict):
        return ["record is not an object"]
    problems = _keys("record", record, RECORD_FIELDS)
    for field, check in RECORD_CHECKS.items():
        if field in record and (err := check(record[field])):
            problems.append(f"record.{field}: {err}")
    people = record.get("people")
    if not isinstance(people, list):
        problems.append("record.people: not a list")
        people = []
    for i, person in enumerate(people):
        problems += check_person(i, person)

    for field in ("incident_date", "video_release_date"):
        value = record.get(field)
        if published and isinstance(value, str) and value > published[: len(value)]:
            problems.append(f"record.{field}: {value} is after publication date {published}")
    if record.get("shots_fired_by_police") == 0 and record.get("party_fired_first") is not None:
        problems.append("record.party_fired_first: must be null when police did not fire")
    if record.get("video_release_date") and record.get("video_released") is not True:
        problems.append("record.video_release_date set but video_released is not true")
    arrested = sum(1 for p in people if isinstance(p, dict) and p.get("arrested") is True)
    arrests = record.get("arrests")
    if isinstance(arrests, int) and arrested > arrests:
        problems.append(f"record.arrests is {arrests} but {arrested} people have arrested true")
    if arrests == 0 and arrested:
        problems.append("record.arrests is 0 but someone is arrested")
    if (record.get("investigation_status") is None) != (record.get("investigating_agency") is None):
        problems.append(
            "record: investigating_agency and investigation_status should both be set or both null"
        )
    return problems


def check_alternatives(alternatives: Any, record: dict[str, Any]) -> list[str]:
    if not isinstance(alternatives, dict):
        return ["alternatives is not an object"]
    problems = []
    people: list[Any] = record["people"] if isinstance(record.get("people"), list) else []
    for key, values in alternatives.items():
        if match := PERSON_ALT.match(key):
            index, field = int(match[1]), match[2]
            if index >= len(people):
                problems.append(f"alternatives[{key!r}]: there is no person {index}")
                continue
            if field not in PERSON_CHECKS:
                problems.append(f"alternatives[{key!r}]: {field!r} is not a person field")
                continue
            check, gold = PERSON_CHECKS[field], people[index].get(field)
        elif key in RECORD_CHECKS and key not in {"schema_version", "summary"}:
            check, gold = RECORD_CHECKS[key], record.get(key)
        else:
            problems.append(f"alternatives[{key!r}]: not a record field or people[i].field")
            continue
        if not isinstance(values, list) or not values:
            problems.append(f"alternatives[{key!r}]: must be a non-empty list of whole values")
            continue
        for value in values:
            if err := check(value):
                problems.append(f"alternatives[{key!r}]: {err}")
            if value == gold:
                problems.append(f"alternatives[{key!r}]: {value!r} repeats the gold value")
    return problems


def check_file(path: Path, articles: dict[str, Path]) -> list[str]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [f"not valid JSON: {exc}"]
    if not isinstance(data, dict):
        return ["top level is not an object"]
    problems = []
    if list(data) != FILE_KEYS:
        problems.append(f"file keys are {list(data)}, expected {FILE_KEYS} in that order")
    if text != json.dumps(data, indent=2, ensure_ascii=False) + "\n":
        problems.append("not formatted as 2-space-indented JSON (ensure_ascii off, final newline)")
    doc_id = data.get("doc_id")
    if doc_id != path.stem:
        problems.append(f"doc_id {doc_id!r} does not match the file name {path.stem!r}")
    published = None
    if path.stem not in articles:
        problems.append(f"no article {path.stem}.txt in any article folder")
    else:
        match = DATE_LINE.match(articles[path.stem].read_text(encoding="utf-8"))
        published = match[1] if match else None
    record = data.get("record", {})
    problems += check_record(record, published)
    problems += check_alternatives(
        data.get("alternatives", {}), record if isinstance(record, dict) else {}
    )
    if not isinstance(data.get("notes"), str) or not data["notes"].strip():
        problems.append("notes must be a non-empty string")
    return problems


def check_synthetic_article(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems = []
    if not SYNTHETIC_LINE.match(text):
        problems.append(
            "first line must be ' date YYYY-MM-DD ' followed by the text on the same line"
        )
    else:
        try:
            dt.date.fromisoformat(text[6:16])
        except ValueError:
            problems.append(f"publication date {text[6:16]!r} is not a real date")
    words = len(text.split()) - 2
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append(f"{words} words; synthetic articles are {MIN_WORDS}-{MAX_WORDS} words")
    return problems


def _keys(where: str, obj: dict[str, Any], expected: list[str]) -> list[str]:
    problems = [f"{where}: missing {k!r}" for k in expected if k not in obj]
    problems += [f"{where}: unexpected key {k!r}" for k in obj if k not in expected]
    return problems


# --- optional: the project's own Pydantic model ----------------------------------------------------


def pydantic_validator() -> Callable[[dict[str, Any], str | None], str | None] | None:
    sys.path.insert(0, str(REPO))
    try:
        from extractor.schema import IncidentRecord
    except Exception:  # not installed here, or the module is mid-edit: skip this step
        return None

    def validate(record: dict[str, Any], published: str | None) -> str | None:
        try:
            model = IncidentRecord.model_validate(record, context={"published": published})
        except Exception as exc:
            return str(exc).replace("\n", " | ")
        dumped = model.model_dump(mode="json")
        changed = [k for k in record if dumped.get(k) != record[k]]
        return f"model changes these fields on load: {changed}" if changed else None

    return validate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=EVALS / "gold", help="folder of gold files")
    parser.add_argument(
        "--articles",
        type=Path,
        action="append",
        default=[],
        help="extra folder to look for articles in (repeatable)",
    )
    parser.add_argument(
        "--no-pydantic",
        action="store_true",
        help="skip validation with extractor.schema.IncidentRecord",
    )
    args = parser.parse_args(argv)

    # the synthetic articles sit beside their gold folder: evals/articles, evals/heldout/articles
    synthetic_dir = args.gold.parent / "articles"
    articles: dict[str, Path] = {}
    for folder in [synthetic_dir, *DEFAULT_ARTICLE_DIRS, *args.articles]:
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            articles.setdefault(path.stem, path)

    gold_files = sorted(args.gold.glob("*.json"))
    flagged: dict[str, list[str]] = {}
    for path in gold_files:
        if problems := check_file(path, articles):
            flagged[path.name] = problems
    synthetic = sorted(synthetic_dir.glob("*.txt"))
    gold_ids = {p.stem for p in gold_files}
    for path in synthetic:
        problems = check_synthetic_article(path)
        if path.stem not in gold_ids:
            problems.append("no gold file for this article")
        if problems:
            flagged[f"articles/{path.name}"] = problems

    validate = None if args.no_pydantic else pydantic_validator()
    if validate:
        for path in gold_files:
            data = json.loads(path.read_text(encoding="utf-8"))
            source = articles.get(path.stem)
            match = DATE_LINE.match(source.read_text(encoding="utf-8")) if source else None
            if err := validate(data.get("record", {}), match[1] if match else None):
                flagged.setdefault(path.name, []).append(f"IncidentRecord: {err}")

    for name, problems in flagged.items():
        for problem in problems:
            print(f"{name}: {problem}")
    pyd = "with IncidentRecord" if validate else "without IncidentRecord (extractor not importable)"
    print(
        f"{len(gold_files)} gold files, {len(synthetic)} synthetic articles checked {pyd}: "
        f"{sum(map(len, flagged.values()))} problem(s)"
    )
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
