"""Named entities from the real spaCy model: merged, cleaned, keyed and ranked."""

from __future__ import annotations

from broadsheet.enrich.entities import clean_span, is_name, recognize_entities
from broadsheet.enrich.nlp import load_nlp, parse_text
from broadsheet.models import Entity

BUDGET_STORY = (
    "Springfield Mayor Maria Okafor said Tuesday that the city's budget was short by $4 million. "
    'Okafor, a Democrat, blamed the Illinois General Assembly. "We need help," Okafor said.\n'
    "Advertisement\n"
    "The Federal Reserve was not involved. Dr. Anthony Fauci's office declined to comment. "
    "Springfield, Illinois, has about 114,000 residents, and officials in France took note."
)


def by_key(entities: list[Entity]) -> dict[str, Entity]:
    return {entity.key: entity for entity in entities}


def test_model_is_loaded_once() -> None:
    assert load_nlp() is load_nlp()


def test_mentions_of_one_person_merge_under_the_full_name() -> None:
    entities = by_key(recognize_entities(parse_text(BUDGET_STORY)))
    okafor = entities["person:maria-okafor"]
    assert okafor.name == "Maria Okafor"
    assert okafor.kind == "person"
    assert [m.text for m in okafor.mentions] == ["Maria Okafor", "Okafor", "Okafor"]
    assert "person:okafor" not in entities


def test_mention_offsets_point_into_the_text() -> None:
    for entity in recognize_entities(parse_text(BUDGET_STORY)):
        for mention in entity.mentions:
            assert BUDGET_STORY[mention.start : mention.end] == mention.text


def test_names_lose_articles_titles_and_possessives() -> None:
    entities = by_key(recognize_entities(parse_text(BUDGET_STORY)))
    assert entities["org:federal-reserve"].name == "Federal Reserve"
    assert entities["org:illinois-general-assembly"].kind == "organization"
    assert entities["person:anthony-fauci"].name == "Anthony Fauci"
    names = {entity.name for entity in entities.values()}
    assert not any(n.startswith(("the ", "The ", "Dr.", "Mayor")) or "'s" in n for n in names)


def test_junk_and_numbers_are_not_entities() -> None:
    names = {entity.name.lower() for entity in recognize_entities(parse_text(BUDGET_STORY))}
    assert "advertisement" not in names
    assert not any(any(ch.isdigit() for ch in name) for name in names)
    assert "tuesday" not in names  # dates are dropped


def test_places_and_countries_are_keyed_by_geonames() -> None:
    entities = by_key(recognize_entities(parse_text(BUDGET_STORY)))
    springfield = entities["place:4250542"]  # Springfield, Illinois
    assert springfield.kind == "place" and len(springfield.mentions) == 2
    assert entities["place:4896861"].name == "Illinois"
    assert entities["place:3017382"].kind == "country"


def test_unresolved_places_get_a_name_key() -> None:
    text = "Storms swept across the Middle East and Nowhereville Upon Tyne on Sunday."
    keys = {e.key for e in recognize_entities(parse_text(text)) if e.kind == "place"}
    assert "place:middle-east" in keys


def test_sorted_by_salience_within_bounds() -> None:
    entities = recognize_entities(parse_text(BUDGET_STORY))
    saliences = [entity.salience for entity in entities]
    assert saliences == sorted(saliences, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in saliences)
    assert entities[0].key == "person:maria-okafor"  # named three times, early


def test_title_raises_salience() -> None:
    text = (
        "The Federal Reserve held rates steady on Wednesday. Analysts at Goldman Sachs had "
        "expected the move. Jerome Powell spoke briefly."
    )
    doc = parse_text(text)
    plain = by_key(recognize_entities(doc))
    titled = by_key(recognize_entities(doc, title="Powell keeps his counsel"))
    assert titled["person:jerome-powell"].salience > plain["person:jerome-powell"].salience
    ranked = recognize_entities(doc, title="Powell keeps his counsel")
    assert ranked[0].key == "person:jerome-powell"


