"""Mailing the digest: a real SMTP server (aiosmtpd) on 127.0.0.1 receives what is sent.

A press office wanted `publish` to mail the week's digest to a list; mediadigest rendered an
e-mail HTML but could not send it.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from mediadigest.cli import app
from mediadigest.config import MailSettings, load_settings
from mediadigest.errors import ConfigError, MailError
from mediadigest.model import Digest, DigestItem, Quote
from mediadigest.web import persist, versions
from mediadigest.write import mail
from mediadigest.write.render import to_html, to_markdown
from smtp_server import Inbox, free_port, serve, serving
from web_support import WEEK

SENDER = "Пресс-служба <press@example.org>"
LIST = ("a@example.org", "b@example.org", "c@example.net")


def _digest() -> Digest:
    item = DigestItem(
        headline="Токаев встретился с Мирзиёевым — переговоры в Астане",
        outlet="Газета.uz",
        outlet_country="UZ",
        published=date(2025, 12, 16),
        author="Алия Сейтқали",
        summary=["Президенты обсудили водные ресурсы — и транзит через Каспий."],
        quote=Quote(text="Мы друзья и соседи.", speaker="Касым-Жомарт Токаев", start=0, end=19),
        attribution="Газета.uz reported",
        sources=[{"url": "https://gazeta.uz/ru/2025/12/16/tokayev/", "outlet": "Газета.uz"}],
        language="ru",
    )
    return Digest(
        period_from=date(2025, 12, 15),
        period_to=date(2025, 12, 21),
        intro="This week — one story from Uzbekistan’s press.",
        items=[item],
    )


def _text(part) -> str:
    """A part's text as it was rendered: mail carries lines ended with CRLF."""
    return part.get_content().replace("\r\n", "\n")


@pytest.fixture
def inbox():
    """A plain SMTP server (no TLS, no login) on 127.0.0.1; ``inbox.port`` is its port."""
    with serving(refuse=("nobody@example.org",)) as box:
        yield box


def _plain(port: int, **kwargs) -> MailSettings:
    given = {"timeout": 5.0, **kwargs}
    return MailSettings(host="127.0.0.1", port=port, security="none", sender=SENDER, **given)


def _send(port: int, recipients=LIST, **kwargs) -> mail.Sent:
    settings = _plain(port, **kwargs)
    message = mail.build_message(_digest(), sender=SENDER, recipients=recipients)
    return mail.send(message, recipients, settings)


# -- the message -------------------------------------------------------------------------------


def test_the_message_has_the_markdown_and_the_email_html_as_alternatives(inbox):
    _send(inbox.port)
    received = inbox.message()
    assert received.get_content_type() == "multipart/alternative"
    plain, html = received.get_payload()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert _text(plain) == to_markdown(_digest())
    assert _text(html) == to_html(_digest())


def test_cyrillic_names_and_the_em_dash_survive_the_trip(inbox):
    _send(inbox.port)
    received = inbox.message()
    assert received["Subject"] == "Foreign media digest: Dec. 15–21, 2025"
    assert received["From"] == SENDER
    text, html = _text(received.get_body(("plain",))), _text(received.get_body(("html",)))
    for words in ("Токаев встретился с Мирзиёевым — переговоры", "Касым-Жомарт", "Газета.uz"):
        assert words in text and words in html
    # Sent 7-bit clean: a server without 8BITMIME must not see raw UTF-8 bytes.
    assert inbox.envelopes[0].original_content.isascii()


def test_the_message_has_date_and_a_message_id_of_the_senders_domain(inbox):
    _send(inbox.port)
    received = inbox.message()
    assert received["Date"].datetime.tzinfo is not None
    assert received["Message-ID"].endswith("@example.org>")


