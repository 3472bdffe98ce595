"""E-mail over TLS: STARTTLS on a submission port and TLS from the first byte, against a
real SMTP server (aiosmtpd) on 127.0.0.1 with a certificate from an authority made here.

The channel checks the server's certificate (against ``?cafile=`` when given, else the
system's authorities) and never sends the password or the message in plain text when
the URL asks for TLS. The jurisdiction is in alerts_support.py: the check of
2024-04-16 sends one e-mail digest to dept-a and one to dept-b.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from dirtrack.alerts import DeliveryError, Digest, EmailChannel, deliver, list_alerts
from dirtrack.escalation import check_deadlines

from .alerts_support import EMAIL_ALL, SMTP_ENV, d, deliveries, setup

T0 = datetime(2024, 4, 16, 1, 0, tzinfo=UTC)
PASSWORD = "pw-7c41e9"


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An authority's certificate (``ca``) and the mail server's certificate and key that it
    signed, for 127.0.0.1 and localhost, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def builder(subject: str, issuer: x509.Name, key: Any) -> x509.CertificateBuilder:
        now = datetime.now(UTC)
        return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(issuer)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=30)))

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (builder("Tinh Thu Root CA", name("Tinh Thu Root CA"), ca_key)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    server = (builder("mail.tinh.example", ca.subject, key)
              .add_extension(x509.SubjectAlternativeName([
                  x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                  critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                             critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                  ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    files = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return files


class MailServer:
    """A real SMTP server on 127.0.0.1 that accepts ``alerts``/PASSWORD and records every
    message and every login attempt (name, password).

    ``starttls``: offers STARTTLS with the certificate and refuses MAIL and AUTH before
    it; ``implicit``: TLS from the first byte; neither: plain text only, and it would take
    a password in plain text (so a refusal to send one is the client's).
    """

    def __init__(self, authority: dict[str, Path] | None = None, *, implicit: bool = False,
                 host: str = "127.0.0.1") -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[str, str]] = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                server.messages.append(
                    message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
                return "250 OK"

        def authenticator(smtp: Any, session: Any, envelope: Any, mechanism: str,
                          login: Any) -> AuthResult:
            server.logins.append((login.login.decode(), login.password.decode()))
            return AuthResult(success=(login.login, login.password)
                              == (b"alerts", PASSWORD.encode()))

        class AnyPort(Controller):  # type: ignore[misc]
            def _trigger_server(self) -> None:
                # bound to port 0: read the port the system chose before the first connect
                self.port = self.server.sockets[0].getsockname()[1]
                super()._trigger_server()

        options: dict[str, Any] = {"authenticator": authenticator, "auth_require_tls": False}
        if authority is not None:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(authority["cert"], authority["key"])
            if implicit:
                options["ssl_context"] = tls
            else:
                options.update(tls_context=tls, require_starttls=True, auth_require_tls=True)
        self.controller = AnyPort(Handler(), hostname=host, port=0, ready_timeout=30,
                                  **options)
        self.controller.start()
        self.port = self.controller.port

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def starttls_server(authority: dict[str, Path]) -> Iterator[MailServer]:
    server = MailServer(authority)
    yield server
    server.close()


@pytest.fixture
def tls_server(authority: dict[str, Path]) -> Iterator[MailServer]:
    server = MailServer(authority, implicit=True)
    yield server
    server.close()


@pytest.fixture
def plain_server() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.close()


def _run(engine, tmp_path: Path, now: datetime = T0):  # type: ignore[no-untyped-def]
    """One deadline check and one delivery, as the deadline-check flow does."""
    check_deadlines(engine, d("2024-04-16"))
    return deliver(engine, now, tmp_path / "alerts")


def _digest() -> Digest:
    return Digest(id="d-3f9a", recipient_id="dept-a", recipient_name="Sở Kế hoạch",
                  recipient_email="ske@tinh.example", channel="email",
                  as_of=date(2024, 4, 16), subject="Cảnh báo", body="Nhiệm vụ quá hạn")


def test_starttls_checks_the_certificate_logs_in_and_sends_each_digest_once(
        engine, tmp_path, starttls_server, authority, monkeypatch):
    monkeypatch.setenv(SMTP_ENV, f"smtp+starttls://alerts:{PASSWORD}@127.0.0.1:"
                                 f"{starttls_server.port}?cafile={authority['ca']}")
    setup(engine, tmp_path, language="vi", channels=EMAIL_ALL)

    first = _run(engine, tmp_path)
    again = _run(engine, tmp_path, T0 + timedelta(minutes=5))

    assert (first.digests_sent, first.alerts_sent, first.errors) == (4, 6, [])  # half on the log
    assert (again.digests_sent, again.errors) == (0, [])
    ids = {x["recipient_id"]: x["id"] for x in deliveries(engine) if x["channel"] == "email"}
    assert sorted((m["To"], m["Message-ID"]) for m in starttls_server.messages) == [
        ("ske@tinh.example", f"<{ids['dept-a']}@dirtrack>"),
        ("svh@tinh.example", f"<{ids['dept-b']}@dirtrack>")]
    assert starttls_server.logins == [("alerts", PASSWORD)] * 2
    assert {a.status for a in list_alerts(engine) if a.channel == "email"} == {"delivered"}


def test_starttls_refuses_a_server_that_does_not_offer_it_and_sends_nothing(
        engine, tmp_path, plain_server, monkeypatch):
    monkeypatch.setenv(SMTP_ENV, f"smtp+starttls://alerts:{PASSWORD}@127.0.0.1:"
                                 f"{plain_server.port}")
    setup(engine, tmp_path, language="vi", channels=EMAIL_ALL)

    run = _run(engine, tmp_path)

    port = plain_server.port
    assert sorted(run.errors) == [
        f"email to dept-a: SMTP server 127.0.0.1:{port} does not offer STARTTLS; "
        "nothing was sent",
        f"email to dept-b: SMTP server 127.0.0.1:{port} does not offer STARTTLS; "
        "nothing was sent"]
    assert (plain_server.messages, plain_server.logins) == ([], [])
    assert {(a.recipient, a.status) for a in list_alerts(engine) if a.channel == "email"} == {
        ("dept-a", "pending"), ("dept-b", "pending")}


def test_starttls_refuses_a_certificate_from_an_authority_it_was_not_given(
        starttls_server):
    channel = EmailChannel(f"smtp+starttls://alerts:{PASSWORD}@127.0.0.1:{starttls_server.port}",
                           "canhbao@tinh.example")

    with pytest.raises(DeliveryError) as refused:
        channel.send(_digest())

    assert str(refused.value) == (
        f"SMTP server 127.0.0.1:{starttls_server.port} has a certificate that cannot be "
        "trusted (unable to get local issuer certificate); if a local authority signed it, "
        "add ?cafile=/path/ca.pem to the URL")
    assert (starttls_server.messages, starttls_server.logins) == ([], [])


def test_starttls_refuses_a_certificate_for_another_host(authority):
    # The certificate names 127.0.0.1 and localhost; this server is reached as 127.0.0.2.
    server = MailServer(authority, host="127.0.0.2")
    channel = EmailChannel(f"smtp+starttls://alerts:{PASSWORD}@127.0.0.2:{server.port}"
                           f"?cafile={authority['ca']}", "canhbao@tinh.example")
    try:
        with pytest.raises(DeliveryError) as refused:
            channel.send(_digest())
    finally:
        server.close()

    assert str(refused.value) == (
        f"SMTP server 127.0.0.2:{server.port} has a certificate that cannot be trusted "
        "(IP address mismatch, certificate is not valid for '127.0.0.2'.); if a local "
        "authority signed it, add ?cafile=/path/ca.pem to the URL")
    assert (server.messages, server.logins) == ([], [])


def test_smtps_speaks_tls_from_the_start_and_checks_the_certificate(tls_server, authority):
    url = f"smtps://alerts:{PASSWORD}@127.0.0.1:{tls_server.port}"
    digest = _digest()

    with pytest.raises(DeliveryError) as refused:
        EmailChannel(url, "canhbao@tinh.example").send(digest)
    assert tls_server.messages == []
    EmailChannel(f"{url}?cafile={authority['ca']}", "canhbao@tinh.example").send(digest)

    assert str(refused.value) == (
        f"SMTP server 127.0.0.1:{tls_server.port} has a certificate that cannot be trusted "
        "(unable to get local issuer certificate); if a local authority signed it, add "
        "?cafile=/path/ca.pem to the URL")
    assert [(m["To"], m["Message-ID"], m["Subject"]) for m in tls_server.messages] == [
        ("ske@tinh.example", "<d-3f9a@dirtrack>", "Cảnh báo")]
    assert tls_server.logins == [("alerts", PASSWORD)]


@pytest.mark.parametrize(("url", "error"), [
    ("smtp+starttls://127.0.0.1:1?cafile=/nonexistent/ca.pem",
     "the SMTP URL's cafile /nonexistent/ca.pem cannot be read as PEM certificates: "
     "FileNotFoundError"),
    ("smtp+starttls://127.0.0.1:1?ca_file=/etc/ca.pem",
     "the SMTP URL has an unknown parameter 'ca_file' (known: cafile)"),
    ("smtp://127.0.0.1:1?cafile=/etc/ca.pem",
     "cafile is for smtps:// and smtp+starttls:// URLs"),
    ("smtp+tls://127.0.0.1:1",
     "the SMTP URL must start with smtp://, smtps:// or smtp+starttls://; fix the "
     "environment variable it comes from"),
])
def test_a_mistaken_smtp_url_is_one_line_that_names_the_mistake(url, error):
    with pytest.raises(DeliveryError) as refused:
        EmailChannel(url, "canhbao@tinh.example").send(_digest())

    assert str(refused.value) == error
