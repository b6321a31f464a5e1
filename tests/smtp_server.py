"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests: what is sent is received.

Shared by tests/test_mail.py (the sending) and tests/test_web_mail.py (the web app's Publish).
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler keeping each envelope; refuses the recipients it is told to."""

    def __init__(
        self,
        refuse: tuple[str, ...] = (),
        *,
        limit: int = 0,
        defer: tuple[str, ...] = (),
        closing_after: int | None = None,
        replies: dict[str, str] | None = None,
        every: str | None = None,
        over_limit: str = "452 4.5.3 Too many recipients",
    ) -> None:
        self.envelopes: list = []
        self.refuse = refuse
        # A message's recipients past ``limit`` are answered 452, as Postfix's
        # smtpd_recipient_limit (and hosted mail's per-message limits) answer them.
        self.limit = limit
        self.defer = set(defer)  # answered 451, a greylist's "try again later", while here
        self.closing_after = closing_after  # after that many messages: 421, closing
        self.replies = dict(replies or {})  # address -> the RCPT's reply ("550 5.7.1 ...")
        self.every = every  # the reply to every RCPT (a relay refusing a client not logged in)
        self.over_limit = over_limit  # the reply past ``limit`` (552, as older servers answer)
        self.asked: list[str] = []  # every RCPT's address, in order
        self.port = 0  # where `serving` listens

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.asked.append(address)
        if self.closing_after is not None and len(self.envelopes) >= self.closing_after:
            return "421 4.3.2 Service shutting down"
        if self.every is not None:
            return self.every
        if address in self.replies:
            return self.replies[address]
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        if address in self.defer:
            return "451 4.7.1 Greylisted, try again later"
        if self.limit and len(envelope.rcpt_tos) >= self.limit:
            return self.over_limit
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def message(self, index: int = 0) -> EmailMessage:
        raw = self.envelopes[index].original_content
        return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(inbox: Inbox, **kwargs: Any) -> Controller:
    """A server for ``inbox`` (aiosmtpd's Controller options: TLS, a login), started."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    inbox.port = controller.port
    return controller


@contextmanager
def serving(refuse: tuple[str, ...] = (), **kwargs: Any) -> Iterator[Inbox]:
    """A plain SMTP server (no TLS, no login) on 127.0.0.1; ``inbox.port`` is its port;
    ``kwargs``: Inbox's (a recipient limit, addresses deferred)."""
    box = Inbox(refuse, **kwargs)
    controller = serve(box)
    try:
        yield box
    finally:
        controller.stop()
