"""The automatic first pass: what it holds, why, and which rule it points at, on comments
a news site sees. These are the cases its weights were set on (screening.py's table)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from broadsheet.community.screening import HOLD_AT, Screening, screen

OLD = 400.0  # days: an established account
NEW = 0.2  # hours old

HELD = [
    # (text, account age in days, a reason it must give, the rule)
    ("Deals: https://a.example https://b.example https://c.example", OLD, "3 links", "spam"),
    ("Read https://a.example/x and https://b.example/y", NEW, "2 links", "spam"),
    ("Cheap meds: https://bit.ly/abc123 buy now", OLD, "a link shortener", "spam"),
    ("Work from home and earn $5000 a week, DM me on WhatsApp", OLD, "advertising phrases", "spam"),
    ("BUY NOW!!!!!! CHEAP PILLS AT www.pills.example", OLD, "repeated characters", "spam"),
    ("You are an idiot.", OLD, "insult aimed at a person", "civil"),
    ("what a pathetic clown", OLD, "insult aimed at a person", "civil"),
    ("What the fuck is this council doing", OLD, "abusive words", "civil"),
    ("f*ck this, and sh1t to that", OLD, "abusive words", "civil"),
    ("Fück this plan", OLD, "abusive words", "civil"),
    ("I will find you and kill you", OLD, "threat of violence", "threats"),
    ("He should be shot for this", OLD, "threat of violence", "threats"),
    ("Call him at 555-123-4567, he lives at 12 Elm Street", OLD, "a street address", "privacy"),
    (
        "Her email is jane.doe@example.com, tell her what you think",
        NEW,
        "personal details (an email address)",
        "privacy",
    ),
    (
        "vote vote vote for it: https://bond.example https://b2.example",
        OLD,
        "repeated words",
        "spam",
    ),
    ("THIS IS A DISGRACE AND EVERYONE KNOWS IT https://x.example", NEW, "all caps", "civil"),
]

SHOWN = [
    ("Great reporting, thanks. The council should publish the full budget.", NEW),
    ("Source: https://council.example/minutes.pdf", NEW),
    ("Two sources: https://a.example/1 and https://b.example/2", OLD),
    (
        "The NATO enlargement vote and the Gaza Strip ceasefire; Mr Wang says murders fell.",
        NEW,
    ),
    ("Neo-Nazi groups marched; police arrested a suspect in the rape case.", NEW),
    ("Dick Cheney was vice president; Scunthorpe United won; a classic assassination plot.", NEW),
    ("This policy is stupid, damn it.", OLD),
    ("THIS IS A DISGRACE AND EVERYONE KNOWS IT", OLD),
    ("You are wrong about the numbers: see table 3.", NEW),
    ("Homeless shelters in the city need $2 million, the mayor said.", OLD),
    ("No no no, that is not what the report says.", OLD),
    ("Soooo good to see the library open again!", OLD),
]


@pytest.mark.parametrize(("text", "age", "reason", "rule"), HELD)
def test_held(text: str, age: float, reason: str, rule: str) -> None:
    found = screen(text, account_age_days=age)
    assert found.held and found.score >= HOLD_AT, found
    assert reason in found.reasons and found.rule_id == rule, found


@pytest.mark.parametrize(("text", "age"), SHOWN)
def test_shown(text: str, age: float) -> None:
    found = screen(text, account_age_days=age)
    assert not found.held and found.score < HOLD_AT, found


def test_a_new_account_lowers_the_bar() -> None:
    text = "Read https://a.example/x and https://b.example/y"
    old, new = screen(text, account_age_days=OLD), screen(text, account_age_days=NEW)
    assert not old.held and new.held and new.score > old.score
    assert "new account" in new.reasons and "new account" not in old.reasons
    assert screen("Thanks for this.", account_age_days=NEW).reasons == ()


def test_the_same_text_as_recent_comments() -> None:
    text = "The mayor's plan ignores the east side again, as it did last year."
    again = screen(text, account_age_days=OLD, recent_texts=["Other words.", text])
    assert again.held and again.reasons == ("repeated text",) and again.rule_id == "spam"
    longer = (
        "The mayor's plan ignores the east side again, as it did last year and the year before."
    )
    close = longer.replace("mayor's", "council's")  # one word changed in eighteen
    assert "repeated text" in screen(close, account_age_days=OLD, recent_texts=[longer]).reasons
    assert not screen(longer, account_age_days=OLD, recent_texts=["Something else."]).reasons
    short = screen("Agreed.", account_age_days=OLD, recent_texts=["agreed"])
    assert not short.held and short.reasons == ("repeated text",)


def test_the_result_is_a_frozen_dataclass_within_bounds() -> None:
    found = screen("a " * 3000 + "https://x.example " * 40, account_age_days=0.0)
    assert isinstance(found, Screening) and 0.0 <= found.score <= 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.held = False  # type: ignore[misc]
    assert screen("", account_age_days=OLD) == Screening(False, 0.0, (), None)


def test_it_is_fast_enough_for_every_post() -> None:
    long = ("A careful comment about the budget and its effect on schools. " * 80)[:5000]
    start = time.perf_counter()
    for _ in range(20):
        screen(long, account_age_days=OLD, recent_texts=[long] * 10)
    assert (time.perf_counter() - start) / 20 < 0.05  # 5,000 characters under 50 ms
