"""Review: pin, hide, merge and split stories; read an article with its match explained."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from mediadigest.profile import Profile
from mediadigest.stories import persist as story_store
from mediadigest.web import csrf, editions, highlight, persist, stories, versions
from mediadigest.web.articles import get_article, themes_of
from mediadigest.web.auth import need
from mediadigest.web.persist import Role, User
from mediadigest.web.routes import MAX_ID, FormId, PathId
from mediadigest.web.routes.sources import shown_url
from mediadigest.web.routes.week import week_links
from mediadigest.web.templating import page, redirect
from mediadigest.write import style

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)
Viewer = Annotated[User, Depends(need(Role.viewer))]
Editor = Annotated[User, Depends(need(Role.editor))]
Week = Annotated[str, Form(max_length=10)]
_SPAN = re.compile(r"^(\d{1,9})-(\d{1,9})$")


@router.get("/review")
def review(request: Request, user: Viewer, week: str | None = None) -> HTMLResponse:
    since, until = editions.week_of(week)
    with request.app.state.web.engine.connect() as conn:
        web = request.app.state.web
        found = web.stories.get(conn, web.settings.profile, since, until)
        # A pin or hide of an earlier week decides this one too: say when it was made.
        earlier = {
            c.story_id: c
            for c in story_store.carried(conn, web.settings.profile.name, since, until)
        }
    return page(
        request,
        "review.html",
        title=f"Review: week of {style.period(since, until)}",
        since=since,
        until=until,
        weeks=week_links(since),
        stories=found,
        earlier=earlier,
        flash_places={f"story-{s.id}" for s in found},
    )


def _back(
    request: Request, week: str, message: str, story_id: int | None = None, kind: str = "ok"
) -> Response:
    anchor = f"#story-{story_id}" if story_id else ""
    return redirect(
        request,
        f"/review?week={editions.week_name(editions.week_of(week)[0])}{anchor}",
        message,
        kind,
    )


def _decide(
    request: Request,
    user: User,
    action: str,
    target: str,
    change: Callable[[sa.Connection, Profile], Any],
    **detail: Any,
) -> Any:
    """Apply one decision and record it, in one transaction; unknown stories are a 404.

    Returns what ``change`` returned (a split's new story, so the page can go to it). The
    decision is recorded first, so that what it brings about in the draft (a hide takes the
    story's item out) reads after it in the audit log; a failed change rolls both back.
    """
    with request.app.state.web.engine.begin() as conn:
        persist.audit(conn, user.name, action, target, **detail)
        try:
            result = change(conn, request.app.state.web.settings.profile)
        except stories.UnknownStory as exc:
            raise HTTPException(404, f"no story {exc}") from exc
        except story_store.HiddenAndShown:
            raise  # said on the Review page, as a refusal the editor can act on
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
    return result


# A decision whose draft another editor saved between our read and write: nothing done.
_DRAFT_BUSY = "The week's draft was being saved just then, so nothing changed; try again."

# Pins and unhides leave a draft as it is: there is no adding one story's item to a draft,
# and a rebuild would throw away the editors' work on it unasked.
_NOT_IN_DRAFT = (
    "The week's draft is not changed: Rebuild it in the editor to bring the story {}"
    " (a rebuild drops the edits made to the draft)."
)


def _draft_lacks(conn: sa.Connection, profile: Profile, week: str, story_id: int) -> bool:
    """Whether the week has a draft, without an item of the story."""
    since, until = editions.week_of(week)
    found = versions.get_draft(conn, profile.name, since, until)
    return found is not None and not editions.has_story(conn, profile.name, found[0], story_id)


@router.post("/review/{story_id}/pin")
def pin(
    request: Request, story_id: PathId, user: Editor, week: Week, on: Annotated[bool, Form()] = True
) -> Response:
    """Pin a story (or unpin it); a draft already started is left as it is, and says so."""

    def change(conn: sa.Connection, profile: Profile) -> str:
        stories.set_flag(conn, profile, story_id, "pinned", on, by=user.name)
        if not on:
            return "Unpinned."
        if _draft_lacks(conn, profile, week, story_id):
            return f"Pinned. {_NOT_IN_DRAFT.format('in')}"
        return "Pinned."

    done = _decide(request, user, "story.pin" if on else "story.unpin", f"story {story_id}", change)
    return _back(request, week, done, story_id)


@router.post("/review/{story_id}/hide")
def hide(
    request: Request, story_id: PathId, user: Editor, week: Week, on: Annotated[bool, Form()] = True
) -> Response:
    """Hide a story (or show it again). Hiding takes its item out of the week's draft, if it
    has one, in the same transaction: the draft is what gets published."""
    since, until = editions.week_of(week)
    publisher = request.app.state.web.settings.publisher

    def change(conn: sa.Connection, profile: Profile) -> str:
        taken = editions.hide_story(
            conn, profile, story_id, on, user=user.name, period=(since, until), publisher=publisher
        )
        if on:
            return "Hidden; taken out of the week's draft." if taken else "Hidden."
        if _draft_lacks(conn, profile, week, story_id):
            return f"Shown again. {_NOT_IN_DRAFT.format('back')}"
        return "Shown again."

    try:
        done = _decide(
            request, user, "story.hide" if on else "story.unhide", f"story {story_id}", change
        )
    except editions.EditConflict:  # the draft saved between our read and write: nothing done
        return _back(request, week, _DRAFT_BUSY, story_id, kind="error")
    return _back(request, week, done, story_id)


@router.post("/review/merge")
def merge(
    request: Request,
    user: Editor,
    week: Week,
    # None when nothing is ticked (a form sends no field then): a message, not a bare 400.
    story: Annotated[list[int] | None, Form()] = None,
) -> Response:
    ids = [i for i in dict.fromkeys(story or []) if abs(i) <= MAX_ID]
    if len(ids) < 2:
        ticked = "No story was ticked" if not ids else "Only one story was ticked"
        message = f"{ticked}; tick two stories or more to merge."
        return _back(request, week, message, kind="error")
    # Into the ticked story highest on the page (the form sends ticks in page order; the
    # page says so). To its stored id: an unplaced article's ``-id`` is grouped on the way.
    period = editions.week_of(week)
    publisher = request.app.state.web.settings.publisher
    try:
        into, taken = _decide(
            request,
            user,
            "story.merge",
            f"story {ids[0]}",
            lambda conn, profile: editions.merge_stories(
                conn, profile, ids, user=user.name, period=period, publisher=publisher
            ),
            merged=ids[1:],
        )
    except editions.EditConflict:  # the draft saved between our read and write: nothing done
        return _back(request, week, _DRAFT_BUSY, ids[0], kind="error")
    except story_store.HiddenAndShown as exc:
        # The page may predate the hide (another editor's): it showed both stories alike.
        return _back(request, week, f"Nothing was merged: {exc}.", ids[0], kind="error")
    message = f"Merged {len(ids)} stories into this one."
    if taken:
        gone = ", ".join(f"“{h}”" for h in taken[0].headlines)
        message += f" The week's draft keeps one item of it: {gone} taken out."
    return _back(request, week, message, into)


@router.post("/review/{story_id}/split")
def split(
    request: Request, story_id: PathId, user: Editor, week: Week, article_id: FormId
) -> Response:
    period = editions.week_of(week)
    try:
        new = _decide(
            request,
            user,
            "story.split",
            f"story {story_id}",
            lambda conn, profile: editions.split_story(
                conn, profile, story_id, [article_id], user=user.name, period=period
            ),
            article=article_id,
        )
    except editions.EditConflict:  # the draft saved between our read and write: nothing done
        return _back(request, week, _DRAFT_BUSY, story_id, kind="error")
    return _back(request, week, "Split off into a story of its own.", new)


@router.get("/articles/{article_id}")
def article(
    request: Request, article_id: PathId, user: Viewer, hl: str | None = None
) -> HTMLResponse:
    """An article with its match explained; ``hl=start-end`` marks a digest sentence's source."""
    with request.app.state.web.engine.connect() as conn:
        art = get_article(conn, article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}")
    span = _SPAN.match(hl or "")
    evidence = (int(span[1]), int(span[2])) if span else None
    return page(
        request,
        "article.html",
        title=art.title,
        art=art,
        link=shown_url(art.url, user),  # a viewer not shown a paid feed's key in it
        themes=themes_of(art),
        text=highlight.article_markup(art, evidence),
        legend=highlight.legend(art),
        evidence=evidence,
    )
