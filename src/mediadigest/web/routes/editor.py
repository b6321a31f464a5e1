"""The digest editor: the week's draft on one page, and the changes made to the draft as a whole.

Every change goes through `change_draft` (load, change, save if nobody else did, audit, go
back); the item actions are in ``items``, publishing and published versions in ``digests``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from mediadigest.web import csrf, editions, freshness, highlight, mailing, persist, versions
from mediadigest.web.articles import get_article
from mediadigest.web.auth import need
from mediadigest.web.persist import Role, User, digest_drafts
from mediadigest.web.routes import Revision
from mediadigest.web.routes.week import week_links
from mediadigest.web.templating import page, redirect
from mediadigest.write import style

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)
Viewer = Annotated[User, Depends(need(Role.viewer))]
Editor = Annotated[User, Depends(need(Role.editor))]
Week = Annotated[str, Form(max_length=10)]
Text = Annotated[str, Form(max_length=5000)]


@router.get("/editor")
def editor(request: Request, user: Editor, week: str | None = None) -> HTMLResponse:
    since, until = editions.week_of(week)
    return editor_page(request, since, until)


def editor_page(
    request: Request,
    since: date,
    until: date,
    *,
    status: int = 200,
    notice: str | None = None,
    kept: dict[str, Any] | None = None,
    kept_line: dict[str, str] | None = None,
) -> HTMLResponse:
    """The editor on the period's draft as stored now; ``notice`` and ``kept`` (an item's edit
    that could not be saved, with where its item is now) or ``kept_line`` (an intro or a
    week-over-week line: its ``key``, ``what`` it is in words, and the ``text``) say what
    happened to the editor's work."""
    web = request.app.state.web
    with web.engine.connect() as conn:
        found = versions.get_draft(conn, web.settings.profile.name, since, until)
        published = versions.latest_version(conn, web.settings.profile.name, since, until)
        sources = _evidence(conn, found[0]) if found else {}
        name = web.settings.profile.name
        newer = freshness.overtaken_by(conn, name, since, until, found[0]) if found else None
        if found and notice is None:  # stories that came after the draft, a newer version
            profile = web.settings.profile
            # The page reloads after every edit: rank from the pages' cache, not anew each time.
            notice = freshness.draft_notice(
                conn,
                profile,
                since,
                until,
                found[0],
                ranked=lambda: web.stories.ranked(conn, profile, since, until),
            )
    content, revision = found if found else (None, None)
    # Saved since the latest version was published: "published as version 1" beside a later
    # revision read as if that revision were what readers have.
    unpublished = published is not None and content is not None and published["content"] != content
    return page(
        request,
        "editor.html",
        status,
        title=f"Digest editor: week of {style.period(since, until)}",
        since=since,
        until=until,
        weeks=week_links(since),
        content=content,
        revision=revision,
        published=published,
        unpublished=unpublished,
        mail_list=mailing.offered(web.settings.mail),  # Publish's box: mail it to them too
        newer=newer,
        sources=sources,
        notice=notice,
        kept=kept,
        kept_line=kept_line,
        seen=editions.seen,
        line_seen=editions.line_seen,
        flash_places={f"item-{i}" for i in range(len(content["items"]) if content else 0)},
    )


