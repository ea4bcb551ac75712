"""The mail the site sends (a password-reset link), over the SMTP server of the smtp_url
setting, and the email addresses accounts hold: normalised, checked, masked for the log.

smtp://host[:port] (port 25 when left out) switches to TLS with STARTTLS when the server
offers it, and signs in (when the URL names a user) only over TLS or to a server on loopback,
so a password never crosses a network in clear. smtps://host[:port] (465) is TLS from the
first byte. The password in the URL is never written to a log or an error.
"""

from __future__ import annotations

import ipaddress
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from starlette.concurrency import run_in_threadpool

from broadsheet.config import Settings

SEND_TIMEOUT = 10.0  # seconds for each step of the conversation with the server
MAX_ADDRESS = 254  # the longest address SMTP carries (RFC 5321's path limit, less <>)
MAX_LOCAL = 64
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# Dot-atoms at a dotted domain whose last label starts with a letter; ASCII only (an
# internationalised domain is written in its xn-- form), so no server needs SMTPUTF8.
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]*[a-z0-9])?")
BAD_ADDRESS = (
    "That email address does not look right: write it like ana@example.org "
    "(at most 254 characters), or leave it empty."
)
SMTP_URL_FORMAT = (
    "config: BROADSHEET_SMTP_URL: expected smtp://[user:password@]host[:port] or "
    "smtps://[user:password@]host[:port]"
)


def normal_address(raw: str) -> str:
    """An email address as accounts store it: trimmed and case-folded."""
    return raw.strip().casefold()


def address_problem(address: str) -> str:
    """Why a (normalised) email address cannot be an account's; "" when it can."""
    local = address.partition("@")[0]
    if len(address) > MAX_ADDRESS or len(local) > MAX_LOCAL or not _ADDRESS.fullmatch(address):
        return BAD_ADDRESS
    return ""


def mask_address(address: str) -> str:
    """The address as the log shows it: its first letter and its domain (a***@example.org)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


class MailError(Exception):
    """A message the server did not take (the text never holds the password)."""


@dataclass(frozen=True)
class SmtpServer:
    """Where and how messages are handed over, read from smtp_url."""

    host: str
    port: int
    tls: bool  # smtps: TLS from the first byte
    user: str = ""
    password: str = field(default="", repr=False)

    def __str__(self) -> str:
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpServer:
    """The server an smtp:// or smtps:// URL names; ValueError (never showing it) if none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(SMTP_URL_FORMAT) from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(SMTP_URL_FORMAT)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(SMTP_URL_FORMAT)
    tls = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if tls else 25),
        tls=tls,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def make_mailer(settings: Settings, site_url: str) -> Mailer | None:
    """The mailer of the smtp_url and mail_from settings; None when smtp_url is empty (off)."""
    if not settings.smtp_url:
        return None
    if "@" not in parseaddr(settings.mail_from)[1]:
        raise ValueError(
            "config: BROADSHEET_MAIL_FROM: expected an address such as "
            "Broadsheet <noreply@example.org>"
        )
    return Mailer(parse_smtp_url(settings.smtp_url), settings.mail_from, site_url)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Mailer:
    """Sends the site's plain-text messages through one SMTP server."""

    server: SmtpServer
    sender: str  # the From header (mail_from)
    site_url: str  # the public base URL the links in messages point at

    async def send_reset_link(self, to: str, name: str, path: str) -> None:
        """Mail the account's owner its one-time password-reset link (a path of this site)."""
        body = (
            f'Someone asked to reset the password of the Broadsheet account "{name}".\n\n'
            "To choose a new password, open this link within the hour (it works once):\n\n"
            f"{self.site_url.rstrip('/')}{path}\n\n"
            "If you did not ask, ignore this message: your password stays as it is.\n"
        )
        await self.send(to, "Reset your Broadsheet password", body)

    async def send(self, to: str, subject: str, body: str) -> None:
        """Hand one plain-text message to the server, in a worker thread; MailError if not."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=parseaddr(self.sender)[1].partition("@")[2])
        message.set_content(body)
        await run_in_threadpool(self._hand_over, message, to)

    def _hand_over(self, message: EmailMessage, to: str) -> None:
        try:
            with self._connect() as smtp:
                smtp.send_message(message)
        except OSError as exc:  # smtplib's errors, refused connections and timeouts alike
            raise MailError(
                f"mail: {self.server} did not take the message to {mask_address(to)}: "
                f"{self._scrubbed(exc)}"
            ) from None

    def _connect(self) -> smtplib.SMTP:
        server, context = self.server, ssl.create_default_context()
        smtp: smtplib.SMTP
        if server.tls:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=SEND_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=SEND_TIMEOUT)
        try:
            smtp.ehlo()
            secure = server.tls
            if not secure and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                secure = True
            if server.user and not secure and not _is_loopback(server.host):
                raise MailError(
                    f"mail: {server} offers no STARTTLS, so the password is not sent; "
                    "use smtps:// or a server with TLS"
                )
            if server.user:
                smtp.login(server.user, server.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _scrubbed(self, exc: BaseException) -> str:
        text = str(exc) or type(exc).__name__
        if self.server.password:
            text = text.replace(self.server.password, "***")
        return text
