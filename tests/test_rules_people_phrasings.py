"""Rules baseline: common news phrasings that single out a person and fill their fields.

Each test is a short made-up sentence for one rule family; every filled value keeps its
evidence span.
"""

from __future__ import annotations

from extractor.backends.rules import extract_rules
from extractor.documents import Document
from extractor.evidence import filled_paths
from extractor.schema import IncidentRecord


def extract(text: str) -> IncidentRecord:
    result = extract_rules(Document(doc_id="t", text=text, published="2024-06-10"))
    assert set(result.evidence) == set(filled_paths(result.record))
    for evidence in result.evidence.values():
        assert text[evidence.start : evidence.end] == evidence.quote
    return result.record


def civilians(record: IncidentRecord) -> list[dict[str, object]]:
    return [p.model_dump(exclude_defaults=True) for p in record.people if p.role != "officer"]


def test_an_officer_shooting_a_person_makes_them_a_subject_shot_by_police() -> None:
    record = extract("Video shows a deputy shooting a 23-year-old man who ran from a stolen car.")
    [subject] = civilians(record)
    assert subject == {"role": "subject", "age": 23, "gender": "male", "shot_by_police": "yes"}


def test_pulling_a_pistol_and_firing_arms_a_subject() -> None:
    record = extract("A 31-year-old man pulled a pistol and fired at the officers outside a bar.")
    [subject] = civilians(record)
    assert subject["role"] == "subject"
    assert subject["armed_with"] == ["gun"]
    assert subject["fired_weapon"] is True


def test_holding_what_turned_out_to_be_a_bb_gun_is_a_replica() -> None:
    record = extract(
        "Police shot a 15-year-old boy who was holding what turned out to be a BB gun."
    )
    [subject] = civilians(record)
    assert subject["armed_with"] == ["replica"]


def test_striking_a_named_person_makes_them_the_subject_police_hit() -> None:
    record = extract(
        "Officer Dana Pruitt fired twice, striking Mara Quinlan, 41, in the leg. "
        "Quinlan was taken to a hospital in stable condition."
    )
    [subject] = civilians(record)
    assert subject == {
        "role": "subject",
        "name": "Mara Quinlan",
        "age": 41,
        "outcome": "injured",
        "shot_by_police": "yes",
    }


def test_striking_a_known_surname_alone() -> None:
    record = extract(
        "Jon Tate, 36, got out and fired at the troopers, the agency said. "
        "Two troopers returned fire, striking Tate in the chest."
    )
    [subject] = civilians(record)
    assert subject["name"] == "Jon Tate"
    assert subject["shot_by_police"] == "yes"


def test_a_named_civilian_who_opened_fire_is_a_subject_and_no_one_hurt_means_unhurt() -> None:
    record = extract(
        "Deputies went to the farmhouse to arrest Paul Dorsey, 50, on a warrant. "
        "Dorsey fired a rifle at the deputies, and two deputies fired back. No one was hurt."
    )
    [subject] = civilians(record)
    assert subject == {
        "role": "subject",
        "name": "Paul Dorsey",
        "age": 50,
        "fired_weapon": True,
        "armed_with": ["gun"],
        "outcome": "uninjured",
        "shot_by_police": "no",
    }


def test_no_one_hurt_is_ignored_when_someone_was_hurt() -> None:
    record = extract(
        "An officer shot and wounded a 22-year-old man on Pine Street. No one was hurt inside."
    )
    [subject] = civilians(record)
    assert subject["outcome"] == "injured"


def test_a_sentence_opening_he_continues_the_one_person_just_described() -> None:
    record = extract(
        "Police shot a 19-year-old man who pointed a rifle at them. "
        "Officers found the man in a stairwell. He was booked into the county jail."
    )
    [subject] = civilians(record)
    assert subject["arrested"] is True


def test_a_sentence_opening_she_skips_a_man() -> None:
    record = extract(
        "Police shot a 19-year-old man who pointed a rifle at them. "
        "Officers found the man in a stairwell. She was booked into the county jail."
    )
    [subject] = civilians(record)
    assert "arrested" not in subject