def _evidence(conn: sa.Connection, content: dict[str, Any]) -> dict[tuple[int, Any], Any]:
    """Each sentence's source excerpt with the span marked, by (item, sentence).

    A sentence is a summary index, ``-1`` (the sentence the attribution line ends with) or
    ``"quote"``; "reworded" says the text no longer reads as its source does.
    """
    texts: dict[int, tuple[str, str | None]] = {}  # each article's text and language
    out: dict[tuple[int, Any], Any] = {}
    for index, item in enumerate(content["items"]):
        for ev in item.get("evidence", []):
            aid = int(ev.get("article_id") or 0)
            if aid not in texts:
                art = get_article(conn, aid)
                texts[aid] = (art.text, art.language) if art else ("", None)
            text, language = texts[aid]
            source = " ".join(text[ev["start"] : ev["end"]].split())
            out[index, ev["sentence"]] = {
                "markup": highlight.excerpt(text, ev["start"], ev["end"]),
                "language": language,
                "href": f"/articles/{aid}?hl={ev['start']}-{ev['end']}#evidence",
                "reworded": source not in " ".join(_said(item, ev["sentence"]).split()),
                "speaker_edited": bool(ev.get("speaker_edited")),  # the quote's: an editor's
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


def _never(_content: dict[str, Any]) -> bool:
    return False


@dataclass(slots=True)
class Rebase:
    """How a change sent from a page older than the draft goes onto the newer draft instead
    of being refused: editors working on different items at once should not block each other.

    ``already``: whether the draft holds the change's result already (the first send of a
    double-click, the same edit from another tab): a success with nothing to save, where
    refusing it told the editor their own save was someone else's and to make it again."""

    onto: Callable[[dict[str, Any]], bool]  # adapt the change to the newer draft; False: it can't
    refused: Callable[[str], Response]  # the answer when it can't, given `saved_by`'s words
    note: str = "The draft had changed since you loaded it; your edit went onto the newer draft."
    already: Callable[[dict[str, Any]], bool] = _never


def saved_by(conn: sa.Connection, profile: str, since: date, until: date, user: User) -> str:
    """Who saved the period's draft last, and when, as a refusal says it: the editor
    themselves (another tab, or an earlier send of the form) is "you", not someone else."""
    d = digest_drafts.c
    row = conn.execute(
        sa.select(d.updated_by, d.updated_at).where(
            d.profile == profile, d.period_from == since, d.period_to == until
        )
    ).first()
    if row is None:
        return "someone"
    when = row.updated_at.strftime("%H:%M UTC")
    if row.updated_by == user.name:
        return f"you, in another tab or window, at {when}"
    if row.updated_by == "cli":  # `stories hide` takes a hidden story's item out of drafts
        return f"a mediadigest command at {when}"
    return f"{row.updated_by} at {when}"


def stale(who: str) -> str:
    """A change refused because the draft changed after the page was loaded."""
    return (
        f"The draft was changed after you loaded the page (last saved by {who}), so this "
        "change was not made; here is the draft as it is now. Make it again if it is still needed."
    )


def change_draft(
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

    def save(conn: sa.Connection, content: dict[str, Any], base: int) -> None:
        # unless the editor wrote it
        editions.refresh_intro(content, profile, web.settings.publisher)
        editions.save(conn, profile, since, until, content, user=user.name, revision=base)

    with web.engine.begin() as conn:
        content, current = _draft(conn, profile.name, since, until)
        try:
            try:
                outcome = _change(conn, content, current, revision, change, rebase, save)
            except editions.EditConflict:
                if rebase is None:
                    who = saved_by(conn, profile.name, since, until, user)
                    # Not to the item's anchor: the message is at the top of the page.
                    top = f"/editor?week={editions.week_name(since)}"
                    return redirect(request, top, stale(who), "error")
                # Saved by another request this very moment (a double-click's first send, say):
                # the draft it saved is the one to go onto, or to find this change in already.
                content, current = _draft(conn, profile.name, since, until)
                outcome = _change(conn, content, current, revision, change, rebase, save)
        except editions.EditConflict:  # a third save in between: this one gives way
            outcome = None
        except editions.NoSuchItem as exc:
            raise HTTPException(404, f"the draft has no item {exc}") from exc
        if outcome is None:
            assert rebase is not None
            return rebase.refused(saved_by(conn, profile.name, since, until, user))
        if outcome != "already":
            detail = {k: v(content) if callable(v) else v for k, v in detail.items()}
            persist.audit(conn, user.name, action, f"{profile.name} {since}..{until}", **detail)
        where = anchor(content) if callable(anchor) else anchor
    message = f"{done} {rebase.note}" if outcome == "rebased" and rebase is not None else done
    return redirect(request, f"/editor?week={editions.week_name(since)}{where}", message)


def _draft(
    conn: sa.Connection, profile: str, since: date, until: date
) -> tuple[dict[str, Any], int]:
    found = versions.get_draft(conn, profile, since, until)
    if found is None:
        raise HTTPException(404, "this week has no draft yet")
    return found


def _change(
    conn: sa.Connection,
    content: dict[str, Any],
    current: int,
    revision: int,
    change: Change,
    rebase: Rebase | None,
    save: Callable[[sa.Connection, dict[str, Any], int], None],
) -> str | None:
    """Apply ``change``, sent from a page of draft ``revision``, to the draft ``content`` (at
    ``current``) and save it: "saved", "rebased" (onto a newer draft), "already" (the newer
    draft holds its result: nothing saved) or None (it cannot go onto the newer draft).
    Raises `EditConflict` where the draft is saved in between, and always for a stale change
    without ``rebase``."""
    if rebase is None and current != revision:
        raise editions.EditConflict(editions.CONFLICT)  # before the work of a rebuild, say
    outcome = "saved"
    if rebase is not None and current != revision:
        if rebase.already(content):
            return "already"
        if not rebase.onto(content):
            return None
        outcome = "rebased"
    change(conn, content)
    save(conn, content, current if outcome == "rebased" else revision)
    return outcome


@router.post("/editor/start")
def start(request: Request, user: Editor, week: Week) -> Response:
    web = request.app.state.web
    since, until = editions.week_of(week)
    with web.engine.begin() as conn:
        editions.open_draft(
            conn, web.settings.profile, since, until, user.name, web.settings.publisher
        )
    return redirect(request, f"/editor?week={editions.week_name(since)}", "Draft started.")


@router.post("/editor/rebuild")
def rebuild(request: Request, user: Editor, week: Week, revision: Revision) -> Response:
    settings = request.app.state.web.settings
    since, until = editions.week_of(week)

    def fresh(conn: sa.Connection, content: dict[str, Any]) -> None:
        content.clear()
        built = editions.build_draft(
            conn, settings.profile, since, until, publisher=settings.publisher
        )
        content.update(built)

    return change_draft(
        request, user, week, revision, "draft.rebuild", fresh, done="Rebuilt the draft."
    )


Seen = Annotated[str, Form(max_length=200)]
_LINES = {"intro": "introduction", "trend": "week-over-week line"}


def _line_rebase(request: Request, week: str, key: str, seen: str, text: str) -> Rebase:
    """From an older page, the intro or trend goes onto the newer draft when nobody changed
    that line meanwhile (``seen``: `editions.line_seen` as the page showed it), or is there
    already; otherwise the editor gets the page back with the text they typed, unsaved."""

    def refused(who: str) -> Response:
        since, until = editions.week_of(week)
        notice = (
            f"The {_LINES[key]} was changed after you loaded the page (the draft was last saved "
            f"by {who}), so your text was not saved. It is kept below; compare it with the "
            f"{_LINES[key]} as it is now, to save yours over it."
        )
        kept = {"key": key, "what": _LINES[key], "text": text}
        return editor_page(request, since, until, status=409, notice=notice, kept_line=kept)

    def already(content: dict[str, Any]) -> bool:
        mine = {key: "", f"{key}_edited": False}
        (editions.set_intro if key == "intro" else editions.set_trend)(mine, text)
        if not mine[f"{key}_edited"]:  # an empty intro: the writer's, whatever it says now
            return not content.get(f"{key}_edited")
        return bool(content.get(f"{key}_edited")) and content.get(key) == mine[key]

    return Rebase(
        lambda content: bool(seen) and editions.line_seen(content, key) == seen,
        refused,
        already=already,
    )


@router.post("/editor/intro")
def intro(
    request: Request, user: Editor, week: Week, revision: Revision, text: Text = "", seen: Seen = ""
) -> Response:
    return change_draft(
        request,
        user,
        week,
        revision,
        "draft.intro",
        lambda _c, content: editions.set_intro(content, text),
        rebase=_line_rebase(request, week, "intro", seen, text),
    )


@router.post("/editor/trend")
def trend(
    request: Request, user: Editor, week: Week, revision: Revision, text: Text = "", seen: Seen = ""
) -> Response:
    """The week-over-week line in the editor's words; empty: the digest has none."""
    return change_draft(
        request,
        user,
        week,
        revision,
        "draft.trend",
        lambda _c, content: editions.set_trend(content, text),
        rebase=_line_rebase(request, week, "trend", seen, text),
    )
