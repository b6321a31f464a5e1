"""Opening the store: engines for SQLite (WAL) and PostgreSQL, and Alembic migrations."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import sqlite3
import weakref
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import sqlalchemy as sa

from mediadigest.errors import ConfigError, StoreError
from mediadigest.logs import secret_name

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# The newest migration. A store already there opens without Alembic, whose migration
# environment imports every module that owns tables (the stories' pull in scikit-learn): a
# second or more of start-up for every command. A test holds this to Alembic's own head.
HEAD = "0017"

MMAP_SIZE = 4 * 1024**3  # address space, not memory: the OS keeps what is read in its cache


# The URL schemes of the stores we open (SQLite built in, PostgreSQL through psycopg 3); any
# other one failed deep in SQLAlchemy (NoSuchModuleError, or no module named 'MySQLdb').
_SQLITE = ("sqlite", "sqlite+pysqlite")
_POSTGRESQL = ("postgresql", "postgres", "postgresql+psycopg")
_FORMS = "sqlite:///path/to/file.db (or just the path) or postgresql://user@host/dbname"


def normalise_url(url: str) -> str:
    """Accept what users type: a bare path means SQLite, ``postgresql://`` means psycopg 3.

    A URL of another kind raises ConfigError saying which forms there are.
    """
    if "://" not in url:
        if url.startswith("file:"):  # a SQLite URI: its '?' and '%' are a URI's
            return f"sqlite:///{url}"
        # A path is the file's name as it is: in the URL '%41' was read as 'A' and a '?' began
        # the options, so 'pc%41/s.db' made ./pcA/s.db and 'q?x/s.db' a store ./q.
        return "sqlite:///" + url.replace("%", "%25").replace("?", "%3F")
    scheme, rest = url.split("://", 1)
    if scheme.lower() in _POSTGRESQL:
        return "postgresql+psycopg://" + rest
    shown = shown_url(url)
    if scheme.lower() not in _SQLITE:
        raise ConfigError(f"store URL {shown}: not a kind of store this opens; use {_FORMS}")
    _, mark, query = rest.partition("?")
    if mark and (odd := [part for part in query.split("&") if part and "=" not in part]):
        # SQLAlchemy drops such a part, and the path before the '?' was opened in its place
        raise ConfigError(
            f"store URL {shown}: '?' begins its options and {odd[0]!r} is none (NAME=VALUE); "
            "in a URL a path's '?' is written %3F and its '%' %25, or give the path alone"
        )
    if rest and not rest.startswith("/"):  # sqlite://file.db: SQLAlchemy reads "file.db" as a host
        raise ConfigError(
            f"store URL {shown}: a SQLite URL has three slashes before a relative path "
            f"({shown_url(f'sqlite:///{rest}')}), four before an absolute one "
            "(sqlite:////path/to/file.db)"
        )
    return url


# The user part as SQLAlchemy reads it: a name without ':' or '/', then a password ('/' and
# '?' included) up to its first '@'; an unencoded '@' in a password puts the rest of it in the
# host ("S3cret@Pw@host": host "Pw@host"), which a message then showed, so the password runs
# on to each further '@' before the query ('?user=a@b' is no password's).
_USER_PASSWORD = re.compile(r"(://[^:/]*:)[^@]*@(?:[^?@]*@)*")


def shown_url(url: str | sa.URL) -> str:
    """A store URL as every message and log line names it: no password, whether it is in
    ``user:password@`` (as SQLAlchemy's own ``repr`` masks it) or in the query
    (``?password=``, ``?sslpassword=``, which SQLAlchemy shows in clear: SQLAlchemy hands
    every parameter to libpq, so they are as good as ``user:password@``), masked by the rule
    of every URL in the log (`logs.secret_name`). Works on a URL SQLAlchemy cannot parse too."""
    text = url.render_as_string(hide_password=True) if isinstance(url, sa.URL) else url
    if isinstance(url, sa.URL) and url.get_backend_name() == "sqlite" and url.database:
        # A path as typed: SQLAlchemy quotes it as a URL's part (file:/… as file%3A/…)
        _, mark, query = text.partition("?")
        text = f"{url.drivername}:///{url.database}{mark}{query}"
    text = _USER_PASSWORD.sub(r"\1***@", text, count=1)
    base, mark, query = text.partition("?")
    if not mark:
        return text
    params = []
    for param in query.split("&"):
        name, equals, _ = param.partition("=")
        secret = equals and secret_name(name)  # decoded: ?pass%77ord= reaches libpq
        params.append(f"{name}=***" if secret else param)
    return f"{base}?{'&'.join(params)}"


def parsed_url(url: str) -> sa.URL:
    """The URL as SQLAlchemy reads it (normalised); one that cannot be read is a ConfigError
    naming it as given (a port that is no number was a ValueError traceback from deep in
    SQLAlchemy)."""
    if _at_in_password(url):
        # SQLAlchemy ends a password at its first '@': "S3cret@Pw@host" looked for a host
        # "Pw@host", and the error printed that piece of the password.
        raise ConfigError(
            f"store URL {shown_url(url)}: its password has an '@', which a URL must have "
            "percent-encoded: write it %40 (and ':' %3A, '/' %2F)"
        )
    try:
        return sa.make_url(normalise_url(url))
    except (ValueError, sa.exc.ArgumentError) as exc:
        if "int()" not in str(exc):
            why = f"{exc}; use {_FORMS}"
        elif "," in url.partition("://")[2].split("/")[0].rpartition("@")[2]:
            # libpq's postgresql://h1:5432,h2:5433/db is not SQLAlchemy's: "its port is not a
            # number" sent users looking for a typo.
            why = (
                "several hosts go in the query, with none before the database: "
                "postgresql://user@/dbname?host=h1:5432&host=h2:5433"
            )
        else:
            why = f"its port is not a number; use {_FORMS}"
        raise ConfigError(f"store URL {shown_url(url)}: {why}") from exc


def _at_in_password(url: str) -> bool:
    """Whether ``user:password@`` of a server's URL is followed by another '@' before the
    query: a '@' of the password (no host has one), as a user name's '@' before the ':' is
    read right. A SQLite URL has a path there, which may hold both (sqlite:///u:p@x@y.db)."""
    if "://" not in url or url.partition("://")[0].lower() in _SQLITE:
        return False
    user, at, rest = url.partition("://")[2].split("?")[0].partition("@")
    return bool(at) and ":" in user and "@" in rest


def _check_options(url: sa.URL, given: str) -> None:
    """PostgreSQL options in the query (?sslmode=require) are libpq's: one it does not know
    ("?foo=bar", a typo of "sslmode") is a ConfigError naming the URL as ``given``, not a
    traceback at the first connect."""
    try:
        from psycopg import ProgrammingError
        from psycopg.conninfo import make_conninfo
    except ImportError:
        return  # create_engine says psycopg is missing
    options = {k: v if isinstance(v, str) else ",".join(v) for k, v in url.query.items()}
    try:
        make_conninfo("", **options)
    except ProgrammingError as exc:
        raise ConfigError(f"store URL {shown_url(given)}: {_one_line(exc)}") from exc


def check_url(url: str) -> None:
    """Raise ConfigError for a store URL that could never be opened (another kind of store,
    a port that is no number, an option libpq does not know), before any work is done."""
    parsed = parsed_url(url)
    if parsed.get_backend_name() == "postgresql":
        _check_database(parsed)
        _check_options(parsed, url)


def _check_database(url: sa.URL) -> None:
    """A PostgreSQL URL names its database: without one libpq opens the one named as the
    user (``postgres``, the maintenance database, for the superuser), and even a read-only
    command created the whole schema there."""
    if not url.database and "dbname" not in url.query:
        raise ConfigError(
            f"store URL {shown_url(url)}: give the database name: postgresql://user@host/DBNAME"
        )


def create_engine(url: str) -> sa.Engine:
    """An engine with the pragmas the store relies on (WAL, foreign keys, a busy timeout)."""
    given, url = url, normalise_url(url)
    parsed = parsed_url(given)
    if url.startswith("sqlite"):
        path = parsed.database
        # A file: URI (?uri=true) is SQLite's to read: making its "parent" made a folder
        # "file:" and the store's whole path under it in the working folder.
        plain = path and path != ":memory:" and "uri" not in parsed.query
        if plain:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: a failed statement's message and traceback listed its values, a new
        # user's password hash among them.
        engine = sa.create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "handle_error", _why_not_writable)
        if plain:
            _stay_on_the_file(engine, Path(path))
            _checkpoint_when_done(engine)
        return engine
    # libpq waits for the kernel's TCP timeout (minutes) on a host that does not answer: each
    # web request and every round would hang that long. A URL's own connect_timeout wins.
    _check_database(parsed)
    _check_options(parsed, given)
    wait = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
    try:
        return sa.create_engine(url, pool_pre_ping=True, connect_args=wait, hide_parameters=True)
    except ImportError as exc:  # psycopg is an extra: without it, "No module named 'psycopg'"
        raise ConfigError(
            "a postgresql:// store needs psycopg: pip install 'mediadigest[postgres]'"
        ) from exc


def _stay_on_the_file(engine: sa.Engine, path: Path) -> None:
    """Keep a long-running process (``serve``, ``collect --watch``) on the file it opened.

    A store file removed or replaced while the web app ran: its pooled connections went on
    with the unlinked file (writes lost when they closed) while each new one created an empty
    store at the path ("no such table" tracebacks, bare 500s), so pages answered from either
    at random and ``/healthz`` said ok. Now a pooled connection is used only while the path
    still names the file it opened (one ``stat``), and no new one creates a file where one
    has been: the store is out of reach (503) until the file is back.
    """
    opened = path.exists()

    def _refuse_a_vanished_file(_dialect, _record, _cargs, _cparams) -> None:
        if opened and not path.exists():
            raise sqlite3.OperationalError(
                f"unable to open database file {path}: it was removed while this program ran"
            )

    def _remember(_dbapi_conn, record) -> None:
        nonlocal opened
        opened = True
        record.info["file"] = _file_id(path)

    def _same_file(_dbapi_conn, record, _proxy) -> None:
        if _file_id(path) != record.info.get("file"):
            raise sa.exc.DisconnectionError(f"{path} was removed or replaced")

    sa.event.listen(engine, "do_connect", _refuse_a_vanished_file)
    sa.event.listen(engine, "connect", _remember)
    sa.event.listen(engine, "checkout", _same_file)


# The SQLite engines of this process that wrote to their store: each is checkpointed as the
# process ends (weak: an engine dropped earlier closed its connections, which checkpoints).
_WROTE: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _checkpoint_when_done(engine: sa.Engine) -> None:
    """Have the store's -wal written back and cut to nothing when this command ends, if it
    wrote. SQLite does so itself as the last connection to the file closes, but not while
    another process has it open (``serve``, ``collect --watch``): the -wal then kept the size
    of the largest command's writes (29 MB for one collect of 2.5 MB of articles, up to the
    400 MB of ``wal_autocheckpoint``) for as long as that process ran."""

    def _note_writes(dbapi_conn, _record) -> None:
        if dbapi_conn is not None and dbapi_conn.total_changes:  # rows this connection changed
            _WROTE.add(engine)

    sa.event.listen(engine, "checkin", _note_writes)


@atexit.register
def _checkpoint_all() -> None:
    for engine in list(_WROTE):
        checkpoint(engine)


def checkpoint(engine: sa.Engine) -> bool:
    """Write a SQLite store's -wal back into the store and truncate it, without waiting: where
    another connection reads an older snapshot or writes, as much is written back as can be
    and the -wal stays as it is (SQLite's "busy"), for a later checkpoint. True where it was
    cut to nothing. A failure (no room to write the store, a read-only file) is logged and
    left to the next command, as the -wal stays whole and SQLite reads it back."""
    try:
        # None, or cut already (a pool disposed of checkpoints as it closes): nothing to write
        # back, and no need to open the store again.
        if Path(f"{_store_path(engine.url)}-wal").stat().st_size == 0:
            return True
    except OSError:
        return True
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            (wait,) = raw.execute("PRAGMA busy_timeout").fetchone()
            # No busy handler: TRUNCATE then gives up at once where it would wait for another
            # connection, and does what PASSIVE would (SQLite's sqlite3_wal_checkpoint_v2).
            raw.execute("PRAGMA busy_timeout = 0")
            try:
                busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                raw.execute(f"PRAGMA busy_timeout = {wait}")
    except (sa.exc.SQLAlchemyError, sqlite3.Error) as exc:
        log.debug("store %s: no checkpoint (%s)", shown_url(engine.url), _one_line(exc))
        return False
    if busy:
        log.debug("store %s: checkpoint put off, the store is in use", shown_url(engine.url))
    return not busy


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


# SQLite's operational errors that are the database being out of reach, not a wrong query
# ("no such table" is a bug, and keeps its traceback).
# A full disk too: a run stops on it as on a lost server (what is stored is whole) and the
# next round or the same command goes on once there is room.
# A read-only file too ("attempt to write a readonly database"): as good as out of reach for
# a command that writes, and the same command goes on once it can write.
_SQLITE_UNAVAILABLE = (
    "locked", "busy", "unable to open", "disk i/o", "disk is full", "readonly database"
)  # fmt: skip


def _why_not_writable(context: sa.engine.ExceptionContext) -> None:
    """SQLite's "attempt to write a readonly database" and "unable to open database file" get
    a note saying why (the file, its folder, the file system) and how to read the store all
    the same; the CLI prints it (``hint``) after the reason. A full disk gets the one message
    every command gives for it (`no_space`, `full_disk`)."""
    error, url = context.original_exception, context.engine and context.engine.url
    if not isinstance(error, sqlite3.OperationalError) or not url or not _on_a_file(url):
        return
    if _store_path(url).is_dir():  # "unable to open database file" ("disk I/O error" read-only)
        context.sqlalchemy_exception.add_note(_a_folder(url))
        return
    if out_of_space(error, url):
        context.sqlalchemy_exception.add_note(no_space(url))
        return
    refused = "readonly database" in str(error)
    if not refused and not str(error).startswith("unable to open database file"):
        return
    if why := not_writable(url, refused):
        context.sqlalchemy_exception.add_note(why)


# Below this much free space a "disk I/O error" is the disk being full: SQLite cannot make the
# 32 KiB -shm a WAL store needs even to be read (it says "disk I/O error", never "full"), nor
# add a page to the -wal. A fault of the disk itself with this little room left is rare.
_LITTLE_ROOM = 1024 * 1024

# How the message for a full disk begins (`full_disk` finds it among an error's notes).
_NO_SPACE = "no space left on device in "


def out_of_space(error: sqlite3.OperationalError, url: sa.URL) -> bool:
    """Whether SQLite failed for want of disk space: SQLITE_FULL ("database or disk is full":
    the store sets no max_page_count, so it is the disk), or a disk I/O error where the
    store's folder has (almost) no room left."""
    if "database or disk is full" in str(error):
        return True
    if not str(error).startswith("disk I/O error"):
        return False
    room = free_space(_store_path(url).parent)
    return room is not None and room < _LITTLE_ROOM


def free_space(folder: Path) -> int | None:
    """Bytes this user may still write in ``folder``'s file system (not root's reserve), or
    None where the folder cannot be looked at."""
    try:
        found = os.statvfs(folder)
    except OSError:
        return None
    return found.f_bavail * found.f_frsize


def no_space(url: sa.URL) -> str:
    """What every command says when the disk under the SQLite store at ``url`` is full: the
    folder to free space in, the store, and what its -wal holds there. The same words from a
    command that reads (at 0 bytes free SQLite cannot open a store) and one that writes
    ("disk I/O error" and "the store is unavailable (database or disk is full)" said neither
    which store nor where)."""
    path = _store_path(url)
    said = f"{_NO_SPACE}{path.parent}, the folder of the store {shown_url(url)}"
    with contextlib.suppress(OSError):
        if wal := Path(f"{path}-wal").stat().st_size:
            said += (
                f" (its -wal holds {_size(wal)} of changes, which are kept and written into "
                "the store once there is room)"
            )
    return f"{said}: free some space there and run the command again"


def full_disk(exc: BaseException) -> str | None:
    """The store's message for ``exc`` if it failed for want of disk space (see `no_space`)."""
    notes = getattr(exc, "__notes__", None) or ()
    return next((note for note in notes if note.startswith(_NO_SPACE)), None)


def _size(count: int) -> str:
    return f"{count / 1024**2:.1f} MB" if count >= 1024**2 else f"{count / 1024:.0f} KB"


def _on_a_file(url: sa.URL) -> bool:
    """Whether a SQLite URL names a file: ``sqlite://`` and ``:memory:`` do not (their errors
    were blamed on the working folder, "is a folder")."""
    return bool(url.database) and url.database != ":memory:"


def _store_path(url: sa.URL) -> Path:
    """The file of a SQLite store's URL, absolute (a file: URI's path too)."""
    return Path((url.database or "").removeprefix("file:")).absolute()


def not_writable(url: sa.URL, refused: bool = True) -> str | None:
    """Why the SQLite store at ``url`` cannot be written or opened, as far as the file system
    says, and what to give instead: the URL that reads it without writing, or, where there
    is no store yet, a path that can be written; None where it says nothing and SQLite did
    not say it refused to write (``refused``)."""
    path = _store_path(url)
    if path.is_dir():
        return _a_folder(url)
    if opened_read_only(url):
        # A read-only URL cannot make the file: a mistyped snapshot path was blamed on the
        # command writing, which a command that only reads does not.
        if not path.exists():
            return f"no store at {path}"
        return "its URL opens it read-only, by mode=ro or immutable=1, and this command writes"
    folder = path.parent
    try:
        read_only_fs = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        read_only_fs = False
    if not folder.is_dir():
        return f"there is no folder {folder}"
    if read_only_fs:
        why = f"{folder} is on a read-only file system"
    elif path.exists() and not os.access(path, os.W_OK):
        why = f"{path} is not writable by this user"
    elif not os.access(folder, os.W_OK):
        why = f"its folder {folder} is not writable by this user"
        if path.exists():  # WAL: every connection, a reader's too, needs them beside it
            why += ", and SQLite keeps the store's -wal and -shm files there"
    elif refused:
        why = f"{path} cannot be written (its permissions, or a flag: lsattr)"
    else:
        return None
    if not path.exists():  # a new store: a URL that reads it would name a file not there
        return f"{why}; for a new store, give --db a path in a folder this user can write"
    snapshot = f"sqlite:///file:{quote(str(path), safe='/')}?mode=ro&immutable=1&uri=true"
    return f"{why}; to read a copy no one writes to, such as a snapshot: --db '{snapshot}'"


def _a_folder(url: sa.URL) -> str:
    """A store's path that names a folder (a --db of the folder meant to hold the store)."""
    path = _store_path(url)
    return f"{path} is a folder; give the store's file, such as {path / 'mediadigest.db'}"


def opened_read_only(url: sa.URL) -> bool:
    """Whether a SQLite store's URL opens it read-only (a file: URI's mode=ro or immutable=1)."""
    return url.query.get("mode") == "ro" or url.query.get("immutable") == "1"


def hint(exc: BaseException) -> str | None:
    """What the store added to ``exc`` on why it failed (see `not_writable`), if anything."""
    notes = getattr(exc, "__notes__", None)
    return "; ".join(notes) if notes else None


def _one_line(exc: BaseException) -> str:
    """libpq's messages run over several lines (and end with one): joined into one."""
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())


