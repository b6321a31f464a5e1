"""The rest of a store export: operational state, editors' work and the web app's accounts.

``transfer`` carries the records with nested rows (sources, documents, articles); this module
carries every other table, one record per row, described by a ``Spec``: the record type, the
table, the columns that identify a row, and the columns that point at other rows. Pointers
travel as natural keys, never as row ids: a source by its URL, an article by its canonical URL
and content hash, a user by name, a story by ``ref`` (its id in the exporting store, resolved
through the stories this import creates or finds). So importing into a store that already has
rows merges, and importing twice adds nothing.

The JSON of digests, drafts and published editions is copied as it is, except for the ids it
holds (each item's ``article_id`` and ``story_id``, its evidence's ``article_id``, its sources'
``copy_of``): once the whole file is in, they are pointed at the same articles and stories
here (``ArticleIds``, ``Importer.stories``), or set to null where the file does not carry what
they named.

Not exported: web sessions (logins end with the move) and the full-text index (rebuilt by the
importing store's own triggers or generated column).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from mediadigest.errors import FormatError
from mediadigest.store import schema as t
from mediadigest.store.writes import insert_ignore

# What a pointer column refers to, and how it travels.
SOURCE, ARTICLE, STORY, USER = "source", "article", "story", "user"


@dataclass(frozen=True, slots=True)
class Spec:
    kind: str  # the record's "type"
    table: str
    key: tuple[str, ...]  # identifies a row: a unique constraint, or checked before inserting
    refs: dict[str, str] = field(default_factory=dict)  # column -> SOURCE | ARTICLE | ...
    unique: bool = True  # the key is a constraint: INSERT ... ON CONFLICT DO NOTHING suffices
    omit: tuple[str, ...] = ("id",)


# In export order: a record's pointers name rows exported before it.
SPECS: tuple[Spec, ...] = (
    # Digests have no unique key in the schema; (period, profile, created_at) identifies one.
    Spec("digest", "digests", ("period_from", "period_to", "profile", "created_at"), unique=False),
    Spec("fetch", "fetch_log", ("url", "at"), {"source_id": SOURCE}, unique=False),
    Spec("schedule", "source_schedule", ("source_id",), {"source_id": SOURCE}),
    Spec("validator", "http_validators", ("url",)),
    Spec("checkpoint", "ingest_checkpoints", ("input", "profile")),
    Spec("theme", "article_themes", ("article_id", "theme"), {"article_id": ARTICLE}),
    Spec("user", "users", ("name",)),
    Spec("token", "api_tokens", ("token_hash",), {"user_id": USER}),
    Spec("setting", "web_settings", ("name",)),
    Spec("draft", "digest_drafts", ("profile", "period_from", "period_to")),
    Spec("edition", "digest_versions", ("profile", "period_from", "period_to", "version")),
    Spec("audit", "audit_log", ("at", "user_name", "action", "target"), unique=False),
    # Stories have no natural key of their own; (profile, title, created_at) is one in practice.
    # ``merged_into`` stays the exporting id: it may name a later story (see Importer.finish).
    Spec("story", "stories", ("profile", "title", "created_at"), unique=False),
    Spec(
        "membership",
        "story_articles",
        ("profile", "article_id"),
        {"story_id": STORY, "article_id": ARTICLE, "duplicate_of": ARTICLE},
    ),
    Spec(
        "override",
        "story_overrides",
        ("profile", "action", "at", "by"),
        {"story_id": STORY, "other_id": STORY},
        unique=False,
    ),
)
KINDS = {spec.kind: spec for spec in SPECS}
# Records whose ``content`` is a digest's JSON, holding ids of the exporting store.
DIGESTS = ("digest", "draft", "edition")


def _tables() -> dict[str, sa.Table]:
    # Imported here: these modules import the store package, which imports this one.
    import mediadigest.store.collect_state
    import mediadigest.stories.persist
    import mediadigest.web.persist  # noqa: F401 (registers its tables)

    return dict(t.metadata.tables)


def export_records(
    conn: sa.Connection, page_rows: Any, leave_out: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    """Every row of every table in ``SPECS`` but those of the kinds in ``leave_out``, as
    records; ``page_rows`` streams a select."""
    tables = _tables()
    for spec in (spec for spec in SPECS if spec.kind not in leave_out):
        table = tables[spec.table]
        stmt = sa.select(table)
        if "id" in table.c:
            stmt = stmt.order_by(table.c.id)
        for page in page_rows(conn, stmt):
            names = _names(conn, spec, page)
            for row in page:
                record: dict[str, Any] = {"type": spec.kind}
                for column, value in row.items():
                    if column in spec.omit:
                        continue
                    record[column] = _out(spec, column, value, names)
                if spec.kind == "story":
                    record["ref"] = row["id"]
                if spec.kind == "override":
                    record["article_ids"] = [names[ARTICLE].get(i) for i in row["article_ids"]]
                yield record


def _names(conn: sa.Connection, spec: Spec, page: list[dict[str, Any]]) -> dict[str, dict]:
    """{SOURCE: {id: url}, ARTICLE: {id: [url, hash]}, USER: {id: name}} for one page's rows."""
    wanted: dict[str, set[int]] = {SOURCE: set(), ARTICLE: set(), USER: set()}
    for row in page:
        for column, target in spec.refs.items():
            if target in wanted and row[column] is not None:
                wanted[target].add(row[column])
        if spec.kind == "override":
            wanted[ARTICLE].update(row["article_ids"])
    names: dict[str, dict] = {}
    a, s = t.articles, t.sources
    users = _tables()["users"]
    for target, select in (
        (SOURCE, lambda ids: sa.select(s.c.id, s.c.url).where(s.c.id.in_(ids))),
        (USER, lambda ids: sa.select(users.c.id, users.c.name).where(users.c.id.in_(ids))),
        (
            ARTICLE,
            lambda ids: sa.select(a.c.id, a.c.canonical_url, a.c.content_hash).where(
                a.c.id.in_(ids)
            ),
        ),
    ):
        names[target] = {}
        ids = sorted(wanted[target])
        for start in range(0, len(ids), 500):
            for row in conn.execute(select(ids[start : start + 500])):
                names[target][row[0]] = row[1] if len(row) == 2 else [row[1], row[2]]
    return names


