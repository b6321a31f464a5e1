"""`mediadigest digest`, `publish`, `feed` and `stories`: from stored articles to a digest.

Like ``cli.collect``, the commands import the pipeline when they run.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import sqlalchemy as sa
import typer
from rich.markup import escape
from rich.table import Table

from mediadigest import store
from mediadigest.cli.app import (
    Since,
    Until,
    Week,
    mail_app,
    out,
    period,
    reading_store,
    say,
    settings_of,
    stories_app,
    write_out,
)
from mediadigest.errors import ConfigError
from mediadigest.store.engine import opened_read_only, permission_denied
from mediadigest.stories import persist as story_store
from mediadigest.write.render import Format
from mediadigest.write.style import counted

if TYPE_CHECKING:
    import sqlalchemy as sa

    from mediadigest.config import Settings
    from mediadigest.model import Article, Story
    from mediadigest.write.mail import Sent

T = TypeVar("T")

# compose.DEFAULT_SIZE, which a test holds this to (compose imports the whole pipeline).
DIGEST_SIZE = 10


class Writer(StrEnum):
    extractive = "extractive"
    llm = "llm"


def digest(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="md, html, json, atom or docx.")
    ] = Format.md,
    writer: Annotated[
        Writer,
        typer.Option(help="extractive, or llm (MEDIADIGEST_LLM_URL, _MODEL, _KEY, _TIMEOUT)."),
    ] = Writer.extractive,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="PATH",
            help="Write to a file; to a folder (one that exists, or PATH/ ending in a slash), "
            "as digest-PROFILE-FROM_TO.FORMAT in it. Missing folders are made. '-': standard "
            "output (DOCX only into a pipe or file, not a terminal).",
        ),
    ] = None,
    size: Annotated[int, typer.Option(min=1, help="At most this many items.")] = DIGEST_SIZE,
    mail_to: Annotated[
        list[str] | None,
        typer.Option(
            "--mail-to",
            metavar="ADDR",
            help="Mail the digest to ADDR for review (repeat for more), its subject marked "
            "[Draft], through the mail server of the settings (mail.host), never to their list "
            "(mail.to). Nothing is printed then, unless -o.",
        ),
    ] = None,
    published: Annotated[
        bool,
        typer.Option(
            "--published",
            help="Print the period's published version (the latest, or --version N) in any "
            "--format, as the web app's export gives it, instead of a digest built now.",
        ),
    ] = False,
    number: Annotated[
        int | None,
        typer.Option(
            "--version", min=1, metavar="N", help="With --published: version N of the period."
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="With --published: where `mediadigest serve` is reached; an item's \"and 3 "
            "more\" sources then links to the version's public page, which lists them all."
        ),
    ] = None,
) -> None:
    """Write the digest for a period from what is stored (--published: the version published)."""
    from mediadigest.write import compose
    from mediadigest.write.llm import LLMConfig
    from mediadigest.write.render import render, to_dict, write_file

    settings = settings_of(ctx)
    first, last = period(since, until, week)
    if not published and (number is not None or base_url is not None):
        flag = "--version" if number is not None else "--base-url"
        raise typer.BadParameter("only with --published", param_hint=flag)
    if published and (mail_to or writer is not Writer.extractive or size != DIGEST_SIZE):
        flag = (
            "--mail-to" if mail_to else "--writer" if writer is not Writer.extractive else "--size"
        )
        raise typer.BadParameter(
            "not with --published, which prints what was published (`publish --mail` mails it)",
            param_hint=flag,
        )
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise typer.BadParameter(f"{base_url!r} is not an http(s) address", param_hint="--base-url")
    reviewers = _recipients(settings, mail_to, the_list=False) if mail_to else ()
    to_stdout = output == "-" or (output is None and not reviewers)
    if fmt.binary and output is None and not mail_to:
        raise typer.BadParameter("DOCX is binary: give -o FILE", param_hint="--format")
    if fmt.binary and to_stdout and sys.stdout.isatty():
        say("DOCX is binary: -o - writes it into a pipe or a file, not to a terminal", "error")
        raise typer.Exit(1)
    if published:
        _print_published(settings, first, last, number, fmt, output, base_url)
        return
    try:
        llm = LLMConfig.from_env(os.environ) if writer is Writer.llm else None
    except ConfigError as exc:  # a setting from the environment: a usage error, as the others
        say(str(exc), "error")
        raise typer.Exit(2) from None
    engine = reading_store(settings)
    # Grouped a window per transaction first: a year's ungrouped articles held the writer
    # lock for minutes in the digest's one transaction, the web's sign-in answered 503.
    from mediadigest.stories import grouping

    grouping.update_period(engine, settings.profile, first, last)
    with engine.connect() as conn:
        if note := _built_beside(conn, settings.profile.name, first, last, mailed=bool(reviewers)):
            say(note, "note")
    with engine.begin() as conn:
        result = compose.build_digest(conn, settings.profile, first, last, size=size, llm=llm,
                                      publisher=settings.publisher, update=False)  # fmt: skip
        store.save_digest(conn, first, last, settings.profile.name, to_dict(result))
        carried = story_store.carried(conn, settings.profile.name, first, last)
    for note in result.notes:
        say(note, "note")
    shown = {i.story_id for i in result.items}
    for decision in carried:
        if decision.flag == "hidden" or decision.story_id in shown:
            say(_carried(decision, first, last), "note")
    if to_stdout:
        write_out(render(result, fmt, publisher=settings.publisher))
    elif output is not None:
        # A str, not a Path: Path("out/") drops the slash that says "a folder".
        written = write_file(result, fmt, Path(output), folder=output.endswith(("/", os.sep)),
                             publisher=settings.publisher)  # fmt: skip
        say(f"wrote {counted(len(result.items), 'item')} to {written}")
    if reviewers:
        from mediadigest.write.mail import send_digest

        send = partial(send_digest, result, reviewers, settings.mail, subject_prefix="[Draft] ")
        sent = _mail(send, what=f"{first}..{last}: the draft", draft=True)
        if sent.refused:
            raise typer.Exit(1)


def _built_beside(
    conn: sa.Connection, profile: str, first: date, last: date, *, mailed: bool
) -> str | None:
    """What a digest built now stands beside: a published version of the period, or the
    editors' draft (its words, order and removals are not in a digest built now), or None.
    ``mailed``: `--mail-to` sends the digest built now, which the note says."""
    from mediadigest.web import versions

    latest = versions.latest_version(conn, profile, first, last)
    draft = versions.get_draft(conn, profile, first, last)
    said = []
    if latest is not None:
        at = f"{latest['published_at']:%Y-%m-%d %H:%M} UTC by {latest['published_by']}"
        said.append(f"version {latest['version']} of {first}..{last} is published ({at})")
    if draft is not None:
        said.append(f"the editors have a draft of it (revision {draft[1]}), whose edits it lacks")
    if not said:
        return None
    text = "; ".join(said) + "; this is a digest built now"
    if mailed:
        text += ", and --mail-to sends it (as [Draft]), not the published version or the draft"
    if latest is not None:
        text += "; --published prints the published one"
    return text


def _print_published(
    settings: Settings,
    first: date,
    last: date,
    number: int | None,
    fmt: Format,
    output: str | None,
    base_url: str | None,
) -> None:
    """``digest --published``: a published version as the web's /digests/ID/export.* gives it
    (``render_stored``), to stdout or ``-o``."""
    from mediadigest.web import versions
    from mediadigest.write.render import from_dict, render_stored, write_file

    name = settings.profile.name
    with reading_store(settings).connect() as conn:
        story_store.require_profile(conn, name)
        found = _published_version(conn, name, first, last, number)
        if found is None:
            every = [v["version"] for v in versions.list_versions(conn, name, limit=10_000)
                     if (v["period_from"], v["period_to"]) == (first, last)]  # fmt: skip
            which = f"no version {number}" if number is not None else "nothing published"
            also = f" (published: {', '.join(map(str, sorted(every)))})" if every else ""
            say(f"{first}..{last}: {which}{also}", "error")
            raise typer.Exit(1)
    # The public page `serve` gives it (web.routes.public), which lists every source.
    page = f"{base_url.rstrip('/')}/public/digests/{found['id']}" if base_url else None
    content = found["content"]
    if output is None or output == "-":
        write_out(render_stored(content, fmt, publisher=settings.publisher, page=page))
        return
    written = write_file(from_dict(content), fmt, Path(output),
                         folder=output.endswith(("/", os.sep)), publisher=settings.publisher,
                         page=page, stored=content)  # fmt: skip
    say(f"wrote version {found['version']} of {first}..{last} to {written}")


def _published_version(
    conn: sa.Connection, profile: str, first: date, last: date, number: int | None
) -> dict[str, Any] | None:
    """The period's published version ``number``, or its latest; None where there is none."""
    from mediadigest.web import versions
    from mediadigest.web.persist import digest_versions as table

    if number is None:
        return versions.latest_version(conn, profile, first, last)
    query = sa.select(table).where(
        (table.c.profile == profile)
        & (table.c.period_from == first)
        & (table.c.period_to == last)
        & (table.c.version == number)
    )
    found = conn.execute(query).mappings().first()
    return dict(found) if found else None


