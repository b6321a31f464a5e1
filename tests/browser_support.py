"""Headless Debian chromium through playwright, for the browser tests.

Importing this module skips the importing test module where playwright or chromium is
missing (CI installs both), so each browser test file says so in one line.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

# No sandbox: CI runs as root in a container. The rest keeps chromium off the network.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless chromium, closed afterwards."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def sign_in(tab: Any, base_url: str, name: str, *, wait: bool = True) -> None:
    """Sign ``name`` in on ``tab`` through the login form (the seeded password); ``wait``
    for the week page it leads to."""
    from web_support import PASSWORD

    tab.goto(f"{base_url}/login")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button:has-text('Sign in')")
    if wait:
        tab.wait_for_url(f"{base_url}/")
