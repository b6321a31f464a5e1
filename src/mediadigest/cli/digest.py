"""`mediadigest digest`, `publish`, `feed` and `stories`: from stored articles to a digest.

Like ``cli.collect``, the commands import the pipeline when they run.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from mediadigest import store
from mediadigest.cli.app import (
    Since,
    Until,
    Week,
    out,
    period,
    reading_store,
    say,
    settings_of,
    stories_app,
)
from mediadigest.stories import persist as story_store
from mediadigest.write.render import Format
from mediadigest.write.style import counted

if TYPE_CHECKING:
    import sqlalchemy as sa

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
) -> None:
    """Write the digest for a period from what is stored."""
    from mediadigest.write import compose
    from mediadigest.write.llm import LLMConfig
    from mediadigest.write.render import render, to_dict, write_file

    settings = settings_of(ctx)
    first, last = period(since, until, week)
    to_stdout = output in (None, "-")
    if fmt.binary and output is None:
        raise typer.BadParameter("DOCX is binary: give -o FILE", param_hint="--format")
    if fmt.binary and to_stdout and sys.stdout.isatty():
        say("DOCX is binary: -o - writes it into a pipe or a file, not to a terminal", "error")
        raise typer.Exit(1)
    llm = LLMConfig.from_env(os.environ) if writer is Writer.llm else None
    engine = reading_store(settings)
    with engine.begin() as conn:
        result = compose.build_digest(conn, settings.profile, first, last, size=size, llm=llm,
                                      publisher=settings.publisher)  # fmt: skip
        store.save_digest(conn, first, last, settings.profile.name, to_dict(result))
    for note in result.notes:
        say(note, "note")
    if to_stdout:
        body = render(result, fmt)
        if isinstance(body, bytes):
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
        else:
            out.print(body, end="", markup=False, highlight=False, soft_wrap=True)
    else:
        assert output is not None
        # A str, not a Path: Path("out/") drops the slash that says "a folder".
        written = write_file(result, fmt, Path(output), folder=output.endswith(("/", os.sep)))
        say(f"wrote {len(result.items)} items to {written}")


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
) -> None:
    """Publish the period's digest as its next version (the Atom feed lists published digests).

    Where editors have a draft of the period in the web app, that draft is what is published:
    their edits, order and removals, as the web's Publish would.
    """
    from mediadigest.web import editions, versions
    from mediadigest.web import persist as web_store
    from mediadigest.write import compose
    from mediadigest.write.render import to_dict

    settings = settings_of(ctx)
    first, last = period(since, until, week)
    name = settings.profile.name
    with reading_store(settings).begin() as conn:
        draft = None if rebuild else versions.get_draft(conn, name, first, last)
        if draft is not None:
            content, what = draft[0], f"the editors' draft, revision {draft[1]}"
        else:
            built = compose.build_digest(
                conn, settings.profile, first, last, size=size, publisher=settings.publisher
            )
            content = to_dict(built)
            what = "built now from the store"
        try:
            editions.check_publishable(conn, name, first, last, content)
        except editions.AlreadyPublished as exc:
            say(f"{first}..{last}: {exc}")
            return
        except editions.NotPublishable as exc:
            say(f"{first}..{last}: {exc}", "error")
            raise typer.Exit(1) from None
        version = versions.publish(conn, name, first, last, content, "cli")
        web_store.audit(conn, "cli", "digest.publish", f"{name} {first}..{last}",
                        version=version, source="draft" if draft else "built")  # fmt: skip
    items = len(content.get("items") or [])
    say(f"published version {version} of {first}..{last} ({items} items, {what})")


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
        rows = story_store.published(conn, settings.profile.name, limit=limit)
    entries = [(from_dict(r["content"]), r["version"], r["published_at"]) for r in rows]
    if base_url is None:
        body = to_atom(entries)
    else:  # the addresses `serve` gives them (web.routes.public)
        base = base_url.rstrip("/")
        pages = [f"{base}/public/digests/{r['id']}" for r in rows]
        body = to_atom(entries, link=f"{base}/feed.atom", pages=pages)
    out.print(body, end="", markup=False, highlight=False, soft_wrap=True)


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
    with engine.begin() as conn:
        stories.update_period(conn, settings.profile, first, last)
        ranked = stories.ranked_for_period(conn, settings.profile, first, last)
    if as_json:
        sys.stdout.write(
            json.dumps([stories.story_to_dict(s) for s in ranked], ensure_ascii=False, indent=2)
            + "\n"
        )
        return
    table = Table("id", "score", "outlets", "title", "flags")
    for s in ranked:
        flags = " ".join(f for f, on in (("pinned", s.pinned), ("hidden", s.hidden)) if on)
        table.add_row(
            str(s.id or ""), f"{s.score:.2f}", str(len(s.outlets)), escape(s.title), flags
        )
    out.print(table)


@stories_app.command("pin")
def stories_pin(
    ctx: typer.Context,
    story_id: int,
    undo: Annotated[bool, typer.Option("--undo", help="Unpin.")] = False,
) -> None:
    """Always put a story in the digest."""
    from mediadigest.web import stories

    profile = settings_of(ctx).profile
    action = "story.unpin" if undo else "story.pin"
    _editorial(ctx, action, story_id, lambda conn: stories.set_flag(
        conn, profile, story_id, "pinned", not undo, by="cli"
    ))  # fmt: skip
    say(f"story {story_id} {'unpinned' if undo else 'pinned'}")


@stories_app.command("hide")
def stories_hide(
    ctx: typer.Context,
    story_id: int,
    undo: Annotated[bool, typer.Option("--undo", help="Unhide.")] = False,
) -> None:
    """Never put a story in the digest; its item leaves every web draft that has it."""
    from mediadigest.web import editions

    settings = settings_of(ctx)
    action = "story.unhide" if undo else "story.hide"
    taken = _editorial(ctx, action, story_id, lambda conn: editions.hide_story(
        conn, settings.profile, story_id, not undo, user="cli", publisher=settings.publisher
    ))  # fmt: skip
    say(f"story {story_id} {'shown again' if undo else 'hidden'}")
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
    """Move articles out of a story into a new one; prints the new story's id."""
    from mediadigest.web import editions

    profile = settings_of(ctx).profile
    new = _editorial(ctx, "story.split", story_id, lambda conn: editions.split_story(
        conn, profile, story_id, list(articles), user="cli"
    ), articles=list(articles))  # fmt: skip
    moved = counted(len(set(articles)), "article")
    say(f"moved {moved} out of story {story_id} into a new story, {new}")
    typer.echo(new)  # the id alone on stdout, for scripts
