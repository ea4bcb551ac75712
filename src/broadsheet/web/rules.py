"""Readers' keep/block rules, applied wherever a reader's feed is read (For You, channel
pages, Local), so a rule holds for stored articles and new ones alike.

A rule names a word (a whole word of the headline or snippet, any case), a publisher (its
id) or a channel (a person, organisation, place or topic key), and holds everywhere or in one
channel's feed. A block rule hides what it matches. Where keep rules hold, only what matches
one of them is shown (a keep rule on "Seattle" in the Sports channel: Seattle's sport only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from broadsheet.keys import parse_key

ACTIONS = ("block", "keep")
FIELDS = ("word", "publisher", "channel")
MAX_RULES = 200
_WORD = re.compile(r"\w+", re.UNICODE)


class RuleError(ValueError):
    """A rule that cannot be kept; the message says what is wrong."""


def parse_rule(form: Mapping[str, Any]) -> dict[str, Any]:
    """{action, field, value, scope} of a settings form, checked."""
    action, field = str(form.get("rule_action", "")), str(form.get("rule_field", ""))
    value = str(form.get("rule_value", "")).strip()
    scope = str(form.get("rule_scope", "")).strip() or None
    if action not in ACTIONS or field not in FIELDS:
        raise RuleError("A rule keeps or blocks a word, a publisher or a channel.")
    if field == "word":
        words = _WORD.findall(value.casefold())
        if len(words) != 1:
            raise RuleError("A word rule names one word.")
        value = words[0][:100]
    elif field == "publisher" and not (value.isdigit() and len(value) <= 18):
        raise RuleError("A publisher rule names a publisher's number (its page is /p/<number>).")
    elif field == "channel" and parse_key(value) is None:
        raise RuleError("A channel rule names a channel's key, such as person:xi-jinping.")
    if scope is not None and parse_key(scope) is None:
        raise RuleError("A rule's scope is a channel's key, or empty for everywhere.")
    return {"action": action, "field": field, "value": value, "scope": scope}


def visible(
    items: Iterable[dict[str, Any]], rules: list[dict[str, Any]], scope: str | None
) -> list[dict[str, Any]]:
    """The items the rules let through where they are read (scope: a channel key, or None
    for a feed of everything). Each item has title, snippet, source_id and keys."""
    holding = [r for r in rules if r["scope"] is None or r["scope"] == scope]
    blocks = [r for r in holding if r["action"] == "block"]
    keeps = [r for r in holding if r["action"] == "keep"]
    return [
        item
        for item in items
        if not any(_matches(r, item) for r in blocks)
        and (not keeps or any(_matches(r, item) for r in keeps))
    ]


def _matches(rule: dict[str, Any], item: dict[str, Any]) -> bool:
    if rule["field"] == "publisher":
        return str(item.get("source_id")) == rule["value"]
    if rule["field"] == "channel":
        return rule["value"] in item.get("keys", ())
    words = set(_WORD.findall(f"{item.get('title', '')} {item.get('snippet', '')}".casefold()))
    return rule["value"] in words
