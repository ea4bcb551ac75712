"""The one error the fetcher raises, with what a caller needs to decide whether to retry."""

from __future__ import annotations


class FetchError(Exception):
    """A URL could not be fetched; `reason` says why in words a person can act on."""

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(f"fetch: {url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status  # the HTTP status, when the server answered
        self.retry_after = retry_after  # seconds the server asked us to wait (429, 503)
        self.transient = transient  # True when trying again later may well succeed
