"""Mail a rendered digest: one MIME message (the Markdown as text, the e-mail HTML), over SMTP.

A list gets one message, its recipients only in the envelope (as Bcc would put them): a press
office's list is of journalists and partners who must not see, or reply to, each other's
addresses. The message's To is then the sender; a message to one reader names that reader.
The message goes in several transactions of ``[mail] per_message`` recipients, as servers
limit a message's recipients.
"""

from __future__ import annotations

import base64
import email.policy
import email.utils
import logging
import re
import smtplib
import socket
import ssl
from collections import deque
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
    """What the server took: ``refused`` maps an address it would not take to its reply;
    ``permanent``: those of them refused for good as mailboxes (5.1.x: no such user; see
    `refused_for_good`), which a list remembers (`web.mailing`); ``remembered``: those a list's
    send kept (`web.mailing`); ``skipped``: addresses not tried, refused for good by an
    earlier send."""

    server: str
    accepted: list[str]
    refused: dict[str, str] = field(default_factory=dict)
    messages: int = 1  # how many messages it took (a list goes in several: `send`)
    permanent: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    remembered: list[str] = field(default_factory=list)


class RecipientsRefused(MailError):
    """Every recipient refused: ``refused`` as in `Sent`. Nothing of it is remembered: a
    server refusing every address (relaying denied to a client not logged in, the wrong
    port) says nothing of the addresses, and once kept they were skipped for good."""

    def __init__(self, server: str, refused: dict[str, str], replies: list[int]) -> None:
        self.refused = refused
        if not any(500 <= code < 600 for code in replies):  # each a 4xx, or not sent at all
            super().__init__(server, f"every recipient refused: {named(refused)}")
            return
        said = set(refused.values())
        if len(said) == 1 and len(refused) > 1:  # one reply to all: the server's, as a rule
            reply = said.pop()
        else:
            reply = "; ".join(f"{a}: {r}" for a, r in list(refused.items())[:3])
            reply += f" and {len(refused) - 3} more" if len(refused) > 3 else ""
        super().__init__(
            server,
            f"the server refused every recipient ({reply}): check mail.user/password/port; "
            "nothing was remembered",
        )


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
    digest: Digest,
    recipients: Sequence[str],
    mail: MailSettings,
    *,
    subject_prefix: str = "",
    to_the_list: bool | None = None,
) -> Sent:
    """Build ``digest``'s message from the settings' sender and send it (see `send`). Mail
    to the ``[mail]`` list (``to_the_list``; None: ``recipients`` are the list), the whole
    of it or those an earlier send did not reach, says how to leave it (``unsubscribe``);
    mail to other addresses (a reviewer's draft, a colleague's copy) does not."""
    if to_the_list is None:
        to_the_list = bool(mail.to) and set(recipients) == set(mail.to)
    message = build_message(digest, sender=mail.sender or "", recipients=recipients,
                            subject_prefix=subject_prefix,
                            unsubscribe=mail.unsubscribe if to_the_list else ())  # fmt: skip
    return send(message, recipients, mail)


def send(message: EmailMessage, recipients: Sequence[str], mail: MailSettings) -> Sent:
    """Send ``message`` once to every recipient, over one connection, in messages of at most
    ``mail.per_message`` recipients (a server refuses those past its own limit). MailError
    (one line naming the server and the problem) where nobody got it. Recipients the server
    refused while it took others are in the result's ``refused``: a 5xx answer, or a 4xx
    ("try again later": a 452 or 552 past the server's limit, a greylist's 450) still given
    on the last of `_TRIES` tries, each in a later message; those refused as mailboxes
    (`refused_for_good`) are its ``permanent``."""
    envelope = list(dict.fromkeys(envelope_address(r) for r in recipients))
    if mail.user and mail.security == "none":  # allowed: a relay on the same host or network
        log.warning("mail server %s: logging in without TLS: the password in clear", mail.server)
    sender = envelope_address(mail.sender or "")
    said: dict[str, str] = {}
    accepted: set[str] = set()
    permanent: set[str] = set()  # refused for good as mailboxes: `refused_for_good`
    codes: list[int] = []  # the final replies' codes
    messages = 0
    try:
        with _connect(mail) as smtp:
            if mail.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if mail.user:
                _login(smtp, mail.user, mail.password or "")
            smtp.ehlo_or_helo_if_needed()
            if not smtp.has_extn("smtputf8"):
                # A mailbox name beyond ASCII (ред@example.kz) needs the server's SMTPUTF8;
                # without it, smtplib refused the whole message for one such reader.
                said = {a: _NO_SMTPUTF8 for a in envelope if not a.isascii()}
            queue = _Queue([a for a in envelope if a not in said], mail.per_message)
            while batch := queue.next():
                answers = _transaction(smtp, message, sender, batch)
                accepted.update(a for a in batch if a not in answers)
                messages += len(answers) < len(batch)
                for address, (code, text) in queue.answered(answers, mail.server).items():
                    said[address] = _reply(code, text)
                    codes.append(code)
                    if refused_for_good(code, text):
                        permanent.add(address)
    except (smtplib.SMTPException, OSError) as exc:
        if not accepted:
            raise MailError(mail.server, _problem(exc, mail)) from None
        # Some have it, and are not to get it twice: the others are refused, the reason said.
        problem = f"not sent: {_problem(exc, mail)}"
        said |= {a: problem for a in envelope if a not in accepted and a not in said}
    if not accepted:
        raise RecipientsRefused(mail.server, said, codes)
    log.info("mailed %s to %d recipients in %d messages via %s", message["Subject"],
             len(accepted), messages, mail.server)  # fmt: skip
    return Sent(mail.server, [a for a in envelope if a in accepted],
                {a: said[a] for a in envelope if a in said}, messages,
                [a for a in envelope if a in permanent])  # fmt: skip


