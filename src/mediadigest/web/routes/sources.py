"""Sources: add, pause, resume, rename and remove feeds and sitemaps, import OPML, see each
source's health."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from mediadigest import store
from mediadigest.collect import opml
from mediadigest.errors import InputError
from mediadigest.logs import redact_url
from mediadigest.model import Source, is_web_url
from mediadigest.store import schema as t
from mediadigest.store import sources as store_sources
from mediadigest.web import csrf, persist
from mediadigest.web.auth import need
from mediadigest.web.persist import Role, User
from mediadigest.web.templating import page, redirect

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)
Viewer = Annotated[User, Depends(need(Role.viewer))]
Editor = Annotated[User, Depends(need(Role.editor))]
KINDS = ("feed", "sitemap", "page")
MAX_OPML = 2 * 1024 * 1024


def _failures(conn: sa.Connection) -> dict[int, tuple[int, int]]:
    """(failed, all) of each source's last 10 fetches."""
    f = t.fetch_log
    ranked = sa.select(
        f.c.source_id,
        f.c.ok,
        sa.func.row_number().over(partition_by=f.c.source_id, order_by=f.c.id.desc()).label("n"),
    ).subquery()
    query = sa.select(ranked.c.source_id, ranked.c.ok).where(ranked.c.n <= 10)
    out: dict[int, tuple[int, int]] = {}
    for row in conn.execute(query):
        failed, total = out.get(row.source_id, (0, 0))
        out[row.source_id] = (failed + (not row.ok), total + 1)
    return out


def health(row: dict, failures: tuple[int, int]) -> str:
    """paused (an editor's choice: not collected, so not failing either), ok, partly failing
    (the last fetch worked, some of its pages did not), failing, unreachable (every recent
    fetch failed) or new (never fetched)."""
    if row.get("paused_at") is not None:
        return "paused"
    if row["last_fetched_at"] is None:
        return "new"
    if row["last_error"] is None:
        return "ok"
    if row["last_ok_at"] == row["last_fetched_at"]:
        return "partly failing"
    failed, total = failures
    return "unreachable" if total and failed == total else "failing"


def shown_url(url: str, user: User) -> str:
    """What ``user`` is shown of a source's address: a viewer not the password of a paid
    feed's ``https://user:password@…`` nor its secret-named query values (``?apikey=``); the
    editors who manage sources see it whole (their forms send it back)."""
    return url if user.role.allows(Role.editor) else redact_url(url)


def shown_content(content: dict[str, Any], user: User) -> dict[str, Any]:
    """A digest's JSON (``content``, changed in place) with its sources' and roundups'
    addresses as ``user`` is shown them (`shown_url`): the API's and the JSON export's."""
    for item in content.get("items") or []:
        for src in item.get("sources") or []:
            for link in (src, src.get("via") or {}):
                if isinstance(link.get("url"), str):
                    link["url"] = shown_url(link["url"], user)
    return content


@router.get("/sources")
def sources(request: Request, user: Viewer) -> HTMLResponse:
    web = request.app.state.web
    with web.engine.connect() as conn:
        rows = store.list_sources(conn)
        recent = _failures(conn)
    listed = [
        {
            **r,
            "url": shown_url(r["url"], user),
            "health": health(r, recent.get(r["id"], (0, 0))),
            "recent": recent.get(r["id"], (0, 0)),
        }
        for r in rows
    ]
    return page(
        request,
        "sources.html",
        title="Sources",
        sources=listed,
        kinds=KINDS,
        collector=web.collector,
    )


@router.post("/sources/add")
def add(
    request: Request,
    user: Editor,
    url: Annotated[str, Form(max_length=2000)],
    kind: Annotated[str, Form()] = "feed",
) -> Response:
    url = url.strip()
    if not is_web_url(url) or kind not in KINDS:
        return redirect(
            request,
            "/sources",
            f"Not an http(s) URL: {url}",
            "error",
            form="add-source",
            field="url",
            typed={"url": url, "kind": kind},
        )
    with request.app.state.web.engine.begin() as conn:
        source_id, added = store.add_source(conn, Source(url=url, kind=kind))
        if added:
            persist.audit(conn, user.name, "source.add", url, kind=kind)
        paused = not added and source_id in store_sources.paused_ids(conn)
    if paused:  # adding it again does not collect it: say what does
        return redirect(request, "/sources", f"Already there, paused: {url} (Resume collects it).")
    return redirect(request, "/sources", f"Added {url}." if added else f"Already there: {url}.")


