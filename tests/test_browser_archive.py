"""The archive's Outlet box in a real browser (headless Debian chromium): named by its label,
suggesting the outlets, and keeping the outlet asked for when the form is sent again."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from browser_support import chromium, sign_in  # skips the module without chromium
from mediadigest.web.app import create_app
from test_web_archive_filters import _store
from web_support import seed, served


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    seeded = seed(tmp_path_factory.mktemp("browser-archive"))
    # 520 outlets before Reuters by name: the old menu of the first 500 had no Reuters.
    _store(seeded.engine, {f"Outlet {n:03}": 1 for n in range(520)} | {"Reuters": 3})
    with served(create_app(seeded.settings, engine=seeded.engine)) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        sign_in(tab, base_url, "viewer")
        yield tab
        context.close()


def test_the_outlet_box_is_named_and_suggests_an_outlet_beyond_the_first_500(page, base_url):
    page.goto(f"{base_url}/archive")
    box = page.get_by_label("Outlet")
    assert box.get_attribute("name") == "outlet"
    suggested = box.evaluate("e => [...e.list.options].map(o => o.value)")
    assert "Reuters" in suggested
    assert len(suggested) > 520  # the seeded store's outlets too


def test_sending_the_form_again_keeps_the_outlet_from_the_url(page, base_url):
    page.goto(f"{base_url}/archive?q=turbines&outlet=reuters")
    assert page.get_by_label("Outlet").input_value() == "reuters"
    page.fill("input[name=q]", "turbines report")
    page.click("button:has-text('Search')")
    page.wait_for_url("**/archive?*report*")
    assert parse_qs(urlsplit(page.url).query)["outlet"] == ["reuters"]
    metas = page.locator("ol.results .meta").all_inner_texts()
    assert len(metas) == 3
    assert all(m.startswith("Reuters (DE)") for m in metas)


def test_an_outlet_typed_into_the_box_filters_the_search(page, base_url):
    page.goto(f"{base_url}/archive")
    page.fill("input[name=q]", "turbines")
    page.get_by_label("Outlet").fill("Outlet 510")
    page.click("button:has-text('Search')")
    page.wait_for_url("**/archive?*outlet=Outlet+510*")
    metas = page.locator("ol.results .meta").all_inner_texts()
    assert len(metas) == 1
    assert metas[0].startswith("Outlet 510 (DE)")
