"""The strike ladder, as the reference platform runs it.

A moderator's removal citing a rule gives the author a strike. What it does depends on how
many strikes are active with it: the first is a warning, the second suspends the account for
seven days, a third or more terminates it. A strike stops counting 90 days after it was
given, or at once when an appeal overturns it; the consequence it carried is lifted with an
overturn (a suspension ends, a termination is undone), not by expiry (a served suspension
is over anyway; a termination stands). Each strike may be appealed once, while it is active.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Level = Literal["warning", "suspension", "termination"]
EXPIRY = timedelta(days=90)
SUSPENSION = timedelta(days=7)
APPEAL_CHARS = 1000
# appeal_state: None (never appealed), "pending", "upheld", "overturned".
OVERTURNED = "overturned"


@dataclass(frozen=True)
class StrikeFacts:
    """What the ladder reads of a strike row."""

    level: str
    created_at: datetime
    expires_at: datetime
    appeal_state: str | None = None


@dataclass(frozen=True)
class Standing:
    """What an account may do: suspended until a time, or terminated since one."""

    suspended_until: datetime | None = None
    terminated_at: datetime | None = None

    def refusal(self, now: datetime) -> str:
        """Why the account may not comment now ('' when it may)."""
        if self.terminated_at is not None:
            return (
                "This account was closed for repeated breaches of the Community Policy and "
                "can no longer comment. You can still read, and appeal the strike from your "
                "settings."
            )
        if self.suspended_until is not None and self.suspended_until > now:
            until = self.suspended_until.strftime("%-d %b %Y, %H:%M UTC")
            return (
                f"Your account is suspended until {until} for breaking the Community Policy. "
                "You can still read, and see or appeal the strike in your settings."
            )
        return ""


def is_active(strike: StrikeFacts, now: datetime) -> bool:
    """True while the strike counts: not expired, not overturned."""
    return strike.appeal_state != OVERTURNED and strike.expires_at > now


def level_for(active_before: int) -> Level:
    """The level of a new strike given the strikes already active."""
    if active_before <= 0:
        return "warning"
    return "suspension" if active_before == 1 else "termination"


def new_strike(strikes: Iterable[StrikeFacts], now: datetime) -> StrikeFacts:
    """The strike a removal gives now, on top of the author's strikes."""
    active = sum(1 for s in strikes if is_active(s, now))
    return StrikeFacts(level=level_for(active), created_at=now, expires_at=now + EXPIRY)


def standing_of(strikes: Iterable[StrikeFacts]) -> Standing:
    """The account's standing from its strikes (overturned ones lift what they carried)."""
    suspended: datetime | None = None
    terminated: datetime | None = None
    for strike in strikes:
        if strike.appeal_state == OVERTURNED:
            continue
        if strike.level == "suspension":
            end = strike.created_at + SUSPENSION
            suspended = end if suspended is None else max(suspended, end)
        elif strike.level == "termination":
            terminated = (
                strike.created_at if terminated is None else min(terminated, strike.created_at)
            )
    return Standing(suspended_until=suspended, terminated_at=terminated)


def can_appeal(strike: StrikeFacts, now: datetime) -> bool:
    """True when the strike was never appealed and still counts."""
    return strike.appeal_state is None and is_active(strike, now)


def describe(level: str) -> str:
    """What the strike did, in words for its author."""
    return {
        "warning": "a warning",
        "suspension": "a 7-day suspension",
        "termination": "the account closed",
    }.get(level, level)
