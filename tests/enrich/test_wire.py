"""Wire agencies are read from datelines, credits and bylines, and nowhere else."""

from __future__ import annotations

import pytest

from broadsheet.enrich.wire import detect_wire_source

BODY = "Officials met on Tuesday to discuss the plan.\n\nThe talks will resume next week."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WASHINGTON (AP) — The Senate voted on Tuesday.\n\nMore follows.", "AP"),
        ("LONDON (Reuters) - Shares fell sharply.\n\nTraders said.", "Reuters"),
        ("PARIS (AFP) – Protesters gathered.", "AFP"),
        ("KYIV, Ukraine (AP) — Drones struck overnight.", "AP"),
        ("NEW YORK, March 3 (Reuters) - Oil prices rose.", "Reuters"),
        ("Berlin (dpa) - Die Regierung hat beschlossen.", "dpa"),
        ("BEIJING (Xinhua) -- Officials said.", "Xinhua"),
        ("TOKYO (Kyodo) — The yen weakened.", "Kyodo"),
        ("WASHINGTON (UPI) -- A report said.", "UPI"),
        ("LONDON (Agence France-Presse) — Talks began.", "AFP"),
        ("By Jane Doe\nWASHINGTON (AP) — The vote was close.", "AP"),
    ],
)
def test_datelines(text: str, expected: str) -> None:
    assert detect_wire_source(text) == expected


@pytest.mark.parametrize(
    ("last_paragraph", "expected"),
    [
        ("With Post wires", "Post"),
        ("The Associated Press contributed to this report.", "AP"),
        ("Reuters contributed reporting.", "Reuters"),
        ("Reuters contributed reporting from Kyiv.", "Reuters"),
        ("He left. Bloomberg News contributed to this report.", "Bloomberg"),
        ("(Reporting by Jane Doe; Editing by John Roe)", "Reuters"),
        ("Material from Reuters was used in this report.", "Reuters"),
        ("With wires", "Wire services"),
        ("— The Associated Press", "AP"),
        ("With Harbor Newswire reporting.", "Harbor Newswire"),
    ],
)
def test_credit_lines(last_paragraph: str, expected: str) -> None:
    assert detect_wire_source(f"{BODY}\n\n{last_paragraph}") == expected


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Associated Press", "AP"),
        ("By Reuters", "Reuters"),
        ("By The Associated Press", "AP"),
        ("Reuters Staff", "Reuters"),
        ("By Jane Doe and Agence France-Presse", "AFP"),
        ("By Jane Doe", None),
    ],
)
def test_bylines(byline: str, expected: str | None) -> None:
    assert detect_wire_source(BODY, byline) == expected


def test_fictional_demo_agency_found_by_generic_rules() -> None:
    text = (
        "LONDON (Meridian Wire) — Ministers met on Tuesday.\n\n"
        "They will meet again.\n\nWith Meridian Wire reporting."
    )
    assert detect_wire_source(text) == "Meridian Wire"
    # Each of the two structures is enough on its own.
    assert detect_wire_source("LONDON (Meridian Wire) — Ministers met.") == "Meridian Wire"
    assert detect_wire_source(f"{BODY}\n\nWith Meridian Wire reporting.") == "Meridian Wire"


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        "(AP) Computer Science course enrollment doubled this year.",
        "Students who pass the (AP) Computer Science course get credit.",
        "The minister (Reuters) — and others — disagreed.",
        "Reuters reported last week that the deal was close.\n\nNo one denied it.",
        f"{BODY}\n\nAccording to Reuters, the deal was close.",
        f"{BODY}\n\nThe Associated Press reported that the talks failed.",
        f"{BODY}\n\nWith Jane Doe reporting.",
        f"{BODY}\n\nAdditional reporting by Jane Doe in London.",
        f"{BODY}\n\n— Jane Doe",
        "Chicago (the city) - a place of many neighbourhoods.",
        "",
    ],
)
def test_ordinary_text_is_not_wire_copy(text: str) -> None:
    assert detect_wire_source(text) is None


def test_credit_in_mid_story_is_a_citation_not_a_credit() -> None:
    text = "Reuters contributed reporting.\n\n" + BODY + "\n\nMore next week.\n\nThe end."
    assert detect_wire_source(text) is None
