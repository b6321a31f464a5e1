"""The theme filter takes any case, as the outlet filter does (walk h32): ``theme=Economy``
found nothing where the analyse stage stored ``economy``, in search, the archive's browsing
and the API."""

from __future__ import annotations

import sqlalchemy as sa

from mediadigest.store import schema as t
from mediadigest.store.search import search
from mediadigest.web.articles import Filters, find
from test_web_archive import turbines


def label_newest(engine: sa.Engine, theme: str) -> int:
    """Label the newest article with ``theme``, as the analyse stage stores it; its id."""
    with engine.begin() as conn:
        newest = conn.execute(sa.select(sa.func.max(t.articles.c.id))).scalar_one()
        conn.execute(sa.insert(t.article_themes).values(article_id=newest, theme=theme, score=1.0))
    return newest


def test_the_theme_filter_takes_any_case(engine):
    turbines(engine, 5)
    labelled = label_newest(engine, "economy")
    with engine.connect() as conn:
        for theme in ("economy", "Economy", " ECONOMY"):
            assert [h.id for h in search(conn, "turbines", theme=theme)] == [labelled], theme
            assert [h.id for h in find(conn, "", Filters(theme=theme))] == [labelled], theme
        assert search(conn, "turbines", theme="energy") == []
        assert find(conn, "", Filters(theme="energy")) == []


def test_a_theme_stored_in_two_cases_is_found_whole_whichever_is_typed(engine):
    """A review: with both "economy" and "Economy" stored, the case typed chose 14, 13 or 27."""
    turbines(engine, 5)
    with engine.begin() as conn:
        ids = conn.execute(sa.select(t.articles.c.id).order_by(t.articles.c.id)).scalars().all()
        for n, article_id in enumerate(ids[-2:]):
            theme = ("economy", "Economy")[n]
            conn.execute(
                sa.insert(t.article_themes).values(article_id=article_id, theme=theme, score=1.0)
            )
    with engine.connect() as conn:
        for theme in ("economy", "Economy", "ECONOMY"):
            assert sorted(h.id for h in search(conn, "turbines", theme=theme)) == ids[-2:], theme
