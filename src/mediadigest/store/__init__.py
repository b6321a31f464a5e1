"""The store: one schema on SQLite (embedded default) or PostgreSQL, written by one writer."""

from mediadigest.store.engine import check, create_engine, migrate, normalise_url, open_store
from mediadigest.store.repository import (
    add_source,
    count_rows,
    list_articles,
    list_sources,
    mark_seen,
    record_fetch,
    remove_source,
    save_articles,
    save_digest,
    save_document,
    seen_keys,
    to_utc_naive,
    utcnow,
)

__all__ = [
    "add_source",
    "check",
    "count_rows",
    "create_engine",
    "list_articles",
    "list_sources",
    "mark_seen",
    "migrate",
    "normalise_url",
    "open_store",
    "record_fetch",
    "remove_source",
    "save_articles",
    "save_digest",
    "save_document",
    "seen_keys",
    "to_utc_naive",
    "utcnow",
]
