"""What `import` takes of a file: its accounts only when asked for, never over this store's,
and no value that breaks the store (a security walk: a file to share planted an API token on
the importing store's admin, and a user of role 'superuser' stopped `serve`)."""

from __future__ import annotations

import hashlib
import io
import json
import logging

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from mediadigest.collect import files
from mediadigest.errors import FormatError
from mediadigest.store import transfer
from mediadigest.web import persist as web
from test_transfer import _every_count, _export, _fill_editorial, _records

ACCOUNT_KINDS = {"user", "token", "setting", "audit"}
EVIL_TOKEN = hashlib.sha256(b"mdt_evil_token_value").hexdigest()


def _file(*records: dict, accounts: bool = True) -> str:
    """An export of ``records``, with its header and closing line."""
    header = {"mediadigest": "store-export", "format": 4, "revision": "0015"}
    counts: dict[str, int] = {}
    for record in records:
        counts[record["type"]] = counts.get(record["type"], 0) + 1
    lines = [{**header, "accounts": accounts}, *records, {"type": "end", "records": counts}]
    return "".join(json.dumps(line) + "\n" for line in lines)


def _import(engine: sa.Engine, text: str, *, accounts: bool = False) -> dict[str, int]:
    fp = io.StringIO(text)
    fp.name = "x.jsonl"
    with engine.begin() as conn:
        return store.import_jsonl(conn, fp, accounts=accounts)


def _refused(engine: sa.Engine, text: str, *, accounts: bool = False) -> str:
    """What importing ``text`` raised, having checked that it left the store as it was."""
    before = _every_count(engine)
    with pytest.raises(FormatError) as refused:
        _import(engine, text, accounts=accounts)
    assert _every_count(engine) == before
    return str(refused.value)


@pytest.fixture
def with_admin(sqlite_engine: sa.Engine) -> sa.Engine:
    """A store with its admin, as `users add admin --role admin` leaves it."""
    with sqlite_engine.begin() as conn:
        web.add_user(conn, "admin", web.Role.admin, "admins-argon2-hash")
    return sqlite_engine


def _user(name: str = "mallory", role: str = "admin", password: str = "her-hash") -> dict:
    return {
        "type": "user",
        "name": name,
        "password_hash": password,
        "role": role,
        "created_at": "2025-01-01T00:00:00",
    }


def _token(user: str = "admin") -> dict:
    return {
        "type": "token",
        "user_id": user,
        "name": "partner-sync",
        "token_hash": EVIL_TOKEN,
        "created_at": "2025-01-01T00:00:00",
    }


def _tokens(engine: sa.Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        query = "SELECT t.name, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id"
        return [tuple(row) for row in conn.execute(sa.text(query))]


def _users(engine: sa.Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        query = "SELECT name, role, password_hash FROM users ORDER BY name"
        return [tuple(row) for row in conn.execute(sa.text(query))]


# -- accounts come in only when asked for


def test_a_file_that_says_it_has_no_accounts_but_carries_one_is_refused_naming_the_line(
    with_admin,
):
    """The walk's file: a token for this store's admin, in a file 'to share'."""
    text = _file(_user(), _token(), accounts=False)
    assert _refused(with_admin, text, accounts=True) == (
        "x.jsonl:2: an account record (user) in a file whose header says it holds none "
        '("accounts": false): not a file `export --no-accounts` wrote'
    )
    assert _tokens(with_admin) == []


def test_without_accounts_an_import_leaves_them_out_and_says_how_many(
    engine, sqlite_engine, caplog
):
    _fill_editorial(sqlite_engine)
    exported = _export(sqlite_engine)
    with caplog.at_level("WARNING", logger="mediadigest.store.transfer"):
        added = _import(engine, exported)
    assert added["article"] == 2 and added["story"] == 3 and added["edition"] == 1
    assert added["user"] == added["token"] == added["setting"] == added["audit"] == 0
    assert _every_count(engine)["users"] == _every_count(engine)["web_settings"] == 0
    assert (
        "x.jsonl: 4 account records left out (user 1, token 1, setting 1, audit 1): a store's "
        "users, API tokens, signing key and audit log come in only when asked for, with "
        "`import --accounts`"
    ) in caplog.text
    kept = [r for r in _records(exported) if r["type"] not in ACCOUNT_KINDS]
    assert _records(_export(engine)) == kept


def test_with_accounts_a_store_moves_whole_and_again_adds_nothing(engine, sqlite_engine):
    _fill_editorial(sqlite_engine)
    exported = _export(sqlite_engine)
    _import(engine, exported, accounts=True)
    assert _records(_export(engine)) == _records(exported)
    assert sum(_import(engine, exported, accounts=True).values()) == 0


def test_a_token_for_a_user_of_this_store_is_refused_with_accounts_too(with_admin):
    """A token names its user by name: it would have been the local admin's."""
    message = _refused(with_admin, _file(_token("admin")), accounts=True)
    assert message.startswith(
        "x.jsonl:2: token 'partner-sync' is for user 'admin' of this store, which the file "
        "does not carry as this store has it"
    )


def test_a_user_this_store_has_with_another_password_or_role_is_refused(with_admin):
    for user in (_user("admin", "admin"), _user("ADMIN", "viewer", "admins-argon2-hash")):
        message = _refused(with_admin, _file(user, _token("admin")), accounts=True)
        assert message.startswith(
            f"x.jsonl:2: user {user['name']!r}: this store has a user 'admin' already, with "
            "another password or role"
        )
    assert _users(with_admin) == [("admin", "admin", "admins-argon2-hash")]
    assert _tokens(with_admin) == []


def test_a_users_token_comes_with_the_user_as_this_store_has_it(with_admin):
    """Importing a store's own export again: its users are found as they are."""
    same = _user("admin", "admin", "admins-argon2-hash")
    assert _import(with_admin, _file(same, _token("admin")), accounts=True)["token"] == 1
    assert _tokens(with_admin) == [("partner-sync", "admin")]


# -- values that break the store


def test_a_user_of_an_unknown_role_is_refused_naming_the_line(sqlite_engine):
    """Stored, it stopped `users list`, `users remove`, `users role` and `serve`."""
    message = _refused(sqlite_engine, _file(_user("god", "superuser")), accounts=True)
    assert message == "x.jsonl:2: user 'god': role 'superuser' is none of viewer, editor, admin"


def test_a_user_name_the_web_app_would_refuse_is_refused(sqlite_engine):
    message = _refused(sqlite_engine, _file(_user("boss\u200b")), accounts=True)
    assert message.startswith("x.jsonl:2: user 'boss\\u200b': a user name may not hold control")


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({**_token(), "user_id": ["alice"]}, "token 'partner-sync': its user and its name must"),
        ({**_token(), "user_id": 1}, "token 'partner-sync': its user and its name must be texts"),
        ({**_token(), "token_hash": "x"}, "token 'partner-sync': its hash is no SHA-256 digest"),
        ({**_user(), "password_hash": None}, "user 'mallory': no password hash (a text) to keep"),
    ],
)
def test_a_malformed_account_record_is_refused_naming_the_line(engine, record, reason):
    """A review of 4474f2e: a token's user as a list was a TypeError, as a number a
    PostgreSQL ProgrammingError (SQLite dropped the token), a user without a password hash
    an IntegrityError: each a traceback."""
    assert _refused(engine, _file(record), accounts=True).startswith(f"x.jsonl:2: {reason}")


