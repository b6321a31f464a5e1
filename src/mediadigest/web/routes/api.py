"""The JSON API under /api for integrations: bearer tokens, the same core functions as pages."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator

from mediadigest import store
from mediadigest.errors import ConfigError, MailError
from mediadigest.model import Source, as_given
from mediadigest.store import sources as store_sources
from mediadigest.store.search import WINDOW, SearchTooLong, profile_spellings, query_problem
from mediadigest.store.sources import source_url
from mediadigest.stories import persist as story_store
from mediadigest.web import editions, freshness, mailing, persist, stories, versions
from mediadigest.web.articles import Filters, find, get_article, period_problem, themes_of
from mediadigest.web.auth import need_token
from mediadigest.web.persist import Role, User
from mediadigest.web.routes import PathId
from mediadigest.web.routes.api_schema import (
    ArticleDetail,
    ArticleOut,
    Decision,
    HideOut,
    Invalid,
    MailOut,
    PublishIn,
    PublishOut,
    RenameIn,
    SourceIn,
    SourceOut,
    StoryOut,
    TakenOut,
    UserOut,
    VersionDetail,
    VersionOut,
    no_unknown_query,
    problem,
    utc,
)
from mediadigest.web.routes.archive import shown_link as archive_link
from mediadigest.web.routes.public import feed_response
from mediadigest.web.routes.sources import shown_content, shown_url
from mediadigest.write import search_csv
from mediadigest.write.render import stored_dict

router = APIRouter(
    prefix="/api",
    tags=["api"],
    dependencies=[Depends(no_unknown_query)],
    responses={
        401: problem(
            "No valid API token: none sent, or unknown, revoked, or its user's removed.",
            **{"WWW-Authenticate": "Bearer, with what was wrong (RFC 6750)"},
        ),
        422: {
            "model": Invalid,
            "description": "A parameter or body field out of bounds, or a query parameter "
            "the operation does not take.",
        },
        503: problem(
            "The store is unavailable just then (a database outage): try again.",
            **{"Retry-After": "seconds"},
        ),
    },
)
_EDITOR = {403: problem("The token's user is a viewer; this needs an editor.")}
# A body FastAPI cannot parse (not UTF-8 JSON) is a 400 of its own, not a 422.
_BODY = {
    400: problem("The body cannot be read as JSON."),
    413: problem("The request's body is over the server's limit."),
}
_BAD_WEEK = {400: problem("Not an ISO week of the years mediadigest works with.")}
Viewer = Annotated[User, Depends(need_token(Role.viewer))]
Editor = Annotated[User, Depends(need_token(Role.editor))]
Week = Annotated[
    str | None,
    Query(max_length=10, description="ISO week, e.g. 2025-W51, or `last`: the last whole week"),
]
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    # pydantic reads a number as a Unix time: until=0 was 1970-01-01, not a mistake.
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError("not a day like 2025-12-31")
    return value


Day = Annotated[date | None, BeforeValidator(_iso_day), Query(description="A day, YYYY-MM-DD.")]


def _article(art, user: User) -> dict[str, Any]:
    rel = art.relevance
    return dict(
        id=art.id,
        # A viewer is not shown a paid feed's password or key in an article's link, as the
        # Sources page, the archive's CSV and the article page do not show it.
        url=shown_url(art.url, user),
        title=art.title,
        outlet=art.outlet,
        outlet_country=art.outlet_country,
        author=art.author,
        published=as_given(art.published, art.published_offset),  # the outlet's own clock
        published_offset=art.published_offset,
        language=art.language,
        score=rel.score,
        grade=str(rel.grade),
        relevant=rel.relevant,
        themes=themes_of(art),
    )


@router.get("/me")
def me(user: Viewer) -> UserOut:
    """Who this token acts as."""
    return UserOut(name=user.name, role=user.role)


_BACKWARDS = {400: problem("since is after until, or outside the years mediadigest works with.")}


def _check_period(since: date | None, until: date | None) -> None:
    problem = period_problem(since, until)
    if problem:
        raise HTTPException(400, problem)


MAX_OFFSET = 10_000  # an offset is walked, not sought: past it, narrow the period instead
_NEXT = {
    "Link": {
        "description": 'Where more remain: `<URL>; rel="next"`, the next page\'s URL (its '
        "path and query).",
        "schema": {"type": "string"},
    }
}


def _next_page(
    request: Request, response: Response, found: list[Any], limit: int, offset: int, last: int
) -> list[Any]:
    """The page of ``found`` (read with one more than ``limit``), and a Link header to the
    next page where more remain and its offset is within ``last``."""
    if len(found) > limit and offset + limit <= last:
        url = request.url.include_query_params(offset=offset + limit)
        response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    return found[:limit]


@router.get("/articles", responses={200: {"headers": _NEXT}, **_BACKWARDS})
def articles(
    request: Request,
    response: Response,
    user: Viewer,
    since: Day = None,
    until: Day = None,
    relevant_only: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_OFFSET,
            description=f"Skip that many of the newest, for paging (with limit); pages end "
            f"at {MAX_OFFSET}: for older articles, set until.",
        ),
    ] = 0,
) -> list[ArticleOut]:
    """Stored articles, newest first. A page captured more than once is listed once, its
    newest capture among the articles that pass the filters, as search and the archive list
    it. Page with ``offset`` and ``limit``: a ``Link`` header (``rel="next"``) says where
    more remain."""
    _check_period(since, until)
    with request.app.state.web.engine.connect() as conn:
        found = store.list_articles(
            conn,
            relevant_only=relevant_only,
            since=since,
            until=until,
            limit=limit + 1,
            one_per_page=True,
            offset=offset,
        )
    page = _next_page(request, response, found, limit, offset, MAX_OFFSET)
    return [ArticleOut(**_article(a, user)) for a in page]


@router.get("/articles/{article_id}", responses={404: problem("No such article.")})
def article(request: Request, article_id: PathId, user: Viewer) -> ArticleDetail:
    """One article with its text and why it matched."""
    with request.app.state.web.engine.connect() as conn:
        art = get_article(conn, article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}")
    return ArticleDetail(**_article(art, user), text=art.text, relevance=art.relevance.to_dict())


# An empty query lists the newest articles, as the archive pages through them all: an offset
# to its last page (a typing slip beyond that).
MAX_BROWSE = 5_000_000
_WINDOW_FULL = {
    "Search-Window-Full": {
        "description": f"A search with words: `true` where it ranked its {WINDOW} most recently "
        "stored matches, so older ones may match and were not ranked (narrow the query or the "
        "period to rank them); `false` where every match was ranked.",
        "schema": {"type": "string", "enum": ["true", "false"]},
    }
}


_CSV = {
    "text/csv": {
        "schema": {"type": "string"},
        "description": "With format=csv or Accept: text/csv: a header row (id, published, "
        "outlet, outlet_country, language, title, url, author, kind, themes, relevance_score, "
        "why, snippet), then a row per hit of this page, as the archive's CSV download.",
    }
}


@router.get(
    "/search",
    responses={
        200: {"headers": {**_NEXT, **_WINDOW_FULL}, "content": _CSV},
        400: problem(
            "since is after until, the query cannot be searched as written, or the search "
            "took too long (use fewer or longer words)."
        ),
    },
)
def search(
    request: Request,
    response: Response,
    user: Viewer,
    q: Annotated[str, Query(max_length=500)],
    since: Day = None,
    until: Day = None,
    theme: Annotated[str | None, Query(max_length=100)] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    outlet_country: Annotated[str | None, Query(max_length=8)] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    relevant_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_BROWSE,
            description=f"Skip that many of the best hits, for paging (with limit). A search "
            f"ranks its {WINDOW} most recently stored matches, so its pages end there (an "
            f"offset up to {WINDOW}); an empty q pages through every article that passes "
            "the filters.",
        ),
    ] = 0,
    format_: Annotated[
        Literal["json", "csv"] | None,
        Query(
            alias="format",
            description="csv: the hits as CSV (text/csv), as an `Accept: text/csv` asks; "
            "json (the default otherwise).",
        ),
    ] = None,
) -> list[store.SearchHit]:
    """Full-text search (words, "phrases", OR, -excluded), best first, ties newest first; a
    name of the profile, the country's own included, matches in every spelling it lists
    (Tokaev, Tokayev, Токаев; Казахстан, Kazakhstan). A page captured more than once is one
    hit, its newest capture. Page with ``offset`` and ``limit``: a ``Link`` header
    (``rel="next"``) says where more remain; ``Search-Window-Full`` whether the search
    ranked every match. An empty ``q`` lists the newest articles that pass the filters."""
    _check_period(since, until)
    # "the": an empty list read as "nothing matched". No query at all browses (filters only).
    ranked = bool(q.strip())
    if ranked and (problem := query_problem(q)):
        raise HTTPException(400, problem)
    if ranked and offset > WINDOW:  # FastAPI's shape, as when offset was bounded by WINDOW
        raise RequestValidationError(
            [
                {
                    "type": "less_than_equal",
                    "loc": ("query", "offset"),
                    "msg": f"Input should be less than or equal to {WINDOW} for a search with "
                    f"words: it ranks its {WINDOW} most recently stored matches",
                    "input": str(offset),
                    "ctx": {"le": WINDOW},
                }
            ]
        )
    filters = Filters(since, until, theme, outlet, outlet_country, language, relevant_only)
    web = request.app.state.web
    names = profile_spellings(web.settings.profile, country=True)
    with web.engine.connect() as conn:
        try:
            hits = find(conn, q, filters, limit=limit + 1, names=names, offset=offset)
        except SearchTooLong as exc:
            raise HTTPException(400, str(exc)) from exc
    # The newest articles are listed one after another, without a window; a search's pages end
    # where its window does.
    page = _next_page(request, response, hits, limit, offset, WINDOW if ranked else MAX_BROWSE)
    full = getattr(hits, "window_full", None)
    if ranked and full is not None:
        response.headers["Search-Window-Full"] = "true" if full else "false"
    response.headers["Vary"] = "Accept"  # JSON or CSV by it: a cache must not mix them
    if format_ == "csv" or (format_ is None and _wants_csv(request.headers.get("accept", ""))):
        return _csv_response(web.engine, page, user, response)
    # ``published`` as the outlet gave it, its offset stated (UTC's where it gave none), as
    # /api/articles gives it.
    return [
        replace(
            h, published=utc(as_given(h.published, h.published_offset)), url=shown_url(h.url, user)
        )
        for h in page
    ]


def _wants_csv(accept: str) -> bool:
    """Whether an Accept header prefers text/csv to JSON (a media range's q=0 refuses it)."""
    quality: dict[str, float] = {}
    for part in accept.lower().split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        q = next((p.removeprefix("q=") for p in params if p.startswith("q=")), "1")
        try:
            quality.setdefault(kind, float(q))
        except ValueError:
            continue

    # The most specific range that covers a type gives its quality: "text/csv;q=0.1, */*"
    # prefers anything else, JSON included, to CSV.
    def of(kind: str) -> float:
        for media_range in (kind, f"{kind.split('/')[0]}/*", "*/*"):
            if media_range in quality:
                return quality[media_range]
        return 0.0

    csv_q = quality.get("text/csv", 0.0)  # only asked for by name: */* alone is JSON's
    return csv_q > 0 and csv_q >= of("application/json")


def _csv_response(
    engine: Any, hits: list[store.SearchHit], user: User, response: Response
) -> Response:
    """``hits`` (a page, at most ``WINDOW``) as the archive's CSV, with the page's headers
    (Link, Search-Window-Full): the archive's rows, the links shown as there to a viewer."""
    buf = io.StringIO()
    writer = search_csv.Writer(buf, lineterminator="\r\n")
    link = partial(archive_link, viewer=not user.role.allows(Role.editor))
    with engine.connect() as conn:
        for row in search_csv.rows(conn, hits, link):
            writer.row(row)
    return Response(
        buf.getvalue(), media_type="text/csv; charset=utf-8", headers=dict(response.headers)
    )


def _story(s: stories.StoryView) -> StoryOut:
    return StoryOut(
        id=s.id,
        title=s.title,
        score=s.score,
        pinned=s.pinned,
        hidden=s.hidden,
        article_ids=[a.id for a in s.articles],
        outlets=s.outlets,
        matched=s.matched,
        ranked=s.ranked,
    )


@router.get("/stories", responses=_BAD_WEEK)
def list_stories(request: Request, user: Viewer, week: Week = None) -> list[StoryOut]:
    """The week's stories, ranked (pinned first, hidden last)."""
    since, until = editions.week_of(week)
    with request.app.state.web.engine.connect() as conn:
        profile = request.app.state.web.settings.profile
        return [_story(s) for s in request.app.state.web.stories.get(conn, profile, since, until)]


def _decide(request: Request, user: User, action: str, story_id: int, change) -> Any:
    """Record the decision, then apply it, in one transaction (as Review: what it brings
    about in a draft reads after it in the audit log); unknown stories are a 404."""
    with request.app.state.web.engine.begin() as conn:
        persist.audit(conn, user.name, action, f"story {story_id}", via="api")
        try:
            return change(conn, request.app.state.web.settings.profile)
        except stories.UnknownStory as exc:
            raise HTTPException(404, f"no story {story_id}") from exc


_NO_STORY = {404: problem("No such story.")}


@router.post(
    "/stories/{story_id}/pin", status_code=204, responses={**_NO_STORY, **_EDITOR, **_BODY}
)
def pin(request: Request, story_id: PathId, body: Decision, user: Editor) -> Response:
    """Pin (or with ``on: false`` unpin) a story."""
    _decide(
        request,
        user,
        "story.pin" if body.on else "story.unpin",
        story_id,
        lambda conn, profile: stories.set_flag(
            conn, profile, story_id, "pinned", body.on, by=user.name
        ),
    )
    return Response(status_code=204)


@router.post(
    "/stories/{story_id}/hide",
    responses={
        **_NO_STORY,
        409: problem("A draft was being saved just then; nothing changed: try again."),
        **_EDITOR,
        **_BODY,
    },
)
def hide(request: Request, story_id: PathId, body: Decision, user: Editor) -> HideOut:
    """Hide (or with ``on: false`` show again) a story, as Review does: hiding takes its item
    out of every draft that has it (``taken_out``); showing it again changes no draft."""
    publisher = request.app.state.web.settings.publisher
    try:
        taken = _decide(
            request,
            user,
            "story.hide" if body.on else "story.unhide",
            story_id,
            lambda conn, profile: editions.hide_story(
                conn, profile, story_id, body.on, user=user.name, publisher=publisher
            ),
        )
    except editions.EditConflict as exc:
        raise HTTPException(409, "a draft was being saved just then; try again") from exc
    message = "Hidden." if body.on else "Shown again."
    if taken:
        message = f"Hidden; taken {'; '.join(str(t) for t in taken)}."
    return HideOut(
        id=story_id,
        hidden=body.on,
        taken_out=[
            TakenOut(period_from=t.since, period_to=t.until, headlines=t.headlines) for t in taken
        ],
        message=message,
    )


@router.get("/digests")
def digests(request: Request, user: Viewer) -> list[VersionOut]:
    """Published digest versions, newest first."""
    with request.app.state.web.engine.connect() as conn:
        return [VersionOut(**v) for v in versions.list_versions(conn)]


@router.get("/digests/{version_id}", responses={404: problem("No such published version.")})
def digest(request: Request, version_id: PathId, user: Viewer) -> VersionDetail:
    """One published version with its content: the digest JSON of docs/digest-json.md."""
    with request.app.state.web.engine.connect() as conn:
        found = versions.get_version(conn, version_id)
    if found is None:
        raise HTTPException(404, f"no published digest {version_id}")
    # The JSON of /digests/ID/export.json, key for key: what was stored, in the documented shape,
    # but a viewer's token is not given a paid feed's password in a source's address.
    content = shown_content(stored_dict(found["content"]), user)
    return VersionDetail(**{**found, "content": content})


@router.post(
    "/digests/publish",
    status_code=201,
    responses={
        404: problem("The week has no draft: start one on the editor page."),
        409: problem(
            "The draft cannot be published as it is (no items, a hidden story's item, one "
            "story twice, nothing new since the latest version), or a version published "
            "after the draft was last saved says otherwise (send replace_newer: true)."
        ),
        **_EDITOR,
        **_BODY,
        400: problem(
            "Not an ISO week of the years mediadigest works with, or a body that "
            "cannot be read as JSON."
        ),
        200: {
            "model": PublishOut,
            "description": "Asked to mail it, nothing changed since the latest version: that "
            "version, mailed (nothing published); 409 where the whole list has it already, "
            "unless mail_again.",
        },
    },
)
def publish(request: Request, response: Response, body: PublishIn, user: Editor) -> PublishOut:
    """Publish the week's draft as its next version (and mail it, asked to).

    Read and checked under the store's writer lock, as the web's Publish: of two requests at
    once the second gets 409 "Already published as version N", not a duplicate or a 500.
    The mail goes after the lock, as `publish --mail` sends it.
    """
    web = request.app.state.web
    since, until = editions.week_of(body.week)
    name = web.settings.profile.name
    try:  # checked before publishing, as `publish --mail` does
        recipients = mailing.the_list(web.settings.mail) if body.mail else ()
    except ConfigError as exc:
        raise HTTPException(409, f"Nothing was published: {exc}") from exc
    rest: tuple[str, ...] = ()
    with story_store.writing(web.engine) as conn:
        found = versions.get_draft(conn, name, since, until)
        if found is None:
            raise HTTPException(404, f"no draft for {since:%G-W%V}")  # `last` named
        newer = freshness.overtaken_by(conn, name, since, until, found[0])
        if newer is not None and not body.replace_newer:
            why = freshness.overtaken(found[1], newer)
            raise HTTPException(409, f"{why[0].upper()}{why[1:]} Send replace_newer: true to "
                                "publish the draft over it.")  # fmt: skip
        try:
            editions.check_publishable(conn, name, since, until, found[0])
        except editions.AlreadyPublished as exc:
            if not recipients:  # else mailed as it is: a send that failed is sent again
                raise HTTPException(409, str(exc)) from exc
            mailed = mailing.list_sent(conn, name, since, until, exc.version, web.settings.mail)
            if mailed is not None and not body.mail_again:  # a client's retry mailed them all
                when = f"{mailed.at:%Y-%m-%d %H:%M} UTC"
                if not mailed.rest:
                    raise HTTPException(409, f"{exc} It went to the whole list on {when}: send "
                                        "mail_again: true to mail it again.") from exc  # fmt: skip
                rest = mailed.rest  # after a part send: those it did not reach, no one else
            response.status_code = 200
        except editions.NotPublishable as exc:
            raise HTTPException(409, str(exc)) from exc
        else:
            version = versions.publish(conn, name, since, until, found[0], user.name)
            persist.audit(conn, user.name, "digest.publish", f"{name} {since}..{until}",
                          version=version, via="api")  # fmt: skip
        latest = versions.latest_version(conn, name, since, until)
    assert latest is not None
    how = _mail(request, user, latest, rest or recipients, rest=bool(rest)) if recipients else None
    return PublishOut(**{k: v for k, v in latest.items() if k != "content"}, mail=how)


def _mail(
    request: Request, user: User, latest: dict[str, Any], recipients: tuple[str, ...], *,
    rest: bool
) -> MailOut:  # fmt: skip
    web = request.app.state.web
    try:
        sent = mailing.mail_version(web.engine, web.settings.mail, latest, recipients,
                                    user=user.name, rest=rest, via="api")  # fmt: skip
    except MailError as exc:  # the version stays published: the answer is the publish's
        return MailOut(mailed=False, error=str(exc), rest=rest)
    return MailOut(mailed=True, recipients=len(sent.accepted), refused=sent.refused, rest=rest)


@router.get(
    "/feed.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "Atom feed"}},
)
def atom_feed(request: Request, user: Viewer) -> Response:
    """The Atom feed of published digests: the same as the public ``/feed.atom``."""
    return feed_response(request)


@router.get("/sources")
def sources(request: Request, user: Viewer) -> list[SourceOut]:
    """The sources collected from, in the order they were added."""
    with request.app.state.web.engine.connect() as conn:
        rows = store.list_sources(conn)
    # A viewer's token is not shown a paid feed's password (`shown_url`).
    return [SourceOut(**{**r, "url": shown_url(r["url"], user)}) for r in rows]


@router.post(
    "/sources",
    status_code=201,
    responses={
        200: {
            "model": SourceOut,
            "description": "The URL is a source already, of that kind (as written, or an "
            "address the source moved from): nothing changed.",
        },
        409: problem("The URL is a source already, of another kind: nothing changed."),
        **_EDITOR,
        **_BODY,
    },
)
def add_source(request: Request, response: Response, body: SourceIn, user: Editor) -> SourceOut:
    """Add a source (``url`` as given, spaces around it taken off): 201 where it is new, 200
    where it is there already, as `sources add` says "already present"."""
    with request.app.state.web.engine.begin() as conn:
        done = store.add_sources(conn, [Source(body.url, str(body.kind))], refile=False)
        # A URL the source was read from before it moved for good is that source.
        url = done.redirected[0][1] if done.redirected else source_url(body.url)
        # Compared as stored now: a row stored before source_url dropped default ports
        # and dot segments keeps its old form.
        key = source_url(url)
        row = next(r for r in store.list_sources(conn) if source_url(r["url"]) == key)
        if done.added:
            persist.audit(conn, user.name, "source.add", body.url, via="api")
    if not done.added:
        # It answered 201 every time, and a sitemap asked for showed the feed kept.
        if row["kind"] != body.kind:
            raise HTTPException(
                409,
                f"{url} is a source already, as a {row['kind']}: remove it first to add it "
                f"as a {body.kind}.",
            )
        response.status_code = 200
    return SourceOut(**row)


@router.post("/sources/pause", responses={404: problem("No source of that URL."), **_EDITOR})
def pause_source(
    request: Request, user: Editor, url: Annotated[str, Query(max_length=2000)]
) -> SourceOut:
    """Pause the source of ``url`` (as it was added, or as listed): collection leaves it out,
    and it keeps its health, folder and the items already read. Pausing a paused source
    changes nothing."""
    return _pause_or_resume(request, user, url, pause=True)


@router.post("/sources/resume", responses={404: problem("No source of that URL."), **_EDITOR})
def resume_source(
    request: Request, user: Editor, url: Annotated[str, Query(max_length=2000)]
) -> SourceOut:
    """Collect a paused source again, from the next run."""
    return _pause_or_resume(request, user, url, pause=False)


@router.post(
    "/sources/rename", responses={404: problem("No source of that URL."), **_EDITOR, **_BODY}
)
def rename_source(
    request: Request, user: Editor, body: RenameIn, url: Annotated[str, Query(max_length=2000)]
) -> SourceOut:
    """Name the source of ``url`` as lists show it (as `sources rename URL TITLE`); an empty
    ``title`` gives back its feed's own at its next collection. The name lists show, not the
    outlet a digest credits (the profile's ``outlets`` name those)."""
    with request.app.state.web.engine.begin() as conn:
        stored = store_sources.retitle_source(conn, url, body.title)
        if stored is None:
            raise HTTPException(404, f"no source {url}")
        name = store_sources.source_name(body.title) or None
        persist.audit(conn, user.name, "source.rename", stored, title=name, via="api")
        row = next(r for r in store.list_sources(conn) if r["url"] == stored)
    return SourceOut(**row)


def _pause_or_resume(request: Request, user: User, url: str, *, pause: bool) -> SourceOut:
    change = store_sources.pause_source if pause else store_sources.resume_source
    with request.app.state.web.engine.begin() as conn:
        found = change(conn, url)
        if found is None:
            raise HTTPException(404, f"no source {url}")
        if found[1]:
            action = "source.pause" if pause else "source.resume"
            persist.audit(conn, user.name, action, url, via="api")
        row = next(r for r in store.list_sources(conn) if r["url"] == found[0])
    return SourceOut(**row)


@router.delete(
    "/sources", status_code=204, responses={404: problem("No source of that URL."), **_EDITOR}
)
def remove_source(
    request: Request, user: Editor, url: Annotated[str, Query(max_length=2000)]
) -> Response:
    """Remove the source of ``url`` (as it was added, or as listed)."""
    with request.app.state.web.engine.begin() as conn:
        if not store.remove_source(conn, url):
            raise HTTPException(404, f"no source {url}")
        persist.audit(conn, user.name, "source.remove", url, via="api")
    return Response(status_code=204)