def _carried(decision: story_store.Carried, first: date, last: date) -> str:
    """An editor's pin or hide of an earlier week deciding this one, in one line."""
    sid, when = decision.story_id, "this week" if (last - first).days == 6 else "this period"
    on = f" on {decision.decided:%Y-%m-%d}" if decision.decided else ""
    title = decision.title if len(decision.title) <= 60 else decision.title[:59] + "…"
    if decision.flag == "hidden":
        return (
            f"story {sid} (“{title}”), hidden{on}, has {counted(decision.reports, 'new article')}"
            f" {when}: `stories hide {sid} --undo` to show it (a hide stays on the story, "
            "week after week)"
        )
    return (
        f"story {sid} (“{title}”), pinned{on}, is in the digest with "
        f"{counted(decision.reports, 'article')} {when}: `stories pin {sid} --undo` to let it "
        "compete with the rest (a pin stays on the story, week after week)"
    )


def publish(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    size: Annotated[
        int, typer.Option(min=1, help="At most this many items (a digest built now).")
    ] = DIGEST_SIZE,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Publish a digest built now from the store, even where editors have a draft "
            "of the period in the web app (the draft stays as it is).",
        ),
    ] = False,
    mail: Annotated[
        bool,
        typer.Option(
            "--mail",
            help="Mail the version published to the settings' list (mail.to, through "
            "mail.host). Where nothing changed since the latest version, mail that one (no new "
            "version is made to mail it).",
        ),
    ] = False,
    mail_to: Annotated[
        list[str] | None,
        typer.Option(
            "--mail-to",
            metavar="ADDR",
            help="Mail it to ADDR instead of the settings' list (repeat for more); implies --mail.",
        ),
    ] = None,
    mail_again: Annotated[
        bool,
        typer.Option(
            "--mail-again",
            help="Mail the latest version to the list even where it went to the whole list "
            "already (--mail, nothing changed since, skips it then); implies --mail.",
        ),
    ] = False,
) -> None:
    """Publish the period's digest as its next version (the Atom feed lists published digests).

    Where editors have a draft of the period in the web app, that draft is what is published:
    their edits, order and removals, as the web's Publish would. A draft saved before the
    period's latest version was published (a --rebuild) is not: it would undo that version.
    Stories that reached the store after the draft was made are named: only a rebuild takes
    them in.
    """
    from mediadigest.web import editions, freshness, versions
    from mediadigest.web import persist as web_store

    settings = settings_of(ctx)
    first, last = period(since, until, week)
    name, when = settings.profile.name, f"{first}..{last}"
    # Checked before anything is published: a version out with no way to mail it is half a job.
    asked = mail or mail_to or mail_again
    recipients = _recipients(settings, mail_to, the_list=True) if asked else ()
    engine = reading_store(settings)
    from mediadigest.stories import grouping

    grouping.update_period(engine, settings.profile, first, last)  # a window at a time
    built = None
    with engine.connect() as conn:
        # Built before the writer lock (building a week takes seconds on a large store, and
        # every other writer would wait), and checked under it with the rest.
        if rebuild or versions.get_draft(conn, name, first, last) is None:
            built = _built(conn, settings, first, last, size)
    # Read, checked and written under the lock from the first read, as the web's Publish:
    # a publish at the same moment as another found no version yet and stored a duplicate.
    with story_store.writing(engine) as conn:
        draft = None if rebuild else versions.get_draft(conn, name, first, last)
        late: list[Story] = []
        if draft is not None:
            content, what = draft[0], f"the editors' draft, revision {draft[1]}"
            late = freshness.late_stories(conn, settings.profile, first, last, content, size=size)
            newer = freshness.overtaken_by(conn, name, first, last, content)
            if newer is not None:
                say(f"{when}: {_overtaken(draft[1], newer)}", "error")
                _say_late(when, late)
                raise typer.Exit(1)
        else:
            content = built if built is not None else _built(conn, settings, first, last, size)
            what = "built now from the store"
        already = None
        try:
            editions.check_publishable(conn, name, first, last, content)
        except editions.AlreadyPublished as exc:
            already = exc
        except editions.NotPublishable as exc:
            say(f"{when}: {exc}", "error")
            raise typer.Exit(1) from None
        else:
            version = versions.publish(conn, name, first, last, content, "cli")
            web_store.audit(conn, "cli", "digest.publish", f"{name} {first}..{last}",
                            version=version, source="draft" if draft else "built")  # fmt: skip
    if already is not None:
        version = already.version
        if not late:
            say(f"{when}: {already}")
        else:  # not "nothing changed since": the store has news for the period, not in the draft
            say(f"{when}: already published as version {version}, the draft as it is.")
            _say_late(when, late)
    else:
        items = len(content.get("items") or [])
        say(f"published version {version} of {when} ({counted(items, 'item')}, {what})")
        _say_late(when, late)
    rest = False
    if recipients and already is not None and not mail_to and not mail_again:
        from mediadigest.web import mailing

        with engine.connect() as conn:
            mailed = mailing.list_sent(conn, name, first, last, version, settings.mail)
        if mailed is not None and not mailed.rest:  # a retried run mailed every reader again
            say(f"{when}: version {version} went to the list on {mailed.at:%Y-%m-%d %H:%M} UTC; "
                "`publish --mail-again` mails it again")  # fmt: skip
            return
        if mailed is not None:  # and a retry after a part send mailed those who had it
            recipients, rest = mailed.rest, True
            say(f"{when}: version {version} went to part of the list on "
                f"{mailed.at:%Y-%m-%d %H:%M} UTC; mailing the {counted(len(recipients), 'reader')}"
                " it did not reach")  # fmt: skip
    if recipients:
        _mail_version(engine, settings, content, version, recipients, (first, last), rest=rest)