def test_an_age_in_apposition_describes_the_person_just_named() -> None:
    record = extract(
        "An officer fatally shot a man on Elm Street. "
        "The man, a 40-year-old resident of the block, died at the scene."
    )
    [subject] = civilians(record)
    assert subject["age"] == 40
    assert subject["outcome"] == "killed"


def test_a_person_who_had_been_stabbed_is_an_injured_victim() -> None:
    record = extract(
        "Officers shot a 30-year-old man after the attack. "
        "The woman, 58, who lived next door, had been stabbed twice."
    )
    victim = next(p for p in civilians(record) if p["role"] == "victim")
    assert victim == {
        "role": "victim",
        "age": 58,
        "gender": "female",
        "outcome": "injured",
        "shot_by_police": "no",
    }


def test_a_name_in_apposition_to_the_man() -> None:
    record = extract(
        "Officers shot a man in a parking lot. The man, Carl Benson, was taken to a hospital. "
        "Benson was arrested and charged with assault."
    )
    [subject] = civilians(record)
    assert subject["name"] == "Carl Benson"
    assert subject["arrested"] is True


def test_treated_and_then_arrested() -> None:
    record = extract(
        "The driver, Omar Pike, 27, was struck in the hip. "
        "He was treated at a hospital and then arrested."
    )
    [subject] = civilians(record)
    assert subject["arrested"] is True
    assert subject["gender"] == "male"


def test_treated_for_minor_injuries_is_injured() -> None:
    record = extract(
        "An officer used a Taser on a 44-year-old man who swung a bat at him. "
        "The man was treated for minor injuries and booked into jail."
    )
    [subject] = civilians(record)
    assert subject["outcome"] == "injured"
    assert subject["arrested"] is True
    assert subject["armed_with"] == ["blunt_object"]


def test_the_only_person_hurt_when_police_fired_was_shot_by_police() -> None:
    record = extract(
        "An officer fired at the driver, Lena Marsh, 33, as she drove toward him. "
        "Marsh was struck in the arm and taken to a hospital in serious condition."
    )
    [subject] = civilians(record)
    assert subject["shot_by_police"] == "yes"
    assert record.police_hit_someone == "yes"


def test_a_wound_from_someone_else_is_not_read_as_police_gunfire() -> None:
    record = extract(
        "An officer fired at the driver, Lena Marsh, 33, as she drove toward him. "
        "Marsh was struck by a passing car and taken to a hospital in serious condition."
    )
    [subject] = civilians(record)
    assert "shot_by_police" not in subject


def test_a_weapon_recovered_at_the_scene_is_the_one_subjects() -> None:
    record = extract(
        "Police shot and wounded a 28-year-old man who ran from officers. "
        "A loaded revolver was recovered near him."
    )
    [subject] = civilians(record)
    assert subject["armed_with"] == ["gun"]


def test_people_listed_after_taken_into_custody_were_arrested() -> None:
    record = extract(
        "Officers shot a 45-year-old man during the raid. "
        "Two people were taken into custody: the man and a 38-year-old woman who was upstairs."
    )
    woman = next(p for p in civilians(record) if p.get("gender") == "female")
    assert woman == {"role": "subject", "age": 38, "gender": "female", "arrested": True}
    man = next(p for p in civilians(record) if p.get("gender") == "male")
    assert man["arrested"] is True


def test_no_arrests_were_made_means_no_listed_civilian_was_arrested() -> None:
    record = extract(
        "An officer shot and killed a 25-year-old man who fired into a crowd. "
        "No arrests were made, police said."
    )
    [subject] = civilians(record)
    assert subject["arrested"] is False


def test_a_car_driven_at_officers_is_a_vehicle_weapon() -> None:
    record = extract(
        "Deputies fired at a 29-year-old man who rammed a patrol car during the chase."
    )
    [subject] = civilians(record)
    assert subject["role"] == "subject"
    assert subject["armed_with"] == ["vehicle"]


