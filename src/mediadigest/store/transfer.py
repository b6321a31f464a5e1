"""Moving a whole store between databases (SQLite to PostgreSQL and back) as JSON Lines.

The file starts with a header line, then one record per line, parents before children, and
ends with a line of how many records of each type it holds::

    {"mediadigest": "store-export", "format": 4, "revision": "0013", "accounts": true}
    {"type": "source", "url": "...", ..., "seen": [{"item_key": "...", "seen_at": "..."}]}
    {"type": "document", "url": "...", "content_hash": "...", ..., "body": "<base64>"}
    {"type": "article", "canonical_url": "...", ..., "document": ["url", "hash"], "ref": 650}
    {"type": "digest", "period_from": "2025-12-15", ...}
    {"type": "end", "records": {"source": 1, "document": 2, "article": 2, "digest": 1}}

After them come the rest of the store, one record per row (``transfer_tables``): the profile
that judged its articles (an import into a store that follows another is refused), digests, the
fetch log, collection state, article themes, users and their API tokens, web settings, drafts,
published editions, the audit log, stories with their members and the editors' overrides.
The accounts (users, API tokens, the web app's settings with its signing key, the audit log)
can be left out (``accounts=False``, ``"accounts": false`` in the header): a file to share.
An import takes them only when asked for (``import_jsonl(accounts=True)``, the move of a
store), and never over this store's own (``transfer_checks``).
An export is written readable by its owner only (``export_file``): with the accounts it holds
what signs sessions and what checks passwords and tokens.

The closing line is written last (the export streams: the header cannot know the counts), so
a file cut short (a copy stopped at a line's end) or with lines lost has none, or one that
does not match what was read, and its import is refused whole. Files before format 4 have no
closing line: they import as they did, with a warning that their completeness is unknown.
A header naming a schema revision this mediadigest does not know is refused, as a store at
one is (``engine.unknown_revision``): its records may hold columns this version would drop.

Row ids are not carried: references use natural keys (a source's URL, a document's URL and
hash, a user's name), so importing into a store that already has rows merges, and importing
twice adds nothing. An article carries its exporting id as ``ref`` (as a story does) only so
that the ids inside digests' JSON (drafts, editions) can be pointed at the same rows in the
importing store, whose ids differ wherever the exporting store's had gaps. Format 2 files
(articles without ``ref``) and format 1 files (core records only) still import; there those
ids are remapped as far as the file tells them (``transfer_ids.ArticleIds``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from mediadigest.errors import FormatError
from mediadigest.store import schema as t
from mediadigest.store.engine import _REVISIONS, HEAD, check
from mediadigest.store.transfer_checks import ACCOUNTS, RecordCheck
from mediadigest.store.transfer_tables import KINDS, Importer, export_records
from mediadigest.store.writes import insert_new, lock_for_writing
from mediadigest.targets import refuse_store_target

FORMAT = 4
READABLE = (1, 2, 3, 4)
COUNTED = 4  # from this format on, the file's last line says how many records it holds
END = "end"  # that line's "type"
CORE = ("source", "document", "article")  # nested records; the rest are KINDS
_BATCH = 1000  # records per statement on import
_HEADER = 64 * 1024  # the header line is some 100 characters: longer is not one
# The longest line an import reads, in characters. The largest record is a document, its
# body in base64 (4/3 of its bytes): ingest reads at most 100 MiB of a gzipped file or of a
# JSONL line (collect.files.MAX_INFLATED, MAX_LINE; not imported here: it loads the analysers),
# a fetch 10 MB. A longer line is refused, read no further: a 150 MB line of a hostile file
# took 660 MB of memory, and one of gigabytes would have taken the machine's.
MAX_LINE = 150 * 1024 * 1024

log = logging.getLogger(__name__)


@contextlib.contextmanager
def export_file(path: Path) -> Iterator[IO[str]]:
    """``path`` to write an export to, readable and writable by its owner only (0600).

    The file is written under a temporary name in its folder (created 0600, whatever the
    umask), synced and renamed over ``path`` once whole: a file already there, perhaps
    readable by others and perhaps held open by one of them, is replaced, not rewritten, and
    an export that fails leaves no half of itself behind. A file already there in a folder
    this user cannot write (a pre-created /var/backups/md.jsonl) is made 0600 and rewritten
    in place. What is not a plain file (a pipe, /dev/null) and a process's own streams
    (/dev/stdout, /dev/fd/N, /proc/self/fd/N: ``export /dev/stdout >> file``) are written to
    as they are, appending: renaming over the file a stream names lost what was there. A
    store (an SQLite database) or a file beside one is never replaced.
    """
    if _a_stream(path) or (path.exists() and not path.is_file()):
        with path.open("a", encoding="utf-8") as fp:
            yield fp
        return
    refuse_store_target(path)
    target = path.resolve()  # through a symlink: the file it names is what is replaced
    try:
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except PermissionError:
        if not target.is_file() or not os.access(target, os.W_OK):
            raise
        os.chmod(target, 0o600)  # before a byte is written: the secrets are never shared
        with target.open("w", encoding="utf-8") as fp:
            yield fp
            fp.flush()
            os.fsync(fp.fileno())
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            yield fp
            fp.flush()
            os.fsync(fp.fileno())  # else a crash after the rename can leave an empty file
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _a_stream(path: Path) -> bool:
    """Whether ``path`` names one of this process's file descriptors, whatever it leads to."""
    text = str(path.absolute())
    return text in ("/dev/stdout", "/dev/stderr") or text.startswith(("/dev/fd/", "/proc/self/fd/"))


