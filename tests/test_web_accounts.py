"""Accounts: API tokens made once and shown once, passwords changed and reset, names in any case,
and the charts of a week without articles."""

from __future__ import annotations

import re

import pytest

# -- charts of an empty week ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["theme", "country"])
def test_empty_week_chart_shows_the_days_and_says_no_articles(editor, kind):
    response = editor.get(f"/charts/{kind}.svg?week=2025-W52")
    assert response.status_code == 200
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", response.text)
    assert "no articles" in texts
    days = ["Mon 22", "Tue 23", "Wed 24", "Thu 25", "Fri 26", "Sat 27", "Sun 28"]
    assert [t for t in texts if t[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}] == days
    assert not [t for t in texts if "." in t]  # no 0.0 to 1.0 scale of nothing
