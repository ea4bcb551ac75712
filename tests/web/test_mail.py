"""Accounts' optional email and reset links by mail, against a real SMTP server on loopback
(aiosmtpd): the mailed link works, a failed send falls back to the log, the reset page is the
same for everyone, the password in smtp_url is never logged; the email at sign-up, in
/settings, in the export, and gone with the account."""

from __future__ import annotations

import logging
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from broadsheet.config import Settings, load_settings
from broadsheet.store.schema import users
from broadsheet.web.app import create_app, public_base_url
from broadsheet.web.mail import make_mailer, parse_smtp_url

PASSWORD = "correct horse battery"
SMTP_USER, SMTP_PASSWORD = "relay-user", "s3cret-relay-pass"


@dataclass
class Inbox:
    """What the SMTP server on loopback was handed: each envelope and its parsed message."""

    envelopes: list[Envelope] = field(default_factory=list)
    logins: list[LoginPassword] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        self.logins.append(data)
        known = data.login == SMTP_USER.encode() and data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=known, handled=False)

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.original_content or b"", policy=policy.default)
            for e in self.envelopes
        ]


def free_port() -> int:
    """A port nothing listens on (bound once by us, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(inbox: Inbox | None = None, **options: Any) -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1, in its own thread, for the length of the block."""
    inbox = inbox or Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def inbox_port() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as found:
        yield found


def settings_for(tmp_path: Path, smtp_url: str) -> Settings:
    return load_settings(
        environ={},
        data_dir=tmp_path,
        secret_key="mail-test-secret",
        smtp_url=smtp_url,
        mail_from="Broadsheet Test <noreply@broadsheet.test>",
        page_cache_seconds=0.0,
    )


