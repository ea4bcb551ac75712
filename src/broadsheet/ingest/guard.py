"""The SSRF guard: which URLs and addresses the fetcher may reach, and the allow-list."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from broadsheet.ingest.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
# inet_aton() reads these as IPv4 (127.1, 0x7f.1, 2130706433, 017700000001); never resolve them.
_LEGACY_IPV4 = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def address_problem(address: str | IPAddress) -> str:
    """What makes an address unsafe to fetch from ("private", "loopback", ...; "" if public)."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address)
    if isinstance(address, ipaddress.IPv6Address):
        special = _tunnel_problem(address)
        if special is not None:
            return special
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), "")


def _tunnel_problem(address: ipaddress.IPv6Address) -> str | None:
    """IPv6 forms that carry an IPv4 address are judged by it, since a tunnel reaches it."""
    if address in _SITE_LOCAL:
        return "site-local"  # deprecated, yet still routed inside some networks
    if address.ipv4_mapped is not None:
        return address_problem(address.ipv4_mapped)
    if address.sixtofour is not None:
        return address_problem(address.sixtofour)
    if address.teredo is not None:
        return "private"  # a tunnel endpoint we cannot judge from here
    if address in _NAT64[0]:
        return address_problem(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address in _NAT64[1]:
        return "private"  # the local-use NAT64 prefix (RFC 8215)
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        return address_problem(embedded) or "reserved"  # deprecated form, never routed
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a host that is an IP literal (in any spelling inet_aton takes) stands for."""
    host = host.rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def host_of(url: httpx.URL) -> str:
    """The host as it is resolved and compared: IDNA-encoded, lower case, no trailing dot."""
    return url.raw_host.decode("ascii").lower().rstrip(".")


def port_of(url: httpx.URL) -> int:
    """The port a URL is requested on."""
    return url.port or DEFAULT_PORTS[url.scheme]


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to, with the system resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class AllowRule:
    """One allow-list entry: a host name or an address range, on one port or on any."""

    name: str = ""
    network: IPNetwork | None = None
    port: int | None = None

    def allows(self, host: str, address: IPAddress, port: int) -> bool:
        """Whether this entry lets `address` (reached as host:port) through."""
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address in self.network
        return self.name == host


def parse_allow_entry(entry: str) -> AllowRule:
    """An allow-list entry: host, host:port, [v6]:port, IP or CIDR; ValueError if none."""
    text = entry.strip().lower().rstrip(".")
    port: int | None = None
    bracketed = re.fullmatch(r"\[([0-9a-f:.]+)\](?::(\d+))?", text)
    if bracketed:
        text, port = bracketed.group(1), int(bracketed.group(2)) if bracketed.group(2) else None
    elif text.count(":") == 1:
        text, _, digits = text.partition(":")
        port = int(digits) if digits.isdigit() else -1
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"allow-list entry {entry!r}: the port must be a number from 1 to 65535")
    try:
        return AllowRule(network=ipaddress.ip_network(text, strict=False), port=port)
    except ValueError:
        pass
    literal = literal_address(text)
    if literal is not None:
        return AllowRule(network=ipaddress.ip_network(literal), port=port)
    if not _HOST_NAME.fullmatch(text):
        raise ValueError(
            f"allow-list entry {entry!r} is not a host, host:port, [IPv6]:port, IP or CIDR range"
        )
    return AllowRule(name=text, port=port)


def parse_url(url: str) -> httpx.URL:
    """The URL as it will be requested; FetchError for non-web schemes, credentials, bad hosts."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(url, f"refused: not a valid URL ({exc})") from exc
    if not parsed.scheme:
        raise FetchError(url, "refused: the URL has no scheme (write http:// or https://)")
    if parsed.scheme not in DEFAULT_PORTS:
        raise FetchError(url, f"refused: scheme {parsed.scheme!r} is not http(s)")
    if not parsed.host:
        raise FetchError(url, "refused: no host in URL")
    if parsed.userinfo:
        # "http://news.example@10.0.0.1/" reads like a trusted name; nothing we fetch needs it.
        raise FetchError(url, "refused: the URL carries a user name or password")
    host = host_of(parsed)
    if literal_address(host) is None and not _HOST_NAME.fullmatch(host):
        raise FetchError(url, f"refused: {parsed.host!r} is not a valid host name")
    return parsed


class Guard:
    """Resolves a URL's host once and refuses it unless every address is public or allowed."""

    def __init__(self, allow_hosts: tuple[str, ...], resolve: Resolver) -> None:
        self.rules = tuple(parse_allow_entry(entry) for entry in allow_hosts if entry.strip())
        self._resolve = resolve

    def check(self, url: httpx.URL) -> tuple[str, ...]:
        """The checked addresses to connect to for `url` (the only ones the fetcher may use)."""
        host = host_of(url)
        port = port_of(url)
        literal = literal_address(host)
        addresses = [literal] if literal is not None else self._lookup(str(url), host, port)
        for address in addresses:
            problem = address_problem(address)
            if problem and not any(rule.allows(host, address, port) for rule in self.rules):
                raise FetchError(
                    str(url),
                    f"refused: {address} is a {problem} address "
                    f"(allow it with BROADSHEET_ALLOW_HOSTS, e.g. {_example_entry(address, port)})",
                )
        return tuple(str(address) for address in addresses)

    def _lookup(self, url: str, host: str, port: int) -> list[IPAddress]:
        try:
            answers = self._resolve(host, port)
            addresses = [ipaddress.ip_address(answer.split("%")[0]) for answer in answers]
        except (OSError, UnicodeError, ValueError) as exc:
            raise FetchError(url, f"cannot resolve host {host}: {exc}", transient=True) from exc
        if not addresses:
            raise FetchError(url, f"cannot resolve host {host}: no address", transient=True)
        return addresses


def _example_entry(address: IPAddress, port: int) -> str:
    """The allow-list entry that would admit exactly this address and port."""
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"
