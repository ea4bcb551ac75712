"""HTTP/1.1 on httpcore, pinned to guard-checked addresses and bound by a wall-clock deadline.

httpcore's timeouts hold per read, so a server sending one byte a second never trips them;
here every connect, read and write is given at most the time left before the deadline of the
request running in this thread. And the connection goes to an address the guard checked,
never to a second DNS answer, while TLS (SNI, certificate) and Host keep the host name.
"""

from __future__ import annotations

import contextlib
import ssl
import time
import typing
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import httpcore
import httpx

from broadsheet.ingest.decode import BodyError, ContentDecoder
from broadsheet.ingest.errors import FetchError

_REQUEST: ContextVar[Pinned | None] = ContextVar("broadsheet_fetch_request", default=None)


@dataclass(frozen=True)
class Pinned:
    """The request running in this thread: where it may connect, and when it must be done."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]
    deadline: float  # time.monotonic() value


@dataclass
class RawResponse:
    """Status, headers and (for 2xx answers) the body with its content-encoding removed."""

    status: int
    headers: httpx.Headers
    body: bytes = b""


def _time_left(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` cut down to what is left before the deadline of this thread's request."""
    request = _REQUEST.get()
    if request is None:
        return timeout
    left = request.deadline - time.monotonic()
    if left <= 0:
        raise error("the request deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the request deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, limit))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to the addresses checked for this thread's request."""

    def __init__(self) -> None:
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        request = _REQUEST.get()
        if request is None or (request.host, request.port) != (host.lower(), port):
            # Fail closed: a connection nobody checked is never opened.
            raise FetchError(f"{host}:{port}", "refused: the guard has not checked this host")
        failure: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in request.addresses:
            limit = _time_left(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._sockets.connect_tcp(
                    address, port, limit, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise FetchError(path, "refused: the fetcher does not use unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def open_pool(max_connections: int = 64) -> httpcore.ConnectionPool:
    """A thread-safe connection pool whose connections are pinned and deadline-bound."""
    return httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        max_keepalive_connections=max_connections // 4,
        network_backend=PinnedBackend(),
    )


@contextlib.contextmanager
def pinned(request: Pinned) -> Iterator[None]:
    """Run the block as `request`: its connections pinned, its I/O bound by its deadline."""
    token = _REQUEST.set(request)
    try:
        yield
    finally:
        _REQUEST.reset(token)


def exchange(
    pool: httpcore.ConnectionPool,
    url: httpx.URL,
    headers: list[tuple[bytes, bytes]],
    *,
    max_bytes: int,
    connect_timeout: float,
) -> RawResponse:
    """One GET in the current `pinned` request; the body is read only for 2xx answers."""
    target = httpcore.URL(
        scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
    )
    pool_wait = _time_left(connect_timeout, httpcore.PoolTimeout)
    timeouts = {"connect": connect_timeout, "read": connect_timeout, "write": connect_timeout}
    extensions = {"timeout": {**timeouts, "pool": pool_wait}}
    with pool.stream(
        "GET", target, headers=[(b"Host", url.netloc), *headers], extensions=extensions
    ) as response:
        answer = RawResponse(response.status, httpx.Headers(response.headers))
        if 200 <= response.status < 300:
            answer.body = _read_body(response.iter_stream(), answer.headers, max_bytes)
        return answer


def _read_body(stream: Iterable[bytes], headers: httpx.Headers, max_bytes: int) -> bytes:
    """The body, decoded, with both its size on the wire and its decoded size capped."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyError(f"response larger than {max_bytes} bytes")
    decoder = ContentDecoder(headers.get("content-encoding", ""), max_bytes)
    received = 0
    body = bytearray()
    for chunk in stream:
        received += len(chunk)
        if received > max_bytes:
            raise BodyError(f"response larger than {max_bytes} bytes")
        body += decoder.feed(chunk)
    body += decoder.finish()
    return bytes(body)