def unavailable_reason(exc: BaseException) -> str | None:
    """Why the store cannot be used, on one line, if ``exc`` says it is out of reach (the
    server is down, restarting, unreachable, or the pool is exhausted); None otherwise."""
    if isinstance(exc, sa.exc.TimeoutError):
        return str(exc).splitlines()[0]
    if not isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        return None
    orig = getattr(exc, "orig", None) or exc
    # libpq's message runs over several lines; SQLAlchemy's adds the SQL and a link.
    reason = _one_line(orig)
    if type(orig).__module__.startswith("sqlite3") and not any(
        word in reason.lower() for word in _SQLITE_UNAVAILABLE
    ):
        return None
    return reason or type(orig).__name__


def permission_denied(exc: BaseException) -> str | None:
    """PostgreSQL's refusal of a statement to the role (``permission denied for table
    stories``, SQLSTATE 42501: a role granted SELECT only), on one line; None for any other
    error."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) != "42501":
        return None
    return _one_line(orig) or "permission denied"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses no committed data
    # 256 MiB of page cache instead of 2 (taken only as used): an ingest batch writes pages all
    # over the article indexes (dates arrive out of order), which at a million articles are
    # some 300 MB; pages the cache dropped are read back through the memory map, not read().
    cur.execute("PRAGMA cache_size=-262144")
    cur.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
    # Checkpoint (and fsync) every 400 MB of WAL, not every 4 MB: one batch of a bulk load
    # writes some 30 MB, mostly the same index pages as the batches before, which a checkpoint
    # then copies once. The WAL file is reused as it is (cutting it back costs the kernel more
    # than the disk space is worth) and removed when the last connection closes, or cut to
    # nothing as a command that wrote ends (`checkpoint`).
    cur.execute("PRAGMA wal_autocheckpoint=100000")
    cur.close()


def _alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("mediadigest.store") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision (creates it on an empty database).

    Processes that migrate one store at once (a cron starting ``collect`` and ``ingest``
    on a new store) take turns: each looks at the schema and migrates it under a lock held to
    its commit (`_migrating`), so the next finds it done. Without, both created the same
    tables ("table digests already exists"), or one found the other's tables half made and
    called the store a first upgrade interrupted.
    """
    from alembic import command

    current = _revision(engine)
    if current == HEAD:  # nothing to do, and nothing to lock: a read-only store stays readable
        return
    if problem := unknown_revision(engine.url, current):
        raise StoreError(problem)
    with _opening(engine), _migrating(engine) as conn:
        _refuse_foreign_schema(engine, conn)
        command.upgrade(_alembic_config(conn), "head")


