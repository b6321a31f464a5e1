"""The archive's filter controls: every outlet can be asked for, and what the URL asks for is
what the form shows, so that sending the form again keeps the filter."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.model import Article, Grade, Relevance
from mediadigest.web import articles
from web_support import login


@pytest.fixture
def viewer(app) -> TestClient:
    return login(TestClient(app, follow_redirects=False), "viewer")


def _store(engine: sa.Engine, outlets: dict[str, int], country: str = "DE") -> None:
    """For each outlet, that many reports on turbines."""
    start = datetime(2025, 12, 1, 8)
    found = [
        Article(
            url=f"https://{n}.example/{i}",
            canonical_url=f"https://{n}.example/{i}",
            content_hash=f"outlet{n}-{i}",
            title=f"Turbine report {i} of {outlet}",
            text=f"Report {i} on the turbines of the northern grid.",
            outlet=outlet,
            outlet_country=country,
            published=start - timedelta(hours=n * 10 + i),
            language="en",
            relevance=Relevance(score=3.0, grade=Grade.SUBJECT, relevant=True),
        )
        for n, (outlet, count) in enumerate(outlets.items())
        for i in range(count)
    ]
    with engine.begin() as conn:
        store.save_articles(conn, found)


def _offered(page: str) -> list[str]:
    listed = re.search(r'<datalist id="outlets">(.*?)</datalist>', page, re.S)
    assert listed, "no list of outlets"
    return [html.unescape(v) for v in re.findall(r'<option value="([^"]*)">', listed[1])]


def _outlet_box(page: str) -> str:
    """The value of the form's outlet box."""
    box = re.search(r'<input type="text" name="outlet"[^>]*value="([^"]*)"', page)
    assert box, "no outlet box"
    return html.unescape(box[1])


def _selected(page: str, name: str) -> list[str]:
    menu = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S)
    assert menu, name
    return re.findall(r"<option selected>([^<]*)</option>", menu[1])


def _outlets_of(page: str) -> set[str]:
    return set(re.findall(r'<div class="meta">([^<(]+?) \(', page))


def test_an_outlet_beyond_the_first_500_by_name_is_offered_and_stays_in_the_box(viewer, seeded):
    # 520 outlets before Reuters by name: the menu of the first 500 ended before it.
    _store(seeded.engine, {f"Outlet {n:03}": 1 for n in range(520)} | {"Reuters": 3})
    assert "Reuters" in _offered(viewer.get("/archive").text)
    page = viewer.get("/archive", params={"q": "turbines", "outlet": "Reuters"}).text
    assert _outlet_box(page) == "Reuters"  # sent again with the form, the filter holds
    assert _outlets_of(page) == {"Reuters"}


def test_an_outlet_not_suggested_can_be_typed_in_any_case(viewer, seeded, monkeypatch):
    monkeypatch.setattr(articles, "OUTLET_CHOICES", 2)
    _store(seeded.engine, {"Turbine Daily": 3, "Grid Weekly": 2, "Small Paper": 1})
    offered = _offered(viewer.get("/archive").text)
    assert offered == ["Grid Weekly", "Turbine Daily"]  # the most stored, by name
    page = viewer.get("/archive", params={"q": "turbines", "outlet": "small paper"}).text
    assert _outlet_box(page) == "small paper"  # as typed
    assert _outlets_of(page) == {"Small Paper"}  # as search takes an outlet: in any case


def test_the_outlet_box_is_labelled_and_names_its_list(viewer):
    page = viewer.get("/archive").text
    assert re.search(r'<label>Outlet <input type="text" name="outlet" list="outlets"', page)
    assert _outlet_box(page) == ""


def test_a_country_or_language_in_another_case_or_not_in_the_menu_stays_selected(viewer, seeded):
    _store(seeded.engine, {"Turbine Daily": 2})
    page = viewer.get("/archive", params={"country": "de", "language": "EN"}).text
    assert _selected(page, "country") == ["DE"]
    assert _selected(page, "language") == ["en"]
    assert _outlets_of(page) == {"Turbine Daily"}
    page = viewer.get("/archive", params={"country": "ZZ", "language": "xx"}).text
    assert _selected(page, "country") == ["ZZ"]  # no such articles, but what was asked for
    assert _selected(page, "language") == ["xx"]