@contextmanager
def browser(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """A client of the real app (its mailer made from the settings by create_app)."""
    with TestClient(create_app(engine, settings), follow_redirects=False) as client:
        yield client


def csrf_of(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return str(lxml.html.fromstring(response.text).xpath('//input[@name="csrf"]/@value')[0])


def post(client: TestClient, path: str, form: dict[str, str], token_from: str) -> Any:
    return client.post(path, data={"csrf": csrf_of(client, token_from), **form})


def sign_up(client: TestClient, name: str, email: str = "") -> Any:
    return post(client, "/signup", {"name": name, "password": PASSWORD, "email": email}, "/signup")


def ask_reset(client: TestClient, who: str) -> str:
    """The reset page's answer to `who`, its form token taken out (it is signed anew)."""
    response = post(client, "/reset", {"name": who}, "/reset")
    assert response.status_code == 200, response.text
    return re.sub(r'name="csrf" value="[^"]*"', "", response.text)


def our_log(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("broadsheet"))


def link_in(message: EmailMessage) -> str:
    body = message.get_content()
    (link,) = re.findall(r"https?://\S+/reset/\S+", body)
    return str(link)


def stored_emails(engine: Engine) -> list[str | None]:
    with engine.connect() as conn:
        return [e for (e,) in conn.execute(select(users.c.email).order_by(users.c.id))]


def test_the_mailed_link_sets_a_new_password_and_the_log_holds_no_link(
    engine: Engine, tmp_path: Path, inbox_port: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, port = inbox_port
    settings = settings_for(tmp_path, f"smtp://127.0.0.1:{port}")
    with browser(engine, settings) as client:
        assert sign_up(client, "ana", "  Ana@Example.ORG ").status_code == 303
        assert stored_emails(engine) == ["ana@example.org"]  # trimmed and case-folded
        client.cookies.delete("bs_session")
        with caplog.at_level(logging.INFO, logger="broadsheet.web.accounts"):
            page = ask_reset(client, "ANA@example.org")
        assert "on its way" in page
        (envelope,) = inbox.envelopes
        assert envelope.rcpt_tos == ["ana@example.org"]
        (message,) = inbox.messages()
        assert message["From"] == "Broadsheet Test <noreply@broadsheet.test>"
        assert message["Subject"] == "Reset your Broadsheet password" and message["Date"]
        link = link_in(message)
        assert link.startswith(public_base_url(settings) + "/reset/")
        logged = our_log(caplog)
        assert "/reset/" not in logged and link.rsplit("/", 1)[1] not in logged
        assert "a link was mailed to a***@example.org" in logged
        path = link.removeprefix(public_base_url(settings))
        assert client.get(path).status_code == 200
        new = {"password": "a whole new password"}
        assert post(client, path, new, path).status_code == 303
        assert client.get(path).status_code == 400  # used once
        client.cookies.delete("bs_session")
        old = post(client, "/signin", {"name": "ana", "password": PASSWORD}, "/signin")
        assert old.status_code == 401
        signed_in = post(client, "/signin", {"name": "ana", **new}, "/signin")
        assert signed_in.status_code == 303 and ">ana<" in client.get("/").text


def test_the_reset_page_is_the_same_whoever_is_asked_for_and_whether_mail_works(
    engine: Engine, tmp_path: Path, inbox_port: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, port = inbox_port
    with browser(engine, settings_for(tmp_path, f"smtp://127.0.0.1:{port}")) as client:
        assert sign_up(client, "ana", "ana@example.org").status_code == 303
        assert sign_up(client, "bob").status_code == 303  # no email: the link goes to the log
        client.cookies.delete("bs_session")
        with caplog.at_level(logging.INFO, logger="broadsheet.web.accounts"):
            pages = {
                ask_reset(client, who)
                for who in ("ana@example.org", "ana", "nobody", "nobody@example.org", "bob")
            }
    assert len(inbox.envelopes) == 2  # ana, asked for by email and by name
    assert re.findall(r"/reset/\S+", our_log(caplog))  # bob's link, for the operator
    down = f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{free_port()}"
    caplog.clear()
    with browser(engine, settings_for(tmp_path, down)) as client:
        with caplog.at_level(logging.INFO, logger="broadsheet.web.accounts"):
            pages.add(ask_reset(client, "ana@example.org"))
        assert len(pages) == 1  # one answer for every account, none, and a failed send
        failed = [r for r in caplog.records if r.name == "broadsheet.web.accounts"]
        assert [r.levelname for r in failed] == ["WARNING", "WARNING"]
        logged = our_log(caplog)
        assert SMTP_PASSWORD not in logged and "a***@example.org" in logged
        (path,) = re.findall(r"/reset/\S+", logged)
        assert post(client, path, {"password": "a whole new password"}, path).status_code == 303
    assert len(inbox.envelopes) == 2


def test_with_mail_off_the_link_goes_to_the_log(
    engine: Engine, tmp_path: Path, inbox_port: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, _port = inbox_port
    with browser(engine, settings_for(tmp_path, "")) as client:
        sign_up(client, "ana", "ana@example.org")
        client.cookies.delete("bs_session")
        with caplog.at_level(logging.WARNING, logger="broadsheet.web.accounts"):
            page = ask_reset(client, "ana@example.org")
        assert "log now holds a link" in page and "sends no mail" in page
        (path,) = re.findall(r"/reset/\S+", our_log(caplog))
        assert client.get(path).status_code == 200
    assert inbox.envelopes == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_url_credentials_sign_in_and_a_refused_password_is_never_logged(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()
    # Loopback: the only place the mailer signs in without TLS.
    checked = smtp_server(
        inbox, authenticator=inbox.authenticate, auth_required=True, auth_require_tls=False
    )
    with checked as (_inbox, port):
        good = f"smtp://{SMTP_USER}:{SMTP_PASSWORD.replace('-', '%2D')}@127.0.0.1:{port}"
        with browser(engine, settings_for(tmp_path, good)) as client:
            sign_up(client, "ana", "ana@example.org")
            ask_reset(client, "ana")
        assert len(inbox.envelopes) == 1 and inbox.logins[-1].password == SMTP_PASSWORD.encode()
        wrong = f"smtp://{SMTP_USER}:wrong-relay-pass@127.0.0.1:{port}"
        with (
            browser(engine, settings_for(tmp_path, wrong)) as client,
            caplog.at_level(logging.INFO, logger="broadsheet.web.accounts"),
        ):
            ask_reset(client, "ana")
    logged = our_log(caplog)
    assert len(inbox.envelopes) == 1 and re.findall(r"/reset/\S+", logged)
    assert "535" in logged  # the server's refusal, said
    assert SMTP_PASSWORD not in logged and "wrong-relay-pass" not in logged


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), made with openssl."""
    assert shutil.which("openssl"), "openssl is needed to make a test certificate"
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_starttls_and_smtps_verify_the_servers_certificate(
    engine: Engine,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with (
        smtp_server(tls_context=context, require_starttls=True) as (inbox, port),
        smtp_server(ssl_context=context) as (implicit, implicit_port),
    ):
        starttls_url = f"smtp://127.0.0.1:{port}"
        with browser(engine, settings_for(tmp_path, starttls_url)) as client:
            sign_up(client, "ana", "ana@example.org")
            with caplog.at_level(logging.WARNING, logger="broadsheet.web.accounts"):
                ask_reset(client, "ana")  # a certificate nobody vouches for: refused
            assert inbox.envelopes == [] and "CERTIFICATE_VERIFY_FAILED" in our_log(caplog)
            assert re.findall(r"/reset/\S+", our_log(caplog))
            monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now a trusted one
            ask_reset(client, "ana")
        assert len(inbox.envelopes) == 1  # over STARTTLS: the server requires it
        with browser(engine, settings_for(tmp_path, f"smtps://127.0.0.1:{implicit_port}")) as c:
            ask_reset(c, "ana@example.org")
        assert len(implicit.envelopes) == 1 and link_in(implicit.messages()[0])


@pytest.mark.parametrize(
    "bad",
    [
        "ana",
        "ana@",
        "@example.org",
        "ana@example",
        "ana@@example.org",
        "a b@example.org",
        "ana@example.org\r\nBcc: eve@example.org",
        "ana..b@example.org",
        "ana@-example.org",
        "<ana@example.org>",
        "ana@exämple.org",
        "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63,  # 256 characters
    ],
)
def test_a_bad_email_at_sign_up_is_a_clear_400(engine: Engine, tmp_path: Path, bad: str) -> None:
    with browser(engine, settings_for(tmp_path, "")) as client:
        response = sign_up(client, "ana", bad)
    assert response.status_code == 400
    error = lxml.html.fromstring(response.text).xpath('//p[@class="form-error"]')[0]
    assert "email address does not look right" in error.text_content()
    assert stored_emails(engine) == []


def test_an_email_belongs_to_one_account(engine: Engine, tmp_path: Path) -> None:
    with browser(engine, settings_for(tmp_path, "")) as client:
        assert sign_up(client, "ana", "ana+news@example.org").status_code == 303
        assert sign_up(client, "bob").status_code == 303
        assert sign_up(client, "cyd").status_code == 303  # many accounts without one
        taken = sign_up(client, "dee", "ANA+News@example.org")
        assert taken.status_code == 409 and "email belongs to another account" in taken.text
        form = {"action": "email", "email": "Ana+news@example.org", "password": PASSWORD}
        refused = post(client, "/settings", form, "/settings")  # signed in as cyd
        assert "another+account" in refused.headers["location"]
    assert stored_emails(engine) == ["ana+news@example.org", None, None]


def test_settings_set_change_and_remove_the_email_export_and_deletion(
    engine: Engine, tmp_path: Path
) -> None:
    with browser(engine, settings_for(tmp_path, "")) as client:
        sign_up(client, "ana")
        assert client.get("/settings/export.json").json()["email"] is None

        def change(email: str, password: str = PASSWORD) -> str:
            form = {"action": "email", "email": email, "password": password}
            response = post(client, "/settings", form, "/settings")
            assert response.status_code == 303
            return str(client.get(response.headers["location"]).text)

        assert "Wrong password" in change("ana@example.org", "not it")
        assert "Email saved." in change(" Ana@Example.org")
        page = lxml.html.fromstring(client.get("/settings").text)
        assert page.xpath('//input[@name="email"]/@value') == ["ana@example.org"]
        assert client.get("/settings/export.json").json()["email"] == "ana@example.org"
        assert "does not look right" in change("ana at example.org")
        assert "Email saved." in change("ana@example.net")
        assert client.get("/settings/export.json").json()["email"] == "ana@example.net"
        assert "Email removed." in change("")
        assert client.get("/settings/export.json").json()["email"] is None
        change("ana@example.net")
        form = {"action": "delete", "password": PASSWORD}
        assert post(client, "/settings", form, "/settings").headers["location"] == "/"
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(users)).scalar_one() == 0
        assert sign_up(client, "bob", "ana@example.net").status_code == 303  # free again
    assert stored_emails(engine) == ["ana@example.net"]


def test_smtp_url_is_checked_at_start_up_without_showing_its_password(tmp_path: Path) -> None:
    for url in (
        "http://mail.example.org",
        "smtp://",
        "smtp://u:hunter2@host:notaport",
        "smtp://h/x",
    ):
        with pytest.raises(ValueError) as raised:
            make_mailer(settings_for(tmp_path, url), "http://127.0.0.1:8000")
        assert "BROADSHEET_SMTP_URL" in str(raised.value) and "hunter2" not in str(raised.value)
    server = parse_smtp_url("smtps://me%40example.org:p%3Ass@mail.example.org")
    assert (server.host, server.port, server.tls, server.user) == (
        "mail.example.org",
        465,
        True,
        "me@example.org",
    )
    assert server.password == "p:ss" and "p:ss" not in repr(server) and "p:ss" not in str(server)
    assert parse_smtp_url("smtp://127.0.0.1").port == 25
    assert make_mailer(settings_for(tmp_path, ""), "http://127.0.0.1:8000") is None