# Any 64-bit number that no other application on the same database is likely to pick, and
# not the writers' (`writes.WRITER_LOCK`): a migration waits for other migrations only.
MIGRATION_LOCK = 0x6D65_6469_616D_6967  # "mediamig"

# How long a process waits for another's migration of a SQLite store (a large store's takes
# minutes) before it gives up with "database is locked", in milliseconds.
_MIGRATION_WAIT_MS = 15 * 60 * 1000


@contextlib.contextmanager
def _migrating(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that holds the store's migration lock until it commits.

    PostgreSQL: a transaction-level advisory lock; its DDL is transactional, so the next
    process sees all of the schema or none of it. SQLite: ``BEGIN EXCLUSIVE``, with the
    driver's own transaction handling off, as pysqlite begins a transaction only before an
    INSERT, UPDATE or DELETE and ran each CREATE TABLE before the first one as a commit of its
    own; in one transaction the schema is made whole or not at all (a migration stopped
    halfway leaves nothing behind). A store whose URL opens it read-only cannot be migrated
    whatever the lock: it gets a plain transaction, and fails at its first write as before.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            with conn.begin():
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
                yield conn
            return
        if opened_read_only(engine.url):
            with conn.begin():
                yield conn
            return
        with sqlite_transaction(conn, "BEGIN EXCLUSIVE", wait_ms=_MIGRATION_WAIT_MS):
            yield conn


@contextlib.contextmanager
def sqlite_transaction(
    conn: sa.Connection, begin: str, *, wait_ms: int | None = None
) -> Iterator[None]:
    """A SQLite transaction opened by ``begin`` (``BEGIN IMMEDIATE``: the writer lock from
    its first statement, reads included; ``BEGIN EXCLUSIVE``), committed or rolled back as
    ``conn.begin()``'s. pysqlite's own transaction handling is off meanwhile: it begins a
    deferred transaction, and only before an INSERT, UPDATE or DELETE. ``wait_ms``: how long
    the BEGIN waits for the lock, where not the connection's busy timeout."""
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    level = raw.isolation_level
    (wait,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.isolation_level = None  # no implicit BEGIN or COMMIT: the one below spans it all
    try:
        with conn.begin():
            if wait_ms is not None:
                raw.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                conn.exec_driver_sql(begin)
            finally:
                raw.execute(f"PRAGMA busy_timeout = {wait}")
            yield
    finally:
        raw.isolation_level = level


def unknown_revision(url: sa.URL, current: str | None) -> str | None:
    """What is wrong with a store whose recorded revision this mediadigest does not know (a
    newer one upgraded it; another application's Alembic table); None for a known one."""
    if current is None or current in _REVISIONS:
        return None
    return (
        f"{shown_url(url)} is at schema revision {current!r}, which this mediadigest does not "
        f"know (its newest is {HEAD}): a newer mediadigest upgraded it, or it is another "
        "application's database; use a mediadigest at least as new as the store"
    )


# Every revision the migrations know ("0001".."0017"): read from their file names, which
# start with it (a test checks the two agree).
_REVISIONS = frozenset(
    p.name[:4]
    for p in (resources.files("mediadigest.store") / "migrations" / "versions").iterdir()
    if p.name[:4].isdigit()
)


def _refuse_foreign_schema(engine: sa.Engine, conn: sa.Connection) -> None:
    """A store at a revision we do not know, or a database with no schema of ours yet but
    tables (another application's): migrating it would fail with a traceback ("Can't locate
    revision", PostgreSQL's DuplicateTable), mix its rows with ours, or add our tables to
    another tool's file (a mistyped --db, even for a command that only reads)."""
    from alembic.runtime.migration import MigrationContext

    current = MigrationContext.configure(conn).get_current_revision()
    if problem := unknown_revision(engine.url, current):
        raise StoreError(problem)
    if current is not None:
        return
    present = set(sa.inspect(conn).get_table_names())
    taken = sorted(present & schema_tables())
    if taken and "alembic_version" in present:  # ours, cut short (SQLite keeps DDL it ran)
        raise StoreError(
            f"{shown_url(engine.url)} has part of a mediadigest schema ({', '.join(taken)}) and "
            "no revision: a first `db upgrade` was interrupted. It holds no data yet: delete the "
            "file (SQLite) or drop those tables and alembic_version, then run `db upgrade`"
        )
    if taken:
        raise StoreError(
            f"{shown_url(engine.url)} has no mediadigest schema but already has tables of its "
            f"names ({', '.join(taken)}): another application's database? Give mediadigest an "
            "empty database of its own"
        )
    # An empty alembic_version alone is a first upgrade stopped before its first table.
    if others := sorted(present - {"alembic_version"}):
        shown = ", ".join(others[:10]) + (f" and {len(others) - 10} more" if others[10:] else "")
        raise StoreError(
            f"{shown_url(engine.url)} has no mediadigest schema but has tables ({shown}): "
            "another application's database? Give mediadigest an empty database of its own"
        )


@contextlib.contextmanager
def _opening(engine: sa.Engine) -> Iterator[None]:
    """Cannot connect, or not a database at all ("file is not a database": --db names some
    other file), becomes a StoreError on one line (libpq's messages run over two); an error
    in a migration itself stays a traceback."""
    try:
        yield
    except sa.exc.DatabaseError as exc:
        if type(exc) not in (sa.exc.OperationalError, sa.exc.DatabaseError):
            raise
        if full := full_disk(exc):
            raise StoreError(full) from exc
        reason = _one_line(exc.orig)
        why = f" ({hint(exc)})" if hint(exc) else ""
        raise StoreError(f"cannot open store {shown_url(engine.url)}: {reason}{why}") from exc


def check(engine: sa.Engine) -> tuple[str | None, str]:
    """(current revision, newest revision) of the store's schema. A database that `migrate`
    refuses (another application's, a first upgrade cut short) is a StoreError saying so:
    `db check` told users to run `db upgrade`, which then refused it."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with _opening(engine), engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current is None:
            _refuse_foreign_schema(engine, conn)
        head = ScriptDirectory.from_config(_alembic_config(conn)).get_current_head()
    return current, head or ""


def missing_tables(engine: sa.Engine) -> list[str]:
    """The schema's tables the store lacks (dropped by hand, a damaged file): none if whole."""
    with _opening(engine), engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
    return sorted(schema_tables() - present)


def schema_tables() -> set[str]:
    """The names of every table the migrations create: the store's, the stories' and the web
    app's modules each add theirs to the one MetaData (as the migrations' env.py imports them;
    without, `db check` overlooked a missing `users` table)."""
    from mediadigest.store import collect_state  # noqa: F401
    from mediadigest.store.schema import metadata
    from mediadigest.stories import persist  # noqa: F401
    from mediadigest.web import persist as web_persist  # noqa: F401

    return set(metadata.tables)


def optimize(engine: sa.Engine) -> None:
    """Tidy up after a bulk load: merge SQLite's full-text index into one segment (searches
    then seek once per word, not once per segment) and refresh the query planner's statistics.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
            conn.exec_driver_sql("PRAGMA optimize")


def open_store(url: str) -> sa.Engine:
    """Open (and create or upgrade) the store at ``url``.

    A SQLite store is upgraded by whichever command opens it (one user's file: nobody is
    left behind on an older schema). A PostgreSQL store that already has a schema is upgraded
    only by ``db upgrade``: it is shared, and a newer mediadigest run by anyone for any
    command (``articles``) migrated it under every other process still of the older version.
    A new, empty database gets its schema from any command.
    """
    engine = create_engine(url)
    revision = _revision(engine)
    if revision != HEAD:
        if problem := _not_upgraded_here(engine, revision):
            engine.dispose()
            raise StoreError(problem)
        migrate(engine)
    return engine


def _not_upgraded_here(engine: sa.Engine, revision: str | None) -> str | None:
    """Why ``open_store`` leaves a store behind HEAD as it is (None: it upgrades it)."""
    if revision is None or revision not in _REVISIONS:
        return None  # a new store, or one ``migrate`` refuses with its own reason
    behind = (
        f"{shown_url(engine.url)} is at schema revision {revision}, behind this "
        f"mediadigest's {HEAD}"
    )
    if engine.dialect.name == "postgresql":
        return (
            f"{behind}: a shared store is upgraded only by `mediadigest db upgrade` (once "
            "every process using it can be of this version)"
        )
    if opened_read_only(engine.url):
        return f"{behind}, and opened read-only: upgrade a writable copy with `db upgrade`"
    return None


def _revision(engine: sa.Engine) -> str | None:
    """The store's schema revision as recorded, or None where there is none (yet) to read:
    a new store, or one that cannot be opened (``migrate`` then says why)."""
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except sa.exc.DBAPIError:
        return None