def refused_for_good(code: int, text: bytes | str) -> bool:
    """Whether an RCPT's reply refuses the mailbox itself, for good: an enhanced status
    5.1.x (RFC 3463: 5.1.1 no such mailbox, 5.1.10 null MX), or a bare 550, 551 or 553 that
    gives none. Not a refusal of the client or the message, though a 5xx: 5.7.x (relaying
    denied: not logged in), 5.3.x (the system), 5.5.x (protocol, too many recipients), a 552
    (`over_limit`); those are the server's or the settings' problem, not the address's."""
    if not 500 <= code < 600 or over_limit(code, text):
        return False
    status = _status(text)
    if status is None:
        return code in (550, 551, 553)
    return status[:2] == ("5", "1")


def over_limit(code: int, text: bytes | str) -> bool:
    """Whether an RCPT's reply says the message has too many recipients: an enhanced x.5.3,
    or with no enhanced status a 452 or 552 (its historic code, which RFC 5321 4.5.3.1.10
    says to take as 452). "552 5.2.2 Mailbox full" is that mailbox's answer, not a limit."""
    status = _status(text)
    if status is not None:
        return status[1:] == ("5", "3")
    return code in (452, 552)


_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\S)")


def _status(text: bytes | str) -> tuple[str, str, str] | None:
    """The enhanced status code (RFC 3463) a reply's text opens with, as its three parts."""
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    found = _STATUS.match(said)
    return None if found is None else (found[1], found[2], found[3])


# A recipient answered 4xx is asked again in a later message, at most twice: a server past
# its per-message limit takes it in the next, while a greylist wants minutes (a retry of the
# send, later, mails those it did not take).
_TRIES = 3


class _Queue:
    """The recipients still to send to, taken ``size`` a message; a 4xx's recipient goes back
    at the end (a later message), until its last try."""

    def __init__(self, to: list[str], size: int) -> None:
        self.waiting: deque[tuple[str, int]] = deque((a, 1) for a in to)
        self.tries: dict[str, int] = {}
        self.size = size

    def next(self) -> list[str]:
        """The next message's recipients; [] when none is left."""
        taken = [self.waiting.popleft() for _ in range(min(self.size, len(self.waiting)))]
        self.tries = dict(taken)
        return list(self.tries)

    def answered(
        self, answers: dict[str, tuple[int, bytes]], server: str
    ) -> dict[str, tuple[int, bytes]]:
        """Those of the last message refused for good (the replies); a 4xx, or a reply that
        the message has too many recipients (552, x.5.3: `over_limit`), is asked again in a
        later message. A server that answered so past some recipients (its limit) is sent
        that many a message from now."""
        refused = {}
        for address, (code, text) in answers.items():
            again = 400 <= code < 500 or over_limit(code, text)
            if again and self.tries[address] < _TRIES:
                self.waiting.append((address, self.tries[address] + 1))
            else:
                refused[address] = (code, text)
        past = [a in answers and over_limit(*answers[a]) for a in self.tries]
        limit = past.index(True) if True in past else 0
        if limit and all(past[limit:]):
            log.info("mail server %s took %d recipients in a message: sending %d a message",
                     server, limit, limit)  # fmt: skip
            self.size = limit
        return refused


def _transaction(
    smtp: smtplib.SMTP, message: EmailMessage, sender: str, to: list[str]
) -> dict[str, tuple[int, bytes]]:
    """One message to ``to``; the answers of those the server did not take."""
    try:
        return smtp.send_message(message, from_addr=sender, to_addrs=to)
    except smtplib.SMTPRecipientsRefused as exc:
        answers: dict[str, tuple[int, bytes]] = exc.recipients
        closing = [r for r in answers.values() if r[0] == 421]
        if closing:  # smtplib closed the connection: the rest of the send is not sent
            raise smtplib.SMTPResponseException(*closing[0]) from None
        return answers


def named(said: dict[str, str], shown: int = 5) -> str:
    """A few of ``said`` named with their replies (a list of 10,000 is not one line)."""
    named = "; ".join(f"{a} ({r})" for a, r in list(said.items())[:shown])
    return named + (f" and {len(said) - shown} more" if len(said) > shown else "")


_NO_SMTPUTF8 = "a mailbox name beyond ASCII needs SMTPUTF8, which the server does not offer"


def envelope_address(recipient: str) -> str:
    """The address the envelope names for ``recipient`` (``Name <addr>`` or addr): as `send`
    keys what it says of each recipient."""
    return _ascii_domain(email.utils.parseaddr(recipient)[1])


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
