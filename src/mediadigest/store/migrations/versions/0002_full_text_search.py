"""full-text search: FTS5 on SQLite, a weighted tsvector on PostgreSQL; filter indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 15:10:00

Both backends index the same three fields with the same weights: title (A) over lead (B, the
first paragraph, at most 400 characters, as ``model.lead_of``) over body (C, the rest of the
text). Both stem English (FTS5 ``porter``, PostgreSQL ``english``).

On SQLite the FTS5 table takes its content from a view (``articles_fts_source``) that splits
the text, so nothing is stored twice; triggers keep the index in step with ``articles``.
A later migration that copies ``articles`` (Alembic batch mode) must re-create the triggers.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _sqlite_split(col: str) -> str:
    """SQL for (lead, body) of ``col`` on SQLite; the view and the triggers must agree exactly."""
    trimmed = f"ltrim({col}, ' ' || char(9, 10, 13))"
    cut = f"min(instr({trimmed} || char(10), char(10)) - 1, 400)"
    return f"substr({trimmed}, 1, {cut}), substr({trimmed}, {cut} + 1)"


_PG_TRIMMED = "ltrim(text, E' \\t\\r\\n')"
_PG_CUT = f"least(strpos({_PG_TRIMMED} || E'\\n', E'\\n') - 1, 400)"
PG_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    f"setweight(to_tsvector('english'::regconfig, left({_PG_TRIMMED}, {_PG_CUT})), 'B') || "
    f"setweight(to_tsvector('english'::regconfig, substr({_PG_TRIMMED}, {_PG_CUT} + 1)), 'C')"
)

# For the filters of `search` and `list_articles`. Language has none: most articles share a
# few languages, so it never narrows a search enough to pay for an index on every insert.
_INDEXES = {
    "ix_articles_dated": "articles (dated)",
    "ix_articles_outlet_dated": "articles (outlet, dated)",
    "ix_articles_outlet_country_dated": "articles (outlet_country, dated)",
}


def upgrade() -> None:
    for name, target in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target}")
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _upgrade_postgresql() -> None:
    op.execute(
        f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({PG_VECTOR}) STORED"
    )
    op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE VIEW articles_fts_source (id, title, lead, body) AS "
        f"SELECT id, title, {_sqlite_split('text')} FROM articles"
    )
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, lead, body, "
        "content='articles_fts_source', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    new = f"new.id, new.title, {_sqlite_split('new.text')}"
    old = f"'delete', old.id, old.title, {_sqlite_split('old.text')}"
    columns = "(rowid, title, lead, body)"
    delete_columns = "(articles_fts, rowid, title, lead, body)"
    op.execute(
        "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
        f"INSERT INTO articles_fts {columns} VALUES ({new}); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
        f"INSERT INTO articles_fts {delete_columns} VALUES ({old}); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN "
        f"INSERT INTO articles_fts {delete_columns} VALUES ({old}); "
        f"INSERT INTO articles_fts {columns} VALUES ({new}); END"
    )
    # Index what an older store already holds.
    op.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_articles_search")
        op.execute("ALTER TABLE articles DROP COLUMN search")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER articles_fts_{trigger}")
        op.execute("DROP TABLE articles_fts")
        op.execute("DROP VIEW articles_fts_source")
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")
