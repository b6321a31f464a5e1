"""The digest editor: edit the week's draft item by item, preview, publish, export versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from mediadigest.web import csrf, editions, highlight, persist, versions
from mediadigest.web.articles import get_article
from mediadigest.web.auth import need
from mediadigest.web.persist import Role, User
from mediadigest.web.routes import Index, PathId, Revision
from mediadigest.web.routes.week import week_links
from mediadigest.web.templating import page, redirect

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)
Viewer = Annotated[User, Depends(need(Role.viewer))]
Editor = Annotated[User, Depends(need(Role.editor))]
Week = Annotated[str, Form(max_length=10)]
Text = Annotated[str, Form(max_length=5000)]


@router.get("/editor")
def editor(request: Request, user: Editor, week: str | None = None) -> HTMLResponse:
    since, until = editions.week_of(week)
    return _editor_page(request, since, until)


def _editor_page(
    request: Request,
    since: date,
    until: date,
    *,
    status: int = 200,
    notice: str | None = None,
    kept: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The editor on the period's draft as stored now; ``notice`` and ``kept`` (an edit that
    could not be saved, with where its item is now) say what happened to the editor's work."""
    web = request.app.state.web
    with web.engine.connect() as conn:
        found = versions.get_draft(conn, web.settings.profile.name, since, until)
        published = versions.latest_version(conn, web.settings.profile.name, since, until)
        sources = _evidence(conn, found[0]) if found else {}
    content, revision = found if found else (None, None)
    return page(
        request,
        "editor.html",
        status,
        title="Digest editor",
        since=since,
        until=until,
        weeks=week_links(since),
        content=content,
        revision=revision,
        published=published,
        sources=sources,
        notice=notice,
        kept=kept,
        seen=editions.seen,
    )


def _evidence(conn: sa.Connection, content: dict[str, Any]) -> dict[tuple[int, Any], Any]:
    """Each sentence's source excerpt with the span marked, by (item, sentence).

    A sentence is a summary index, ``-1`` (the sentence the attribution line ends with) or
    ``"quote"``; "reworded" says the text no longer reads as its source does.
    """
    texts: dict[int, str] = {}
    out: dict[tuple[int, Any], Any] = {}
    for index, item in enumerate(content["items"]):
        for ev in item.get("evidence", []):
            aid = int(ev.get("article_id") or 0)
            if aid not in texts:
                art = get_article(conn, aid)
                texts[aid] = art.text if art else ""
            source = " ".join(texts[aid][ev["start"] : ev["end"]].split())
            out[index, ev["sentence"]] = {
                "markup": highlight.excerpt(texts[aid], ev["start"], ev["end"]),
                "href": f"/articles/{aid}?hl={ev['start']}-{ev['end']}#evidence",
                "reworded": source not in " ".join(_said(item, ev["sentence"]).split()),
            }
    return out


def _said(item: dict[str, Any], which: Any) -> str:
    """What the item now says where the evidence points."""
    if which == "quote":
        return (item.get("quote") or {}).get("text", "")
    if which == -1:
        return item.get("attribution", "")
    summary = item.get("summary", [])
    return summary[which] if isinstance(which, int) and 0 <= which < len(summary) else ""


Change = Callable[[sa.Connection, dict[str, Any]], Any]


@dataclass(slots=True)
class Rebase:
    """How a change sent from a page older than the draft goes onto the newer draft instead
    of being refused: editors working on different items at once should not block each other."""

    onto: Callable[[dict[str, Any]], bool]  # adapt the change to the newer draft; False: it can't
    refused: Callable[[], Response]  # the answer when it can't, or loses a race to another save
    note: str = "The draft had changed since you loaded it; your edit went onto the newer draft."


