"""The strike ladder: warning, seven-day suspension, termination; 90-day expiry; overturns
lift what they carried; one appeal while a strike counts; the best order's bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from broadsheet.community import strikes as ladder
from broadsheet.community.policy import RULES, get_rule, rule_label
from broadsheet.community.ranking import wilson_lower_bound

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def given(days_ago: float, level: str = "warning", appeal: str | None = None) -> ladder.StrikeFacts:
    created = NOW - timedelta(days=days_ago)
    return ladder.StrikeFacts(level, created, created + ladder.EXPIRY, appeal)


def test_the_ladder_climbs_with_active_strikes() -> None:
    assert ladder.new_strike([], NOW).level == "warning"
    assert ladder.new_strike([given(10)], NOW).level == "suspension"
    assert ladder.new_strike([given(10), given(5, "suspension")], NOW).level == "termination"
    strike = ladder.new_strike([], NOW)
    assert strike.expires_at - strike.created_at == timedelta(days=90)


def test_expired_and_overturned_strikes_stop_counting() -> None:
    old = given(91)
    assert not ladder.is_active(old, NOW)
    assert ladder.new_strike([old, given(95, "suspension")], NOW).level == "warning"
    overturned = given(3, appeal="overturned")
    assert ladder.new_strike([overturned], NOW).level == "warning"
    assert ladder.is_active(given(89.9, appeal="upheld"), NOW)


def test_standing_follows_the_strikes() -> None:
    suspension = given(2, "suspension")
    standing = ladder.standing_of([given(10), suspension])
    assert standing.suspended_until == suspension.created_at + timedelta(days=7)
    assert "suspended until 6 Dec 2026, 12:00 UTC" in standing.refusal(NOW)
    assert standing.refusal(NOW + timedelta(days=6)) == ""  # served
    assert ladder.standing_of([given(2, "suspension", "overturned")]).suspended_until is None
    closed = ladder.standing_of([given(200, "termination")])  # expiry does not undo it
    assert closed.terminated_at is not None and "closed" in closed.refusal(NOW)
    assert ladder.standing_of([given(1, "termination", "overturned")]).terminated_at is None


def test_one_appeal_while_a_strike_counts() -> None:
    assert ladder.can_appeal(given(1), NOW)
    assert not ladder.can_appeal(given(1, appeal="pending"), NOW)
    assert not ladder.can_appeal(given(1, appeal="upheld"), NOW)
    assert not ladder.can_appeal(given(91), NOW)


def test_policy_rules_are_numbered_with_stable_ids() -> None:
    assert [r.number for r in RULES] == list(range(1, len(RULES) + 1))
    ids = [r.id for r in RULES]
    assert len(set(ids)) == len(ids)
    assert {"civil", "spam", "hate", "privacy", "illegal", "off-topic"} <= set(ids)
    assert rule_label("civil") == "Rule 1: Be civil"
    assert get_rule("nonsense") is None and rule_label("gone") == "gone"


def test_the_wilson_bound_ranks_confidence_over_share() -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(1, 0) < wilson_lower_bound(40, 10)
    assert wilson_lower_bound(40, 10) < wilson_lower_bound(400, 100)
    assert 0.0 < wilson_lower_bound(5, 5) < 0.5
    assert round(wilson_lower_bound(4, 0), 3) == 0.510