def _recipients(
    settings: Settings, mail_to: list[str] | None, *, the_list: bool
) -> tuple[str, ...]:
    """Who is mailed: --mail-to's addresses, else (``the_list``) the [mail] list. Checked with
    the server's settings before any work: a setting missing exits 2, as other settings do."""
    from mediadigest.config import address
    from mediadigest.write.mail import check_ready

    recipients = []
    for given in mail_to or ():
        try:
            recipients.append(address(given))
        except ValueError as exc:
            raise typer.BadParameter(f"{given!r}: {exc}", param_hint="--mail-to") from None
    if not recipients and the_list:
        recipients = list(settings.mail.to)
    try:
        check_ready(settings.mail, recipients)
    except ConfigError as exc:
        say(str(exc), "error")
        raise typer.Exit(2) from None
    return tuple(dict.fromkeys(recipients))


def _mail_version(
    engine: sa.Engine,
    settings: Settings,
    content: dict[str, Any],
    version: int,
    recipients: tuple[str, ...],
    dates: tuple[date, date],
    *,
    rest: bool = False,
) -> None:
    """Mail a published version (``rest``: to those of the list a send did not reach); a
    failure leaves it published, says so and exits 1."""
    from mediadigest.web import mailing

    (first, last), name = dates, settings.profile.name
    when = f"{first}..{last}: version {version}"
    row = {"profile": name, "period_from": first, "period_to": last, "version": version,
           "content": content}  # fmt: skip
    # After the publish's transaction: the writer lock is not held over SMTP.
    send = partial(mailing.mail_version, engine, settings.mail, row, recipients, user="cli",
                   rest=rest)  # fmt: skip
    sent = _mail(send, what=when, draft=False)
    if sent.refused:
        the_list = rest or set(recipients) == set(settings.mail.to)
        if the_list and set(sent.refused) - set(sent.remembered):  # a 4xx, a connection lost
            say(f"{when}: the same `publish --mail` mails those not reached, and no one else",
                "hint")  # fmt: skip
        say(f"{when}: `publish --mail-to ADDR` mails it to ADDR alone", "hint")
        raise typer.Exit(1)


