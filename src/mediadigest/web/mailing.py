"""Mailing a published version to its readers: the web app's Publish and its Mail it again,
the API's publish and `publish --mail` send it, and log it, through here.

An address of the list the server refuses for good as a mailbox (5.1.1 no such user:
`write.mail.refused_for_good`) is kept in ``mail_refused`` with the reply, and sends to the
list skip it until `enable` (`mediadigest mail enable`), matched in any case (`key`): a list
of 2,000 with 300 dead addresses was refused 300 times a week, each refusal a line. A 4xx
("try again later"), a refusal of the client (5.7.1 relaying denied) and a send whose every
recipient was refused keep nothing: once kept, a whole list was skipped for good.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from mediadigest.config import MailSettings
from mediadigest.errors import ConfigError, MailError
from mediadigest.store.schema import mail_refused
from mediadigest.store.writes import lock_for_writing, utcnow
from mediadigest.web import persist
from mediadigest.write.mail import (
    Sent,
    check_ready,
    envelope_address,
    send_digest,
)
from mediadigest.write.render import from_dict
from mediadigest.write.style import counted


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
    with engine.connect() as conn:
        known = refused_for_good(conn)
    skipped: dict[str, str] = {}
    if to_the_list:  # addresses given by name (--mail-to, a reviewer's) are always tried
        skipped = {a: known[key(a)].reply for r in recipients
                   if key(a := envelope_address(r)) in known}  # fmt: skip
        recipients = [r for r in recipients if envelope_address(r) not in skipped]
        if not recipients:
            raise AllSkipped(mail.server, len(skipped))
    # RecipientsRefused (every recipient refused) keeps nothing: a server refusing them all
    # (relaying denied, no login) says nothing of the addresses.
    sent = send_digest(from_dict(version["content"]), recipients, mail,
                       to_the_list=to_the_list)  # fmt: skip
    sent.skipped = skipped
    # Only the list's addresses are kept: one named with --mail-to is a typo to fix, not a
    # reader of the list to skip.
    ours = {key(envelope_address(r)) for r in mail.to}
    sent.remembered = [a for a in sent.permanent if key(a) in ours]
    target = f"{version['profile']} {version['period_from']}..{version['period_to']}"
    counts: dict[str, Any] = {"recipients": len(sent.accepted), "refused": len(sent.refused),
                              "to": "list" if to_the_list else "addresses"}  # fmt: skip
    if rest:
        counts["rest"] = True
    if skipped:
        counts["skipped"] = len(skipped)
    if to_the_list and sent.refused:
        # Whom of this list the next send is for: only those refused for now (a 4xx, a
        # connection lost, a server's refusal of the client), few as a rule, are kept (as
        # the envelope names them), with the list's fingerprint; those kept as refused for
        # good are skipped from now on.
        counts |= {"list": fingerprint(mail.to),
                   "not_mailed": [a for a in sent.refused if a not in sent.remembered]}  # fmt: skip
    with engine.begin() as conn:
        remember_refused(conn, {a: sent.refused[a] for a in sent.remembered})
        # One given by name and taken now (its mailbox made again) is no longer skipped.
        enable(conn, [a for a in sent.accepted if key(a) in known])
        persist.audit(conn, user, "digest.mail", target, version=version["version"], **counts,
                      **detail)  # fmt: skip
    return sent


# Where a message about addresses refused for good sends its reader, on the CLI and the web.
LISTED = "`mediadigest mail refused` lists them, `mediadigest mail enable ADDR` tries one again"


def refused_for_good_count(n: int) -> str:
    """``3 addresses refused for good (5xx)``: the phrase every message about them counts with."""
    return f"{counted(n, 'address', 'addresses')} refused for good (5xx)"


class AllSkipped(MailError):
    """Every address of the list was refused for good by earlier sends: nothing is tried, and
    a second try reaches no one until `mail enable`."""

    def __init__(self, server: str, count: int) -> None:
        self.count = count
        every = f"all {count} addresses" if count > 1 else "the 1 address"
        super().__init__(
            server,
            f"{every} to mail refused for good by earlier sends: nothing sent ({LISTED})",
        )


# -- addresses refused for good ---------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Refusal:
    """An address the mail server refused for good: its reply (``550 5.1.1 ...``) and when."""

    address: str
    reply: str
    at: datetime


def key(address: str) -> str:
    """How refusals are matched: the whole envelope address, casefolded (a domain is
    case-insensitive, and mail systems take local parts so in practice): `mail enable
    ana@x.org` enables Ana@X.org, and a list's address re-cased is still skipped."""
    return address.casefold()


def refused_for_good(conn: sa.Connection) -> dict[str, Refusal]:
    """The addresses sends to the list skip, by `key`, the latest refused first (one kept in
    two cases, from before matching ignored case: its latest refusal)."""
    r = mail_refused.c
    rows = conn.execute(sa.select(r.address, r.reply, r.refused_at).order_by(
        r.refused_at.desc(), r.address))  # fmt: skip
    found: dict[str, Refusal] = {}
    for row in rows:
        found.setdefault(key(row.address), Refusal(row.address, row.reply, row.refused_at))
    return found


def remember_refused(conn: sa.Connection, replies: dict[str, str]) -> None:
    """Keep each address of ``replies`` (envelope address: the server's reply) as refused
    for good, now; one kept already (in any case) gets the new reply and time."""
    if not replies:
        return
    lock_for_writing(conn)
    now = utcnow()
    enable(conn, list(replies))
    once = {key(a): (a, reply) for a, reply in replies.items()}  # Ana@x and ana@x: one row
    rows = [{"address": a, "reply": reply, "refused_at": now} for a, reply in once.values()]
    conn.execute(sa.insert(mail_refused), rows)


def enable(conn: sa.Connection, addresses: Sequence[str]) -> int:
    """Let sends to the list try ``addresses`` (envelope addresses, in any case) again; how
    many were kept."""
    if not addresses:
        return 0
    lock_for_writing(conn)
    wanted = {key(a) for a in addresses}
    # Matched here, not by SQL's lower() (ASCII only in SQLite): the table is a list's dead
    # addresses, hundreds at most.
    stored = conn.execute(sa.select(mail_refused.c.address)).scalars()
    gone = [a for a in stored if key(a) in wanted]
    for start in range(0, len(gone), 500):  # SQLite's bound-parameter limit
        chunk = gone[start : start + 500]
        conn.execute(sa.delete(mail_refused).where(mail_refused.c.address.in_(chunk)))
    return len({key(a) for a in gone})
