"""The SSRF guard: attack URLs never reach a counting server on loopback."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from broadsheet.ingest.fetch import Fetcher, FetchError, address_problem
from broadsheet.ingest.guard import AllowRule, parse_allow_entry

from .conftest import Route, Site, redirect, respond

Serve = Callable[..., Site]

# Spellings of loopback, private and otherwise internal hosts; {port} is the counting server.
LITERAL_ATTACKS = [
    "http://127.0.0.1:{port}/",
    "http://127.1:{port}/",
    "http://127.0.1:{port}/",
    "http://0x7f.1:{port}/",
    "http://0x7f000001:{port}/",
    "http://2130706433:{port}/",
    "http://017700000001:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://127.000.000.001:{port}/",
    "http://127.0.0.1.:{port}/",
    "http://127.255.255.254:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/",
    "http://[::127.0.0.1]:{port}/",
    "http://[2002:7f00:1::]:{port}/",
    "http://[2002:a00:1::1]:{port}/",
    "http://[fec0::1]:{port}/",
    "http://[64:ff9b::7f00:1]:{port}/",
    "http://[64:ff9b::a00:1]:{port}/",
    "http://[64:ff9b:1::1]:{port}/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{port}/",
    "http://[fe80::1]:{port}/",
    "http://[fc00::1]:{port}/",
    "http://[fd12:3456::1]:{port}/",
    "http://[::]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://0:{port}/",
    "http://10.0.0.1:{port}/",
    "http://172.16.0.1:{port}/",
    "http://172.31.255.1:{port}/",
    "http://192.168.1.1:{port}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1:{port}/",
    "http://198.18.0.1:{port}/",
    "http://224.0.0.1:{port}/",
    "http://255.255.255.255:{port}/",
    "https://127.0.0.1:{port}/",
]
NAME_ATTACKS = [
    "http://localhost:{port}/",
    "http://LOCALHOST:{port}/",
    "http://localhost.:{port}/",
]
URL_TRICKS = [
    "http://example.com@127.0.0.1:{port}/",
    "http://user:secret@127.0.0.1:{port}/",
    "http://127.0.0.1:{port}#@example.com/",
    "http://127.0.0.1:{port}?@example.com/",
    "http://127.0.0.1:{port}\\@example.com/",
    "javascript:alert(1)",
    "data:text/html,<p>hi</p>",
    "file:///etc/passwd",
    "ftp://127.0.0.1:{port}/",
    "gopher://127.0.0.1:{port}/_INFO",
    "//127.0.0.1:{port}/",
    "www.example.com/page",
    "127.0.0.1:{port}/page",
    "http:///127.0.0.1:{port}/",
    "http://[fe80::1%25lo]:{port}/",
]
# What a hostile name server answers for a name (the injectable resolver plays it).
HOSTILE_ANSWERS = [
    ["127.0.0.1"],
    ["93.184.216.34", "127.0.0.1"],  # a public address first does not excuse the second
    ["::ffff:127.0.0.1"],
    ["::1"],
    ["10.0.0.7"],
    ["2002:7f00:1::1"],
    ["fe80::1%lo"],
    [],
]


class Resolver:
    """A scripted name server that records what it was asked."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.answers[min(len(self.asked), len(self.answers)) - 1]


@pytest.fixture
def counting(serve: Serve) -> Site:
    """The server no attack may reach; it answers (and counts) every path."""
    return serve(lambda port: {"/": respond(200, b"<p>reached</p>", "text/html")})


@pytest.fixture
def redirector(serve: Serve, counting: Site) -> Site:
    """An allowed server whose /to/<n> redirects to REDIRECTS[n] (formatted with the ports)."""
    target = counting.url.rsplit(":", 1)[1]

    def table(port: int) -> dict[str, Route]:
        hops: dict[str, Route] = {"/ok": respond(200, b"<p>allowed</p>", "text/html")}
        for number, location in enumerate(REDIRECTS):
            hops[f"/to/{number}"] = redirect(location.format(port=target, own=port))
        hops["/hop"] = redirect("/to/0", 301)
        return hops

    return serve(table)


