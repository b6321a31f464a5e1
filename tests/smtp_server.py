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

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.envelopes: list = []
        self.refuse = refuse
        self.port = 0  # where `serving` listens

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user here"
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
def serving(refuse: tuple[str, ...] = ()) -> Iterator[Inbox]:
    """A plain SMTP server (no TLS, no login) on 127.0.0.1; ``inbox.port`` is its port."""
    box = Inbox(refuse)
    controller = serve(box)
    try:
        yield box
    finally:
        controller.stop()
