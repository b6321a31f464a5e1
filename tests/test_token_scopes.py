"""API tokens have a scope and may expire: a dashboard's token that only reads, a token that
stops working on its day. A token was its user's whole role until revoked.

Through the account page and the API (a real app over a real SQLite store), the users page,
migration 0016 on SQLite and PostgreSQL, and export/import."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.errors import FormatError
from mediadigest.store import engine as store_engine
from mediadigest.store.writes import utcnow
from mediadigest.web import persist
from mediadigest.web.persist import TokenScope
from web_support import login, token_of

MISSING = "https://nowhere.example/rss"  # no such source: a write that passes auth gets 404


def _make(client: TestClient, name: str = "dash", **form: str):
    return client.post(
        "/account/tokens", data={"name": name, "csrf_token": token_of(client), **form}
    )


def _bearer(client: TestClient, name: str = "dash", **form: str) -> dict[str, str]:
    """A token made on ``client``'s account page, as its Authorization header."""
    assert _make(client, name, **form).status_code == 303
    token = re.search(r'class="token">([^<]+)<', client.get("/account").text)[1]
    return {"Authorization": f"Bearer {token}"}


def _stored(seeded, name: str) -> dict:
    with seeded.engine.connect() as conn:
        query = sa.select(persist.api_tokens).where(persist.api_tokens.c.name == name)
        return dict(conn.execute(query).mappings().one())


def _direct(seeded, user: str, **kw) -> dict[str, str]:
    """A token made in the store (an expiry in the past, which the page does not offer)."""
    with seeded.engine.begin() as conn:
        user_id = conn.execute(
            sa.select(persist.users.c.id).where(persist.users.c.name == user)
        ).scalar_one()
        _, token = persist.create_token(conn, user_id, kw.pop("name", "old"), **kw)
    return {"Authorization": f"Bearer {token}"}


# -- scope -----------------------------------------------------------------------------------


def test_a_read_token_reads_and_is_refused_any_write_saying_it_is_read_only(editor, app):
    read = _bearer(editor, scope="read")
    api = TestClient(app)
    assert api.get("/api/me", headers=read).json() == {"name": "editor", "role": "editor"}
    assert api.get("/api/sources", headers=read).status_code == 200
    refused = api.post("/api/sources/pause", params={"url": MISSING}, headers=read)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("this token is read-only")
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    removed = api.delete("/api/sources", params={"url": MISSING}, headers=read)
    assert removed.status_code == 403  # DELETE too: only GET and HEAD read


def test_a_full_token_does_what_its_users_role_may_and_no_more(editor, app, seeded):
    full = _bearer(editor, scope="full")
    api = TestClient(app)
    # Past the token's checks: no such source.
    assert api.post("/api/sources/pause", params={"url": MISSING}, headers=full).status_code == 404
    viewer = _direct(seeded, "viewer", scope=TokenScope.full)
    refused = api.post("/api/sources/pause", params={"url": MISSING}, headers=viewer)
    assert refused.status_code == 403 and "viewer" in refused.json()["detail"]


def test_a_token_made_with_a_name_alone_is_full_and_never_expires_as_before(editor, seeded):
    assert _make(editor, "cms").status_code == 303
    row = _stored(seeded, "cms")
    assert (row["scope"], row["expires_at"]) == ("full", None)


# -- expiry ----------------------------------------------------------------------------------


def test_an_expired_token_is_refused_saying_when_it_expired_unlike_an_unknown_one(app, seeded):
    when = datetime(2026, 1, 2, 3, 4, 5)
    expired = _direct(seeded, "editor", expires_at=when)
    api = TestClient(app)
    answer = api.get("/api/me", headers=expired)
    assert answer.status_code == 401
    detail = answer.json()["detail"]
    assert detail.startswith("the API token expired at 2026-01-02T03:04:05Z")
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]
    unknown = api.get("/api/me", headers={"Authorization": "Bearer mdt_nothing"})
    assert unknown.status_code == 401 and unknown.json()["detail"] != detail
    assert _stored(seeded, "old")["last_used_at"] is None  # an expired token's use is not recorded


def test_a_token_that_expires_later_works_until_then(app, seeded):
    later = _direct(seeded, "viewer", expires_at=utcnow() + timedelta(minutes=5))
    assert TestClient(app).get("/api/me", headers=later).status_code == 200


def test_the_account_page_makes_a_token_that_expires_in_the_days_chosen(editor, seeded):
    before = utcnow()
    _bearer(editor, "quarter", scope="read", expires_in="90")
    row = _stored(seeded, "quarter")
    assert row["scope"] == "read"
    assert before + timedelta(days=90) <= row["expires_at"] <= utcnow() + timedelta(days=90)
    with seeded.engine.connect() as conn:
        (entry,) = [e for e in persist.list_audit(conn) if e["action"] == "token.create"]
    assert entry["detail"]["scope"] == "read" and entry["detail"]["expires_at"].startswith("20")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"scope": "admin"}, "A token&#39;s scope is read or full."),
        ({"expires_in": "7"}, "An expiry is one of: never, 30, 90, 365 (days)."),
    ],
)
def test_a_scope_or_expiry_the_page_does_not_offer_is_refused(editor, seeded, form, message):
    assert _make(editor, "odd", **form).status_code == 303
    assert message in editor.get("/account").text
    with seeded.engine.connect() as conn:
        query = sa.select(sa.func.count()).where(persist.api_tokens.c.name == "odd")
        assert conn.execute(query).scalar() == 0