def test_shouting_capitals_are_tamed_but_acronyms_kept() -> None:
    text = "The WASHINGTON POST reported that NATO allies met in Brussels on Monday."
    names = {entity.name for entity in recognize_entities(parse_text(text))}
    assert "Washington Post" in names
    assert "NATO" in names


def test_federal_washington_is_not_an_entity_of_washington_state() -> None:
    text = "Washington and Beijing traded accusations, as officials in Washington said."
    keys = {entity.key for entity in recognize_entities(parse_text(text))}
    assert "place:5815135" not in keys  # Washington State
    assert "place:1816670" in keys  # Beijing


def names_and_kinds(text: str) -> dict[str, str]:
    return {entity.name: entity.kind for entity in recognize_entities(parse_text(text))}


def test_abbreviations_keep_their_period_and_possessives_leave_no_space() -> None:
    text = "Acme Inc. and the U.N. met. The U.N. 's envoy met Dr. Anthony Fauci 's team."
    entities = recognize_entities(parse_text(text))
    mentions = {m.text for entity in entities for m in entity.mentions}
    assert {"Acme Inc.", "U.N.", "Anthony Fauci"} <= mentions
    assert not any(m != m.strip() or m.endswith("'s") for m in mentions)


def test_clean_span_keeps_a_name_s_own_period_but_not_the_sentence_s() -> None:
    cases = {"U.N.": "U.N.", "Acme Inc.": "Acme Inc.", "John Smith Jr.": "John Smith Jr.",
             "Paris.": "Paris", "the FBI.": "FBI", "Fauci 's": "Fauci", "NFL ": "NFL"}  # fmt: skip
    for written, cleaned in cases.items():
        start, end = clean_span(written, 0, len(written), "ORG")
        assert written[start:end] == cleaned


def test_languages_are_other_entities() -> None:
    assert names_and_kinds("She speaks Swahili and French, not Arabic.")["Arabic"] == "other"


def test_all_caps_datelines_and_headlines_are_tagged() -> None:
    dateline = names_and_kinds("BEIRUT 1996-08-30\nLebanon said on Friday it would talk.")
    assert dateline["Beirut"] == "place"
    assert names_and_kinds("BEIRUT, Lebanon (AP) - Israel said.")["Beirut"] == "place"
    headline = names_and_kinds("NATO WARNS RUSSIA OVER UKRAINE\nThe alliance met.")
    assert headline["Russia"] == "country" and headline["NATO"] == "organization"


def test_acronyms_in_mixed_case_prose_stay_as_written() -> None:
    kinds = names_and_kinds("COLUMBUS, Ohio (AP) - The FBI said NATO officials met.")
    assert kinds["FBI"] == "organization" and kinds["NATO"] == "organization"
    assert kinds["Columbus"] == "place"


def test_scores_run_into_names_are_trimmed() -> None:
    doc = parse_text("Pete Sampras 6-4 beat Todd Martin. Durham 114 lost.")
    assert "Pete Sampras" in {ent.text for ent in doc.ents if ent.label_ == "PERSON"}
    assert not any(ch.isdigit() for ent in doc.ents if ent.label_ == "PERSON" for ch in ent.text)


def test_a_surname_the_model_took_for_a_place_joins_the_person() -> None:
    text = "Andre Agassi beat Todd Washington. Then Washington went home."
    entities = by_key(recognize_entities(parse_text(text)))
    player = entities["person:todd-washington"]
    assert [m.text for m in player.mentions] == ["Todd Washington", "Washington"]
    assert not any(e.kind in ("place", "country") for e in entities.values())


def test_a_headline_run_together_across_a_spaced_dash_is_not_a_name() -> None:
    kinds = names_and_kinds("SOCCER - SHEARER NAMED AS ENGLAND CAPTAIN .\nShearer led England.")
    assert kinds and not any(" - " in name for name in kinds)
    assert not is_name("Soccer - Shearer Named As England Captain")
    assert is_name("Chester-le-Street")
