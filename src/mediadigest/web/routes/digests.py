"""Publishing the week's draft and reading what was published: preview, versions, exports."""

from __future__ import annotations

import copy
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from mediadigest.errors import ConfigError, MailError
from mediadigest.stories import persist as story_store
from mediadigest.web import csrf, editions, freshness, mailing, persist, versions
from mediadigest.web.persist import User
from mediadigest.web.routes import PathId, Revision
from mediadigest.web.routes.editor import Editor, Viewer, Week
from mediadigest.web.routes.public import page_url
from mediadigest.web.routes.sources import shown_content
from mediadigest.web.routes.week import week_links
from mediadigest.web.templating import page, redirect
from mediadigest.write import render as rendering
from mediadigest.write import style

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)


@router.post("/editor/publish")
def publish(
    request: Request,
    user: Editor,
    week: Week,
    revision: Revision,
    replace_newer: Annotated[int | None, Form(ge=1, le=2**31)] = None,
    mail: Annotated[bool, Form()] = False,
) -> Response:
    """Publish the draft as it was when the editor pressed the button (its revision).

    Read and checked under the store's writer lock (`story_store.writing`): of two presses
    at once (a double click, two editors) the second finds the first's version and is told
    so; a story hidden meanwhile either comes after the version or changed the draft first.
    A version published after the draft was last saved (a `publish --rebuild`) is replaced
    only when ``replace_newer`` names it: the page asks first, whatever the editor page said
    when it was loaded (it may be older than that version, or its question skipped).
    ``mail``: then mail it to the [mail] list, after the lock (as `publish --mail`).
    """
    web = request.app.state.web
    since, until = editions.week_of(week)
    name = web.settings.profile.name
    back = f"/editor?week={editions.week_name(since)}"
    try:  # before publishing: a version out with no way to mail it is half the job asked
        recipients = mailing.the_list(web.settings.mail) if mail else ()
    except ConfigError as exc:
        return redirect(request, back, f"Nothing was published: {exc}.", "error")
    with story_store.writing(web.engine) as conn:
        found = versions.get_draft(conn, name, since, until)
        if found is None:
            raise HTTPException(404, "this week has no draft yet")
        if found[1] != revision:
            message = "The draft changed since you loaded it; check it and publish again."
            return redirect(request, back, message, "error")
        newer = freshness.overtaken_by(conn, name, since, until, found[0])
        if newer is not None and newer["version"] != replace_newer:
            return _ask_to_publish_over(request, since, revision, newer, mail)
        try:
            editions.check_publishable(conn, name, since, until, found[0])
        except editions.NotPublishable as exc:
            return redirect(request, back, str(exc), "error")
        version = versions.publish(conn, name, since, until, found[0], user.name)
        persist.audit(
            conn, user.name, "digest.publish", f"{name} {since}..{until}", version=version
        )
        published = versions.latest_version(conn, name, since, until)
        assert published is not None  # published just now, in this transaction
    # To what was published, as readers get it, with its exports and its public page's link.
    if not recipients:
        return redirect(request, f"/digests/{published['id']}", f"Published version {version}.")
    return _mail_it(request, user, published, recipients, f"Published version {version}.")


@router.post("/editor/mail")
def mail_again(request: Request, user: Editor, week: Week) -> Response:
    """Mail the week's latest version to the [mail] list, publishing nothing: what a Publish
    whose mail failed offers."""
    web = request.app.state.web
    since, until = editions.week_of(week)
    with web.engine.connect() as conn:
        published = versions.latest_version(conn, web.settings.profile.name, since, until)
    if published is None:
        back = f"/editor?week={editions.week_name(since)}"
        return redirect(request, back, "This week has no published version to mail.", "error")
    try:
        recipients = mailing.the_list(web.settings.mail)
    except ConfigError as exc:
        return redirect(request, f"/digests/{published['id']}", f"{exc}.", "error")
    with web.engine.connect() as conn:
        mailed = mailing.list_sent(conn, web.settings.profile.name, since, until,
                                   published["version"], web.settings.mail)  # fmt: skip
    if mailed is not None and mailed.rest:  # those a part send did not reach, no one else
        return _mail_it(request, user, published, mailed.rest, "", rest=True)
    return _mail_it(request, user, published, recipients, "")