def _out(spec: Spec, column: str, value: Any, names: dict[str, dict]) -> Any:
    target = spec.refs.get(column)
    if target is None or value is None or target == STORY:
        return value  # stories travel by their exporting id ("ref")
    return names[target].get(value)


@dataclass
class ArticleIds:
    """The exporting store's article ids, learned from an import, and the ids here they name.

    An article record carries its exporting id (``ref``). Files written before it did carry
    none; there an id is known only where the file pairs it with a URL (an item's
    ``article_id`` with its first source, the lead report: "anchors") or lies between two
    anchors with as many articles between them in the file as ids: articles are exported in
    id order, so no id between them is missing. Any other id of such a file stays unknown.
    """

    refs: dict[int, int] = field(default_factory=dict)  # exported id -> id here
    placed: list[int] = field(default_factory=list)  # id here of each refless record, in order
    places: dict[str, int] = field(default_factory=dict)  # its URL -> its place (0: not unique)
    leads: dict[int, str | None] = field(default_factory=dict)  # id -> URL (None: not unique)

    def learn(self, ref: int | None, url: str | None, here: int) -> None:
        """One article record of the file, stored (or found) here as ``here``."""
        if ref is not None:
            self.refs[int(ref)] = here
            return
        self.placed.append(here)
        if url is not None:
            self.places[url] = 0 if url in self.places else len(self.placed)

    def note(self, content: Any) -> None:
        """Pair each item's article id with its lead report's URL (for files without refs)."""
        for item in _items(content):
            sources = item.get("sources")
            first = sources[0] if isinstance(sources, list) and sources else None
            url = first.get("url") if isinstance(first, dict) else None
            old = _id(item.get("article_id"))
            if old is not None and url:
                self.leads[old] = url if self.leads.get(old, url) == url else None

    def resolver(self) -> Callable[[int], int | None]:
        """The id here of an exported article id, or None where it cannot be known."""
        if self.refs or not self.placed:
            return self.refs.get
        found = ((old, self.places.get(url or "", 0)) for old, url in self.leads.items())
        anchors = [(0, 0), *sorted((old, place) for old, place in found if place)]
        olds = [old for old, _ in anchors]

        def here(old: int) -> int | None:
            i = bisect_left(olds, old)
            if old <= 0 or i == len(anchors):
                return None
            if olds[i] == old:
                return self.placed[anchors[i][1] - 1]
            (low, at_low), (high, at_high) = anchors[i - 1], anchors[i]
            if low - at_low != high - at_high:
                return None  # some ids between the two anchors were never exported
            return self.placed[old - (low - at_low) - 1]

        return here