def _change(
    request: Request,
    user: User,
    week: str,
    revision: int,
    action: str,
    change: Change,
    anchor: str | Callable[[dict[str, Any]], str] = "",
    done: str = "Saved.",
    rebase: Rebase | None = None,
    **detail: Any,
) -> Response:
    """Load the draft, apply ``change``, save it if nobody else did meanwhile, audit, go back.

    ``anchor``: where on the page to go back to, or a function of the changed draft giving it
    (so the editor lands where the item went, not at the top); so may each ``detail`` be.
    ``rebase``: if the draft is newer than ``revision``, try the change on it (see `Rebase`);
    without one, a stale change is refused.
    """
    web = request.app.state.web
    since, until = editions.week_of(week)
    profile = web.settings.profile
    with web.engine.begin() as conn:
        found = versions.get_draft(conn, profile.name, since, until)
        if found is None:
            raise HTTPException(404, "this week has no draft yet")
        content, current = found
        rebased = False
        if rebase is not None and current != revision:
            if not rebase.onto(content):
                return rebase.refused()
            rebased = True
        try:
            change(conn, content)
            editions.refresh_intro(content, profile)  # unless the editor wrote it
            base = current if rebased else revision
            editions.save(conn, profile, since, until, content, user=user.name, revision=base)
        except editions.EditConflict as exc:
            if rebase is not None:  # saved by someone else this very moment
                return rebase.refused()
            # Not to the item's anchor: the message is at the top of the page.
            top = f"/editor?week={editions.week_name(since)}"
            return redirect(request, top, f"{exc} Make your change again.", "error")
        except editions.NoSuchItem as exc:
            raise HTTPException(404, f"the draft has no item {exc}") from exc
        detail = {k: v(content) if callable(v) else v for k, v in detail.items()}
        persist.audit(conn, user.name, action, f"{profile.name} {since}..{until}", **detail)
        where = anchor(content) if callable(anchor) else anchor
    message = f"{done} {rebase.note}" if rebased and rebase is not None else done
    return redirect(request, f"/editor?week={editions.week_name(since)}{where}", message)


@router.post("/editor/start")
def start(request: Request, user: Editor, week: Week) -> Response:
    web = request.app.state.web
    since, until = editions.week_of(week)
    with web.engine.begin() as conn:
        editions.open_draft(conn, web.settings.profile, since, until, user.name)
    return redirect(request, f"/editor?week={editions.week_name(since)}", "Draft started.")


@router.post("/editor/rebuild")
def rebuild(request: Request, user: Editor, week: Week, revision: Revision) -> Response:
    profile = request.app.state.web.settings.profile
    since, until = editions.week_of(week)

    def fresh(conn: sa.Connection, content: dict[str, Any]) -> None:
        content.clear()
        content.update(editions.build_draft(conn, profile, since, until))

    return _change(request, user, week, revision, "draft.rebuild", fresh, done="Rebuilt the draft.")


@router.post("/editor/intro")
def intro(
    request: Request, user: Editor, week: Week, revision: Revision, text: Text = ""
) -> Response:
    return _change(
        request,
        user,
        week,
        revision,
        "draft.intro",
        lambda _c, content: editions.set_intro(content, text),
    )


def _item_anchor(content: dict[str, Any], index: int) -> str:
    """The anchor of the item at ``index``, kept within the items (none if there are none)."""
    count = len(content["items"])
    return f"#item-{min(max(index, 0), count - 1)}" if count else ""


@router.post("/editor/items/{index}/move")
def move(
    request: Request,
    index: Index,
    user: Editor,
    week: Week,
    revision: Revision,
    delta: Annotated[int, Form(ge=-50, le=50)],
) -> Response:
    return _change(
        request,
        user,
        week,
        revision,
        "item.move",
        lambda _c, content: editions.move(content, index, delta),
        anchor=lambda content: _item_anchor(content, index + delta),
        item=index,
        delta=delta,
    )


@dataclass(slots=True)
class _ItemEditing:
    """One item's edit as the page sent it, following that item onto a newer draft."""

    at: int | None  # where the item is in the draft being changed
    seen: str  # the item as the page showed it (``editions.seen``); empty from an old page
    change: editions.ItemEdit

    def apply(self, _conn: sa.Connection, content: dict[str, Any]) -> None:
        assert self.at is not None
        editions.edit(content, self.at, self.change)

    def onto(self, content: dict[str, Any]) -> bool:
        """Follow the item into the newer draft; only an item nobody changed takes the edit."""
        self.at, unchanged = editions.locate(content, self.seen) if self.seen else (None, False)
        return self.at is not None and unchanged


