"""Opening the store: engines for SQLite (WAL) and PostgreSQL, and Alembic migrations."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from mediadigest.errors import StoreError

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Accept what users type: a bare path means SQLite, ``postgresql://`` means psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_engine(url: str) -> sa.Engine:
    """An engine with the pragmas the store relies on (WAL, foreign keys, a busy timeout)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses no committed data
    cur.close()


def _alembic_config(connection: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("mediadigest.store") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision (creates it on an empty database)."""
    try:
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot open store {engine.url!r}: {exc.orig}") from exc


def check(engine: sa.Engine) -> tuple[str | None, str]:
    """(current revision, newest revision) of the store's schema."""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(_alembic_config(conn)).get_current_head()
    return current, head or ""


def open_store(url: str) -> sa.Engine:
    """Open (and create or upgrade) the store at ``url``."""
    engine = create_engine(url)
    migrate(engine)
    return engine