def remap_digest(
    content: Any, article: Callable[[int], int | None], story: Callable[[int], int | None]
) -> int:
    """Point the ids in a digest's JSON at rows here, in place; returns how many were set to
    null because nothing here answers to them. 0 and "" (no article) stay as they are."""
    cleared = 0

    def swap(holder: Any, key: str, lookup: Callable[[int], int | None]) -> None:
        nonlocal cleared
        old = _id(holder.get(key)) if isinstance(holder, dict) else None
        if old is None:
            return
        new = lookup(old)
        if new is None:
            cleared += 1
        # Digests stored before held copy_of as a string; readers take both.
        holder[key] = new if new is None or not isinstance(holder[key], str) else str(new)

    for item in _items(content):
        swap(item, "article_id", article)
        swap(item, "story_id", story)
        for evidence in item.get("evidence") or []:
            swap(evidence, "article_id", article)
        for source in item.get("sources") or []:
            swap(source, "copy_of", article)
    return cleared


def _items(content: Any) -> list[dict[str, Any]]:
    items = content.get("items") if isinstance(content, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _id(value: Any) -> int | None:
    """A row id held in a digest's JSON (an int, or a string of digits), or None for none."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    if isinstance(value, str) and not value.strip().isdecimal():
        return None
    return int(value) or None


@dataclass
class Importer:
    """Turns records of one type back into rows; remembers the stories it matched or made."""

    stories: dict[int, int] = field(default_factory=dict)  # exported ref -> id here
    merged: list[tuple[int, int]] = field(default_factory=list)  # (id here, ref merged into)
    articles: ArticleIds = field(default_factory=ArticleIds)
    digests: list[tuple[str, Any]] = field(default_factory=list)  # (table, id) of new rows
    cleared: int = 0  # ids in their JSON that named nothing the file carried: now null

    def add(
        self, conn: sa.Connection, spec: Spec, batch: Sequence[dict[str, Any]], where: str
    ) -> int:
        """Insert one batch of ``spec`` records; returns how many rows were new."""
        table = _tables()[spec.table]
        ids = self._ids(conn, batch)
        rows = []
        for record in batch:
            row = {c.name: record[c.name] for c in table.columns if c.name in record}
            for column, target in spec.refs.items():
                row[column] = self._resolve(target, record.get(column), ids, where)
            if spec.kind == "override":
                found = (ids[ARTICLE].get(tuple(k or ())) for k in record.get("article_ids", []))
                row["article_ids"] = [i for i in found if i is not None]
            if spec.kind == "story":
                row["merged_into"] = None  # set once every story of the file is known
            if any(
                row.get(c) is None
                for c, target in spec.refs.items()
                if target != STORY and record.get(c) is not None
            ):
                continue  # its source, article or user is not in this store: nothing to point at
            rows.append(_typed(table, row))
        if spec.kind == "story":
            return self._stories(conn, table, batch, rows)
        if spec.kind in DIGESTS:
            for record in batch:
                self.articles.note(record.get("content"))
        if spec.unique:
            new = _insert_new(conn, table, rows)
        else:
            found = (_insert_unless_there(conn, table, spec.key, row) for row in rows)
            new = [pk for pk in found if pk is not None]
        if spec.kind in DIGESTS:
            # Their stories come later in the file: the ids are remapped in `finish`.
            self.digests.extend((spec.table, pk) for pk in new)
        return len(new)

    def finish(self, conn: sa.Connection) -> None:
        """Point merged stories at the stories they were merged into, and the ids in the new
        digests' JSON at the articles and stories here."""
        tables = _tables()
        table = tables["stories"]
        for story_id, ref in self.merged:
            if ref in self.stories:
                conn.execute(
                    sa.update(table)
                    .where(table.c.id == story_id)
                    .values(merged_into=self.stories[ref])
                )
        article = self.articles.resolver()
        for name, pk in self.digests:
            table = tables[name]
            content = conn.execute(sa.select(table.c.content).where(table.c.id == pk)).scalar()
            before = json.dumps(content)
            self.cleared += remap_digest(content, article, self.stories.get)
            if json.dumps(content) != before:  # ids kept (a store without gaps): no write
                conn.execute(sa.update(table).where(table.c.id == pk).values(content=content))

    def _stories(
        self,
        conn: sa.Connection,
        table: sa.Table,
        batch: Sequence[dict[str, Any]],
        rows: list[dict[str, Any]],
    ) -> int:
        added = 0
        for record, row in zip(batch, rows, strict=True):
            same = sa.select(table.c.id).where(
                *(table.c[k] == row[k] for k in ("profile", "title", "created_at"))
            )
            found = conn.execute(same).scalar()
            if found is None:
                found = conn.execute(sa.insert(table).values(**row).returning(table.c.id)).scalar()
                added += 1
                if record.get("merged_into") is not None:
                    self.merged.append((found, record["merged_into"]))
            self.stories[record["ref"]] = found
        return added

    def _ids(self, conn: sa.Connection, batch: Sequence[dict[str, Any]]) -> dict[str, dict]:
        """Ids here of the sources, articles and users that the batch's records name."""
        keys: dict[str, set] = {SOURCE: set(), ARTICLE: set(), USER: set()}
        for record in batch:
            spec = KINDS[record["type"]]
            for column, target in spec.refs.items():
                value = record.get(column)
                if target in keys and value is not None:
                    keys[target].add(tuple(value) if target == ARTICLE else value)
            for value in record.get("article_ids", []) if spec.kind == "override" else []:
                keys[ARTICLE].add(tuple(value or ()))
        a, s, u = t.articles, t.sources, _tables()["users"]
        ids: dict[str, dict] = {SOURCE: {}, ARTICLE: {}, USER: {}}
        for target, column, select in (
            (SOURCE, s.c.url, sa.select(s.c.url, s.c.id)),
            (USER, u.c.name, sa.select(u.c.name, u.c.id)),
            (
                ARTICLE,
                sa.tuple_(a.c.canonical_url, a.c.content_hash),
                sa.select(a.c.canonical_url, a.c.content_hash, a.c.id),
            ),
        ):
            wanted = sorted(keys[target])
            for start in range(0, len(wanted), 400):
                for row in conn.execute(select.where(column.in_(wanted[start : start + 400]))):
                    ids[target][row[0] if len(row) == 2 else (row[0], row[1])] = row[-1]
        return ids

    def _resolve(self, target: str, value: Any, ids: dict[str, dict], where: str) -> Any:
        if value is None:
            return None
        if target == STORY:
            if value not in self.stories:
                raise FormatError(where, f"names story {value!r}, which no earlier record gave")
            return self.stories[value]
        return ids[target].get(tuple(value) if target == ARTICLE else value)


def _typed(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    from mediadigest.store.transfer import decode_value  # shares the date/bytes rules

    return {name: decode_value(table.c[name], value) for name, value in row.items()}


def _insert_new(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert the rows whose key is not stored yet; the primary keys of those that were new."""
    if not rows:
        return []
    # One multi-row statement; RETURNING lists only the rows that were new, on both backends.
    pk = next(iter(table.primary_key.columns))
    return list(conn.execute(insert_ignore(conn, table).returning(pk), rows).scalars())


def _insert_unless_there(
    conn: sa.Connection, table: sa.Table, key: tuple[str, ...], row: dict[str, Any]
) -> Any:
    """The new row's primary key, or None where one with the same ``key`` is stored."""
    # Check-then-insert is safe here: an import holds the store's writer lock throughout.
    same = sa.select(sa.literal(1)).where(*(table.c[k] == row.get(k) for k in key))
    if conn.execute(same).first() is not None:
        return None
    pk = next(iter(table.primary_key.columns))
    return conn.execute(sa.insert(table).values(**row).returning(pk)).scalar_one()
