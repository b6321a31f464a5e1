"""The Audit log page: every entry within reach, a page at a time, and filters that find an
edit among the sign-ins (each of which is logged)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest.store.writes import utcnow
from mediadigest.web import persist
from web_support import login


@pytest.fixture
def admin(app):
    return login(TestClient(app, follow_redirects=False), "admin")


def _logged(seeded, *entries: tuple[str, str, str]) -> None:
    """Entries as ``persist.audit`` writes them, in this order: (user, action, target)."""
    rows = [{"at": utcnow(), "user_name": u, "action": a, "target": t, "detail": {}}
            for u, a, t in entries]  # fmt: skip
    with seeded.engine.begin() as conn:
        conn.execute(sa.insert(persist.audit_log), rows)


def _targets(html: str) -> list[str]:
    return re.findall(r"</code></td><td>([^<]*)</td>", html)


def _link(html: str, rel: str) -> str:
    return re.search(rf'<a href="([^"]+)" rel="{rel}">', html)[1].replace("&amp;", "&")


def _busy(seeded) -> int:
    """A role change, then 400 sign-ins: how many entries the log holds."""
    _logged(seeded, ("admin", "user.role", "editor"))
    _logged(seeded, *[("viewer", "login", f"10.0.0.{n}") for n in range(400)])
    with seeded.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(persist.audit_log)).scalar()


def test_an_entry_older_than_the_newest_300_is_a_page_away(admin, seeded):
    total = _busy(seeded)
    newest = admin.get("/audit").text
    assert len(_targets(newest)) == 300 and "editor" not in _targets(newest)
    assert f"The newest 300 of {total} entries" in newest
    assert 'rel="prev"' not in newest
    older = admin.get(_link(newest, "next")).text
    assert "editor" in _targets(older)
    assert f"Entries 301–{total} of {total}, newest first" in older
    assert 'rel="next"' not in older
    back = admin.get(_link(older, "prev")).text
    assert _targets(back) == _targets(newest)


def test_the_action_filter_finds_a_role_change_among_thousands_of_sign_ins(admin, seeded):
    _busy(seeded)
    html = admin.get("/audit").text
    choices = re.search(r'<select name="action">(.*?)</select>', html)[1]
    assert "<option>user.role</option>" in choices and "<option>login</option>" in choices
    found = admin.get("/audit?action=user.role").text
    assert _targets(found) == ["editor"]
    assert "1 entry of action <code>user.role</code>." in found
    assert "<option selected>user.role</option>" in found


def test_the_user_filter_keeps_to_one_users_entries_across_pages(admin, seeded):
    _busy(seeded)
    _logged(seeded, *[("admin", "user.add", f"reporter{n}") for n in range(301)])
    html = admin.get("/audit?user=admin").text
    assert set(re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", html)) == {"admin"}
    # 301 additions, the role change and the admin's own sign-in
    assert "The newest 300 of 303 entries by admin." in html
    older = _link(html, "next")
    assert "user=admin" in older
    assert "editor" in _targets(admin.get(older).text)


def test_a_hand_edited_page_link_shows_the_newest_entries(admin, seeded):
    _busy(seeded)
    html = admin.get("/audit?before=abc&after=-3").text
    assert "The newest 300 of" in html


def test_a_filter_that_matches_nothing_says_so(admin):
    html = admin.get("/audit?action=user.remove").text
    assert "No entries of action <code>user.remove</code>." in html
    assert "<option selected>user.remove</option>" in html  # kept, though none is stored


def test_a_page_past_the_newest_entry_links_back_to_the_newest(admin):
    html = admin.get("/audit?after=999999").text
    assert "No entries here." in html and '<a href="/audit">The newest entries</a>' in html


@pytest.mark.parametrize("value", ["²", "①", "٣"])
def test_a_page_mark_of_digits_beyond_ascii_shows_the_newest_page(admin, value):
    # "²".isdigit() is true and int("²") raised: a 500 for a hand-edited link.
    for param in ("before", "after"):
        response = admin.get("/audit", params={param: value})
        assert response.status_code == 200
