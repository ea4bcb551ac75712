"""Sections: publisher hints win, else the embedding classifier; measured on BBC News."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from broadsheet.enrich.embed import embed_texts
from broadsheet.enrich.topics import SECTIONS, classify_section, section_for_hint

# The evaluation sets stay in shared/, beside the checkout (as in CI), never in the repo.
DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
BBC = DATASETS / "bbc-news" / "bbc"
BBC_SECTIONS = {
    "business": "business",
    "entertainment": "entertainment",
    "politics": "politics",
    "sport": "sports",
    "tech": "technology",
}
# Measured: 0.90 on this seeded 100-article sample (0.906 on all 2,225 articles, nine-way).
# The floor is that minus 0.05, room for tuning the prototypes without re-pinning.
BBC_FLOOR = 0.85


def classify(title: str, text: str, hints: list[str] | None = None, is_local: bool = False) -> str:
    vector = embed_texts([f"{title}\n\n{text}"])[0]
    return classify_section(title, text, vector, hints or [], is_local=is_local)


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("Sports", "sports"),
        ("tech", "technology"),
        ("U.S. Politics", "politics"),
        ("Arts & Culture", "entertainment"),
        ("Movies", "entertainment"),
        ("Money", "business"),
        ("markets", "business"),
        ("Metro", "local"),
        ("World News", "world"),
        ("Health & Wellness", "health"),
        ("Science", "science"),
        ("news", None),
        ("us", None),
        ("Opinion", None),
    ],
)
def test_hint_words(hint: str, expected: str | None) -> None:
    assert section_for_hint(hint) == expected


def test_publisher_hint_beats_the_text() -> None:
    title = "Striker scores twice in cup final"
    text = "The striker scored twice as his team won the cup final in front of 80,000 fans."
    assert classify(title, text) == "sports"
    assert classify(title, text, hints=["Business"]) == "business"
    # Hints that name no section fall through to the classifier.
    assert classify(title, text, hints=["News", "2024"]) == "sports"


def test_sections_from_text_alone() -> None:
    assert (
        classify(
            "New vaccine cuts hospital admissions",
            "Doctors said patients who received the vaccine were far less likely to need "
            "hospital treatment, according to a clinical trial.",
        )
        == "health"
    )
    assert (
        classify(
            "Telescope spots water on distant planet",
            "Astronomers using a space telescope detected water vapour in the atmosphere of an "
            "exoplanet, the researchers reported in a scientific journal.",
        )
        == "science"
    )
    assert classify(
        "Ceasefire talks resume",
        "Diplomats from both countries met in Geneva under United Nations auspices to "
        "negotiate a ceasefire after months of fighting across the border.",
    ) in ("world", "politics")


def test_local_only_when_local_and_not_strongly_topical() -> None:
    title = "Council approves new zoning for Elm Street"
    text = (
        "The city council voted 5-2 on Tuesday to rezone three blocks of Elm Street, "
        "residents at the meeting said they worried about parking."
    )
    assert classify(title, text, is_local=True) == "local"
    assert classify(title, text, is_local=False) != "local"
    sports = "The Wildcats won the state basketball championship 61-58, scoring in overtime."
    assert classify("Wildcats win state title", sports, is_local=True) == "sports"


def _bbc_sample(per_class: int, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    docs = []
    for folder, section in BBC_SECTIONS.items():
        paths = sorted((BBC / folder).glob("*.txt"))
        for path in rng.sample(paths, per_class):
            title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
            docs.append((section, title.strip(), body.strip()))
    return docs


@pytest.mark.slow
@pytest.mark.skipif(not BBC.is_dir(), reason="BBC News dataset not present")
def test_bbc_accuracy_without_hints() -> None:
    docs = _bbc_sample(per_class=20, seed=11)
    vectors = embed_texts([f"{title}\n\n{body}" for _, title, body in docs])
    predicted = [
        classify_section(title, body, vector, [])
        for (_, title, body), vector in zip(docs, vectors, strict=True)
    ]
    assert set(predicted) <= set(SECTIONS)
    accuracy = float(np.mean([p == d[0] for p, d in zip(predicted, docs, strict=True)]))
    assert accuracy >= BBC_FLOOR, accuracy
