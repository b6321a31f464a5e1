"""The store: one schema on SQLite (embedded default) or PostgreSQL, written by one writer."""

from mediadigest.store.engine import (
    check,
    check_url,
    create_engine,
    migrate,
    missing_tables,
    normalise_url,
    open_store,
    opened_read_only,
    optimize,
    parsed_url,
    unavailable_reason,
    unknown_revision,
)
from mediadigest.store.folders import Added, add_sources
from mediadigest.store.repository import (
    count_rows,
    list_articles,
    save_articles,
    save_digest,
    save_document,
    stored_urls,
)
from mediadigest.store.search import SearchHit, search
from mediadigest.store.sources import (
    add_source,
    list_sources,
    mark_seen,
    move_source,
    record_fetch,
    remove_source,
    seen_keys,
)
from mediadigest.store.transfer import export_jsonl, import_jsonl
from mediadigest.store.writes import insert_new, lock_for_writing, to_utc_naive, utcnow

__all__ = [
    "Added",
    "SearchHit",
    "add_source",
    "add_sources",
    "check",
    "check_url",
    "count_rows",
    "create_engine",
    "export_jsonl",
    "import_jsonl",
    "insert_new",
    "list_articles",
    "list_sources",
    "lock_for_writing",
    "mark_seen",
    "migrate",
    "missing_tables",
    "move_source",
    "normalise_url",
    "open_store",
    "opened_read_only",
    "optimize",
    "parsed_url",
    "record_fetch",
    "remove_source",
    "save_articles",
    "save_digest",
    "save_document",
    "search",
    "seen_keys",
    "stored_urls",
    "to_utc_naive",
    "unavailable_reason",
    "unknown_revision",
    "utcnow",
]
