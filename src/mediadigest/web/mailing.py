"""Mailing a published version to its readers: the web app's Publish and its Mail it again,
the API's publish and `publish --mail` send it, and log it, through here."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from mediadigest.config import MailSettings
from mediadigest.errors import ConfigError
from mediadigest.web import persist
from mediadigest.write.mail import Sent, check_ready, envelope_address, send_digest
from mediadigest.write.render import from_dict


def the_list(mail: MailSettings) -> tuple[str, ...]:
    """The ``[mail]`` list, once each; ConfigError naming what is missing to mail it."""
    recipients = tuple(dict.fromkeys(mail.to))
    check_ready(mail, recipients)
    return recipients


def offered(mail: MailSettings) -> tuple[str, ...]:
    """The list a page offers to mail; () where mail is not set up (nothing offered)."""
    try:
        return the_list(mail)
    except ConfigError:
        return ()


@dataclass(slots=True, frozen=True)
class ListSent:
    """A version's latest send to the ``[mail]`` list: when, and whom of the list it has not
    reached (``rest``; () where the whole list has it)."""

    at: datetime
    rest: tuple[str, ...] = ()


def list_sent(
    conn: sa.Connection, profile: str, first: Any, last: Any, version: int, mail: MailSettings
) -> ListSent | None:
    """How ``version`` of the period last went to the ``[mail]`` list; None where it never
    did, or went to part of a list that has changed since (which of the new list have it is
    not known: all of it is to be mailed). A publish retried with nothing changed (a cron's,
    an API client's) mailed every reader again; after a part send, it mails the rest."""
    log = persist.audit_log.c
    rows = conn.execute(
        sa.select(log.at, log.detail)
        .where(log.action == "digest.mail", log.target == f"{profile} {first}..{last}")
        .order_by(log.id.desc())
    )
    for at, detail in rows:
        if not isinstance(detail, dict) or detail.get("version") != version:
            continue
        if detail.get("to") != "list":
            continue
        if not detail.get("refused"):
            return ListSent(at)
        if detail.get("list") != fingerprint(mail.to):
            return None
        missed = set(detail.get("not_mailed") or ())
        return ListSent(at, tuple(a for a in the_list(mail) if envelope_address(a) in missed))
    return None


def fingerprint(recipients: Sequence[str]) -> str:
    """The list's envelope addresses in a few characters, to tell whether it has changed
    since a send (kept in the audit log, where 10,000 addresses would not be)."""
    addresses = sorted({envelope_address(r) for r in recipients})
    return hashlib.sha256("\n".join(addresses).encode()).hexdigest()[:16]


def mail_version(
    engine: sa.Engine,
    mail: MailSettings,
    version: dict[str, Any],
    recipients: Sequence[str],
    *,
    user: str,
    rest: bool = False,
    **detail: Any,
) -> Sent:
    """Mail a published ``version`` (a row as `versions.latest_version` gives it), then log it
    (``digest.mail``). ``rest``: ``recipients`` are those of the list an earlier send did
    not reach (`list_sent`). Called outside the writer lock, which is never held over SMTP.
    MailError where nothing was sent: nothing is logged then."""
    to_the_list = rest or set(recipients) == set(mail.to)
    sent = send_digest(from_dict(version["content"]), recipients, mail, to_the_list=to_the_list)
    target = f"{version['profile']} {version['period_from']}..{version['period_to']}"
    counts: dict[str, Any] = {"recipients": len(sent.accepted), "refused": len(sent.refused),
                              "to": "list" if to_the_list else "addresses"}  # fmt: skip
    if rest:
        counts["rest"] = True
    if to_the_list and sent.refused:
        # Whom of this list the next send is for: only those refused, few as a rule, are
        # kept (as the envelope names them), with the list's fingerprint.
        counts |= {"list": fingerprint(mail.to), "not_mailed": list(sent.refused)}
    with engine.begin() as conn:
        persist.audit(conn, user, "digest.mail", target, version=version["version"], **counts,
                      **detail)  # fmt: skip
    return sent
