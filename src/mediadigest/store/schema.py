"""The store's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Alembic migrations under ``migrations/versions`` create and change these tables; this module is
the schema the code queries against, and ``test_store`` checks the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False, server_default="feed"),
    sa.Column("title", sa.Text),
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.Column("last_fetched_at", sa.DateTime),
    sa.Column("last_ok_at", sa.DateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    # The folder it is filed in, "Russia/Business" (migration 0011; collect.folders); NULL:
    # at the top of the list.
    sa.Column("folder", sa.Text),
    # When an editor paused it (migration 0014): collection leaves it out; NULL: collected.
    sa.Column("paused_at", sa.DateTime),
)

# Feed items already handed to analyse, per source: what makes collection incremental.
seen_items = sa.Table(
    "seen_items",
    metadata,
    sa.Column(
        "source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("item_key", sa.Text, primary_key=True),
    sa.Column("seen_at", sa.DateTime, nullable=False),
)

fetch_log = sa.Table(
    "fetch_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("items", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(40), nullable=False),
    sa.Column("content_type", sa.Text),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("hints", sa.JSON, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("url", "content_hash", name="uq_documents_url_hash"),
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="SET NULL")),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("canonical_url", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(40), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("outlet", sa.Text),
    sa.Column("outlet_country", sa.String(8)),
    sa.Column("author", sa.Text),
    # The outlet's wall time (not UTC): see published_offset.
    sa.Column("published", sa.DateTime),
    sa.Column("language", sa.String(16)),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("grade", sa.String(16), nullable=False),
    sa.Column("relevant", sa.Boolean, nullable=False),
    sa.Column("relevance", sa.JSON, nullable=False),
    sa.Column("quotes", sa.JSON, nullable=False),
    sa.Column("warnings", sa.JSON, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # Sort key for periods: the published date (the outlet's wall time, so an article falls
    # on the outlet's own day and week), or when we stored it if the source gave none.
    sa.Column("dated", sa.DateTime, nullable=False),
    # What the understanding steps found (migration 0006); JSON holds the to_dict() forms.
    sa.Column("kind", sa.String(16), nullable=False, server_default="news"),
    sa.Column("origin", sa.Text),
    sa.Column("reported_by", sa.Text),
    sa.Column("reported_on", sa.Date),
    sa.Column("original_title", sa.Text),
    sa.Column("parent_url", sa.Text),
    sa.Column("tone", sa.Float),
    sa.Column("attribution", sa.JSON),
    sa.Column("entities", sa.JSON),
    sa.Column("themes", sa.JSON),
    sa.Column("explanations", sa.JSON),
    # Minutes east of UTC of the clock ``published`` was read on (migration 0010); NULL: the
    # source named no zone, or the row was stored before 0010, and ``published`` is UTC.
    sa.Column("published_offset", sa.SmallInteger),
    sa.UniqueConstraint("canonical_url", "content_hash", name="uq_articles_url_hash"),
    # Filters of search and listings, newest first (migration 0002). On SQLite the indexes of
    # values most articles lack hold only the articles that have them (migration 0008).
    sa.Index(
        "ix_articles_relevant_dated", "relevant", "dated", sqlite_where=sa.text("relevant IS 1")
    ),
    sa.Index("ix_articles_dated", "dated"),
    sa.Index("ix_articles_outlet_dated", "outlet", "dated"),
    sa.Index(
        "ix_articles_outlet_country_dated",
        "outlet_country",
        "dated",
        sqlite_where=sa.text("outlet_country IS NOT NULL"),
    ),
    sa.Index(
        "ix_articles_parent_url", "parent_url", sqlite_where=sa.text("parent_url IS NOT NULL")
    ),
)
# An article that names the country: relevant, or scored above 0 (a passing mention, which a
# story about the country may still take in). Listings, grouping and the draft's freshness
# check take the same ones.
NAMES_COUNTRY = sa.or_(articles.c.relevant.is_(True), articles.c.score > 0)

# One row per theme label of an article, so listings and search can filter by theme.
article_themes = sa.Table(
    "article_themes",
    metadata,
    sa.Column(
        "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("theme", sa.String(32), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Index("ix_article_themes_theme", "theme"),
)
# Full-text search lives outside this metadata because it differs per backend (migration 0002):
# SQLite has the FTS5 table ``articles_fts`` over the view ``articles_fts_source``, kept in step
# by triggers; PostgreSQL has the generated tsvector column ``articles.search`` with a GIN index.

article_matches = sa.Table(
    "article_matches",
    metadata,
    sa.Column(
        "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("alias", sa.Text, nullable=False),
    sa.Column("canonical", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("field", sa.String(8), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Index("ix_article_matches_article", "article_id"),
)

digests = sa.Table(
    "digests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_from", sa.Date, nullable=False),
    sa.Column("period_to", sa.Date, nullable=False),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
)

# The profile that judged the store's articles: one row (id 1), written by the first command
# that stores articles or sources for a profile (`stories.persist.require_profile`), so that
# two processes claiming a new store at once collide on the key and one of them wins.
store_profile = sa.Table(
    "store_profile",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

# Addresses the mail server refused for good (a mailbox refusal to RCPT, 5.1.x or a bare
# 550/551/553; migration 0017), as the envelope names them, matched in any case, with its
# reply: sends to the [mail] list skip them until `mail enable ADDR`
# (`web.mailing`). A 4xx ("try again later") is never kept here.
mail_refused = sa.Table(
    "mail_refused",
    metadata,
    sa.Column("address", sa.Text, primary_key=True),
    sa.Column("reply", sa.Text, nullable=False),
    sa.Column("refused_at", sa.DateTime, nullable=False),
)
