"""What an import refuses or leaves out before a record is stored (``transfer.import_jsonl``).

Account records (users, API tokens, the web app's settings with its signing key, the audit
log) come in only when asked for (``accounts=True``, ``import --accounts``: the move of a
store to another database). A file to share otherwise gave its author an API token for this
store's admin (a token names its user by name), an admin of their own, a forged audit entry
and, into a store without one yet, the key that signs sessions. A file whose header says it
holds no accounts but carries one is refused: it was not written by ``export --no-accounts``.

Asked for, a file's accounts still never take over this store's: a user record whose name
this store has already (in any case) with another password or role, and a token for a user
of this store that the file does not carry as it is here, are refused. Re-importing the same
file finds each of its users as it left them, and adds nothing.

Values that would break the store once in it are refused as the CLI and the web app refuse
them where they are typed: a user's role and name (an unknown role stopped `users list` and
`serve`), an API token's scope and expiry, a source's address (http or https) and kind (OPML
export wrote them out), a mail refusal's address, reply and time.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from mediadigest.errors import FormatError
from mediadigest.model import is_web_url

# What `export --no-accounts` leaves out (sessions are never exported; "refusal": the mail
# addresses refused for good, readers' addresses): nothing else points at
# these rows, so a file without them imports as well.
ACCOUNTS = ("user", "token", "setting", "audit", "refusal")


@dataclass
class RecordCheck:
    """Decides, record by record, what of a file is stored; remembers what it left out."""

    accounts: bool  # the account records were asked for
    declared: Any  # the header's "accounts": False in a file written without them
    left_out: Counter = field(default_factory=Counter)  # kind -> account records not taken
    users: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (hash, role)
    # This store's users as they were before the file: read once (the import holds the writer
    # lock; those it adds are in ``users``).
    local: dict[str, tuple[str, Any, Any]] | None = None

    def keep(self, conn: sa.Connection, where: str, kind: str, record: dict[str, Any]) -> bool:
        """Whether to store ``record`` (False: an account record not asked for); raises
        FormatError naming ``where`` for a record this store must not take."""
        if kind in ACCOUNTS:
            if self.declared is False:
                raise FormatError(
                    where,
                    f"an account record ({kind}) in a file whose header says it holds none "
                    '("accounts": false): not a file `export --no-accounts` wrote',
                )
            if not self.accounts:
                self.left_out[kind] += 1
                return False
        if kind == "source":
            _check_source(where, record)
        elif kind == "user":
            self._check_user(conn, where, record)
        elif kind == "token":
            self._check_token(conn, where, record)
        elif kind == "refusal":
            _check_refusal(where, record)
        return True

    def _check_user(self, conn: sa.Connection, where: str, record: dict[str, Any]) -> None:
        from mediadigest.web.auth import check_new_name  # the web app's stack: imported late
        from mediadigest.web.persist import Role

        name, role = record.get("name"), record.get("role")
        try:
            if not isinstance(name, str) or check_new_name(name) != name:
                raise ValueError("a user name is 1 to 64 characters, without surrounding spaces")
        except ValueError as exc:
            raise FormatError(where, f"user {name!r}: {exc}") from None
        if role not in [str(r) for r in Role]:
            raise FormatError(
                where, f"user {name!r}: role {role!r} is none of {', '.join(r for r in Role)}"
            )
        if not isinstance(record.get("password_hash"), str) or not record["password_hash"]:
            raise FormatError(where, f"user {name!r}: no password hash (a text) to keep")
        ours = (record.get("password_hash"), role)
        theirs = self._local(conn).get(name.casefold()) or self._file_user(name)
        if theirs is not None and theirs != (name, *ours):
            raise FormatError(
                where,
                f"user {name!r}: this store has a user {theirs[0]!r} already, with another "
                "password or role, and an import does not change an account: rename or remove "
                "one of them first, or import without --accounts",
            )
        self.users[name] = ours

    def _local(self, conn: sa.Connection) -> dict[str, tuple[str, Any, Any]]:
        if self.local is None:
            self.local = _local_users(conn)
        return self.local

    def _file_user(self, name: str) -> tuple[str, Any, Any] | None:
        """The file's earlier user record of this name (any case), as ``_local_users`` has it."""
        found = next((n for n in self.users if n.casefold() == name.casefold()), None)
        return None if found is None else (found, *self.users[found])

    def _check_token(self, conn: sa.Connection, where: str, record: dict[str, Any]) -> None:
        user = record.get("user_id")  # a name: tokens travel with their user's name
        digest, name = record.get("token_hash"), record.get("name")
        if not isinstance(user, str) or not isinstance(name, str):
            raise FormatError(where, f"token {name!r}: its user and its name must be texts")
        if not isinstance(digest, str) or re.fullmatch(r"[0-9a-f]{64}", digest) is None:
            raise FormatError(where, f"token {name!r}: its hash is no SHA-256 digest")
        _check_token_limits(where, name, record)
        if user in self.users:
            return
        if user.casefold() in self._local(conn):
            raise FormatError(
                where,
                f"token {record.get('name')!r} is for user {user!r} of this store, which the "
                "file does not carry as this store has it: a file's API token is never given "
                "to an account of this store",
            )