# -- the lists -------------------------------------------------------------------------------


def test_the_token_lists_show_scope_expiry_and_expired(editor, app, seeded):
    _bearer(editor, "dash", scope="read", expires_in="30")
    _direct(seeded, "editor", name="gone", expires_at=datetime(2026, 1, 2, 3, 4))
    own = editor.get("/account").text
    assert re.search(r"<td>dash</td><td>read</td><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC</td>", own)
    expired = '<td>gone</td><td>full</td><td><span class="badge warn">expired</span> '
    assert expired + "2026-01-02 03:04 UTC</td>" in own
    admin = login(TestClient(app, follow_redirects=False), "admin")
    every = admin.get("/users").text
    assert "<td>editor</td><td>dash</td><td>read</td>" in every
    assert "<td>editor</td>" + expired in every
    assert 'name="scope"' in own and 'name="expires_in"' in own


# -- migration 0016 --------------------------------------------------------------------------


def test_upgrading_keeps_every_token_full_and_never_expiring_and_back(empty_url):
    old = store.create_engine(empty_url)
    with old.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0015")
        conn.execute(sa.text("INSERT INTO users (name, password_hash, role, created_at) "
                             "VALUES ('ed', 'h', 'editor', CURRENT_TIMESTAMP)"))  # fmt: skip
        conn.execute(sa.text("INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                             "SELECT id, 'cms', :h, CURRENT_TIMESTAMP FROM users"),
                     {"h": persist.digest("mdt_old")})  # fmt: skip
    old.dispose()
    with old.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0016")
    with old.connect() as conn:
        found = persist.find_token(conn, "mdt_old")
    assert found is not None and (found.scope, found.expires_at) == (TokenScope.full, None)
    assert not found.expired()
    with old.begin() as conn:  # and back: the columns go, the token stays
        command.downgrade(store_engine._alembic_config(conn), "0015")
        assert conn.execute(sa.text("SELECT name FROM api_tokens")).scalars().all() == ["cms"]
    old.dispose()


# -- export and import -----------------------------------------------------------------------


def _file(*records: dict) -> io.StringIO:
    header = {"mediadigest": "store-export", "format": 4, "revision": "0015", "accounts": True}
    counts: dict[str, int] = {}
    for record in records:
        counts[record["type"]] = counts.get(record["type"], 0) + 1
    lines = [header, *records, {"type": "end", "records": counts}]
    fp = io.StringIO("".join(json.dumps(line) + "\n" for line in lines))
    fp.name = "x.jsonl"
    return fp


USER = {"type": "user", "name": "ana", "password_hash": "h", "role": "editor",
        "created_at": "2025-01-01T00:00:00"}  # fmt: skip


def _token(**extra) -> dict:
    digest = hashlib.sha256(b"mdt_dash").hexdigest()
    return {"type": "token", "user_id": "ana", "name": "dash", "token_hash": digest,
            "created_at": "2025-01-01T00:00:00", **extra}  # fmt: skip


def test_an_export_carries_a_tokens_scope_and_expiry(engine, sqlite_engine):
    when = datetime(2027, 5, 6, 7, 8, 9)
    with engine.begin() as conn:
        user_id, _ = persist.add_user(conn, "ana", persist.Role.editor, "h")
        _, token = persist.create_token(conn, user_id, "dash", TokenScope.read, when)
        out = io.StringIO()
        store.export_jsonl(conn, out)
    with sqlite_engine.begin() as conn:
        store.import_jsonl(conn, io.StringIO(out.getvalue()), accounts=True)
    with sqlite_engine.connect() as conn:
        found = persist.find_token(conn, token)
    assert found is not None and (found.scope, found.expires_at) == (TokenScope.read, when)


def test_a_file_from_before_scopes_imports_its_tokens_full_and_never_expiring(engine):
    with engine.begin() as conn:
        store.import_jsonl(conn, _file(USER, _token()), accounts=True)
    with engine.connect() as conn:
        (row,) = conn.execute(sa.select(persist.api_tokens)).mappings().all()
    assert (row["scope"], row["expires_at"]) == ("full", None)


def test_an_expiry_with_an_offset_is_stored_in_utc(engine):
    with engine.begin() as conn:
        store.import_jsonl(conn, _file(USER, _token(expires_at="2027-01-01T06:00:00+06:00")),
                           accounts=True)  # fmt: skip
    with engine.connect() as conn:
        (row,) = conn.execute(sa.select(persist.api_tokens)).mappings().all()
    assert row["expires_at"] == datetime(2027, 1, 1)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"scope": "admin"}, "token 'dash': field 'scope' is 'admin', none of read, full"),
        ({"scope": None}, "token 'dash': field 'scope' is None, none of read, full"),
        ({"expires_at": "next week"}, "token 'dash': field 'expires_at' is 'next week', not an"),
        ({"expires_at": 1767225600}, "token 'dash': field 'expires_at' is 1767225600, not an"),
    ],
)
def test_a_bad_scope_or_expiry_is_refused_naming_the_line_and_field(engine, extra, reason):
    with pytest.raises(FormatError) as refused, engine.begin() as conn:
        store.import_jsonl(conn, _file(USER, _token(**extra)), accounts=True)
    assert str(refused.value).startswith(f"x.jsonl:3: {reason}")
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(persist.api_tokens)).scalar() == 0
        )
