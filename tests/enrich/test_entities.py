"""Named entities from the real spaCy model: merged, cleaned, keyed and ranked."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from broadsheet.enrich.entities import (
    clean_span,
    is_name,
    lede_end,
    recognize_entities,
    score_salience,
)
from broadsheet.enrich.names import first_names
from broadsheet.enrich.nlp import load_nlp, parse_text
from broadsheet.enrich.places import resolve_toponyms
from broadsheet.models import Entity, Mention

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


def keys_of(text: str) -> dict[str, Entity]:
    return by_key(recognize_entities(parse_text(text)))


def test_one_person_however_the_article_writes_the_name() -> None:
    text = (
        "Vladimir Putin met envoys in Moscow on Monday. President Putin said the talks were "
        "useful. Putin's aides declined to comment. PUTIN was later seen leaving."
    )
    people = [e for e in recognize_entities(parse_text(text)) if e.kind == "person"]
    assert [e.key for e in people] == ["person:vladimir-putin"]
    assert [m.text for m in people[0].mentions] == ["Vladimir Putin", "Putin", "Putin", "PUTIN"]


def test_a_middle_initial_does_not_split_a_person_and_the_key_is_the_plain_name() -> None:
    text = "Vladimir V. Putin spoke first. Later Vladimir Putin left, and Mr. Putin waved."
    people = [e for e in recognize_entities(parse_text(text)) if e.kind == "person"]
    assert [e.key for e in people] == ["person:vladimir-putin"]
    assert len(people[0].mentions) == 3


def test_the_same_person_has_the_same_key_in_different_articles() -> None:
    first = keys_of("Prime Minister Keir Starmer spoke in London. Starmer said little.")
    second = keys_of("Keir Starmer's plan drew critics on Monday. Mr. Starmer did not reply.")
    assert "person:keir-starmer" in first and "person:keir-starmer" in second


def test_an_acronym_and_its_long_form_are_one_organisation_keyed_by_the_acronym() -> None:
    spelled = keys_of(
        "The North Atlantic Treaty Organization (NATO) met in Brussels. NATO officials said "
        "the alliance would grow."
    )
    nato = spelled["org:nato"]
    assert [m.text for m in nato.mentions] == ["North Atlantic Treaty Organization", "NATO", "NATO"]
    assert nato.name == "NATO"  # the form the article writes most
    assert not any(key.startswith("org:north-atlantic") for key in spelled)
    assert "org:nato" in keys_of("NATO allies met in Brussels on Monday.")


def org_doc(text: str, names: list[str]) -> Doc:
    """A parsed doc whose only entities are the given names, labelled ORG."""
    doc = parse_text(text)
    spans = [doc.char_span(text.index(n), text.index(n) + len(n), label="ORG") for n in names]
    doc.ents = [span for span in spans if span is not None]
    return doc


def test_a_long_form_joins_the_acronym_of_its_initials() -> None:
    text = "The Federal Bureau of Investigation said on Monday that the FBI had a case."
    doc = org_doc(text, ["Federal Bureau of Investigation", "FBI"])
    fbi = by_key(recognize_entities(doc))["org:fbi"]
    assert [m.text for m in fbi.mentions] == ["Federal Bureau of Investigation", "FBI"]


def test_initials_that_differ_keep_two_organisations() -> None:
    text = "The Federal Reserve said on Monday that the FBI had a case."
    doc = org_doc(text, ["Federal Reserve", "FBI"])
    assert {"org:federal-reserve", "org:fbi"} <= set(by_key(recognize_entities(doc)))


def test_dotted_acronyms_key_like_plain_ones() -> None:
    dotted = keys_of("The U.N. envoy met officials on Monday, and the U.N. said so.")
    plain = keys_of("The UN envoy met officials on Monday, and the UN said so.")
    assert "org:un" in dotted and "org:un" in plain


def test_company_forms_and_the_article_do_not_split_an_organisation() -> None:
    entities = keys_of(
        "Apple Inc. reported higher sales. Apple said demand was strong. The New York Times "
        "reported it first, and New York Times editors said so."
    )
    assert entities["org:apple"].name == "Apple" and len(entities["org:apple"].mentions) == 2
    assert len(entities["org:new-york-times"].mentions) == 2
    assert "org:apple" in keys_of("Shares of Apple rose on Tuesday after Apple spoke.")


def place_spans(doc_text: str) -> list[tuple[int, int]]:
    doc = parse_text(doc_text)
    toponyms = resolve_toponyms(doc, [e.text for e in doc.ents if e.label_ == "PERSON"])
    return [(t.start, t.end) for t in toponyms if not t.dropped and t.source != "embedded"]


def test_a_span_that_became_a_place_is_nothing_else() -> None:
    texts = [
        "Russian diplomats met Chinese officials in Beijing, and the Russians left.",
        "Police in Gainesville said the suspect fled toward Ocala on Friday.",
        BUDGET_STORY,
    ]
    for text in texts:
        places = place_spans(text)
        for entity in recognize_entities(parse_text(text)):
            if entity.kind in ("place", "country"):
                continue
            for m in entity.mentions:
                assert not any(s < m.end and m.start < e for s, e in places), (entity, text)


def test_a_demonym_names_its_country_and_creates_no_other_entity() -> None:
    entities = keys_of("Russian diplomats met officials in Geneva on Tuesday.")
    assert entities["place:2017370"].mentions[0].text == "Russian"  # Russia
    assert not any(e.kind == "other" and e.name == "Russian" for e in entities.values())


def test_a_place_inside_an_organisation_name_leaves_the_organisation() -> None:
    text = "Students at the University of Texas protested on Monday."
    entities = keys_of(text)
    assert entities["org:university-of-texas"].kind == "organization"
    texas = entities["place:4736286"]  # the state
    assert texas.mentions[0].start == text.index("Texas")
    assert texas.mentions[0].role == "embedded"


def test_a_place_the_model_called_a_person_is_not_a_person() -> None:
    text = "Police in Gainesville said the suspect fled toward Ocala on Friday."
    doc = parse_text(text)
    at = next(t.i for t in doc if t.text == "Gainesville")
    doc.ents = [Span(doc, at, at + 1, label="PERSON")]  # what the model may say
    entities = by_key(recognize_entities(doc))
    assert not any(e.kind == "person" for e in entities.values())
    gainesville = entities["place:4156404"]  # Gainesville, Florida
    assert gainesville.mentions[0].start == text.index("Gainesville")


def test_a_person_the_model_names_more_often_than_a_place_stays_a_person() -> None:
    text = "Clinton spoke in Iowa. Clinton left Clinton on Monday, and Clinton flew home."
    doc = parse_text(text)
    at = [t.i for t in doc if t.text == "Clinton"]
    doc.ents = [Span(doc, i, i + 1, label="GPE" if n == 2 else "PERSON") for n, i in enumerate(at)]
    people = [e for e in recognize_entities(doc) if e.kind == "person"]
    assert [len(e.mentions) for e in people] == [3]


def test_a_person_named_like_a_place_of_the_article_is_that_place() -> None:
    text = "Storms hit Rotterdam on Monday. Rotterdam officials opened shelters."
    doc = parse_text(text)
    spans = [Span(doc, t.i, t.i + 1, label="GPE" if t.i < 3 else "PERSON")
             for t in doc if t.text == "Rotterdam"]  # fmt: skip
    doc.ents = spans
    entities = by_key(recognize_entities(doc))
    assert not any(e.kind == "person" for e in entities.values())
    assert len(entities["place:2747891"].mentions) == 2


def test_a_first_name_that_is_a_place_stays_with_the_person() -> None:
    entities = keys_of("Jordan Peterson spoke in Toronto. Later Jordan Peterson left.")
    assert "person:jordan-peterson" in entities
    assert not any(e.kind == "country" for e in entities.values())


def ranked_people(text: str, title: str = "") -> list[str]:
    return [e.name for e in recognize_entities(parse_text(text), title) if e.kind == "person"]


FILLER = "The council met again on Tuesday and talked about roads, water and schools. " * 4


def test_the_person_of_the_lede_ranks_above_one_named_twice_after_it() -> None:
    text = (
        f"COUNCIL VOTE\nMaria Okafor opened the session. {FILLER}\n"
        "Daniel Brooks spoke next, and Brooks asked for a recount.\n" + FILLER * 2
    )
    assert ranked_people(text) == ["Maria Okafor", "Daniel Brooks"]


def test_mentions_count_after_merging_decides_the_order() -> None:
    text = (
        f"Daniel Brooks and Maria Okafor spoke.\n{FILLER}\nOkafor said no. President Okafor "
        "then left, and Okafor's aides followed."
    )
    assert ranked_people(text) == ["Maria Okafor", "Daniel Brooks"]


def test_a_person_in_the_title_ranks_first() -> None:
    text = f"Maria Okafor and Daniel Brooks spoke.\n{FILLER}\nOkafor left early."
    assert ranked_people(text, title="Brooks wins the vote") == ["Daniel Brooks", "Maria Okafor"]


def test_a_lower_case_word_of_the_title_is_not_an_acronym_of_the_text() -> None:
    mentions = [Mention(500, 502, "US")]
    text = "x" * 1000
    plain = score_salience("US", "place", mentions, text, "Told us so", lede_end(text))
    titled = score_salience("US", "place", mentions, text, "US told so", lede_end(text))
    assert titled > plain


def test_a_nationality_ranks_below_a_person_named_as_often_as_early() -> None:
    mentions = [Mention(0, 7, "Chinese"), Mention(200, 207, "Chinese")]
    text = "x" * 1000
    person = score_salience("Li Wei", "person", mentions, text, "", lede_end(text))
    other = score_salience("Chinese", "other", mentions, text, "", lede_end(text))
    assert person > other


def test_a_name_the_model_took_for_an_organisation_joins_the_person() -> None:
    text = "Wang Donghai won the final on Sunday. Wang said the wind was strong, and Reyes lost."
    doc = parse_text(text)
    labels = {"Wang Donghai": "PERSON", "Wang": "ORG", "Reyes": "ORG"}
    at = [(text.index(n, 1 if n == "Wang" else 0), n) for n in labels]
    doc.ents = [doc.char_span(s, s + len(n), label=labels[n]) for s, n in at]
    entities = by_key(recognize_entities(doc))
    assert [m.text for m in entities["person:wang-donghai"].mentions] == ["Wang Donghai", "Wang"]
    assert entities["org:reyes"].kind == "organization"  # nobody here is called Reyes


def test_given_names_come_from_the_dictionary_without_its_rarest_words() -> None:
    names = first_names()
    assert {"Hakan", "Dirk", "Mark", "Anne"} <= names
    assert not {"Price", "Red", "General"} & names  # at the lowest frequency everywhere