def export_jsonl(conn: sa.Connection, fp: IO[str], *, accounts: bool = True) -> dict[str, int]:
    """Write the whole store to ``fp``; returns how many records of each type were written.

    ``accounts=False`` leaves out the web app's users, API tokens, settings (its signing key)
    and audit log (``ACCOUNTS``).
    """
    revision = check(conn.engine)[0]
    header = {"mediadigest": "store-export", "format": FORMAT, "revision": revision}
    fp.write(json.dumps({**header, "accounts": accounts}))
    fp.write("\n")
    counts = dict.fromkeys((*CORE, *KINDS), 0)
    for record in _records(conn, () if accounts else ACCOUNTS):
        fp.write(json.dumps(record, ensure_ascii=False, default=_encode))
        fp.write("\n")
        counts[record["type"]] += 1
    fp.write(json.dumps({"type": END, "records": {k: n for k, n in counts.items() if n}}))
    fp.write("\n")
    return counts


def _records(conn: sa.Connection, leave_out: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    seen: dict[int, list[dict[str, Any]]] = {}
    for row in _rows(conn, sa.select(t.seen_items)):
        seen.setdefault(row.pop("source_id"), []).append(row)
    for row in _rows(conn, sa.select(t.sources).order_by(t.sources.c.id)):
        yield {"type": "source", **_without(row, "id"), "seen": seen.get(row["id"], [])}
    d = t.documents
    for row in _rows(conn, sa.select(d).order_by(d.c.id)):
        yield {"type": "document", **_without(row, "id")}
    yield from _article_records(conn)
    yield from export_records(conn, _pages, leave_out)


def _article_records(conn: sa.Connection) -> Iterator[dict[str, Any]]:
    a, d, m = t.articles, t.documents, t.article_matches
    columns = [c for c in a.columns if c.name not in {"id", "document_id"}]
    stmt = (
        sa.select(a.c.id, *columns, d.c.url.label("doc_url"), d.c.content_hash.label("doc_hash"))
        .join_from(a, d, a.c.document_id == d.c.id, isouter=True)
        .order_by(a.c.id)
    )
    match_columns = [c for c in m.columns if c.name != "article_id"]
    for page in _pages(conn, stmt):
        ids = [row["id"] for row in page]
        matches: dict[int, list[dict[str, Any]]] = {}
        found = sa.select(m.c.article_id, *match_columns).where(m.c.article_id.in_(ids))
        for match in conn.execute(found).mappings():
            matches.setdefault(match["article_id"], []).append(_without(dict(match), "article_id"))
        for row in page:
            doc_url, doc_hash = row.pop("doc_url"), row.pop("doc_hash")
            yield {
                "type": "article",
                **_without(row, "id"),
                "document": [doc_url, doc_hash] if doc_url is not None else None,
                "matches": matches.get(row["id"], []),
                "ref": row["id"],
            }


def _pages(conn: sa.Connection, stmt: sa.Select) -> Iterator[list[dict[str, Any]]]:
    """Rows in pages, streamed: a large store never sits in memory at once."""
    result = conn.execution_options(yield_per=_BATCH).execute(stmt).mappings()
    for page in result.partitions():
        yield [dict(row) for row in page]


def _rows(conn: sa.Connection, stmt: sa.Select) -> Iterator[dict[str, Any]]:
    for page in _pages(conn, stmt):
        yield from page


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in names}


