"""Publishing a draft over a newer version in a real browser asks once.

The server asks before the draft replaces a version published after it was last saved (a
cron job's `publish --rebuild`); the editor page, loaded after that version, asked first, so
an editor answered the same question twice. The page's yes now goes with the form.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_support import chromium, sign_in  # skips the module without chromium
from mediadigest.web.app import create_app
from test_editor_weeks import mediadigest, version_count
from web_support import WEEK, seed, served


@pytest.fixture
def site(tmp_path) -> Iterator[tuple[object, str]]:
    seeded = seed(tmp_path)
    with served(create_app(seeded.settings, engine=seeded.engine)) as url:
        yield seeded, url


@pytest.mark.parametrize("javascript", [True, False])
def test_publishing_over_a_newer_version_is_asked_once(site, javascript: bool):
    seeded, base_url = site
    dialogs: list[str] = []
    with chromium() as browser:
        context = browser.new_context(java_script_enabled=javascript)
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
        sign_in(tab, base_url, "editor")
        tab.goto(f"{base_url}/editor?week={WEEK}")
        tab.click("button:has-text('Start the draft')")
        tab.fill("form[action='/editor/intro'] textarea", "The desk's own intro.")
        tab.click("button:has-text('Save introduction')")
        tab.wait_for_selector("text=Saved.")
        assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
        tab.goto(f"{base_url}/editor?week={WEEK}")  # loaded after the rebuild: it knows
        tab.wait_for_selector("text=published later, differs")
        tab.click("form[action='/editor/publish'] button")
        if not javascript:  # the server's page asks
            tab.wait_for_selector("text=Publish the draft over version 1?")
            tab.click("form[action='/editor/publish'] button")
        tab.wait_for_selector("text=Published version 2.")
        context.close()
    assert len(dialogs) == (1 if javascript else 0), dialogs
    assert version_count(seeded) == 2
