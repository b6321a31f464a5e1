"""Mail a rendered digest: one MIME message (the Markdown as text, the e-mail HTML), over SMTP.

A list gets one message, its recipients only in the envelope (as Bcc would put them): a press
office's list is of journalists and partners who must not see, or reply to, each other's
addresses. The message's To is then the sender; a message to one reader names that reader.
"""

from __future__ import annotations

import base64
import email.policy
import email.utils
import logging
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

from mediadigest.config import MAIL_PORTS, MailSettings
from mediadigest.errors import ConfigError, MailError
from mediadigest.model import Digest
from mediadigest.write.render.html import to_html
from mediadigest.write.render.markdown import title, to_markdown

log = logging.getLogger(__name__)

# SMTP's line length limit (RFC 5322 2.1.1) and the 7-bit transfer every server takes: the
# parts are quoted-printable or base64 (8BITMIME is widespread, not universal; a server
# without it mangles or refuses UTF-8 bytes sent raw).
_POLICY = email.policy.SMTP.clone(cte_type="7bit")


@dataclass(slots=True)
class Sent:
    """What the server took: ``refused`` maps an address it would not take to its reply."""

    server: str
    accepted: list[str]
    refused: dict[str, str] = field(default_factory=dict)


def check_ready(mail: MailSettings, recipients: Sequence[str]) -> None:
    """ConfigError naming what is missing before anything is sent (or published)."""
    missing = [
        f"[mail] {key} (MEDIADIGEST_MAIL_{key.upper()})"
        for key, value in (("host", mail.host), ("from", mail.sender))
        if not value
    ]
    if not recipients:
        missing.append("recipients: [mail] to (MEDIADIGEST_MAIL_TO), or --mail-to ADDR")
    if missing:
        raise ConfigError(f"cannot mail the digest: set {'; '.join(missing)}")
    if mail.password and not mail.user:
        raise ConfigError("[mail] password is set but user is not: set user to log in")


def build_message(
    digest: Digest,
    *,
    sender: str,
    recipients: Sequence[str],
    subject_prefix: str = "",
    now: datetime | None = None,
    unsubscribe: Sequence[str] = (),
) -> EmailMessage:
    """The digest as multipart/alternative: text/plain (Markdown) first, text/html last, as
    RFC 2046 orders them (a client shows the last part it can). ``unsubscribe``: the
    List-Unsubscribe header's URIs (RFC 2369), for a message to a list."""
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = f"{subject_prefix}{title(digest)}"
    message["From"] = _header_address(sender)
    message["To"] = _header_address(recipients[0] if len(recipients) == 1 else sender)
    message["Date"] = email.utils.format_datetime(now or datetime.now(UTC))
    domain = _ascii_domain(email.utils.parseaddr(sender)[1]).rpartition("@")[2] or None
    # The sender's domain, not this machine's name (often "localhost" in a container, which
    # spam filters score against).
    message["Message-ID"] = email.utils.make_msgid("mediadigest", domain=domain)
    if unsubscribe:
        message["List-Unsubscribe"] = ", ".join(f"<{uri}>" for uri in unsubscribe)
    message.set_content(to_markdown(digest), subtype="plain", charset="utf-8")
    message.add_alternative(to_html(digest), subtype="html", charset="utf-8")
    return message


def send_digest(
    digest: Digest, recipients: Sequence[str], mail: MailSettings, *, subject_prefix: str = ""
) -> Sent:
    """Build ``digest``'s message from the settings' sender and send it (see `send`). Mail
    to the ``[mail]`` list says how to leave it (``unsubscribe``); mail to other addresses
    (a reviewer's draft, a colleague's copy) does not: they are on no list."""
    to_the_list = bool(mail.to) and set(recipients) == set(mail.to)
    message = build_message(digest, sender=mail.sender or "", recipients=recipients,
                            subject_prefix=subject_prefix,
                            unsubscribe=mail.unsubscribe if to_the_list else ())  # fmt: skip
    return send(message, recipients, mail)