@router.post("/sources/remove")
def remove(request: Request, user: Editor, url: Annotated[str, Form(max_length=2000)]) -> Response:
    with request.app.state.web.engine.begin() as conn:
        removed = store.remove_source(conn, url)
        if removed:
            persist.audit(conn, user.name, "source.remove", url)
    if not removed:
        return redirect(request, "/sources", f"No such source: {url}", "error")
    return redirect(request, "/sources", f"Removed {url} (its articles stay).")


@router.post("/sources/pause")
def pause(request: Request, user: Editor, url: Annotated[str, Form(max_length=2000)]) -> Response:
    return _pause_or_resume(request, user, url, pause=True)


@router.post("/sources/resume")
def resume(request: Request, user: Editor, url: Annotated[str, Form(max_length=2000)]) -> Response:
    return _pause_or_resume(request, user, url, pause=False)


def _pause_or_resume(request: Request, user: User, url: str, *, pause: bool) -> Response:
    change = store_sources.pause_source if pause else store_sources.resume_source
    with request.app.state.web.engine.begin() as conn:
        found = change(conn, url)
        if found is not None and found[1]:  # a second click (another tab) changed nothing
            persist.audit(conn, user.name, "source.pause" if pause else "source.resume", url)
    if found is None:
        return redirect(request, "/sources", f"No such source: {url}", "error")
    stored, changed = found
    if pause:
        done = f"Paused {stored}: not collected until resumed." if changed else None
        return redirect(request, "/sources", done or f"Already paused: {stored}.")
    done = f"Resumed {stored}: collected from the next run." if changed else None
    return redirect(request, "/sources", done or f"Not paused: {stored}.")


@router.post("/sources/rename")
def rename(
    request: Request,
    user: Editor,
    url: Annotated[str, Form(max_length=2000)],
    title: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Name a source as the page lists it; an empty name gives back its feed's own (as
    `sources rename URL ''`)."""
    with request.app.state.web.engine.begin() as conn:
        stored = store_sources.retitle_source(conn, url, title)
        name = store_sources.source_name(title) or None
        if stored is not None:
            persist.audit(conn, user.name, "source.rename", stored, title=name)
    if stored is None:
        return redirect(request, "/sources", f"No such source: {url}", "error")
    if name is None:
        return redirect(request, "/sources", f"Name cleared: {stored} takes its feed's own "
                        "name at its next collection.")  # fmt: skip
    return redirect(request, "/sources", f"Renamed: {stored} is now listed as {name}.")


@router.post("/sources/import")
async def import_opml(request: Request, user: Editor, file: UploadFile) -> Response:
    data = await file.read(MAX_OPML + 1)
    if len(data) > MAX_OPML:
        message = "That OPML file is over 2 MB."
        return redirect(request, "/sources", message, "error", form="import-opml", field="file")
    try:
        found = [s for s in opml.parse_opml(data, file.filename or "upload") if is_web_url(s.url)]
    except InputError as exc:
        return redirect(request, "/sources", str(exc), "error", form="import-opml", field="file")
    with request.app.state.web.engine.begin() as conn:
        done = store.add_sources(conn, found)
        added, moved = done.added, len(done.moved)
        persist.audit(
            conn, user.name, "source.import", file.filename or "upload", added=added, moved=moved
        )
    sources = "source" if added == 1 else "sources"
    moves = f", {moved} of them moved to another folder" if moved else ""
    message = f"Imported {added} new {sources} ({done.present} already there{moves})."
    return redirect(request, "/sources", message)


@router.post("/sources/collect")
def collect_now(request: Request, user: Editor) -> Response:
    request.app.state.web.collector.wake()
    with request.app.state.web.engine.begin() as conn:
        persist.audit(conn, user.name, "collect.start", "all sources")
    return redirect(request, "/sources", "Collection started; refresh in a minute.")


@router.get("/sources/export.opml")
def export_opml(request: Request, user: Viewer) -> Response:
    with request.app.state.web.engine.connect() as conn:
        rows = store.list_sources(conn)
    body = opml.to_opml(
        Source(shown_url(r["url"], user), r["kind"], r["title"], folder=r["folder"]) for r in rows
    )
    return Response(
        body,
        media_type="text/x-opml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="sources.opml"'},
    )