def test_a_list_gets_one_message_its_addresses_only_in_the_envelope(inbox):
    """Journalists on a press list must not see each other's addresses (nor reply to all)."""
    sent = _send(inbox.port)
    assert len(inbox.envelopes) == 1
    assert inbox.envelopes[0].rcpt_tos == list(LIST) == sent.accepted
    assert inbox.envelopes[0].mail_from == "press@example.org"
    received = inbox.message()
    assert received["To"] == SENDER and received["Bcc"] is None
    headers = str(received).split("\n\n", 1)[0]
    assert not any(address in headers for address in LIST)


def test_one_reader_is_named_in_to(inbox):
    _send(inbox.port, recipients=("Editor <desk@example.org>",))
    assert inbox.message()["To"] == "Editor <desk@example.org>"
    assert inbox.envelopes[0].rcpt_tos == ["desk@example.org"]


# -- what goes wrong: one line naming the server ---------------------------------------------


def test_a_refused_connection_is_one_line_naming_the_server():
    port = free_port()  # nothing listens there
    with pytest.raises(MailError) as raised:
        _send(port)
    assert str(raised.value) == f"mail server 127.0.0.1:{port}: connection refused"


def test_a_server_that_never_answers_times_out():
    with socket.socket() as listening:  # takes the connection, never greets
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        with pytest.raises(MailError) as raised:
            mail.send(EmailMessage(), LIST, _plain(port, timeout=0.3))
    assert str(raised.value) == f"mail server 127.0.0.1:{port}: no answer within 0.3 s"


def test_every_recipient_refused_is_an_error_naming_them(inbox):
    with pytest.raises(MailError) as raised:
        _send(inbox.port, recipients=("nobody@example.org",))
    assert str(raised.value) == (
        f"mail server 127.0.0.1:{inbox.port}: the server refused every recipient "
        "(nobody@example.org: 550 5.1.1 no such user here): check mail.user/password/port; "
        "nothing was remembered"
    )


def test_a_recipient_refused_among_others_is_named_and_the_others_get_it(inbox):
    sent = _send(inbox.port, recipients=("a@example.org", "nobody@example.org"))
    assert sent.accepted == ["a@example.org"]
    assert sent.refused == {"nobody@example.org": "550 5.1.1 no such user here"}
    assert inbox.envelopes[0].rcpt_tos == ["a@example.org"]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"press",
        "пароль s3cret".encode(),
    )
    return AuthResult(success=ok, handled=False)


def test_a_wrong_password_is_one_line_naming_the_user_and_never_the_password():
    box = Inbox()
    controller = serve(box, authenticator=_authenticator, auth_require_tls=False)
    try:
        with pytest.raises(MailError) as raised:
            _send(controller.port, user="press", password="wrong-secret")
        said = str(raised.value)
        assert said.startswith(f"mail server 127.0.0.1:{controller.port}: login as 'press' ")
        assert "535" in said and "wrong-secret" not in said and "\n" not in said
        assert box.envelopes == []
        _send(controller.port, user="press", password="пароль s3cret")  # the right one
        assert len(box.envelopes) == 1
    finally:
        controller.stop()


# -- TLS: STARTTLS with login, and implicit TLS -------------------------------------------------


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted by the client (SSL_CERT_FILE, which
    ssl.create_default_context reads through OpenSSL)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a self-signed certificate with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_starttls_then_login_delivers_the_message(certificate):
    box = Inbox()
    controller = serve(box, tls_context=_server_context(certificate), require_starttls=True,
                       authenticator=_authenticator, auth_required=True)  # fmt: skip
    try:
        settings = MailSettings(host="127.0.0.1", port=controller.port, user="press",
                                password="пароль s3cret", sender=SENDER, timeout=5)  # fmt: skip
        message = mail.build_message(_digest(), sender=SENDER, recipients=LIST)
        mail.send(message, LIST, settings)
    finally:
        controller.stop()
    assert box.envelopes[0].rcpt_tos == list(LIST)
    assert box.message()["Subject"] == "Foreign media digest: Dec. 15–21, 2025"