def _encode(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot export {type(value).__name__}")


def import_jsonl(conn: sa.Connection, fp: IO[str], *, accounts: bool = False) -> dict[str, int]:
    """Add the records of an export to the store; returns how many of each type were new.

    The accounts (users, API tokens, web settings with the signing key, the audit log) are
    added only with ``accounts=True`` (the move of a store); otherwise a warning says how
    many were left out. A file whose header says it has none but carries some is refused,
    and so are accounts that would take over this store's, and values that would break it
    (``transfer_checks``).

    Records already in the store (same natural key) are left as they are; a draft or edition
    it has with other content is named in a warning. A story whose articles all sit in
    stories of this store already is not made (an article is in one story per profile).
    The ids in the JSON of the digests, drafts and editions it adds are pointed at the same
    articles and stories here; one that names a row the file does not carry (an article
    deleted after the digest was written) is set to null, and a warning says how many.

    Raises FormatError, naming the line, for a file that is not an export, a line that cannot
    be read or is longer than ``MAX_LINE``, a record refused as above, a revision this
    mediadigest does not know, or (format 4 on) a file whose closing line is missing or
    promises other counts than it holds: cut short or damaged; and
    ConfigError for a file whose articles were judged against another profile than the one
    this store follows (``stories.persist.require_profile``). Call it in one transaction, as
    the CLI does, and such a file stores nothing.
    """
    name = getattr(fp, "name", "import")
    header = _check_header(name, fp.readline(_HEADER))
    counted = header["format"] >= COUNTED
    lock_for_writing(conn)
    added = dict.fromkeys((*CORE, *KINDS), 0)
    read = dict.fromkeys(added, 0)
    importer = Importer()
    check = RecordCheck(accounts, header.get("accounts"))
    batch: list[dict[str, Any]] = []
    where = name
    end: tuple[int, dict[str, int]] | None = None  # the closing line: its number, its counts
    last = 1
    for number, line in enumerate(_lines(name, fp), start=2):
        last = number
        if not line.strip():
            continue
        if end is not None:  # a second export appended, or lines pasted after the end
            raise FormatError(
                f"{name}:{number}", f"a line after the closing line (line {end[0]}): files joined?"
            )
        kind, record = _parse(name, number, line)
        if kind == END and counted:
            end = (number, _promised(name, number, record))
            continue
        if kind not in added:
            raise FormatError(f"{name}:{number}", f"unknown record type {kind!r}")
        read[kind] += 1
        if not check.keep(conn, f"{name}:{number}", kind, record):
            continue
        if batch and (batch[-1]["type"] != kind or len(batch) >= _BATCH):
            added[batch[0]["type"]] += _import_batch(conn, batch, importer, where)
            batch = []
        if not batch:
            where = f"{name}:{number}"
        batch.append({"type": kind, **record})
    if batch:
        added[batch[0]["type"]] += _import_batch(conn, batch, importer, where)
    if counted:
        _check_counts(name, last, end, read)
    importer.finish(conn)
    for kind, n in importer.removed.items():
        added[kind] -= n
    _warn(name, header, importer, check)
    return added


def _lines(name: str, fp: IO[str]) -> Iterator[str]:
    """The lines after the header; FormatError for one longer than ``MAX_LINE``, read no
    further than that."""
    number = 2
    while line := fp.readline(MAX_LINE + 1):
        if len(line) > MAX_LINE and not line.endswith("\n"):
            raise FormatError(
                f"{name}:{number}",
                f"a line over {MAX_LINE:,} characters, longer than any record of an export",
            )
        yield line
        number += 1


def _parse(name: str, number: int, line: str) -> tuple[str, dict[str, Any]]:
    try:
        record = json.loads(line)
        kind = record.pop("type")
        if not isinstance(kind, str):
            raise TypeError(kind)
        return kind, record
    except (json.JSONDecodeError, KeyError, AttributeError, TypeError):
        if not line.endswith("\n"):  # the last line, unfinished: a copy stopped early
            raise FormatError(
                f"{name}:{number}", "the file ends in the middle of a record (cut off?)"
            ) from None
        raise FormatError(f"{name}:{number}", "not a record of a mediadigest export") from None


def _promised(name: str, number: int, record: dict[str, Any]) -> dict[str, int]:
    """The counts of the closing line, {type: records}."""
    counts = record.get("records")
    if not isinstance(counts, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in counts.values()
    ):
        raise FormatError(f"{name}:{number}", "the closing line holds no record counts")
    return counts


def _check_counts(
    name: str, last: int, end: tuple[int, dict[str, int]] | None, read: dict[str, int]
) -> None:
    """Refuse a file without its closing line, or with other counts than it promises."""
    if end is None:
        raise FormatError(
            name,
            f"cut short: it ends at line {last} without the closing line that counts its "
            "records (a copy or download stopped early?)",
        )
    number, promised = end
    differ = sorted(k for k in {*promised, *read} if promised.get(k, 0) != read.get(k, 0))
    if differ:
        raise FormatError(
            name,
            f"damaged: its closing line (line {number}) promises "
            f"{', '.join(f'{k} {promised.get(k, 0)}' for k in differ)}, but the file holds "
            f"{', '.join(f'{k} {read.get(k, 0)}' for k in differ)} (lines lost or added)",
        )


def _warn(name: str, header: dict[str, Any], importer: Importer, check: RecordCheck) -> None:
    if n := sum(check.left_out.values()):
        log.warning(
            "%s: %d account record%s left out (%s): a store's users, API tokens, signing key and "
            "audit log come in only when asked for, with `import --accounts`",
            name,
            n,
            "" if n == 1 else "s",
            ", ".join(
                f"{kind} {check.left_out[kind]}" for kind in ACCOUNTS if check.left_out[kind]
            ),
        )
    if header["format"] < COUNTED:
        log.warning(
            "%s: an export of format %s has no closing line with its record counts: whether "
            "it is whole cannot be checked (one cut short imports what it holds)",
            name,
            header["format"],
        )
    if importer.cleared:
        # null, not the exported number: here that number is another article or story.
        log.warning(
            "%s: %d ids in the JSON of digests, drafts or editions named articles or stories "
            "this file does not carry; they are null in this store",
            name,
            importer.cleared,
        )
    if n := importer.hollow:
        its = "its" if n == 1 else "their"
        log.warning(
            "%s: %s not made: every article of %s is in a story of this store already (an "
            "article is in one story per profile); the file's drafts and editions name those "
            "stories instead, and %s pins, hides and editors' log are not carried",
            name,
            "1 story of the file" if n == 1 else f"{n} stories of the file",
            "it" if n == 1 else "them",
            its,
        )
    for kind, row in importer.kept:
        period = f"{row['profile']} {row['period_from']}..{row['period_to']}"
        if kind == "edition":
            what, theirs = f"version {row['version']} of {period}", f"a version {row['version']}"
        else:
            what, theirs = f"the draft of {period}", "a draft"
        log.warning(
            "%s: %s left out: this store has %s of that period with other content, kept as it is",
            name,
            what,
            theirs,
        )


def _check_header(name: str, line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("mediadigest") != "store-export":
        raise FormatError(f"{name}:1", "not a mediadigest store export (no header line)")
    if header.get("format") not in READABLE:
        raise FormatError(
            f"{name}:1", f"export format {header.get('format')}, expected one of {READABLE}"
        )
    revision = header.get("revision")
    if revision is not None and (not isinstance(revision, str) or revision not in _REVISIONS):
        # Refused, as a store at such a revision is: its records may hold what this version
        # has no column for, and the import would drop it without a word.
        raise FormatError(
            f"{name}:1",
            f"written from a store at schema revision {revision!r}, which this mediadigest "
            f"does not know (its newest is {HEAD}): import it with a mediadigest at least as "
            "new as the one that wrote it",
        )
    return header


def _import_batch(
    conn: sa.Connection, batch: list[dict[str, Any]], importer: Importer, where: str
) -> int:
    kind = batch[0]["type"]
    try:
        return _import_kind(conn, kind, batch, importer, where)
    except (KeyError, TypeError, ValueError, binascii.Error, sa.exc.DataError) as exc:
        # A field of the wrong kind ("published": [1, 2]) gave a traceback for the core
        # records; the import is one transaction, so nothing of the file stays.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise FormatError(where, f"a {kind} record cannot be read: {reason}") from None


def _import_kind(
    conn: sa.Connection, kind: str, batch: list[dict[str, Any]], importer: Importer, where: str
) -> int:
    if kind in KINDS:
        return importer.add(conn, KINDS[kind], batch, where)
    if kind == "source":
        return _import_sources(conn, batch)
    if kind == "document":
        rows = [_decode(t.documents, r) for r in batch]
        return len(insert_new(conn, t.documents, rows, ("url", "content_hash"))[1])
    return _import_articles(conn, batch, importer)


def _decode(table: sa.Table, record: dict[str, Any]) -> dict[str, Any]:
    """A record back to a row of ``table``: ISO dates to dates, base64 to bytes."""
    return {c.name: decode_value(c, record[c.name]) for c in table.columns if c.name in record}


def decode_value(column: sa.Column, value: Any) -> Any:
    """One exported value back to what ``column`` holds."""
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def _import_sources(conn: sa.Connection, batch: list[dict[str, Any]]) -> int:
    rows = [_decode(t.sources, r) for r in batch]
    for row in rows:
        # Files written before 0011 file no source in a folder, before 0014 pause none. One
        # batch's rows must all name the same columns.
        row.setdefault("folder", None)
        row.setdefault("paused_at", None)
    ids, new = insert_new(conn, t.sources, rows, ("url",))
    seen = [
        {"source_id": ids[(r["url"],)], **_decode(t.seen_items, s)}
        for r in batch
        for s in r.get("seen", [])
    ]
    if seen:
        insert_new(conn, t.seen_items, seen, ("source_id", "item_key"), returning=False)
    return len(new)


def _import_articles(conn: sa.Connection, batch: list[dict[str, Any]], importer: Importer) -> int:
    d = t.documents
    doc_keys = {tuple(r["document"]) for r in batch if r.get("document")}
    doc_ids: dict[tuple[str, str], int] = {}
    if doc_keys:
        key = sa.tuple_(d.c.url, d.c.content_hash)
        found = conn.execute(sa.select(d.c.id, d.c.url, d.c.content_hash).where(key.in_(doc_keys)))
        doc_ids = {(r.url, r.content_hash): r.id for r in found}
    rows = []
    for record in batch:
        row = _decode(t.articles, record)
        row["document_id"] = doc_ids.get(tuple(record["document"] or ()))
        # Files written before 0010 have no offset: their times are UTC, which is what a
        # time without one is read as. One batch's rows must all name the same columns.
        row.setdefault("published_offset", None)
        rows.append(row)
    ids, new = insert_new(conn, t.articles, rows, ("canonical_url", "content_hash"))
    for record in batch:
        here = ids.get((record["canonical_url"], record["content_hash"]))
        if here is not None:
            importer.articles.learn(record.get("ref"), record.get("url"), here)
    matches = [
        {"article_id": ids[key], **m}
        for r in batch
        if (key := (r["canonical_url"], r["content_hash"])) in new
        for m in r.get("matches", [])
    ]
    if matches:
        conn.execute(sa.insert(t.article_matches), matches)
    return len(new)
