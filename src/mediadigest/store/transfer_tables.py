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
here (``transfer_ids``), or set to null where the file does not carry what they named.

Into a store that has rows already: a draft or edition whose key it has is not imported over
its own, and one with other content is reported (``Importer.kept``); a story whose articles
all sit in stories here already (an article is in one story per profile) is not kept empty
(``Importer._drop_hollow``).

Not exported: web sessions (logins end with the move) and the full-text index (rebuilt by the
importing store's own triggers or generated column).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from mediadigest.errors import FormatError
from mediadigest.store import schema as t
from mediadigest.store.transfer_ids import ArticleIds, remap_digest
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
    # The profile that judged the file's articles: its one row (id 1) keeps its key.
    Spec("profile", "store_profile", ("id",), omit=()),
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
    Spec("refusal", "mail_refused", ("address",)),  # addresses mail refused for good
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
# Records that name the profile that judged the file's articles (a file from before stores
# recorded their profile names it only in its stories and checkpoints): the importing store
# must follow the same one (``stories.persist.require_profile``).
JUDGED_BY = ("profile", "checkpoint", "story")
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


# Records whose key is a constraint and whose content an editor wrote: one the store already
# has is not imported over, and where the two differ the import says so (``Importer.kept``).
EDITORIAL = ("draft", "edition")


@dataclass
class Importer:
    """Turns records of one type back into rows; remembers the stories it matched or made."""

    stories: dict[int, int] = field(default_factory=dict)  # exported ref -> id here
    merged: list[tuple[int, int]] = field(default_factory=list)  # (id here, ref merged into)
    articles: ArticleIds = field(default_factory=ArticleIds)
    digests: list[tuple[str, Any]] = field(default_factory=list)  # (table, id) of new rows
    cleared: int = 0  # ids in their JSON that named nothing the file carried: now null
    made: dict[int, tuple[int, str]] = field(default_factory=dict)  # ref -> (new id, profile)
    members: dict[int, list[int]] = field(default_factory=dict)  # ref -> its articles' ids here
    overrides: list[int] = field(default_factory=list)  # ids of the overrides added
    clashes: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)
    kept: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (kind, its row)
    hollow: int = 0  # stories not made: every article of theirs is in a story here already
    removed: Counter = field(default_factory=Counter)  # kind -> rows added, then taken out

    def add(
        self, conn: sa.Connection, spec: Spec, batch: Sequence[dict[str, Any]], where: str
    ) -> int:
        """Insert one batch of ``spec`` records; returns how many rows were new."""
        table = _tables()[spec.table]
        if spec.kind in JUDGED_BY:
            _require_profiles(conn, batch)
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
            if spec.kind == "membership":
                listed = self.members.setdefault(record.get("story_id"), [])
                listed.extend([row["article_id"]] if row["article_id"] is not None else [])
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
        if spec.kind in EDITORIAL:
            self._note_clashes(conn, spec, table, rows)
        if spec.unique:
            new = _insert_new(conn, table, rows)
        else:
            found = (_insert_unless_there(conn, table, spec.key, row) for row in rows)
            new = [pk for pk in found if pk is not None]
        if spec.kind in DIGESTS:
            # Their stories come later in the file: the ids are remapped in `finish`.
            self.digests.extend((spec.table, pk) for pk in new)
        if spec.kind == "override":
            self.overrides.extend(new)
        if spec.kind == "profile":  # one another process recorded since the check is refused too
            _require_profiles(conn, batch)
        return len(new)

    def finish(self, conn: sa.Connection) -> None:
        """Take out the stories that came out empty, point merged stories at the stories they
        were merged into and the ids in the new digests' JSON at the articles and stories
        here, and find the drafts and editions this store has in other words (``kept``)."""
        self._drop_hollow(conn)
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
        for kind, row, theirs in self.clashes:
            ours = json.loads(json.dumps(row["content"]))  # remapped on a copy: row is reported
            remap_digest(ours, article, self.stories.get)
            if _canonical(ours) != _canonical(theirs):
                self.kept.append((kind, row))

    def _drop_hollow(self, conn: sa.Connection) -> None:
        """Take out each story this import made whose members the file lists and none of which
        joined it: this store has those articles in stories of its own (one story per article
        and profile), and an empty story was left behind, listed and exported again. The
        file's id of it is pointed at the story here that holds most of its articles, so its
        editions name that one; the overrides the import logged for it go with it."""
        made = {ref: made for ref, made in self.made.items() if ref in self.members}
        if not made:
            return
        s, m, o = _tables()["stories"], _tables()["story_articles"], _tables()["story_overrides"]
        ids = [story_id for story_id, _ in made.values()]
        held = {
            story_id
            for part in _parts(ids)
            for story_id in conn.execute(
                sa.select(m.c.story_id).where(m.c.story_id.in_(part))
            ).scalars()
        }
        hollow = {ref: made[ref] for ref in made if made[ref][0] not in held}
        if not hollow:
            return
        for ref, (_, profile) in hollow.items():
            self.stories.pop(ref)
            articles = self.members[ref]
            found = sa.select(m.c.story_id).where(
                m.c.profile == profile, m.c.article_id.in_(articles)
            )
            if holders := Counter(conn.execute(found).scalars()).most_common(1):
                self.stories[ref] = holders[0][0]
        gone = [story_id for story_id, _ in hollow.values()]
        self.merged = [(story_id, ref) for story_id, ref in self.merged if story_id not in gone]
        for part in _parts(gone):
            conn.execute(sa.delete(s).where(s.c.id.in_(part)))
        named = set(gone)
        logged = sa.select(o.c.id, o.c.story_id, o.c.other_id)
        dropped = [
            row.id
            for part in _parts(self.overrides)
            for row in conn.execute(logged.where(o.c.id.in_(part)))
            if row.story_id in named or row.other_id in named
        ]
        for part in _parts(dropped):
            conn.execute(sa.delete(o).where(o.c.id.in_(part)))
        self.hollow = len(gone)
        self.removed.update({"story": len(gone), "override": len(dropped)})

    def _note_clashes(
        self, conn: sa.Connection, spec: Spec, table: sa.Table, rows: list[dict[str, Any]]
    ) -> None:
        """Remember each row whose key this store has already, with the content it has."""
        for row in rows:
            same = sa.select(table.c.content).where(*(table.c[k] == row[k] for k in spec.key))
            for theirs in conn.execute(same).scalars():
                self.clashes.append((spec.kind, row, theirs))

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
                self.made[record["ref"]] = (found, row["profile"])
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


def _require_profiles(conn: sa.Connection, batch: Sequence[dict[str, Any]]) -> None:
    """Refuse a file whose articles another profile judged than the one this store follows.

    Nothing is claimed here: the file's ``profile`` record is stored as any row, and a file
    without one (written before stores recorded it) leaves the store as its own store was,
    following the profile its stories and checkpoints name. So a store moves unchanged.
    """
    from mediadigest.stories import persist  # it imports the store package, which imports us

    for name in sorted({str(r["profile"]) for r in batch if r.get("profile") is not None}):
        persist.require_profile(conn, name)


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


def _parts(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    """``ids`` in slices small enough for one IN list on either backend."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _canonical(content: Any) -> str:
    # Stored JSON comes back with its keys in any order (PostgreSQL's jsonb sorts them).
    return json.dumps(content, sort_keys=True)


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