@pytest.mark.parametrize(
    ("url", "kind", "reason"),
    [
        ("javascript:alert(1)", "feed", "source 'javascript:alert(1)': not an http(s) URL"),
        ("file:///etc/passwd", "feed", "source 'file:///etc/passwd': not an http(s) URL"),
        (
            "https://bogus.example/feed",
            "torrent",
            "source https://bogus.example/feed: kind 'torrent' is not one of feed, sitemap, "
            "urllist, page",
        ),
    ],
)
def test_a_source_sources_add_would_refuse_is_refused_naming_the_line(
    sqlite_engine, url, kind, reason
):
    good = {"type": "source", "url": "https://ok.example/rss", "kind": "feed"}
    bad = {"type": "source", "url": url, "kind": kind, "added_at": "2025-01-01T00:00:00"}
    good["added_at"] = bad["added_at"]
    assert _refused(sqlite_engine, _file(good, bad, accounts=False)) == f"x.jsonl:3: {reason}"


# -- a line's length


def test_a_line_over_the_limit_is_refused_naming_it(sqlite_engine, monkeypatch):
    source = {"type": "source", "url": "https://ok.example/rss", "kind": "feed", "title": "x"}
    source["added_at"] = "2025-01-01T00:00:00"
    text = _file(source, {**source, "title": "x" * 500}, accounts=False)
    monkeypatch.setattr(transfer, "MAX_LINE", len(json.dumps(source)) + 50)
    assert _refused(sqlite_engine, text) == (
        f"x.jsonl:3: a line over {transfer.MAX_LINE:,} characters, longer than any record of "
        "an export"
    )
    monkeypatch.setattr(transfer, "MAX_LINE", len(json.dumps(source)))  # the record, its end
    assert _import(sqlite_engine, _file(source, accounts=False))["source"] == 1


def test_the_line_limit_holds_the_largest_document_ingest_stores():
    """A document's body travels in base64: 4/3 of the 100 MiB ingest reads at most."""
    largest = 4 * max(files.MAX_INFLATED, files.MAX_LINE) // 3
    assert largest + 1024 * 1024 < transfer.MAX_LINE <= 2 * largest


# -- the command


def test_import_takes_accounts_with_the_accounts_option_only(tmp_path, caplog):
    text = _file(_user("ed", "editor"), accounts=True)
    path = tmp_path / "shared.jsonl"
    path.write_text(text)
    url = f"sqlite:///{tmp_path / 's.db'}"
    with caplog.at_level(logging.WARNING):
        done = CliRunner().invoke(app, ["--db", url, "import", str(path)])
    assert done.exit_code == 0, done.stderr
    assert "1 account record left out (user 1)" in caplog.text
    done = CliRunner().invoke(app, ["--db", url, "import", "--accounts", str(path)])
    assert done.exit_code == 0, done.stderr
    assert done.stderr.startswith("imported from ")
    assert "user 1" in done.stderr
    engine = store.open_store(url)
    try:
        assert _users(engine) == [("ed", "editor", "her-hash")]
    finally:
        engine.dispose()