def test_a_crossbow_is_another_weapon() -> None:
    record = extract("Police shot a 50-year-old man who was aiming a crossbow at his roommate.")
    [subject] = civilians(record)
    assert subject["armed_with"] == ["other"]


def test_an_off_duty_officer_named_with_the_city() -> None:
    record = extract(
        "An off-duty Mobile police officer shot a 33-year-old man who fired at a bouncer."
    )
    officer = next(p for p in record.people if p.role == "officer")
    assert officer.on_duty is False


def test_a_person_who_did_something_and_fired_fired_a_weapon() -> None:
    record = extract(
        "Troopers said Ray Dunn, 41, climbed out of the van holding a rifle and fired at them."
    )
    [subject] = civilians(record)
    assert subject["fired_weapon"] is True
    assert subject["role"] == "subject"


def test_and_fired_after_someone_else_is_named_is_not_the_persons_shot() -> None:
    record = extract(
        "Troopers said Ray Dunn, 41, ran across the parking lot toward the van where two "
        "officers waited and fired at him."
    )
    assert all("fired_weapon" not in p for p in civilians(record))


def test_arrested_without_injury_is_unhurt() -> None:
    record = extract(
        "Officers fired at a 26-year-old man who pointed a gun at them. "
        "The man was taken into custody without injury."
    )
    [subject] = civilians(record)
    assert subject["outcome"] == "uninjured"
    assert subject["shot_by_police"] == "no"


def test_an_officer_who_suffered_an_injury_is_listed_as_injured() -> None:
    record = extract(
        "Deputies chased a stolen pickup for 20 minutes. "
        "One deputy suffered a minor injury to his wrist when the pickup struck his cruiser."
    )
    [officer] = [p for p in record.people if p.role == "officer"]
    assert officer.outcome == "injured"
    assert officer.gender == "male"


def test_an_officer_struck_or_cut_is_an_injured_officer() -> None:
    struck = "Officers used a Taser on a man who struck an officer with a shovel."
    assert extract(struck).officer_injured is True
    cut = "A second officer cut his hand while wrestling the knife away from the man."
    assert extract(cut).officer_injured is True
    treated = "The officer who was struck was treated at the scene for a bruised arm."
    assert extract(treated).officer_injured is True


def test_nearly_striking_an_officer_is_not_an_injury() -> None:
    record = extract(
        "The driver accelerated toward the deputies, nearly struck a deputy, and fled."
    )
    assert record.officer_injured is None


def test_an_injury_without_gunshot_words_is_not_read_as_police_gunfire() -> None:
    record = extract(
        "An officer fired at the driver, Tom Reyes, 22, as he drove toward him. "
        "Reyes crashed into a tree and was hospitalized in serious condition."
    )
    [subject] = civilians(record)
    assert subject["outcome"] == "injured"
    assert "shot_by_police" not in subject


def test_the_shooter_described_as_a_veteran_is_the_officer_named_before() -> None:
    record = extract(
        "Officer Lena Vargas, 29, a three-year veteran, fired twice, striking a 40-year-old man "
        "who had a knife. Only one officer fired."
    )
    [officer] = [p for p in record.people if p.role == "officer"]
    assert officer.name == "Lena Vargas"
    assert officer.age == 29
    assert officer.fired_weapon is True


def test_no_officers_or_residents_were_hurt_means_no_officer_was() -> None:
    record = extract("An officer shot a 33-year-old man. No officers or neighbors were hurt.")
    assert record.officer_injured is False


def test_a_name_after_a_lowercase_word_is_a_civilian_unless_it_carries_a_title() -> None:
    from extractor.backends.rules.text import Article

    article = Article(
        "The chief said Officer Jane Doe, 34, fired twice. "
        "Deputies went to arrest Paul Dorsey, 50, on a warrant.",
        "2024-06-10",
    )
    assert article.cast.civilians == {"Dorsey", "Paul Dorsey"}
    assert "Doe" in article.cast.police