def _mail(send: Callable[[], Sent], *, what: str, draft: bool) -> Sent:
    """``send`` a digest in one message (``what`` names it in what is said). Nothing sent:
    one line, exit 1. Else one line however many were refused (a few named: a list of
    2,000 with 300 dead addresses was 300 lines), for the caller to exit; one more where
    addresses refused for good by earlier sends were skipped."""
    from mediadigest.errors import MailError
    from mediadigest.web.mailing import LISTED, AllSkipped, refused_for_good_count
    from mediadigest.write.mail import named

    try:
        sent = send()
    except AllSkipped as exc:  # the same command would skip them all again
        say(f"{what} was not mailed: {exc}; it stays published", "error")
        raise typer.Exit(1) from None
    except MailError as exc:
        # A published version stays published: the same command finds nothing changed and
        # mails the version it has (check_publishable's AlreadyPublished); a send whose
        # every recipient was refused kept none of them, so it tries them all again.
        again = "" if draft else "; it stays published, and the same `publish --mail` mails it"
        say(f"{what} was not mailed: {exc}{again}", "error")
        raise typer.Exit(1) from None
    said = f"{what}: mailed to {counted(len(sent.accepted), 'recipient')} via {sent.server}"
    if sent.refused:
        said += f", refused {len(sent.refused)} ({named(sent.refused, 3)})"
    if sent.remembered:
        said += (f"; {refused_for_good_count(len(sent.remembered))} skipped from now on: "
                 f"{LISTED}")  # fmt: skip
    say(said, "error" if sent.refused else None)
    if sent.skipped:
        say(f"{what}: skipped {refused_for_good_count(len(sent.skipped))} by earlier sends "
            f"({named(sent.skipped, 2)}): {LISTED}", "note")  # fmt: skip
    return sent