def test_starttls_to_a_server_that_offers_none_says_so(inbox):
    settings = MailSettings(host="127.0.0.1", port=inbox.port, sender=SENDER, timeout=5)
    with pytest.raises(MailError, match=r": the server offers no STARTTLS \(security = "):
        mail.send(EmailMessage(), LIST, settings)


def test_a_certificate_the_client_does_not_trust_is_said_so(certificate, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    controller = serve(Inbox(), tls_context=_server_context(certificate))
    try:
        settings = MailSettings(host="127.0.0.1", port=controller.port, sender=SENDER, timeout=5)
        with pytest.raises(MailError) as raised:
            mail.send(EmailMessage(), LIST, settings)
    finally:
        controller.stop()
    assert str(raised.value) == (
        f"mail server 127.0.0.1:{controller.port}: TLS: the server's certificate is not "
        "trusted (self-signed certificate)"
    )


def test_implicit_tls_to_a_plain_server_says_tls_failed(inbox):
    settings = MailSettings(host="127.0.0.1", port=inbox.port, security="tls", sender=SENDER,
                            timeout=5)  # fmt: skip
    with pytest.raises(MailError, match=r": TLS failed \(.+\) \(is it STARTTLS\? security = "):
        mail.send(EmailMessage(), LIST, settings)


def test_implicit_tls_delivers_the_message(certificate):
    box = Inbox()
    controller = serve(box, ssl_context=_server_context(certificate))
    try:
        settings = MailSettings(host="127.0.0.1", port=controller.port, security="tls",
                                sender=SENDER, timeout=5)  # fmt: skip
        mail.send(mail.build_message(_digest(), sender=SENDER, recipients=LIST), LIST, settings)
    finally:
        controller.stop()
    assert len(box.envelopes) == 1


# -- settings: the [mail] table and MEDIADIGEST_MAIL_* ---------------------------------------


def test_the_mail_table_is_read_and_the_environment_beats_it(tmp_path):
    (tmp_path / "mediadigest.toml").write_text(
        '[mail]\nhost = "smtp.example.org"\nsecurity = "tls"\nuser = "press"\n'
        'from = "Пресс-служба <press@example.org>"\n'
        'to = ["a@example.org", "\\"Doe, Jane\\" <jane@example.org>"]\n',
        encoding="utf-8",
    )
    env = {"MEDIADIGEST_MAIL_PASSWORD": "s3cret", "MEDIADIGEST_MAIL_PORT": "2465"}
    got = load_settings(db=None, profile=None, env=env, cwd=tmp_path).mail
    assert got == MailSettings(host="smtp.example.org", port=2465, security="tls", user="press",
                               password="s3cret", sender=SENDER,
                               to=("a@example.org", '"Doe, Jane" <jane@example.org>'))  # fmt: skip
    assert got.server == "smtp.example.org:2465" and "s3cret" not in repr(got)
    env = {"MEDIADIGEST_MAIL_TO": "x@example.org, y@example.org"}
    assert load_settings(db=None, profile=None, env=env, cwd=tmp_path).mail.to == (
        "x@example.org",
        "y@example.org",
    )


def test_empty_mail_variables_are_unset_and_a_list_may_end_in_a_comma(tmp_path):
    env = {f"MEDIADIGEST_MAIL_{key}": " " for key in ("HOST", "PORT", "SECURITY", "PASSWORD")}
    env["MEDIADIGEST_MAIL_TO"] = "a@example.org, "
    got = load_settings(db=None, profile=None, env=env, cwd=tmp_path).mail
    assert got == MailSettings(to=("a@example.org",))


def test_the_port_follows_the_security_where_none_is_set():
    assert MailSettings(host="h").server == "h:587"
    assert MailSettings(host="h", security="tls").server == "h:465"
    assert MailSettings(host="h", security="none").server == "h:25"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("port = 70000", "mail.port: cannot use '70000' (give a port from 1 to 65535)"),
        ('security = "ssl"', "mail.security: cannot use 'ssl' (give starttls, tls"),
        ('to = ["a@example.org", "not an address"]', "mail.to: cannot use 'not an address' ("),
        ('from = "press"', "mail.from: cannot use 'press' (give an e-mail address"),
        # A line break in a quoted name passed, and the header made a traceback after publishing.
        ('from = "\\"x\\nBcc: e@example.net\\" <c@example.org>"', "mail.from: cannot use '\"x"),
        ("timeout = 0", "mail.timeout: cannot use '0' (give seconds above 0, at most 600)"),
        ('hots = "smtp.example.org"', "mail.hots: unknown key; did you mean host?"),
        ("password = 12345", "mail.password: cannot use it (give a string)"),
        ('unsubscribe = ["ftp://example.org/x"]', "mail.unsubscribe: cannot use 'ftp://example"),
        ('unsubscribe = ["mailto:leave"]', "mail.unsubscribe: cannot use 'mailto:leave' (give"),
        ('unsubscribe = "mailto:a@b.org>, <x"', "mail.unsubscribe: cannot use 'mailto:a@b.org>'"),
        ('unsubscribe = ["https://пример.рф/"]', "mail.unsubscribe: cannot use 'https://пример"),
    ],
)
def test_a_bad_mail_setting_is_an_error_naming_it(tmp_path, line, said):
    config = tmp_path / "mediadigest.toml"
    config.write_text(f"[mail]\n{line}\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert str(raised.value).startswith(f"config file {config}: {said}")
    if "Bcc" in line:
        assert str(raised.value).endswith(
            "(an address holds a line break or another control character)"
        )


def test_unsubscribe_addresses_are_read_from_the_file_and_the_environment(tmp_path):
    (tmp_path / "mediadigest.toml").write_text(
        '[mail]\nunsubscribe = ["mailto:leave@example.org?subject=unsubscribe", '
        '"https://example.org/leave"]\n'
    )
    read = load_settings(db=None, profile=None, env={}, cwd=tmp_path).mail.unsubscribe
    assert read == ("mailto:leave@example.org?subject=unsubscribe", "https://example.org/leave")
    env = {"MEDIADIGEST_MAIL_UNSUBSCRIBE": "mailto:out@example.org, "}
    assert load_settings(db=None, profile=None, env=env, cwd=tmp_path).mail.unsubscribe == (
        "mailto:out@example.org",
    )


def test_a_bad_mail_variable_is_an_error_naming_the_variable(tmp_path):
    with pytest.raises(ConfigError, match=r"^MEDIADIGEST_MAIL_SECURITY: cannot use 'SSL3' "):
        load_settings(db=None, profile=None, env={"MEDIADIGEST_MAIL_SECURITY": "SSL3"},
                      cwd=tmp_path)  # fmt: skip


def test_a_mail_table_in_a_shared_file_is_mediadigests_own(tmp_path):
    """Beside a [mediadigest] table, a top-level [mail] is another tool's."""
    (tmp_path / "mediadigest.toml").write_text(
        '[mediadigest.mail]\nhost = "ours.example.org"\n[mail]\nserver = 5\n'
    )
    assert load_settings(db=None, profile=None, env={}, cwd=tmp_path).mail.host == (
        "ours.example.org"
    )


# -- the commands: publish --mail, digest --mail-to --------------------------------------------


@pytest.fixture
def mailing(inbox, monkeypatch):
    """The CLI's [mail] settings pointing at ``inbox``, with the list ``LIST``."""
    for name, value in (("HOST", "127.0.0.1"), ("PORT", str(inbox.port)), ("SECURITY", "none"),
                        ("FROM", SENDER), ("TO", ",".join(LIST))):  # fmt: skip
        monkeypatch.setenv(f"MEDIADIGEST_MAIL_{name}", value)
    return inbox


def _cli(seeded, *args: str):
    return CliRunner().invoke(app, ["--db", seeded.settings.db, *args])


def _versions(seeded) -> list[dict]:
    with seeded.engine.connect() as conn:
        return versions.list_versions(conn)


def test_publish_mail_sends_the_version_just_published_to_the_list(seeded, mailing):
    result = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert result.exit_code == 0, result.output
    assert f"version 1: mailed to 3 recipients via 127.0.0.1:{mailing.port}" in result.output
    assert mailing.envelopes[0].rcpt_tos == list(LIST)
    with seeded.engine.connect() as conn:
        published = versions.get_version(conn, _versions(seeded)[0]["id"]) or {}
        logged = conn.execute(sa.select(persist.audit_log.c.action, persist.audit_log.c.detail))
        want = {"version": 1, "recipients": 3, "refused": 0, "to": "list"}
        assert ("digest.mail", want) in [tuple(r) for r in logged]
    from mediadigest.write.render import from_dict

    html = _text(mailing.message().get_body(("html",)))
    assert html == to_html(from_dict(published["content"]))


def test_a_failed_send_leaves_the_version_published_and_mailing_again_publishes_nothing_new(
    seeded, mailing, monkeypatch
):
    monkeypatch.setenv("MEDIADIGEST_MAIL_PORT", str(free_port()))  # nothing listens
    failed = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert failed.exit_code == 1
    assert "published version 1 of" in failed.output
    assert "version 1 was not mailed: mail server 127.0.0.1:" in failed.output
    assert "connection refused; it stays published" in failed.output
    assert "Traceback" not in failed.output and len(_versions(seeded)) == 1
    monkeypatch.setenv("MEDIADIGEST_MAIL_PORT", str(mailing.port))
    again = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert again.exit_code == 0, again.output
    assert "Already published as version 1; nothing changed since." in again.output
    assert "version 1: mailed to 3 recipients" in again.output
    assert len(_versions(seeded)) == 1 and len(mailing.envelopes) == 1


def test_a_run_again_once_the_list_has_it_mails_no_one_unless_asked_to_mail_again(seeded, mailing):
    # A cron's retry (or a second run by hand) mailed every reader on the list again.
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 0
    again = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert again.exit_code == 0, again.output
    assert "version 1 went to the list on " in again.output
    assert "`publish --mail-again` mails it again" in again.output
    assert len(mailing.envelopes) == 1
    forced = _cli(seeded, "publish", "--week", WEEK, "--mail-again")
    assert forced.exit_code == 0 and "version 1: mailed to 3 recipients" in forced.output
    to_one = _cli(seeded, "publish", "--week", WEEK, "--mail-to", "desk@example.org")
    assert to_one.exit_code == 0 and "mailed to 1 recipient" in to_one.output
    assert [len(e.rcpt_tos) for e in mailing.envelopes] == [3, 3, 1]


def test_mail_to_the_list_says_how_to_leave_it_and_mail_to_others_does_not(
    seeded, mailing, monkeypatch
):
    """A reader of a press office's list had no way out but "Report spam" (a client offers
    an Unsubscribe button for a List-Unsubscribe header); a draft or a colleague's copy is
    on no list."""
    leave = "mailto:leave@example.org?subject=unsubscribe,https://example.org/leave"
    monkeypatch.setenv("MEDIADIGEST_MAIL_UNSUBSCRIBE", leave)
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 0
    assert mailing.message()["List-Unsubscribe"].strip() == (
        "<mailto:leave@example.org?subject=unsubscribe>, <https://example.org/leave>"
    )
    assert _cli(seeded, "publish", "--week", WEEK, "--mail-to", "desk@example.org").exit_code == 0
    assert _cli(seeded, "digest", "--week", WEEK, "--mail-to", "desk@example.org").exit_code == 0
    assert [len(e.rcpt_tos) for e in mailing.envelopes] == [3, 1, 1]
    assert mailing.message(1)["List-Unsubscribe"] is None
    assert mailing.message(2)["List-Unsubscribe"] is None


def test_mail_to_overrides_the_list(seeded, mailing):
    result = _cli(seeded, "publish", "--week", WEEK, "--mail-to", "desk@example.org",
                  "--mail-to", "Главред <chief@example.org>")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert mailing.envelopes[0].rcpt_tos == ["desk@example.org", "chief@example.org"]


def test_publish_mail_without_a_server_set_is_refused_before_publishing(seeded):
    result = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert result.exit_code == 2
    assert "cannot mail the digest: set [mail] host (MEDIADIGEST_MAIL_HOST)" in result.output
    assert _versions(seeded) == []


def test_a_refused_recipient_is_named_and_the_command_exits_1(seeded, mailing):
    result = _cli(seeded, "publish", "--week", WEEK, "--mail-to", "a@example.org",
                  "--mail-to", "nobody@example.org")  # fmt: skip
    assert result.exit_code == 1
    assert "refused 1 (nobody@example.org (550 5.1.1 no such user here))" in result.output
    assert mailing.envelopes[0].rcpt_tos == ["a@example.org"]


def test_digest_mail_to_sends_a_draft_for_review_and_prints_nothing(seeded, mailing):
    result = CliRunner().invoke(
        app, ["--db", seeded.settings.db, "digest", "--week", WEEK, "--mail-to", "desk@example.org"]
    )
    assert result.exit_code == 0, result.output
    assert "the draft: mailed to 1 recipient" in result.output
    assert "# Foreign media digest" not in result.output
    received = mailing.message()
    assert received["Subject"].startswith("[Draft] Foreign media digest: ")
    assert mailing.envelopes[0].rcpt_tos == ["desk@example.org"]  # never the list
    assert _versions(seeded) == []


def test_a_bad_mail_to_address_is_a_usage_error(seeded, mailing):
    result = _cli(seeded, "digest", "--week", WEEK, "--mail-to", "desk")
    assert result.exit_code == 2
    assert "'desk': give an e-mail address" in result.output


def test_a_domain_beyond_ascii_goes_in_idna_and_a_mailbox_beyond_it_alone_is_refused():
    # One Cyrillic address stopped the whole mailing on a server without SMTPUTF8.
    box = Inbox()
    controller = serve(box, enable_SMTPUTF8=False)
    try:
        readers = ("ok@example.org", "Редакция <ed@пример.рф>", "ред@example.org")
        sent = _send(box.port, recipients=readers)
        assert box.envelopes[0].rcpt_tos == ["ok@example.org", "ed@xn--e1afmkfd.xn--p1ai"]
        assert sent.refused == {"ред@example.org": mail._NO_SMTPUTF8}
        assert box.envelopes[0].original_content.isascii()
        _send(box.port, recipients=("Редакция <ed@пример.рф>",))
        assert box.message(1)["To"] == "Редакция <ed@xn--e1afmkfd.xn--p1ai>"
        with pytest.raises(MailError, match="needs SMTPUTF8"):
            _send(box.port, recipients=("ред@example.org",))
    finally:
        controller.stop()


def test_a_sender_of_a_domain_beyond_ascii_has_a_message_id_in_idna(inbox):
    # Its Message-ID took the raw domain: a UnicodeEncodeError after the version was published.
    sender = "Пресс-служба <press@пример.рф>"
    message = mail.build_message(_digest(), sender=sender, recipients=LIST)
    settings = MailSettings(host="127.0.0.1", port=inbox.port, security="none", sender=sender)
    mail.send(message, LIST, settings)
    received = inbox.message()
    assert received["Message-ID"].endswith("@xn--e1afmkfd.xn--p1ai>")
    assert received["From"] == "Пресс-служба <press@xn--e1afmkfd.xn--p1ai>"