REDIRECTS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://127.1:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://0.0.0.0:{port}/",
    "//127.0.0.1:{port}/",
    "http://127.0.0.1:{own}@127.0.0.1:{port}/",
    "http://evil.example:{port}/",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "ftp://127.0.0.1:{port}/",
]


def _allowing(site: Site, **options: object) -> Fetcher:
    """A fetcher whose allow-list admits only `site`'s own host:port."""
    return Fetcher(allow_hosts=(site.url.removeprefix("http://"),), timeout=2.0, **options)  # type: ignore[arg-type]


def _refused(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_page(url)
    assert caught.value.reason.startswith("refused"), caught.value.reason
    assert not caught.value.transient
    return caught.value


@pytest.mark.parametrize("attack", LITERAL_ATTACKS + URL_TRICKS)
def test_attack_url_never_reaches_loopback(
    attack: str, counting: Site, redirector: Site, serve: Serve
) -> None:
    url = attack.format(port=counting.url.rsplit(":", 1)[1])
    resolver = Resolver(["127.0.0.1"])
    with _allowing(redirector, resolve=resolver) as fetcher:
        _refused(fetcher, url)
    assert counting.requests == []
    assert redirector.requests == []
    # IP literals in any spelling are read, never looked up in DNS.
    assert resolver.asked == []


@pytest.mark.parametrize("attack", LITERAL_ATTACKS[:12] + NAME_ATTACKS)
def test_attack_url_is_refused_with_no_allow_list(attack: str, counting: Site) -> None:
    with Fetcher(timeout=2.0) as fetcher:
        error = _refused(fetcher, attack.format(port=counting.url.rsplit(":", 1)[1]))
    # httpx itself rejects some legacy spellings (0177.0.0.1): refused either way.
    assert "BROADSHEET_ALLOW_HOSTS" in error.reason or "not a valid URL" in error.reason
    assert counting.requests == []


@pytest.mark.parametrize("answer", HOSTILE_ANSWERS)
def test_hostile_dns_answers_are_refused(answer: list[str], counting: Site) -> None:
    resolver = Resolver(answer)
    port = int(counting.url.rsplit(":", 1)[1])
    with Fetcher(timeout=2.0, resolve=resolver) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch_page(f"http://news.example:{port}/")
    assert resolver.asked == [("news.example", port)]
    assert caught.value.reason.startswith(("refused", "cannot resolve"))
    assert counting.requests == []


@pytest.mark.parametrize("number", range(len(REDIRECTS)))
def test_redirect_from_an_allowed_server_cannot_reach_another_port(
    number: int, counting: Site, redirector: Site
) -> None:
    with _allowing(redirector, resolve=Resolver(["127.0.0.1"])) as fetcher:
        _refused(fetcher, f"{redirector.url}/to/{number}")
    assert redirector.hits(f"/to/{number}") == 1  # the hop was really taken, then refused
    assert counting.requests == []


def test_refused_on_a_later_hop_of_a_chain(counting: Site, redirector: Site) -> None:
    with _allowing(redirector) as fetcher:
        error = _refused(fetcher, redirector.url + "/hop")
    assert "is a loopback address" in error.reason
    assert redirector.hits("/hop") == 1 and redirector.hits("/to/0") == 1
    assert counting.requests == []


def test_the_allowed_host_port_itself_is_reachable(redirector: Site, counting: Site) -> None:
    with _allowing(redirector) as fetcher:
        assert "allowed" in fetcher.fetch_page(redirector.url + "/ok").text
        _refused(fetcher, counting.url + "/")
    assert counting.requests == []


def test_rebinding_dns_cannot_move_the_connection(serve: Serve) -> None:
    """The address checked is the address connected to, whatever DNS answers next."""
    counting = serve(lambda port: {"/page": respond(200, b"<p>loopback</p>", "text/html")})
    port = int(counting.url.rsplit(":", 1)[1])
    # 127.0.0.2 stands in for a public address: tests never leave 127.0.0.0/8.
    checked = serve(
        lambda _: {"/page": respond(200, b"<p>checked</p>", "text/html")},
        host="127.0.0.2",
        port=port,
    )
    resolver = Resolver(["127.0.0.2"], ["127.0.0.1"])
    with Fetcher(allow_hosts=(f"127.0.0.2:{port}",), resolve=resolver, obey_robots=False) as f:
        page = f.fetch_page(f"http://news.example:{port}/page")
        assert page.text == "<p>checked</p>"
        assert resolver.asked == [("news.example", port)]  # resolved once, not again to connect
        assert checked.headers[0]["host"] == f"news.example:{port}"  # Host keeps the name
        _refused(f, f"http://news.example:{port}/page")  # the next answer is checked too
    assert counting.requests == []


@pytest.fixture
def tls_names(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """A TLS server on loopback with a certificate for another name; records the SNI it sees."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1"),
            *("-subj", "/CN=other.example"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str] = []
    context.sni_callback = lambda _sock, name, _ctx: names.append(name or "")
    listener = socket.create_server(("127.0.0.1", 0))

    def handshake_once() -> None:
        connection, _ = listener.accept()
        with contextlib.suppress(OSError), context.wrap_socket(connection, server_side=True):
            pass

    threading.Thread(target=handshake_once, daemon=True).start()
    yield listener.getsockname()[1], names
    listener.close()


def test_tls_names_the_host_while_connecting_to_the_checked_address(
    tls_names: tuple[int, list[str]],
) -> None:
    port, names = tls_names
    resolver = Resolver(["127.0.0.1"])
    allowed = (f"127.0.0.1:{port}",)
    with (
        Fetcher(allow_hosts=allowed, resolve=resolver, obey_robots=False) as fetcher,
        pytest.raises(FetchError) as caught,
    ):
        fetcher.fetch_page(f"https://news.example:{port}/")
    assert names == ["news.example"]  # SNI keeps the name; the socket went to 127.0.0.1
    assert caught.value.reason.startswith("the TLS certificate is not valid for this host")
    assert not caught.value.transient


@pytest.mark.parametrize(
    ("entry", "rule"),
    [
        ("127.0.0.1:8080", AllowRule(network=parse_allow_entry("127.0.0.1").network, port=8080)),
        ("[::1]:8080", AllowRule(network=parse_allow_entry("::1").network, port=8080)),
        ("localhost:8080", AllowRule(name="localhost", port=8080)),
        ("Demo.Example.", AllowRule(name="demo.example")),
    ],
)
def test_allow_list_entries_parse(entry: str, rule: AllowRule) -> None:
    assert parse_allow_entry(entry) == rule


@pytest.mark.parametrize("entry", ["127.0.0.1:abc", "127.0.0.1:0", "[::1]:70000", "a b", "x/y"])
def test_malformed_allow_list_entries_are_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="allow-list entry"):
        Fetcher(allow_hosts=(entry,))


@pytest.mark.parametrize(
    "entries", [("127.0.0.1",), ("127.0.0.0/8",), ("localhost",), ("::1", "127.0.0.1")]
)
def test_bare_hosts_and_ranges_allow_any_port(entries: tuple[str, ...], counting: Site) -> None:
    url = counting.url.replace("127.0.0.1", "localhost") if "localhost" in entries else counting.url
    with Fetcher(allow_hosts=entries) as fetcher:
        assert "reached" in fetcher.fetch_page(url + "/").text


def test_a_name_entry_does_not_allow_the_address_behind_it(counting: Site) -> None:
    port = counting.url.rsplit(":", 1)[1]
    with Fetcher(allow_hosts=(f"localhost:{port}",)) as fetcher:
        assert "reached" in fetcher.fetch_page(f"http://localhost:{port}/").text
        _refused(fetcher, f"http://127.0.0.1:{port}/")
        assert len(counting.requests) == 2  # robots.txt and the page, both via localhost


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("2002:7f00:1::", "loopback"),
        ("2002:c0a8:101::1", "private"),
        ("2002:808:808::1", ""),
        ("fec0::1", "site-local"),
        ("::127.0.0.1", "loopback"),
        ("::8.8.8.8", "reserved"),
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("64:ff9b::808:808", ""),
        ("64:ff9b:1::1", "private"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("fd00::1", "private"),
        ("ff02::1", "multicast"),
        ("::", "unspecified"),
    ],
)
def test_address_problem_sees_through_ipv6_forms(address: str, problem: str) -> None:
    assert address_problem(address) == problem
