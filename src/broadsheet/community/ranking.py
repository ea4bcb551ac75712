"""The "best" order of comments: the lower bound of the Wilson score interval of the votes.

A comment's "best" score is how high the share of up-votes is at least, with 95% confidence:
one up-vote out of one ranks below 40 out of 50, and a comment with no votes scores 0 (the
ties are ordered newest first). Reddit's "best" and Evan Miller's "How not to sort by average
rating" use the same bound.
"""

from __future__ import annotations

import math

Z = 1.959964  # 95% confidence


def wilson_lower_bound(ups: int, downs: int) -> float:
    """The lower bound of the 95% Wilson interval of ups / (ups + downs); 0 without votes."""
    n = ups + downs
    if n <= 0:
        return 0.0
    p = ups / n
    z2 = Z * Z
    centre = p + z2 / (2 * n)
    spread = Z * math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)
    return max(0.0, (centre - spread) / (1 + z2 / n))
