"""This week: counts, the stories ranked with why they matched and ranked, coverage charts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from mediadigest.web import coverage, csrf, editions, versions
from mediadigest.web.auth import need
from mediadigest.web.persist import Role, User
from mediadigest.web.stories import StoryView
from mediadigest.web.templating import page
from mediadigest.write import style

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)
Viewer = Annotated[User, Depends(need(Role.viewer))]
CHARTS = {
    "theme": "Articles per day by theme",
    "country": "Articles per day by outlet country",
    "tone": "Tone over the week",
}


def week_links(since) -> dict[str, str]:
    """ISO week names of this period and its neighbours, for the pager."""
    return {
        "this": editions.week_name(since),
        "prev": editions.week_name(since - timedelta(days=7)),
        "next": editions.week_name(since + timedelta(days=7)),
    }


def _derived(ranked: list[StoryView]) -> list[tuple[date, list[str], float | None]]:
    """Each article's day, its story's themes and its tone, for the charts."""
    return [
        (a.published.date(), s.themes, a.tone)
        for s in ranked
        if not s.hidden
        for a in s.articles
        if a.published
    ]


@router.get("/")
def this_week(request: Request, user: Viewer, week: str | None = None) -> HTMLResponse:
    web = request.app.state.web
    since, until = editions.week_of(week)
    with web.engine.connect() as conn:
        ranked = web.stories.get(conn, web.settings.profile, since, until)
        cov = coverage.coverage(conn, since, until, _derived(ranked))
        published = versions.latest_version(conn, web.settings.profile.name, since, until)
        draft = versions.get_draft(conn, web.settings.profile.name, since, until)
    cov.counts["stories"] = sum(not s.hidden for s in ranked)
    return page(
        request,
        "week.html",
        title=f"Week of {style.period(since, until)}",
        since=since,
        until=until,
        weeks=week_links(since),
        cov=cov,
        stories=ranked[:40],
        more=max(0, len(ranked) - 40),
        charts=CHARTS,
        published=published,
        draft=draft,
    )


@router.get("/charts/{kind}.svg")
def chart(request: Request, kind: str, user: Viewer, week: str | None = None) -> Response:
    if kind not in CHARTS:
        raise HTTPException(404, f"no chart {kind!r}")
    since, until = editions.week_of(week)
    web = request.app.state.web
    with web.engine.connect() as conn:
        ranked = web.stories.get(conn, web.settings.profile, since, until)
        cov = coverage.coverage(conn, since, until, _derived(ranked))
    svg = coverage.chart_svg(cov, kind)
    # The SVG's own <style> needs inline styles; it has no scripts and may load nothing.
    headers = {
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "Cache-Control": "private, max-age=60",
    }
    return Response(svg, media_type="image/svg+xml", headers=headers)