def send(message: EmailMessage, recipients: Sequence[str], mail: MailSettings) -> Sent:
    """Send ``message`` once to every recipient; MailError (one line naming the server and
    the problem) where it is not sent at all. Recipients the server refused while it took
    the others are in the result's ``refused``."""
    envelope = [_ascii_domain(email.utils.parseaddr(r)[1]) for r in recipients]
    if mail.user and mail.security == "none":  # allowed: a relay on the same host or network
        log.warning("mail server %s: logging in without TLS: the password in clear", mail.server)
    sender = _ascii_domain(email.utils.parseaddr(mail.sender or "")[1])
    # A mailbox name beyond ASCII (ред@example.kz) needs the server's SMTPUTF8; without it,
    # smtplib refused the whole message for one such reader.
    unsendable: dict[str, str] = {}
    try:
        with _connect(mail) as smtp:
            if mail.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if mail.user:
                _login(smtp, mail.user, mail.password or "")
            smtp.ehlo_or_helo_if_needed()
            if not smtp.has_extn("smtputf8"):
                unsendable = {a: _NO_SMTPUTF8 for a in envelope if not a.isascii()}
                if unsendable and len(unsendable) == len(envelope):
                    raise smtplib.SMTPRecipientsRefused({a: (0, _NO_SMTPUTF8) for a in envelope})
            to = [a for a in envelope if a not in unsendable]
            refused = smtp.send_message(message, from_addr=sender, to_addrs=to)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(mail.server, _problem(exc, mail)) from None
    said = unsendable | {addr: _reply(code, text) for addr, (code, text) in refused.items()}
    log.info("mailed %s to %d recipients via %s", message["Subject"], len(envelope), mail.server)
    return Sent(mail.server, [a for a in envelope if a not in said], said)


_NO_SMTPUTF8 = "a mailbox name beyond ASCII needs SMTPUTF8, which the server does not offer"


def _ascii_domain(address: str) -> str:
    """``address`` with its domain in IDNA (ed@пример.рф -> ed@xn--e1afmkfd.xn--p1ai): a domain
    beyond ASCII needs no SMTPUTF8 then, which few servers offer."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address  # no IDNA name: the server says what it makes of it


def _header_address(value: str) -> str:
    """A From or To header's address, its domain in IDNA as in the envelope (a name beyond
    ASCII is encoded by the policy); the message stays 7-bit."""
    name, address = email.utils.parseaddr(value)
    address = _ascii_domain(address)
    if not address or not address.isascii():  # a mailbox name beyond ASCII: as given
        return value
    return email.utils.formataddr((name, address))


def _connect(mail: MailSettings) -> smtplib.SMTP:
    assert mail.host is not None  # check_ready
    port = mail.port or MAIL_PORTS[mail.security]
    if mail.security == "tls":
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(mail.host, port, timeout=mail.timeout, context=context)
    return smtplib.SMTP(mail.host, port, timeout=mail.timeout)


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; a name or password beyond ASCII by AUTH PLAIN in UTF-8 (RFC 4616), which
    smtplib's login cannot send (it encodes them as ASCII: a UnicodeEncodeError)."""
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError("a password beyond ASCII needs AUTH PLAIN")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _problem(exc: BaseException, mail: MailSettings) -> str:
    """What went wrong, in the user's words, one line, never the password."""
    match exc:
        case smtplib.SMTPAuthenticationError():
            return f"login as {mail.user!r} refused ({_reply(exc.smtp_code, exc.smtp_error)})"
        case smtplib.SMTPNotSupportedError() if mail.security == "starttls":
            return 'the server offers no STARTTLS (security = "tls" for port 465, or "none")'
        case smtplib.SMTPNotSupportedError():
            return f"the server does not support that: {_one_line(str(exc))}"
        case smtplib.SMTPRecipientsRefused():
            refused = "; ".join(f"{a} ({_reply(*r)})" for a, r in exc.recipients.items())
            return f"every recipient refused: {refused}"
        case smtplib.SMTPSenderRefused():
            return f"sender {exc.sender} refused ({_reply(exc.smtp_code, exc.smtp_error)})"
        case smtplib.SMTPResponseException():
            return f"the server refused the message ({_reply(exc.smtp_code, exc.smtp_error)})"
        case smtplib.SMTPServerDisconnected() if isinstance(exc.__context__, TimeoutError):
            return _problem(exc.__context__, mail)  # smtplib's word for a reply timed out
        case smtplib.SMTPServerDisconnected():
            return "the server closed the connection" + _implicit_tls(mail)
        case ssl.SSLCertVerificationError():
            return f"TLS: the server's certificate is not trusted ({exc.verify_message})"
        case ssl.SSLError():
            hint = ' (is it STARTTLS? security = "starttls")' if mail.security == "tls" else ""
            return f"TLS failed ({exc.reason or exc}){hint}"
        case ConnectionRefusedError():
            return "connection refused"
        case TimeoutError():  # socket.timeout is TimeoutError since 3.10
            return f"no answer within {mail.timeout:g} s{_implicit_tls(mail)}"
        case socket.gaierror():
            return f"unknown host ({exc.strerror})"
        case OSError():
            return exc.strerror or _one_line(str(exc)) or type(exc).__name__
    return _one_line(str(exc)) or type(exc).__name__


def _implicit_tls(mail: MailSettings) -> str:
    # A server on 465 waits for a TLS handshake while a plain client waits for its greeting.
    if mail.security != "tls" and (mail.port or MAIL_PORTS[mail.security]) == 465:
        return ' (port 465 is implicit TLS: security = "tls")'
    return ""


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {_one_line(said)}".strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())