@router.post("/editor/items/{index}/edit")
def edit(
    request: Request,
    index: Index,
    user: Editor,
    week: Week,
    revision: Revision,
    headline: Text,
    attribution: Text = "",
    summary: Text = "",
    quote_text: Text = "",
    quote_speaker: Annotated[str, Form(max_length=200)] = "",
    item_seen: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Save one item. From a page older than the draft, the edit still goes onto the newer
    draft when its item is unchanged there (editors work on different items at once); when
    the item itself changed, the editor gets the page back with the text they typed."""
    since, until = editions.week_of(week)
    change = editions.ItemEdit(headline, attribution, summary, quote_text, quote_speaker)
    editing = _ItemEditing(index, item_seen, change)
    return _change(
        request,
        user,
        week,
        revision,
        "item.edit",
        editing.apply,
        anchor=lambda _content: f"#item-{editing.at}",
        rebase=Rebase(
            editing.onto, lambda: _refused_edit(request, since, until, change, editing.at)
        ),
        item=lambda _content: editing.at,
        headline=headline,
    )


def _refused_edit(
    request: Request, since: date, until: date, change: editions.ItemEdit, at: int | None
) -> HTMLResponse:
    """The editor page with the edit that could not be saved kept at the top, unsaved."""
    where = (
        f"item {at + 1} as it is now, to save yours over it"
        if at is not None
        else "nothing: that item has since been removed from the draft"
    )
    notice = (
        "Someone else changed this item after you loaded the page, so your edit was not saved. "
        f"Your text is kept below; compare it with {where}."
    )
    kept = {
        "index": at,
        "headline": change.headline,
        "attribution": change.attribution,
        "summary": change.summary,
        "quote_text": change.quote_text,
        "quote_speaker": change.quote_speaker,
    }
    return _editor_page(request, since, until, status=409, notice=notice, kept=kept)


@router.post("/editor/items/{index}/regenerate")
def regenerate(
    request: Request, index: Index, user: Editor, week: Week, revision: Revision
) -> Response:
    profile = request.app.state.web.settings.profile
    return _change(
        request,
        user,
        week,
        revision,
        "item.regenerate",
        lambda conn, content: editions.regenerate(conn, profile, content, index),
        anchor=f"#item-{index}",
        item=index,
    )


@router.post("/editor/items/{index}/remove")
def remove(
    request: Request, index: Index, user: Editor, week: Week, revision: Revision
) -> Response:
    return _change(
        request,
        user,
        week,
        revision,
        "item.remove",
        lambda _c, content: editions.remove(content, index),
        anchor=lambda content: _item_anchor(content, index),  # the item after it, now there
        done="Removed the item.",
        item=index,
    )


@router.post("/editor/publish")
def publish(request: Request, user: Editor, week: Week, revision: Revision) -> Response:
    """Publish the draft as it was when the editor pressed the button (its revision)."""
    web = request.app.state.web
    since, until = editions.week_of(week)
    name = web.settings.profile.name
    with web.engine.begin() as conn:
        found = versions.get_draft(conn, name, since, until)
        if found is None:
            raise HTTPException(404, "this week has no draft yet")
        if found[1] != revision:
            return redirect(
                request,
                f"/editor?week={editions.week_name(since)}",
                "The draft changed since you loaded it; check it and publish again.",
                "error",
            )
        try:
            editions.check_publishable(conn, name, since, until, found[0])
        except editions.NotPublishable as exc:
            return redirect(request, f"/editor?week={editions.week_name(since)}", str(exc), "error")
        version = versions.publish(conn, name, since, until, found[0], user.name)
        persist.audit(
            conn, user.name, "digest.publish", f"{name} {since}..{until}", version=version
        )
    return redirect(
        request, f"/digests?week={editions.week_name(since)}", f"Published version {version}."
    )


@router.get("/preview")
def preview(request: Request, user: Viewer, week: str | None = None) -> HTMLResponse:
    web = request.app.state.web
    since, until = editions.week_of(week)
    with web.engine.connect() as conn:
        found = versions.get_draft(conn, web.settings.profile.name, since, until)
    return page(
        request,
        "preview.html",
        title="Preview",
        since=since,
        until=until,
        weeks=week_links(since),
        house=editions.house_html(found[0]) if found else None,
        version=None,
        formats=[],
    )


@router.get("/digests")
def digests(request: Request, user: Viewer) -> HTMLResponse:
    with request.app.state.web.engine.connect() as conn:
        published = versions.list_versions(conn)
    return page(
        request,
        "digests.html",
        title="Published digests",
        versions=published,
        formats=editions.formats(),
    )


def _version(request: Request, version_id: int) -> dict[str, Any]:
    with request.app.state.web.engine.connect() as conn:
        found = versions.get_version(conn, version_id)
    if found is None:
        raise HTTPException(404, f"no published digest {version_id}")
    return found


@router.get("/digests/{version_id}")
def digest(request: Request, version_id: PathId, user: Viewer) -> HTMLResponse:
    found = _version(request, version_id)
    since, until = found["period_from"], found["period_to"]
    with request.app.state.web.engine.connect() as conn:
        newer = versions.newer_version(conn, found)
    return page(
        request,
        "preview.html",
        title="Published digest",
        since=since,
        until=until,
        weeks=week_links(since),
        house=editions.house_html(found["content"]),
        version=found,
        newer=newer,
        newer_href=f"/digests/{newer['id']}" if newer else None,
        formats=editions.formats(),
    )


@router.get("/digests/{version_id}/export.{fmt}")
def export(request: Request, version_id: PathId, fmt: str, user: Viewer) -> Response:
    if fmt not in editions.formats():
        raise HTTPException(404, f"no export as {fmt!r}")
    found = _version(request, version_id)
    body, media_type, ext = editions.export(found["content"], fmt)
    name = f"digest-{found['period_from']}-v{found['version']}.{ext}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
