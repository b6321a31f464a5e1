"""What goes wrong at the command line comes out as one error, never a traceback.

Runtime errors (a store that cannot be opened) are one line ``error: …`` and exit 1; usage
errors (a value the command cannot use) exit 2 and name the option or input.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from mediadigest.errors import ConfigError


def mediadigest(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it: the console entry point turns our errors into one line."""
    return subprocess.run(
        [sys.executable, "-m", "mediadigest", *args], input=stdin,
        capture_output=True, text=True, timeout=120, check=False, cwd=cwd,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def usage_error(done: subprocess.CompletedProcess[str]) -> str:
    """The message of a usage error, out of its box, on one line."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", done.stderr).split())


def test_a_shard_size_that_is_not_a_size_is_a_usage_error_and_creates_no_store(tmp_path: Path):
    db = tmp_path / "s.db"
    done = mediadigest("--db", f"sqlite:///{db}", "ingest", "--shard-size", "abc", "f.warc")
    assert "Invalid value for --shard-size: 'abc' is not a size like 64M" in usage_error(done)
    assert not db.exists()


def test_a_negative_number_of_workers_is_a_usage_error(tmp_path: Path):
    """--workers -1 ran as if nothing were wrong; the help names N >= 0 only."""
    db = tmp_path / "s.db"
    (tmp_path / "a.txt").write_text("Kazakhstan\n\nAstana said so.")
    done = mediadigest(
        "--db", f"sqlite:///{db}", "ingest", "--workers", "-1", str(tmp_path / "a.txt")
    )
    assert "--workers" in usage_error(done)
    assert not db.exists()


def one_line_error(done: subprocess.CompletedProcess[str], code: int) -> str:
    """The error line of a command that printed nothing else on stderr."""
    assert done.returncode == code, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.mark.parametrize("url", ["postgresq://u@/md", "mysql://x@y/z", "sqlite://relative.db"])
def test_a_store_url_of_no_kind_we_open_is_a_usage_error_saying_which_there_are(
    url: str, tmp_path: Path
):
    line = one_line_error(mediadigest("--db", url, "articles", cwd=tmp_path), 2)
    assert line.startswith(f"error: store URL {url}: ")
    assert "sqlite:///" in line
    assert list(tmp_path.iterdir()) == []


def test_a_store_url_in_an_error_hides_its_password(tmp_path: Path):
    line = one_line_error(mediadigest("--db", "mysql://me:secret@db/md", "articles"), 2)
    assert "secret" not in line and "mysql://me:***@db/md" in line


@pytest.mark.parametrize("command", [["db", "check"], ["articles"]], ids=" ".join)
def test_a_store_url_whose_port_is_no_number_is_one_line_naming_it(command: list[str]):
    # SQLAlchemy's ValueError from int() was a traceback, before any connection was tried.
    line = one_line_error(mediadigest("--db", "postgresql://u@127.0.0.1:abc/md", *command), 2)
    assert line.startswith("error: store URL postgresql://u@127.0.0.1:abc/md: ")
    assert "its port is not a number" in line


def test_a_store_url_with_several_hosts_is_told_the_form_that_works():
    # libpq's host list is no port: "its port is not a number" sent users after a typo.
    with pytest.raises(ConfigError) as raised:
        store.check_url("postgresql://u:S3cret@h1:5432,h2:5433/md")
    assert str(raised.value) == (
        "store URL postgresql://u:***@h1:5432,h2:5433/md: several hosts go in the query, "
        "with none before the database: postgresql://user@/dbname?host=h1:5432&host=h2:5433"
    )
    store.check_url("postgresql://u:S3cret@/md?host=h1:5432&host=h2:5433")  # that form works


def test_a_postgresql_option_libpq_does_not_know_is_one_line_naming_it():
    # "?sslmod=require" (a typo) reached psycopg at the first connect: a ProgrammingError
    # traceback. The password beside it stays hidden.
    port = _free_port()
    url = f"postgresql://u@127.0.0.1:{port}/md?sslmod=require&password=S3cretPW"
    line = one_line_error(mediadigest("--db", url, "db", "check"), 2)
    assert 'invalid connection option "sslmod"' in line
    assert "S3cret" not in line
    # As given: it was shown as postgresql+psycopg://, its query sorted.
    assert f"store URL postgresql://u@127.0.0.1:{port}/md?sslmod=require&password=***: " in line


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_password_in_a_store_url_of_no_kind_we_open_is_hidden_wherever_it_is():
    # SQLAlchemy reads a password up to the '@', '/' included; the query's is as good a one.
    url = "mysql://me:pa/S3cretPW@db/md?password=S3cretPW"
    line = one_line_error(mediadigest("--db", url, "articles"), 2)
    assert "S3cret" not in line and "mysql://me:***@db/md?password=***" in line


@pytest.mark.parametrize(
    "command", [["db", "check"], ["articles"], ["users", "list"]], ids=" ".join
)
@pytest.mark.parametrize("parameter", ["password", "sslpassword", "pass%77ord"])
def test_a_password_in_a_postgresql_url_query_is_never_printed(
    parameter: str, command: list[str], tmp_path: Path
):
    # libpq takes its password (and its key's, sslpassword) as a URL parameter as readily as
    # in user:password@; SQLAlchemy masks only the latter. %77 is 'w': names are unquoted.
    url = f"postgresql://u@127.0.0.1:{_free_port()}/md?{parameter}=S3cretPW&connect_timeout=5"
    line = one_line_error(mediadigest("--db", url, *command), 1)
    assert "S3cret" not in line
    assert line.startswith("error: cannot open store postgresql+psycopg://u@127.0.0.1:")
    assert "password=***" in line or "pass%77ord=***" in line
    assert "connect_timeout=5" in line


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://u:S3cretPW@h/md", "postgresql+psycopg://u:***@h/md"),
        ("postgresql://u@h/md?password=S3cretPW", "postgresql://u@h/md?password=***"),
        (
            "postgresql://u@h/md?sslmode=verify-full&sslpassword=S3cretPW&sslkey=/k.pem",
            "postgresql://u@h/md?sslmode=verify-full&sslpassword=***&sslkey=/k.pem",
        ),
        ("postgresql://u@h/md?PASSWORD=S3cretPW", "postgresql://u@h/md?PASSWORD=***"),
        ("postgresql://u@h/md?oauth_client_secret=S3cretPW", "postgresql://u@h/md?oauth_client_secret=***"),
        ("postgresql://a@b:S3cretPW@h/md", "postgresql://a@b:***@h/md"),
        ("postgresql://u:S3c/ret?PW@h/md", "postgresql://u:***@h/md"),
        ("sqlite:///store.db?mode=ro&uri=true", "sqlite:///store.db?mode=ro&uri=true"),
        ("postgresql://u:S3cret@Pw@h/md", "postgresql://u:***@h/md"),
        ("postgresql://u@h:5432/md", "postgresql://u@h:5432/md"),
        # An '@' in the query is no password's: it showed as "postgresql://u:***@b".
        ("postgresql://u:S3cret@h:5432/md?user=a@b", "postgresql://u:***@h:5432/md?user=a@b"),
        ("postgresql://u:S3c?ret@h/md?user=a@b", "postgresql://u:***@h/md?user=a@b"),
        # The rule of the log's URLs: a key is a secret, its name read decoded.
        ("postgresql://u@h/md?api%2Dkey=S3cretPW", "postgresql://u@h/md?api%2Dkey=***"),
        ("sqlite:///data/u:p@x@y.db", "sqlite:///data/u:p@x@y.db"),
    ],
)  # fmt: skip
def test_a_store_url_is_shown_without_its_password(url: str, shown: str):
    assert store.engine.shown_url(url) == shown


def test_a_parsed_store_url_is_shown_without_any_password():
    url = sa.make_url("postgresql+psycopg://u:S3cret1@h/md?password=S3cret2&password=S3cret3")
    assert store.engine.shown_url(url) == (
        "postgresql+psycopg://u:***@h/md?password=***&password=***"
    )


def test_a_store_at_an_unknown_revision_is_named_without_its_password():
    url = sa.make_url("postgresql+psycopg://u@h/md?password=S3cretPW")
    problem = store.unknown_revision(url, "9999")
    assert problem is not None and "S3cret" not in problem
    assert problem.startswith("postgresql+psycopg://u@h/md?password=*** is at schema revision")


@pytest.mark.parametrize("command", [["db", "check"], ["db", "upgrade"], ["search", "wind"]])
def test_a_postgresql_server_that_is_not_there_is_one_line_and_exit_1(
    command: list[str], tmp_path: Path
):
    url = f"postgresql://u@/md?host={tmp_path}&port={_free_port()}"  # a socket dir, no server
    line = one_line_error(mediadigest("--db", url, *command), 1)
    assert line.startswith("error: cannot open store postgresql+psycopg://u@/md?")
    assert "Is the server running" in line


def test_db_check_of_a_database_that_does_not_exist_is_one_line_and_exit_1(pg_admin: str):
    url = sa.make_url(store.normalise_url(pg_admin)).set(database="nodb").render_as_string(False)
    line = one_line_error(mediadigest("--db", url, "db", "check"), 1)
    assert line.startswith("error: cannot open store postgresql+psycopg://")
    assert line.endswith('database "nodb" does not exist')


# Every command that only reads the store, with arguments it needs.
READERS = [
    ["articles"], ["search", "wind"], ["export", "out.jsonl"], ["digest"], ["publish"],
    ["feed"], ["stories"], ["stories", "pin", "1"], ["stories", "hide", "1"],
    ["stories", "merge", "1", "2"], ["stories", "split", "1", "2"], ["sources", "list"],
    ["sources", "export"], ["sources", "remove", "https://example.org/rss"], ["db", "check"],
    ["users", "list"], ["users", "remove", "ann"],
]  # fmt: skip


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_command_that_reads_refuses_a_sqlite_store_that_is_not_there(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)  # export's out.jsonl
    db = tmp_path / "typo" / "store.db"
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{db}", *command])
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert str(result.exception) == f"no store at {db} (collect or ingest first, or check --db)"
    assert list(tmp_path.iterdir()) == []


def test_a_missing_store_is_one_line_naming_its_path(tmp_path: Path):
    done = mediadigest("--db", "sqlite:///typo.db", "articles", cwd=tmp_path)
    line = one_line_error(done, 1)
    assert (
        line
        == f"error: no store at {tmp_path / 'typo.db'} (collect or ingest first, or check --db)"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command", [["db", "upgrade"], ["sources", "add", "https://example.org/rss"]], ids=" ".join
)
def test_a_command_that_writes_creates_the_store(command: list[str], tmp_path: Path):
    db = tmp_path / "new" / "store.db"
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{db}", *command])
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert db.exists()


# -- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "env", "said"),
    [
        ('databse = "elsewhere.db"\n', {}, "databse: unknown key; did you mean db?"),
        (None, {"MEDIADIGEST_CONFIG": "/nowhere/mediadigest.tmol"},
         "MEDIADIGEST_CONFIG names /nowhere/mediadigest.tmol, which does not exist"),
        (None, {"MEDIADIGEST_CONCURRENCY": "0"},
         "MEDIADIGEST_CONCURRENCY: cannot use '0' (give a whole number from 1 to 512)"),
        (None, {"MEDIADIGEST_HOST_DELAY": "abc"},
         "MEDIADIGEST_HOST_DELAY: cannot use 'abc' (give seconds from 0 to 3600)"),
        (None, {"MEDIADIGEST_ALLOW_PRIVATE": "maybe"},
         "MEDIADIGEST_ALLOW_PRIVATE: cannot use 'maybe' (give 1/0, true/false, yes/no or on/off)"),
        ("per_host = 0\n", {}, "per_host: cannot use '0' (give a whole number from 1 to 16)"),
        ("db = 3\n", {}, 'db: give a string (db = "...")'),
    ],
    ids=["typo", "missing file", "out of range", "not a number", "not a flag", "file: out of range",
         "file: not a string"],
)  # fmt: skip
def test_a_setting_that_cannot_be_used_is_a_usage_error_in_one_line_and_creates_no_store(
    config: str | None, env: dict[str, str], said: str, tmp_path: Path
):
    """Each was passed over: the store went to ./mediadigest.db, or `collect` hung. Then each
    exited 1, as an input that failed does, where a store URL of no kind we open exited 2."""
    if config:
        (tmp_path / "mediadigest.toml").write_text(config)
    done = mediadigest("sources", "add", "https://example.org/rss", cwd=tmp_path, env=env)
    assert one_line_error(done, 2).endswith(said)
    assert not (tmp_path / "mediadigest.db").exists()


def test_an_at_sign_in_a_store_password_asks_for_it_encoded_and_shows_none_of_it(tmp_path: Path):
    # SQLAlchemy ends a password at its first '@': the host was "Pw@127.0.0.1", in the error.
    for url in ("postgresql://postgres:S3cret@Pw@127.0.0.1:1/md", "postgresql://u:S3@P:w@h/md"):
        line = one_line_error(mediadigest("--db", url, "articles", cwd=tmp_path), 2)
        assert "%40" in line and "S3" not in line and "Pw" not in line and "P:w" not in line
    # A user name's '@' before the password is read as the user's, as libpq takes it.
    assert not store.engine._at_in_password("postgresql://me@corp:pw@h/md")


def test_a_sqlite_path_with_a_colon_and_at_signs_is_a_path(tmp_path: Path):
    # It was refused as a password with an '@' (a SQLite URL has none).
    path = tmp_path / "u:p@x@y.db"
    done = mediadigest("--db", f"sqlite:///{path}", "db", "upgrade", cwd=tmp_path)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert path.exists()


# -- a store that cannot be written ----------------------------------------------------------


@pytest.fixture
def readonly_store(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    store.open_store(f"sqlite:///{path}").dispose()
    return path


WRITERS = [
    ["users", "add", "carol", "--role", "viewer", "--password-stdin"],
    ["sources", "add", "https://example.org/rss"],
    ["stories", "pin", "1"],
]


@pytest.mark.parametrize("command", WRITERS, ids=" ".join)
def test_a_command_that_writes_to_a_read_only_store_says_so_in_one_line(
    command: list[str], readonly_store: Path
):
    """A traceback ending in the statement's values: `users add` printed the password hash."""
    url = f"sqlite:///file:{readonly_store}?mode=ro&uri=true"
    done = mediadigest("--db", url, *command, stdin="pass12345678\n")
    line = one_line_error(done, 1)
    assert line == (
        "error: the store cannot be used: attempt to write a readonly database (its URL opens "
        "it read-only, by mode=ro or immutable=1, and this command writes)"
    )
    assert "argon2" not in done.stdout + done.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes any file")
def test_a_store_file_this_user_may_not_write_is_named_with_the_url_that_reads_it(
    readonly_store: Path,
):
    readonly_store.chmod(0o444)
    done = mediadigest("--db", str(readonly_store), *WRITERS[1])
    line = one_line_error(done, 1)
    snapshot = f"sqlite:///file:{readonly_store}?mode=ro&immutable=1&uri=true"
    assert f"({readonly_store} is not writable by this user; " in line
    assert line.endswith(f"to read a copy no one writes to, such as a snapshot: --db '{snapshot}')")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes any folder")
def test_a_store_in_a_folder_this_user_may_not_write_says_so(readonly_store: Path):
    readonly_store.parent.chmod(0o555)
    try:
        line = one_line_error(mediadigest("--db", str(readonly_store), "articles"), 1)
    finally:
        readonly_store.parent.chmod(0o755)
    assert f"its folder {readonly_store.parent} is not writable by this user" in line


def test_the_reason_of_a_store_that_will_not_be_written_names_the_file(tmp_path: Path):
    # Root, or a flag (chattr +i), writes where the permissions say no: what the file system
    # can tell, and how to read the store all the same.
    url = sa.make_url(f"sqlite:///{tmp_path}/s.db")
    said = store.engine.not_writable(url)
    assert said is not None and said.startswith(f"{tmp_path}/s.db cannot be written")
    assert store.engine.not_writable(url, refused=False) is None  # nothing to tell
    missing = sa.make_url(f"sqlite:///file:{tmp_path}/gone/s.db?uri=true")
    assert store.engine.not_writable(missing) == f"there is no folder {tmp_path / 'gone'}"


def test_a_snapshot_url_naming_no_file_says_there_is_no_store(tmp_path: Path):
    """A mistyped snapshot path: `articles` was told "this command writes" (it only reads),
    and the URL came back as sqlite:///file%3A/…, not as typed."""
    missing = tmp_path / "nothere.db"
    url = f"sqlite:///file:{missing}?mode=ro&immutable=1&uri=true"
    line = one_line_error(mediadigest("--db", url, "articles", cwd=tmp_path), 1)
    assert line.startswith(f"error: cannot open store sqlite:///file:{missing}?"), line
    assert line.endswith(f": unable to open database file (no store at {missing})")
    assert list(tmp_path.iterdir()) == []


# /proc/self takes no new file from any user, root included (root writes a folder chmod 555)
NOT_WRITABLE = Path("/proc/self")


@pytest.mark.skipif(
    not NOT_WRITABLE.is_dir() or os.access(NOT_WRITABLE, os.W_OK), reason="needs Linux's /proc"
)
def test_a_new_store_in_a_folder_this_user_may_not_write_asks_for_another_path(tmp_path: Path):
    """As user nobody in a folder of root's, `ingest` offered a snapshot URL of a store that
    did not exist, to read it."""
    page = tmp_path / "notes.txt"
    page.write_text("Kazakhstan opened a wind farm in the Zhambyl region on Tuesday.\n")
    done = mediadigest("--db", f"{NOT_WRITABLE}/new.db", "ingest", str(page), cwd=tmp_path)
    assert one_line_error(done, 1).endswith(
        f"unable to open database file (its folder {NOT_WRITABLE} is not writable by this user; "
        "for a new store, give --db a path in a folder this user can write)"
    )


SNAPSHOT_READERS = [
    ["articles"], ["search", "wind"], ["stories"], ["export", "out.jsonl"], ["sources", "list"],
    ["sources", "export"], ["users", "list"], ["feed"], ["db", "check"],
]  # fmt: skip


@pytest.mark.parametrize("command", SNAPSHOT_READERS, ids=" ".join)
def test_a_snapshot_opened_immutable_serves_every_command_that_reads(
    command: list[str], readonly_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The URL the hint gives: it made a folder "file:" (and the store's path under it) in the
    working folder, as if the URI were a path."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    url = f"sqlite:///file:{readonly_store}?mode=ro&immutable=1&uri=true"
    result = CliRunner().invoke(app, ["--db", url, *command])
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert [p.name for p in work.iterdir()] == (["out.jsonl"] if command[0] == "export" else [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db", "work"]  # no -wal, -shm


def test_a_failed_statement_never_shows_its_values(store_url: str):
    engine = store.create_engine(store_url)
    with pytest.raises(sa.exc.DBAPIError) as raised, engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": "S3cretHash"})
    engine.dispose()
    assert "S3cretHash" not in str(raised.value)
