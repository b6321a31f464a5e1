"""Mailing a published version to its readers: the web app's Publish and its Mail it again,
the API's publish and `publish --mail` send it, and log it, through here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from mediadigest.config import MailSettings
from mediadigest.errors import ConfigError
from mediadigest.web import persist
from mediadigest.write.mail import Sent, check_ready, send_digest
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


def mailed_to_the_list(conn: sa.Connection, profile: str, first: Any, last: Any,
                       version: int) -> datetime | None:  # fmt: skip
    """When ``version`` of the period last went to the whole ``[mail]`` list (every recipient
    taken), None if it never did: a publish retried with nothing changed (a cron's, an API
    client's) mailed every reader again."""
    log = persist.audit_log.c
    rows = conn.execute(
        sa.select(log.at, log.detail)
        .where(log.action == "digest.mail", log.target == f"{profile} {first}..{last}")
        .order_by(log.id.desc())
    )
    for at, detail in rows:
        if (
            isinstance(detail, dict)
            and detail.get("version") == version
            and detail.get("to") == "list"
            and not detail.get("refused")
        ):
            return at
    return None


def mail_version(
    engine: sa.Engine,
    mail: MailSettings,
    version: dict[str, Any],
    recipients: Sequence[str],
    *,
    user: str,
    **detail: Any,
) -> Sent:
    """Mail a published ``version`` (a row as `versions.latest_version` gives it) in one
    message, then log it (``digest.mail``). Called outside the writer lock, which is never
    held over SMTP. MailError where nothing was sent: nothing is logged then."""
    sent = send_digest(from_dict(version["content"]), recipients, mail)
    target = f"{version['profile']} {version['period_from']}..{version['period_to']}"
    with engine.begin() as conn:
        counts = {"recipients": len(sent.accepted), "refused": len(sent.refused),
                  "to": "list" if set(recipients) == set(mail.to) else "addresses"}  # fmt: skip
        persist.audit(conn, user, "digest.mail", target, version=version["version"], **counts,
                      **detail)  # fmt: skip
    return sent