def _built(
    conn: sa.Connection, settings: Settings, first: date, last: date, size: int
) -> dict[str, Any]:
    """The period's digest built now, as published; exits where it has no items."""
    from mediadigest.web import editions
    from mediadigest.write import compose
    from mediadigest.write.render import to_dict

    built = compose.build_digest(conn, settings.profile, first, last, size=size,
                                 publisher=settings.publisher, update=False)  # fmt: skip
    content = to_dict(built)
    if not content["items"]:
        reason = editions.nothing_to_publish(conn, settings.profile, first, last)
        say(f"{first}..{last}: {reason}", "error")
        raise typer.Exit(1)
    return content


def _overtaken(revision: int, newer: dict[str, Any]) -> str:
    from mediadigest.web import freshness

    return (
        f"{freshness.overtaken(revision, newer)} `publish --rebuild` publishes a digest built "
        "now; or change the draft in the web app (Rebuild there takes in what arrived since), "
        "then publish it."
    )


def _say_late(when: str, late: list[Story]) -> None:
    """Name the stories that came after the draft was made: a draft never takes them in."""
    from mediadigest.web import freshness

    if late:
        one = len(late) == 1
        say(
            f"{when}: {counted(len(late), 'story')} arrived after the draft was made "
            f"({freshness.named(late)}) and {'is' if one else 'are'} not in it: `publish "
            f"--rebuild` to include {'it' if one else 'them'} (a digest built now, without the "
            "draft's edits), or Rebuild the draft in the web app (its edits are lost) and "
            "publish it.",
            "note",
        )


