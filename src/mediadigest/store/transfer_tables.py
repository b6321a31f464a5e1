"""The rest of a store export: operational state, editors' work and the web app's accounts.

``transfer`` carries the records with nested rows (sources, documents, articles); this module
carries every other table, one record per row, described by a ``Spec``: the record type, the
table, the columns that identify a row, and the columns that point at other rows. Pointers
travel as natural keys, never as row ids: a source by its URL, an article by its canonical URL
and content hash, a user by name, a story by ``ref`` (its id in the exporting store, resolved
through the stories this import creates or finds). So importing into a store that already has
rows merges, and importing twice adds nothing.

Not exported: web sessions (logins end with the move) and the full-text index (rebuilt by the
importing store's own triggers or generated column).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


def _tables() -> dict[str, sa.Table]:
    # Imported here: these modules import the store package, which imports this one.
    import mediadigest.store.collect_state
    import mediadigest.stories.persist
    import mediadigest.web.persist  # noqa: F401 (registers its tables)

    return dict(t.metadata.tables)


def export_records(conn: sa.Connection, page_rows: Any) -> Iterator[dict[str, Any]]:
    """Every row of every table in ``SPECS``, as records; ``page_rows`` streams a select."""
    tables = _tables()
    for spec in SPECS:
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
class Importer:
    """Turns records of one type back into rows; remembers the stories it matched or made."""

    stories: dict[int, int] = field(default_factory=dict)  # exported ref -> id here
    merged: list[tuple[int, int]] = field(default_factory=list)  # (id here, ref merged into)

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
        if spec.unique:
            return _insert_new(conn, table, rows)
        return sum(_insert_unless_there(conn, table, spec.key, row) for row in rows)

    def finish(self, conn: sa.Connection) -> None:
        """Point merged stories at the stories they were merged into."""
        table = _tables()["stories"]
        for story_id, ref in self.merged:
            if ref in self.stories:
                conn.execute(
                    sa.update(table)
                    .where(table.c.id == story_id)
                    .values(merged_into=self.stories[ref])
                )

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


def _insert_new(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    # One multi-row statement; RETURNING lists only the rows that were new, on both backends.
    pk = next(iter(table.primary_key.columns))
    return len(conn.execute(insert_ignore(conn, table).returning(pk), rows).all())


def _insert_unless_there(
    conn: sa.Connection, table: sa.Table, key: tuple[str, ...], row: dict[str, Any]
) -> int:
    # Check-then-insert is safe here: an import holds the store's writer lock throughout.
    same = sa.select(sa.literal(1)).where(*(table.c[k] == row.get(k) for k in key))
    if conn.execute(same).first() is not None:
        return 0
    conn.execute(sa.insert(table).values(**row))
    return 1
