"""The public face: the Atom feed of published digests and a read-only page of each.

Published digests are meant for anyone, so these routes need no session. They read only
``digest_versions`` (what was published, immutable), never a draft, the review queue, or who
published: editors' names and work in progress stay behind the login.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from mediadigest.web import editions, versions
from mediadigest.web.routes import PathId
from mediadigest.web.templating import PUBLIC_CACHE, public_page

router = APIRouter(include_in_schema=False)


def page_url(request: Request, version_id: int) -> str:
    """The absolute URL of a published version's public page (a feed entry's alternate)."""
    base = request.app.state.web.base_url
    if base is not None:
        return f"{base}/public/digests/{version_id}"
    return str(request.url_for("public_digest", version_id=version_id))


def feed_response(request: Request) -> Response:
    """The Atom feed of published digests (the latest version of each period), each entry
    linking to the digest's public page; served here and, with a token, by the API.

    Its links are made from ``serve --base-url`` if given; else from the request, whose Host
    header the client chose, so the answer says it varies with Host: a shared cache must
    not hand one client's ``Host: attacker.example`` links to everyone.
    """
    web = request.app.state.web
    link = str(request.url) if web.base_url is None else web.base_url + request.url.path
    with web.engine.connect() as conn:
        body = editions.feed(
            conn,
            web.settings.profile.name,
            link=link,
            page_of=lambda version_id: page_url(request, version_id),
        )
    # Feed readers poll: one that sends back the ETag gets a 304 until a digest is published.
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if _etags(request.headers.get("if-none-match", "")) & {etag, "*"}:  # "*": any (it exists)
        response = Response(status_code=304)
    else:
        response = Response(body, media_type="application/atom+xml")
    response.headers["ETag"] = etag
    if web.base_url is None:
        response.headers["Vary"] = "Host"
    return response


def _etags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header, weak ones as strong (RFC 9110, 13.1.2)."""
    if header.strip() == "*":
        return {"*"}
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


@router.api_route("/feed.atom", methods=["GET", "HEAD"])
def atom_feed(request: Request) -> Response:
    """The Atom feed of published digests, for anyone (and any cache: it changes when a
    digest is published, and readers poll it)."""
    response = feed_response(request)
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


@router.get("/public/digests/{version_id}")
def public_digest(request: Request, version_id: PathId) -> HTMLResponse:
    """One published version, read-only: its text, number and date; nothing of the editors."""
    web = request.app.state.web
    with web.engine.connect() as conn:
        found = versions.get_version(conn, version_id)
        newer = versions.newer_version(conn, found) if found else None
    # Only this app's profile: the store may hold another's, which this site does not publish.
    if found is None or found["profile"] != web.settings.profile.name:
        raise HTTPException(404, f"no published digest {version_id}")
    return public_page(
        request,
        "public_digest.html",
        title=editions.title(found["content"]),
        version=found,
        newer=newer,
        newer_href=f"/public/digests/{newer['id']}" if newer else None,
        house=editions.house_html(found["content"]),
    )
