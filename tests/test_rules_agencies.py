"""Rules baseline: police agency, investigating agency (acronyms expanded), investigation status."""

from __future__ import annotations

import pytest

from extractor.backends.rules import extract_rules
from extractor.documents import Document
from extractor.schema import IncidentRecord


def extract(text: str) -> IncidentRecord:
    return extract_rules(Document(doc_id="t", text=text, published="2024-06-10")).record


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        (
            "CHICAGO (CBS) -- COPA released video on Monday.",
            "Civilian Office of Police Accountability",
        ),
        (
            "CHICAGO (CBS) -- IPRA is investigating the shooting.",
            "Independent Police Review Authority",
        ),
        (
            "ATLANTA -- The GBI said a man was shot by an officer.",
            "Georgia Bureau of Investigation",
        ),
        ("MEMPHIS, Tenn. -- The TBI is investigating.", "Tennessee Bureau of Investigation"),
        (
            "COLUMBIA, S.C. -- SLED is investigating the shooting.",
            "South Carolina Law Enforcement Division",
        ),
        (
            "ORLANDO, Fla. -- The FDLE reviewed the shooting.",
            "Florida Department of Law Enforcement",
        ),
        ("KILLEEN, Texas -- The Texas Rangers investigated the shooting.", "Texas Rangers"),
    ],
)
def test_investigating_agency_is_written_in_full(text: str, agency: str) -> None:
    assert extract(text).investigating_agency == agency


def test_police_acronyms_expand_only_where_they_belong() -> None:
    chicago = extract("CHICAGO (CBS) -- CPD policy prohibits firing at moving vehicles.")
    assert chicago.police_agency == "Chicago Police Department"
    assert extract("LOS ANGELES -- LAPD officers shot a man.").police_agency == (
        "Los Angeles Police Department"
    )
    # DPD is Dallas's, Detroit's or Denver's: only the city decides
    assert extract("DPD officers shot a man on Monday.").police_agency is None
    assert (
        extract("DETROIT -- DPD officers shot a man.").police_agency == "Detroit Police Department"
    )


def test_a_full_name_beats_a_name_derived_from_the_city() -> None:
    text = (
        "NASHVILLE, Tenn. -- Metro Nashville police officers chased a driver. A Metro Nashville "
        "Police Department spokesperson said the driver fired first."
    )
    assert extract(text).police_agency == "Metro Nashville Police Department"


def test_a_prosecutor_who_only_receives_findings_is_not_the_investigator() -> None:
    text = (
        "PHOENIX -- Phoenix Police Department detectives are investigating the shooting, and the "
        "case will be submitted to the Maricopa County Attorney's Office for review."
    )
    assert extract(text).investigating_agency == "Phoenix Police Department"


def test_a_departments_own_unit_is_named_after_the_department() -> None:
    text = (
        "ST. LOUIS -- A St. Louis Metropolitan Police Department officer shot a man. "
        "The department's Force Investigation Unit is investigating the shooting."
    )
    assert extract(text).investigating_agency == (
        "St. Louis Metropolitan Police Department Force Investigation Unit"
    )


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("COPA has yet to rule on whether the officer was justified in firing.", "pending"),
        ("COPA said the investigation into the incident continued late Wednesday.", "pending"),
        (
            "A grand jury has declined to indict a Killeen police officer who shot a man.",
            "within_policy",
        ),
        ("Prosecutors have cleared three Orlando police officers who shot a man.", "within_policy"),
        (
            "A grand jury on Thursday indicted a Columbus police officer in the fatal shooting.",
            "not_within_policy",
        ),
        (
            "The commission ruled that two LAPD officers violated department policy.",
            "not_within_policy",
        ),
        ("The department closed its internal investigation without reaching a finding.", "other"),
    ],
)
def test_investigation_status(text: str, status: str) -> None:
    assert extract(text).investigation_status == status


def test_a_suspect_charged_is_not_a_finding_against_the_officer() -> None:
    text = "An officer shot Kendrick Oates, 24, who has been charged with first-degree robbery."
    assert extract(text).investigation_status is None
