"""E-mail digests over ``smtps://`` (docs/format.md: ``smtps://`` for TLS): a real SMTP
server on 127.0.0.1 that speaks TLS from the first byte (aiosmtpd with an SSL context),
with a certificate for 127.0.0.1 made for the test and signed by itself.

The client is pointed at that certificate the standard way (``SSL_CERT_FILE``), so the
test holds whether or not the e-mail channel checks the server's certificate.

The jurisdiction is in alerts_support.py; as of 16/04 dept-a (Sở Kế hoạch,
ske@tinh.example) has two alerts (prep overdue, and the root cause of main) and
dept-b (Sở Văn hóa, svh@tinh.example) one (main overdue).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from dirtrack.alerts import deliver, list_alerts
from dirtrack.escalation import check_deadlines

from .alerts_support import EMAIL_ALL, SMTP_ENV, d, deliveries, setup

# aiosmtpd warns of AUTH allowed without STARTTLS; here the whole connection is TLS.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning")
NOW = dt.datetime(2024, 4, 16, 1, 0, tzinfo=dt.UTC)
LOGIN, PASSWORD = "canhbao", "mat-khau du dai 42"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """Write a certificate for 127.0.0.1 signed by its own key; return (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class SmtpsReceiver:
    """An SMTP server with implicit TLS that asks for a login; records each message with
    the TLS version it came over and the login used."""

    cert: Path
    key: Path
    messages: list[tuple[EmailMessage, str, str]] = field(default_factory=list)
    controller: Any = None

    def __post_init__(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                tls = server.transport.get_extra_info("ssl_object")
                receiver.messages.append((
                    message_from_bytes(envelope.content, policy=policy.default),  # type: ignore[arg-type]
                    tls.version() if tls is not None else "plain text",
                    session.auth_data.decode() if session.authenticated else ""))
                return "250 OK"

        def check(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
            ok = (auth_data.login, auth_data.password) == (LOGIN.encode(), PASSWORD.encode())
            return AuthResult(success=ok, handled=False, auth_data=auth_data.login)

        class AnyPort(Controller):  # type: ignore[misc]
            def _create_server(self) -> Any:
                # A client that does not start TLS is dropped after a second, not after
                # its own ten-second wait for a greeting.
                return self.loop.create_server(self._factory_invoker, host=self.hostname,
                                               port=self.port, ssl=self.ssl_context,
                                               ssl_handshake_timeout=1.0)

            def _trigger_server(self) -> None:
                self.port = self.server.sockets[0].getsockname()[1]
                super()._trigger_server()

        # TLS is the connection itself (implicit TLS), so AUTH needs no STARTTLS first.
        self.controller = AnyPort(Handler(), hostname="127.0.0.1", port=0, ready_timeout=30,
                                  ssl_context=context, authenticator=check,
                                  auth_required=True, auth_require_tls=False)
        self.controller.start()

    def url(self, scheme: str = "smtps") -> str:
        return f"{scheme}://{LOGIN}:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{self.controller.port}"

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpsReceiver]:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the only certificate the client trusts
    receiver = SmtpsReceiver(cert, key)
    yield receiver
    receiver.close()


def test_digests_go_out_over_implicit_tls_with_the_login_of_the_smtps_url(
        engine, tmp_path, smtps, monkeypatch):
    monkeypatch.setenv(SMTP_ENV, smtps.url())
    setup(engine, tmp_path, language="vi", channels=EMAIL_ALL)
    check_deadlines(engine, d("2024-04-16"))

    report = deliver(engine, NOW, tmp_path / "alerts")

    assert (report.digests_sent, report.digests_failed, report.errors) == (4, 0, [])
    assert dict(report.by_channel) == {"log": 2, "email": 2}
    ids = {x["recipient_id"]: x["id"] for x in deliveries(engine) if x["channel"] == "email"}
    assert sorted((m["To"], m["From"], m["Message-ID"], version, login)
                  for m, version, login in smtps.messages) == [
        ("ske@tinh.example", "canhbao@tinh.example", f"<{ids['dept-a']}@dirtrack>",
         "TLSv1.3", LOGIN),
        ("svh@tinh.example", "canhbao@tinh.example", f"<{ids['dept-b']}@dirtrack>",
         "TLSv1.3", LOGIN)]
    assert {(a.recipient, a.status) for a in list_alerts(engine) if a.channel == "email"} == {
        ("dept-a", "delivered"), ("dept-b", "delivered")}


def test_a_plain_smtp_url_to_the_tls_port_fails_and_the_digest_waits(
        engine, tmp_path, smtps, monkeypatch):
    """The scheme decides: smtp:// to a server that speaks only TLS gets no answer it
    can read; the digests stay pending, with the reason, for the next run."""
    monkeypatch.setenv(SMTP_ENV, smtps.url("smtp"))
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "0")
    setup(engine, tmp_path, language="vi", channels=EMAIL_ALL)
    check_deadlines(engine, d("2024-04-16"))

    report = deliver(engine, NOW, tmp_path / "alerts")

    port = smtps.controller.port
    assert (report.digests_sent, report.digests_failed) == (2, 2)  # the log ones went out
    assert sorted(report.errors) == [
        f"email to {unit}: SMTP server 127.0.0.1:{port} refused or unreachable: "
        "SMTPServerDisconnected" for unit in ("dept-a", "dept-b")]
    assert smtps.messages == []
    assert {(a.recipient, a.status) for a in list_alerts(engine) if a.channel == "email"} == {
        ("dept-a", "pending"), ("dept-b", "pending")}


def test_a_password_smtp_cannot_carry_fails_that_digest_in_one_line(
        engine, tmp_path, smtps, monkeypatch):
    """A password with Vietnamese letters cannot go into an SMTP login: the digest waits
    with a reason that names the server and never the password; the run goes on."""
    monkeypatch.setenv(SMTP_ENV, smtps.url().replace(PASSWORD.replace(" ", "%20"),
                                                     "m%E1%BA%ADt-kh%E1%BA%A9u"))
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "0")
    setup(engine, tmp_path, language="vi", channels=EMAIL_ALL)
    check_deadlines(engine, d("2024-04-16"))

    report = deliver(engine, NOW, tmp_path / "alerts")

    port = smtps.controller.port
    assert (report.digests_sent, report.digests_failed) == (2, 2)
    assert sorted(report.errors) == [
        f"email to {unit}: the user name or password for SMTP server 127.0.0.1:{port} holds "
        "characters SMTP logins cannot carry; use ASCII ones in the URL of the channel's "
        "secret" for unit in ("dept-a", "dept-b")]
    assert smtps.messages == []
