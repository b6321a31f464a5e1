"""Publishing with "Mail it to the list" ticked, in a real browser (headless Debian chromium),
to a real SMTP server (aiosmtpd) on 127.0.0.1; and Mail it again after a send that failed.

Skipped where chromium or playwright is missing (CI has both), as tests/test_browser.py is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_support import chromium, sign_in  # skips the module without chromium
from mediadigest.config import MailSettings
from mediadigest.web.app import create_app
from smtp_server import free_port, serving
from test_editor_weeks import version_count
from web_support import WEEK, seed, served

LIST = ("a@example.org", "b@example.org")


def _mail_at(port: int) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security="none", sender="press@example.org",
                        to=LIST, timeout=5)  # fmt: skip


@pytest.fixture
def site(tmp_path) -> Iterator[tuple[object, str, object]]:
    seeded = seed(tmp_path)
    with serving() as inbox:
        seeded.settings.mail = _mail_at(inbox.port)
        with served(create_app(seeded.settings, engine=seeded.engine)) as url:
            yield seeded, url, inbox


def _publish_ticked(tab, base_url: str) -> None:
    tab.goto(f"{base_url}/editor?week={WEEK}")
    tab.click("button:has-text('Start the draft')")
    box = tab.get_by_label("Mail it to the list (2 recipients)")
    assert not box.is_checked()  # unticked until the editor ticks it
    box.check()
    tab.click("form[action='/editor/publish'] button")


def test_an_editor_publishes_with_the_box_ticked_and_sees_it_mailed(site):
    seeded, base_url, inbox = site
    dialogs: list[str] = []
    with chromium() as browser:
        context = browser.new_context()
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
        sign_in(tab, base_url, "editor")
        _publish_ticked(tab, base_url)
        said = f"Published version 1. Version 1 mailed to 2 recipients via 127.0.0.1:{inbox.port}."
        assert tab.locator(".flash").inner_text() == said
        assert tab.locator("#mail-again").count() == 0
        context.close()
    assert dialogs == ["Publish this draft as the next version?"]
    assert inbox.envelopes[0].rcpt_tos == list(LIST) and version_count(seeded) == 1


def test_a_failed_send_offers_mail_it_again_which_publishes_nothing(site):
    seeded, base_url, inbox = site
    seeded.settings.mail = _mail_at(free_port())  # nothing listens there
    with chromium() as browser:
        context = browser.new_context()
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.on("dialog", lambda dialog: dialog.accept())
        sign_in(tab, base_url, "editor")
        _publish_ticked(tab, base_url)
        flash = tab.locator(".flash-error")
        assert "Version 1 was not mailed: mail server 127.0.0.1:" in flash.inner_text()
        assert flash.inner_text().endswith("connection refused. It stays published.")
        seeded.settings.mail = _mail_at(inbox.port)
        tab.click("#mail-again button:has-text('Mail it again')")
        tab.wait_for_selector("text=Version 1 mailed to 2 recipients")
        assert tab.locator("#mail-again").count() == 0
        context.close()
    assert len(inbox.envelopes) == 1 and version_count(seeded) == 1