def feed(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="Newest N published digests.")] = 20,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Where `mediadigest serve` is reached (https://digest.example.org): the feed "
            "then links to itself and each entry to its digest's public page, as the web's "
            "/feed.atom does."
        ),
    ] = None,
) -> None:
    """Print the Atom feed of published digests."""
    from mediadigest.write.render import from_dict, to_atom

    settings = settings_of(ctx)
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise typer.BadParameter(f"{base_url!r} is not an http(s) address", param_hint="--base-url")
    with reading_store(settings).connect() as conn:
        # Another profile's store printed an empty feed under this profile's id, exit 0.
        story_store.require_profile(conn, settings.profile.name)
        rows = story_store.published(conn, settings.profile.name, limit=limit)
    entries = [(from_dict(r["content"]), r["version"], r["published_at"]) for r in rows]
    name = settings.profile.name
    if base_url is None:
        body = to_atom(entries, profile=name)
    else:  # the addresses `serve` gives them (web.routes.public)
        base = base_url.rstrip("/")
        pages = [f"{base}/public/digests/{r['id']}" for r in rows]
        body = to_atom(entries, profile=name, link=f"{base}/feed.atom", pages=pages)
    write_out(body)


# -- stories ---------------------------------------------------------------------------------


@stories_app.callback(invoke_without_command=True)
def stories_list(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON list for machines.")] = False,
) -> None:
    """List the period's stories, best first, with their articles and why each ranks there."""
    if ctx.invoked_subcommand is not None:
        return
    from mediadigest import stories

    settings = settings_of(ctx)
    first, last = period(since, until, week)
    engine = reading_store(settings)
    # A snapshot's URL (mode=ro, immutable=1) cannot be written, nor a store by a PostgreSQL
    # role granted SELECT only: its listing shows what is grouped, and the articles no story
    # holds yet each as a story of its own.
    read_only = opened_read_only(engine.url)
    if not read_only:
        try:
            # The engine, not a connection: each window is committed as it is grouped.
            stories.update_period(engine, settings.profile, first, last)
        except sa.exc.DBAPIError as exc:
            if permission_denied(exc) is None:
                raise
            read_only = True
    with engine.connect() as conn:
        ranked = stories.ranked_for_period(conn, settings.profile, first, last)
        seen = story_store.spans(conn, [s.id for s in ranked if s.id is not None])
    ungrouped = sum(1 for s in ranked if s.id is None)
    if read_only and ungrouped:
        say(f"{counted(ungrouped, 'relevant article')} of the period not grouped yet, each "
            "listed as a story of its own (no id): the store is opened read-only; `stories` "
            "on a store it may write groups them", "note")  # fmt: skip
    if as_json:
        listed = [_story_json(s, seen.get(s.id or 0)) for s in ranked]
        sys.stdout.write(json.dumps(listed, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("id", "score", "outlets", "title", "flags")
    for s in ranked:
        flags = " ".join(f for f, on in (("pinned", s.pinned), ("hidden", s.hidden)) if on)
        table.add_row(
            str(s.id or ""), f"{s.score:.2f}", str(len(s.outlets)), escape(_title(s)), flags
        )
    out.print(table)


def _title(story: Story) -> str:
    """The story's title as the digest, the web pages and the API give it: its lead report's
    headline (`compose.story_lead`). The stored title is the headline of the report the story
    was formed around, which later reports may have displaced as its lead: one story was
    "Muslims discuss election concerns" here and "Blair says Kazakhstan tsunami aid to soar"
    everywhere else."""
    from mediadigest.write.compose import story_lead

    return (story_lead(story).title if story.articles else "") or story.title


def _story_json(story: Story, span: tuple[datetime, datetime] | None) -> dict[str, Any]:
    """`stories.story_to_dict` with the story's title (`_title`), and its first and last
    report's times with their offset (``span``: `story_store.spans`; an ungrouped report's
    own): stored, they are each outlet's wall time, in no zone a reader could tell."""
    from mediadigest import stories

    found = stories.story_to_dict(story)
    if span is None and story.id is None and story.articles:
        when = _aware(story.articles[0])
        span = (when, when) if when is not None else None
    first, last = span or (None, None)
    found["title"] = _title(story)
    found["first_seen"] = first.isoformat() if first else None
    found["last_seen"] = last.isoformat() if last else None
    return found


def _aware(art: Article) -> datetime | None:
    """When a report was published, in its outlet's offset; else when it was captured (UTC)."""
    if art.published is not None:
        return art.published_at
    return art.dated.replace(tzinfo=UTC) if art.dated else None


@stories_app.command("pin")
def stories_pin(
    ctx: typer.Context,
    story_id: int,
    undo: Annotated[bool, typer.Option("--undo", help="Unpin.")] = False,
) -> None:
    """Always put a story in the digest: this period's and every later one's where the story has
    an article, until --undo (a pin is on the story, not on a week; `digest` names the pins of
    earlier weeks that put a story in)."""
    from mediadigest.web import stories

    profile = settings_of(ctx).profile
    action = "story.unpin" if undo else "story.pin"
    _editorial(ctx, action, story_id, lambda conn: stories.set_flag(
        conn, profile, story_id, "pinned", not undo, by="cli"
    ))  # fmt: skip
    if undo:
        say(f"story {story_id} unpinned")
    else:  # where it is decided: the pin reaches later weeks too
        say(f"story {story_id} pinned: in the digest of every period it has an article in, "
            f"later weeks' too, until `stories pin {story_id} --undo`")  # fmt: skip


@stories_app.command("hide")
def stories_hide(
    ctx: typer.Context,
    story_id: int,
    undo: Annotated[bool, typer.Option("--undo", help="Unhide.")] = False,
) -> None:
    """Never put a story in the digest, this period's nor any later one's, until --undo (a hide
    is on the story, not on a week; `digest` names hidden stories with new articles); its item
    leaves every web draft that has it."""
    from mediadigest.web import editions

    settings = settings_of(ctx)
    action = "story.unhide" if undo else "story.hide"
    taken = _editorial(ctx, action, story_id, lambda conn: editions.hide_story(
        conn, settings.profile, story_id, not undo, user="cli", publisher=settings.publisher
    ))  # fmt: skip
    if undo:
        say(f"story {story_id} shown again")
    else:
        say(f"story {story_id} hidden: out of every digest, later weeks' too, until "
            f"`stories hide {story_id} --undo`")  # fmt: skip
    for change in taken:
        say(f"took {change}")


@stories_app.command("merge")
def stories_merge(
    ctx: typer.Context,
    into: int,
    others: Annotated[list[int], typer.Argument(help="Stories to fold in.")],
) -> None:
    """Fold stories into one (their articles move; the others disappear). A web draft keeps
    one item of it: INTO's, where it has one; the others' items leave it."""
    from mediadigest.web import editions

    settings = settings_of(ctx)
    others = list(dict.fromkeys(others))  # "merge 1 2 2" merges one story: say and audit one
    kept, taken = _editorial(ctx, "story.merge", into, lambda conn: editions.merge_stories(
        conn, settings.profile, [into, *others], user="cli", publisher=settings.publisher
    ), merged=others)  # fmt: skip
    say(f"merged {len(others)} into story {kept}")
    for change in taken:
        say(f"took {change} (it keeps one item of story {kept})")


def _editorial(
    ctx: typer.Context,
    action: str,
    story_id: int,
    change: Callable[[sa.Connection], T],
    **detail: object,
) -> T:
    """A decision as Review makes it: audited first, then applied, with what it does to the
    web drafts, in one transaction; an unknown story or a draft saved meanwhile is one line."""
    from mediadigest.web import editions, stories
    from mediadigest.web import persist as web_store

    with reading_store(settings_of(ctx)).begin() as conn:
        web_store.audit(conn, "cli", action, f"story {story_id}", **detail)
        try:
            return change(conn)
        except (stories.UnknownStory, ValueError) as exc:  # the Exit rolls the audit back
            say(str(exc), "error")
            raise typer.Exit(1) from None
        except editions.EditConflict:
            say("a web draft was being saved just then, so nothing changed; try again", "error")
            raise typer.Exit(1) from None


@stories_app.command("split")
def stories_split(
    ctx: typer.Context,
    story_id: int,
    articles: Annotated[list[int], typer.Argument(help="Article ids to move out.")],
) -> None:
    """Move articles out of a story into a new one; prints the new story's id. At least one
    article stays (the story keeps its id, pin and hide; the new one has neither)."""
    from mediadigest.web import editions

    profile = settings_of(ctx).profile
    new = _editorial(ctx, "story.split", story_id, lambda conn: editions.split_story(
        conn, profile, story_id, list(articles), user="cli"
    ), articles=list(articles))  # fmt: skip
    moved = counted(len(set(articles)), "article")
    say(f"moved {moved} out of story {story_id} into a new story, {new}")
    typer.echo(new)  # the id alone on stdout, for scripts


@mail_app.command("refused")
def mail_refused(ctx: typer.Context) -> None:
    """List the addresses refused for good, which `publish --mail` skips.

    The mail server refused the mailbox itself (550 5.1.1 no such user; never a refusal of
    the client, such as 5.7.1 relaying denied). One a line: the address, when (UTC) and the
    server's reply, tab-separated."""
    from mediadigest.web import mailing

    with reading_store(settings_of(ctx)).connect() as conn:
        refused = mailing.refused_for_good(conn)
    for refusal in refused.values():
        typer.echo(f"{refusal.address}\t{refusal.at:%Y-%m-%d %H:%M}\t{refusal.reply}")
    if not refused:
        say("no address is refused for good: every one of the list is mailed")
    else:
        say(f"{counted(len(refused), 'address', 'addresses')} skipped by `publish --mail`: "
            "`mediadigest mail enable ADDR` tries one again")  # fmt: skip


@mail_app.command("enable")
def mail_enable(
    ctx: typer.Context,
    addresses: Annotated[
        list[str], typer.Argument(help="Addresses, as `mail refused` lists them.")
    ],
) -> None:
    """Let `publish --mail` mail addresses refused for good again.

    For a mailbox made again, or a typo fixed in the list; the next refusal keeps one out
    again."""
    from mediadigest.web import mailing, persist
    from mediadigest.write.mail import envelope_address

    engine = reading_store(settings_of(ctx))
    missing = []
    for given in addresses:
        address = envelope_address(given)
        with engine.begin() as conn:
            if not mailing.enable(conn, [address]):
                missing.append(given)
                continue
            persist.audit(conn, "cli", "mail.enable", address)
        say(f"{address}: `publish --mail` mails it again (`publish --mail-to {address}` mails "
            "it the latest version now)")  # fmt: skip
    for given in missing:
        say(f"{given}: not refused (`mediadigest mail refused` lists those that are)", "error")
    if missing:
        raise typer.Exit(1)