def _check_token_limits(where: str, name: str, record: dict[str, Any]) -> None:
    """Refuse a token's scope or expiry that the web app could not read (a time that does not
    parse; a scope the API would only guess at). A file from before migration 0016 has
    neither: its tokens come in as they were, full and never expiring (set here, so that the
    rows of one insert all name the same columns)."""
    from mediadigest.web.persist import TokenScope  # the web app's stack: imported late

    scope = record.setdefault("scope", str(TokenScope.full))
    if scope not in [str(s) for s in TokenScope]:
        raise FormatError(
            where, f"token {name!r}: field 'scope' is {scope!r}, none of {', '.join(TokenScope)}"
        )
    if record.setdefault("expires_at", None) is not None:
        _as_utc(where, f"token {name!r}", record, "expires_at")


def _as_utc(where: str, what: str, record: dict[str, Any], key: str) -> None:
    """Refuse ``record[key]`` unless it is an ISO 8601 time; one with an offset is stored as
    the naive UTC time the store keeps."""
    value = record.get(key)
    try:
        if not isinstance(value, str):
            raise ValueError
        when = datetime.fromisoformat(value)
    except ValueError:
        raise FormatError(
            where, f"{what}: field {key!r} is {value!r}, not an ISO 8601 time"
        ) from None
    if when.tzinfo is not None:
        record[key] = when.astimezone(UTC).replace(tzinfo=None).isoformat()


def _check_refusal(where: str, record: dict[str, Any]) -> None:
    """Refuse a mail refusal the list could not match or the CLI could not list: its address
    an envelope address as a send keys it (``Bob <bob@x.org>``, a newline, a number: a raw
    error, or a row no address of the list ever matches), its reply a text, its time ISO."""
    address, reply = record.get("address"), record.get("reply")
    if (
        not isinstance(address, str)
        or len(address) > 320  # RFC 5321's 64-character local part, 255-character domain
        or address.count("@") != 1
        or address.startswith("@")
        or address.endswith("@")
        or any(c.isspace() or c in "<>" for c in address)
    ):
        raise FormatError(
            where,
            f"refusal {address!r}: field 'address' is not a plain envelope address "
            "(one @, no spaces, newlines or angle brackets, at most 320 characters)",
        )
    if not isinstance(reply, str) or not reply.strip():
        raise FormatError(where, f"refusal {address}: field 'reply' is {reply!r}, not a text")
    _as_utc(where, f"refusal {address}", record, "refused_at")


def _check_source(where: str, record: dict[str, Any]) -> None:
    from mediadigest.collect.poll import KINDS  # the fetcher and its HTTP stack: imported late

    url, kind = record.get("url"), record.get("kind")
    if not isinstance(url, str) or not is_web_url(url):
        raise FormatError(where, f"source {url!r}: not an http(s) URL")
    if kind not in KINDS:
        raise FormatError(where, f"source {url}: kind {kind!r} is not one of {', '.join(KINDS)}")


def _local_users(conn: sa.Connection) -> dict[str, tuple[str, Any, Any]]:
    """This store's users: casefolded name -> (name, password hash, role), as stored."""
    from mediadigest.web.persist import users  # registers the web app's tables

    rows = conn.execute(sa.select(users.c.name, users.c.password_hash, users.c.role))
    return {row.name.casefold(): (row.name, row.password_hash, row.role) for row in rows}
