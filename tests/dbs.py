"""Database fixtures (a pytest plugin): every store test runs on SQLite and on PostgreSQL.

``store_url``   an empty, migrated store; parametrised ``[sqlite]`` (a new temp file) and
                ``[postgresql]`` (the session's database, its tables emptied)
``engine``      ``store.open_store(store_url)``, disposed after the test
``empty_url``   like ``store_url`` but an empty database, for tests of migrations
``pg_admin``    URL of a PostgreSQL server on which the tests may create databases

PostgreSQL comes from ``MEDIADIGEST_TEST_PG`` (a URL of a user allowed to create databases)
if set; otherwise the session starts a throwaway cluster from Debian's binaries (or those on
PATH, or in ``MEDIADIGEST_PG_BIN``) in a temp folder on a free port, as an unprivileged user
when run as root, and stops it at the end. Without either the PostgreSQL tests are skipped,
unless ``MEDIADIGEST_TEST_PG_REQUIRED=1`` (CI sets it), which makes them fail instead.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from mediadigest import store
from mediadigest.errors import StoreError
from mediadigest.store import pgcluster

BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()
# A throwaway cluster need not survive a crash: skipping fsync makes each test database cheap.
_FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def _unavailable(reason: str) -> None:
    if os.environ.get("MEDIADIGEST_TEST_PG_REQUIRED") == "1":
        pytest.fail(f"PostgreSQL is required here (MEDIADIGEST_TEST_PG_REQUIRED=1): {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


def _admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(store.normalise_url(url), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    """A server the tests may create databases on (see the module docstring)."""
    if url := os.environ.get("MEDIADIGEST_TEST_PG"):
        yield url
        return
    bindir = pgcluster.find_bindir(os.environ.get("MEDIADIGEST_PG_BIN"))
    if bindir is None:
        _unavailable(
            "no initdb/pg_ctl found (apt-get install postgresql, or set MEDIADIGEST_TEST_PG)"
        )
    try:
        cluster = pgcluster.start_cluster(bindir, settings=_FAST)
    except StoreError as exc:
        _unavailable(str(exc))
    try:
        yield cluster.url
    finally:
        cluster.stop()


def _database_url(admin: str, name: str) -> str:
    return str(sa.make_url(store.normalise_url(admin)).set(database=name).render_as_string(False))


@pytest.fixture(scope="session")
def pg_store(pg_admin: str) -> Iterator[str]:
    """One migrated database for the session; each test empties it first (see ``store_url``)."""
    yield from _new_pg_database(pg_admin)


def _empty_tables(url: str) -> None:
    """Empty every table but Alembic's, restarting ids: cheaper than a new database per test."""
    engine = sa.create_engine(store.normalise_url(url))
    with engine.begin() as conn:
        names = conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'"
        ).scalars()
        conn.exec_driver_sql(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    engine.dispose()


def _new_pg_database(admin_url: str, *, migrated: bool = True) -> Iterator[str]:
    name = f"mediadigest_test_{os.getpid()}_{next(_counter)}"
    admin = _admin_engine(admin_url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = _database_url(admin_url, name)
    if migrated:
        store.open_store(url).dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A fresh, migrated store on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/store.db"
        store.open_store(url).dispose()
        yield url
        return
    url = request.getfixturevalue("pg_store")
    _empty_tables(url)
    yield url


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A database with no tables yet, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    yield from _new_pg_database(request.getfixturevalue("pg_admin"), migrated=False)


@pytest.fixture
def engine(store_url: str) -> Iterator[sa.Engine]:
    """The opened store at ``store_url``."""
    eng = store.open_store(store_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[sa.Engine]:
    """A second store, on SQLite, beside ``engine``: where an export is imported, or from."""
    eng = store.open_store(f"sqlite:///{tmp_path}/other.db")
    yield eng
    eng.dispose()


@pytest.fixture
def own_cluster() -> Iterator[pgcluster.LocalCluster]:
    """A PostgreSQL server of the test's own, which it may stop (an outage) and start again
    (`restart_cluster`); not the session's, which every other test shares."""
    bindir = pgcluster.find_bindir(os.environ.get("MEDIADIGEST_PG_BIN"))
    if bindir is None:
        _unavailable("no initdb/pg_ctl found")
    try:
        running = pgcluster.start_cluster(bindir, settings=_FAST)
    except StoreError as exc:
        _unavailable(str(exc))
    yield running
    try:
        running.stop()
    except StoreError:  # stopped by the test and not started again: only the folder is left
        shutil.rmtree(running.folder, ignore_errors=True)


def restart_cluster(cluster: pgcluster.LocalCluster) -> None:
    """Start a stopped `own_cluster` again, on the same address and data."""
    settings = {**_FAST, "port": str(cluster.port)}
    pgcluster.start_cluster(cluster.bindir, settings, folder=cluster.folder)
