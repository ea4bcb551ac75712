"""Canonical entities across the corpus: an alias takes the key the earlier articles agree on."""

from __future__ import annotations

from broadsheet.enrich.aliases import alias_keys, canonical_key
from broadsheet.enrich.entities import recognize_entities
from broadsheet.enrich.nlp import parse_text
from broadsheet.pipeline import analyze_corpus

FULL = "Vladimir Putin met ministers in Moscow on Monday. Putin said the talks went well."
SHORT = "Putin spoke to reporters on Tuesday about the war and the economy."


def entities_of(text: str) -> dict[str, str]:
    return {e.key: e.name for e in recognize_entities(parse_text(text), "")}


def test_a_full_name_stands_behind_its_surname_and_written_forms() -> None:
    (putin,) = [e for e in recognize_entities(parse_text(FULL), "") if e.kind == "person"]
    assert putin.key == "person:vladimir-putin"
    assert alias_keys(putin) == {"person:putin"}


def test_an_organisation_stands_behind_its_long_form() -> None:
    text = "The North Atlantic Treaty Organization (NATO) met in Brussels. NATO said no."
    (nato,) = [e for e in recognize_entities(parse_text(text), "") if e.kind == "organization"]
    assert nato.key == "org:nato"
    assert "org:north-atlantic-treaty-organization" in alias_keys(nato)


def test_the_corpus_must_agree_before_an_alias_is_rewritten() -> None:
    assert canonical_key({"person:vladimir-putin": 1}) is None  # seen once: not yet
    assert canonical_key({"person:vladimir-putin": 2}) == "person:vladimir-putin"
    assert canonical_key({"person:boris-johnson": 3, "person:dustin-johnson": 3}) is None
    assert canonical_key({"person:boris-johnson": 9, "person:dustin-johnson": 1}) == (
        "person:boris-johnson"
    )


def test_a_surname_only_article_joins_the_person_earlier_articles_name() -> None:
    assert "person:putin" in entities_of(SHORT)  # alone, it keys a channel of its own
    records = [
        {"id": "1", "title": "Talks", "text": FULL},
        {"id": "2", "title": "More talks", "text": FULL.replace("Monday", "Sunday")},
        {"id": "3", "title": "Putin speaks", "text": SHORT},
    ]
    lines = list(analyze_corpus(records))
    people = [e for e in lines[2]["entities"] if e["kind"] == "person"]
    assert [(e["key"], e["name"]) for e in people] == [("person:vladimir-putin", "Vladimir Putin")]
    assert "Vladimir Putin" in lines[2]["hashtags"]
    assert "Putin" not in lines[2]["hashtags"]


def test_a_surname_two_people_share_stays_apart() -> None:
    boris = "Boris Johnson spoke in London. Johnson said the vote would pass."
    dustin = "Dustin Johnson won in Augusta. Johnson shot a final round of 68."
    records = [{"id": str(n), "text": text} for n, text in enumerate([boris, dustin] * 2)]
    records.append({"id": "last", "text": "Johnson said on Friday that he had no regrets."})
    last = list(analyze_corpus(records))[-1]
    assert [e["key"] for e in last["entities"] if e["kind"] == "person"] == ["person:johnson"]