def _mail_it(
    request: Request,
    user: User,
    published: dict[str, Any],
    recipients: tuple[str, ...],
    done: str,
    *,
    rest: bool = False,
) -> Response:
    """Mail ``published`` (``rest``: to those of the list a send did not reach) and go to
    its page, saying how it went after ``done``. A failure, or a send to the list that did
    not reach all of it, offers the button of the form ``mail-again`` (preview.html)."""
    web, version = request.app.state.web, published["version"]
    to, done = f"/digests/{published['id']}", f"{done} " if done else ""
    try:
        sent = mailing.mail_version(web.engine, web.settings.mail, published, recipients,
                                    user=user.name, rest=rest)  # fmt: skip
    except mailing.AllSkipped as exc:  # Mail it again would skip them all again
        message = f"{done}Version {version} was not mailed: {exc}. It stays published."
        return redirect(request, to, message, "error")
    except MailError as exc:  # a send whose every recipient was refused kept none of them
        message = f"{done}Version {version} was not mailed: {exc}. It stays published."
        return redirect(request, to, message, "error", form="mail-again")
    whom = style.counted(len(sent.accepted), "recipient")
    if rest:
        whom += " of the list it had not reached"
    said = f"{done}Version {version} mailed to {whom}"
    # Addresses refused for good by earlier sends were not tried: said, not hidden.
    skipped = (f" Skipped {mailing.refused_for_good_count(len(sent.skipped))} by earlier "
               f"sends ({mailing.LISTED})."
               if sent.skipped else "")  # fmt: skip
    if not sent.refused:
        return redirect(request, to, f"{said} via {sent.server}.{skipped}")
    # A few named: a flash is a cookie, which a browser drops past 4 kB.
    named = [f"{addr} ({reply})" for addr, reply in list(sent.refused.items())[:5]]
    more = f" and {len(sent.refused) - 5} more" if len(sent.refused) > 5 else ""
    message = f"{said}; mail server {sent.server} refused {'; '.join(named)}{more}."
    if sent.remembered:
        kept = mailing.refused_for_good_count(len(sent.remembered))
        message += f" {kept} skipped from now on ({mailing.LISTED})."
    message += skipped
    if not rest and set(recipients) != set(web.settings.mail.to):
        return redirect(request, to, message, "error")
    if not set(sent.refused) - set(sent.remembered):  # nothing a second try could reach
        return redirect(request, to, message, "error")
    again = " Mail it again mails those it did not reach, and no one else."
    return redirect(request, to, message + again, "error", form="mail-again")


def _ask_to_publish_over(
    request: Request, since: date, revision: int, newer: dict[str, Any], mail: bool
) -> HTMLResponse:
    """The question a stale editor page (or one sent without its script) did not ask: 409,
    with a form that publishes the draft over ``newer`` if the editor says so."""
    why = freshness.overtaken(revision, newer)
    return page(
        request,
        "publish_over.html",
        409,
        title=f"Publish the draft over version {newer['version']}?",
        why=why,
        week=editions.week_name(since),
        revision=revision,
        newer=newer,
        mail=mail,
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
        title=f"Preview of the draft: week of {style.period(since, until)}",
        since=since,
        until=until,
        weeks=week_links(since),
        house=editions.house_html(found[0], inside=True) if found else None,
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
        title=f"Published digest: week of {style.period(since, until)}, version {found['version']}",
        since=since,
        until=until,
        weeks=week_links(since),
        house=editions.house_html(found["content"], inside=True),
        version=found,
        newer=newer,
        newer_href=f"/digests/{newer['id']}" if newer else None,
        formats=editions.formats(),
    )


def _public_page(request: Request, found: dict[str, Any]) -> str | None:
    """The public page of a published version, which lists every source of its items (an
    export's "and 3 more" links to it); None for another profile's, which this site does not
    publish."""
    if found["profile"] != request.app.state.web.settings.profile.name:
        return None
    return page_url(request, found["id"])


@router.get("/digests/{version_id}/export.{fmt}")
def export(request: Request, version_id: PathId, fmt: str, user: Viewer) -> Response:
    if fmt not in editions.formats():
        raise HTTPException(404, f"no export as {fmt!r}")
    found, web = _version(request, version_id), request.app.state.web
    page_of = _public_page(request, found)
    # The JSON gives sources' addresses as stored, so a viewer's as the API gives them; the
    # rendered formats' links leave credentials out for everyone (`render.links.web_link`).
    content = shown_content(copy.deepcopy(found["content"]), user)
    body = rendering.render_stored(
        content, rendering.Format(fmt), publisher=web.settings.publisher, page=page_of
    )
    media_type, ext = editions.MEDIA_TYPES[fmt]
    if isinstance(body, str):
        body = body.encode("utf-8")
    name = f"digest-{found['period_from']}-v{found['version']}.{ext}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
