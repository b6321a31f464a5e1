"""The pages from the keyboard and at 400% zoom, in a real browser (headless Debian chromium):
focus goes to what a form's result says, no focused field hides under the editor's sticky
toolbar, nothing scrolls sideways at 320 pixels, text and control edges keep their contrast.

Skipped where chromium or playwright is missing, as tests/test_browser.py is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_support import chromium, sign_in  # skips the module without chromium
from mediadigest.web.app import create_app
from web_support import WEEK, seed, served


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    seeded = seed(tmp_path_factory.mktemp("browser-a11y"))
    with served(create_app(seeded.settings, engine=seeded.engine)) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url) -> Iterator[object]:
    """An admin's tab with the week's draft started."""
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.on("dialog", lambda dialog: dialog.accept())
        sign_in(tab, base_url, "admin")
        tab.goto(f"{base_url}/editor?week={WEEK}")
        tab.click("button:has-text('Start the draft')")
        tab.wait_for_selector("li.item")
        yield tab
        context.close()


@pytest.fixture
def viewport(page) -> Iterator[object]:
    """``page``, its viewport set back after the test."""
    yield page
    page.set_viewport_size({"width": 1280, "height": 800})


ACTIVE = """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
  return {tag: e.tagName, name: e.name || '', text: e.textContent.trim(), value: e.value || '',
          top: r.top, bottom: r.bottom, height: r.height}; }"""


def _load(page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("document.activeElement !== document.body")


# -- focus after a form is sent (4.1.3, 3.3.1) ------------------------------------------------


def test_after_pinning_a_story_the_focus_is_on_its_message(page, base_url):
    """The page went to the story with focus nowhere: a screen reader said nothing of it."""
    page.goto(f"{base_url}/review?week={WEEK}")
    page.locator("li.story", has_text="Caspian grain").locator("button:has-text('Pin')").click()
    page.wait_for_url("**#story-*")
    _load(page)
    active = page.evaluate(ACTIVE)
    assert (active["tag"], active["text"]) == ("P", "Pinned.")
    assert active["top"] >= 0 and active["bottom"] <= 800  # in sight


def test_a_name_already_taken_leaves_the_focus_on_the_name_as_typed(page, base_url):
    page.goto(f"{base_url}/users")
    form = page.locator("form#add-user")
    form.locator("input[name=name]").fill("editor")
    form.locator("input[name=password]").fill("a long password")
    form.locator("button").click()
    _load(page)
    active = page.evaluate(ACTIVE)
    assert (active["tag"], active["name"], active["value"]) == ("INPUT", "name", "editor")
    described = page.evaluate(
        "document.getElementById(document.activeElement.getAttribute('aria-describedby'))"
        ".textContent"
    )
    assert described == "There is already a user editor."


def test_an_unsaved_edit_says_so_in_words(page, base_url):
    page.goto(f"{base_url}/editor?week={WEEK}")
    item = page.locator("li.item").first
    assert item.locator(".dirty-note").inner_text() == ""
    item.locator("input[name=headline]").press("End")
    item.locator("input[name=headline]").type("!")
    assert item.locator(".dirty-note").inner_text() == "Unsaved changes"
    page.goto(f"{base_url}/editor?week={WEEK}")  # leaving it unsaved: the fixture accepts


# -- the editor's sticky toolbar (2.4.7, 1.4.10) ----------------------------------------------

UNDER = """() => { const t = document.querySelector('.toolbar.sticky').getBoundingClientRect();
  const a = document.activeElement.getBoundingClientRect();
  return a.height > 0 && a.top < t.bottom - 1 && a.bottom > 0 && getComputedStyle(
    document.querySelector('.toolbar.sticky')).position === 'sticky'; }"""


@pytest.mark.parametrize("size", [(1280, 800), (700, 900)])
def test_no_field_reached_backwards_by_keyboard_hides_under_the_sticky_toolbar(
    viewport, base_url, size
):
    """Shift+Tab scrolled each field up to the top of the window, under the toolbar."""
    viewport.set_viewport_size({"width": size[0], "height": size[1]})
    viewport.goto(f"{base_url}/editor?week={WEEK}")
    viewport.locator("button:has-text('Save item 3')").focus()
    hidden = []
    for _ in range(40):
        viewport.keyboard.press("Shift+Tab")
        if viewport.evaluate(UNDER):
            hidden.append(viewport.evaluate(ACTIVE))
    assert hidden == []


def test_at_320_by_256_pixels_the_toolbar_scrolls_with_the_page(viewport, base_url):
    """400% zoom of 1280x1024: the stuck toolbar covered most of the window."""
    viewport.set_viewport_size({"width": 320, "height": 256})
    viewport.goto(f"{base_url}/editor?week={WEEK}")
    toolbar = viewport.locator(".toolbar.sticky")
    assert toolbar.evaluate("t => getComputedStyle(t).position") == "static"
    viewport.locator("textarea[name=summary]").first.focus()
    active = viewport.evaluate(ACTIVE)
    assert active["top"] >= 0 and active["top"] < 256


# -- reflow at 320 pixels (1.4.10) ------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [f"/?week={WEEK}", "/articles/1?hl=0-80", "/articles/2", f"/review?week={WEEK}"]
)
def test_a_page_at_320_pixels_does_not_scroll_sideways(viewport, base_url, path):
    """The week's counts stayed three a row (336px), its chart data (468px) and an article's
    table of terms (412px) were wider than the window."""
    viewport.set_viewport_size({"width": 320, "height": 640})
    viewport.goto(base_url + path)
    for details in viewport.locator("details").all():
        details.evaluate("d => { d.open = true; }")
    assert viewport.evaluate("document.documentElement.scrollWidth") <= 320


# -- contrast (1.4.3, 1.4.11) -----------------------------------------------------------------

CONTRAST = """([selector, property]) => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ground = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e)
      .backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  const faded = e => { let o = 1; for (; e; e = e.parentElement) o *= +getComputedStyle(e)
      .opacity; return o; };
  return [...document.querySelectorAll(selector)].map(e => {
    const a = lum(rgb(getComputedStyle(e)[property])), b = lum(ground(
      property === 'color' ? e : e.parentElement));
    return [e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 30),
            (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), faded(e)]; });
}"""


def _contrast(page, selector: str, what: str = "color") -> list[tuple[str, float, float]]:
    found = page.evaluate(CONTRAST, [selector, what])
    assert found, selector
    return [(name, round(ratio, 2), opacity) for name, ratio, opacity in found]


def test_a_hidden_storys_text_keeps_its_contrast(page, base_url):
    """Faded to 55%, a hidden story's title, meta, links and buttons read at 2.2-3.7:1."""
    page.goto(f"{base_url}/review?week={WEEK}")
    story = page.locator("li.story", has_text="university exchange")
    story.locator("button:has-text('Hide')").click()
    page.wait_for_selector("li.story.is-hidden")
    texts = "li.is-hidden a, li.is-hidden .meta, li.is-hidden .why, li.is-hidden button"
    for name, ratio, opacity in _contrast(page, texts):
        assert opacity == 1 and ratio >= 4.5, (name, ratio, opacity)
    assert page.locator("li.is-hidden .badge", has_text="hidden").count() == 1  # said in words


def test_badges_are_legible(page, base_url):
    page.goto(f"{base_url}/review?week={WEEK}")
    for name, ratio, _ in _contrast(page, ".badge"):
        assert ratio >= 4.5, (name, ratio)


@pytest.mark.parametrize("selector", ["input[name=url]", "select", "button:not(.primary, .link)"])
def test_the_edges_of_controls_stand_out_from_the_page(page, base_url, selector):
    page.goto(f"{base_url}/sources")
    for name, ratio, _ in _contrast(page, selector, "borderTopColor"):
        assert ratio >= 3, (name, ratio)
