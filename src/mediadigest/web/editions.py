"""The digest editor's operations on a draft (the digest JSON of DESIGN.md) and its exports.

A draft starts as ``to_dict(build_digest(...))`` with the editors' pins and hides applied;
edits change the JSON; publishing stores it as the next immutable version. A summary sentence
keeps its evidence (article id and character span) by its content, wherever an edit moves it
and after a light rewording, so the editor can show where it came from; one an editor wrote
has none.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import nh3
import sqlalchemy as sa
from markupsafe import Markup

from mediadigest.model import FIRST_DAY, LAST_DAY
from mediadigest.profile import Profile
from mediadigest.stories import grouping
from mediadigest.stories import persist as story_store
from mediadigest.stories import rank as story_rank
from mediadigest.web import persist, stories, versions
from mediadigest.web.articles import get_article
from mediadigest.write import attribute, compose, trend
from mediadigest.write import render as rendering
from mediadigest.write.attribute import normalise_quote
from mediadigest.write.render.json import item_to_dict
from mediadigest.write.render.markdown import title as heading

MEDIA_TYPES = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "json": ("application/json", "json"),
    "html": ("text/html; charset=utf-8", "html"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "atom": ("application/atom+xml", "xml"),
}
EXPORTS = ("md", "html", "docx", "json")


class EditConflict(Exception):
    """Someone else saved the draft since this editor loaded it."""


class NotPublishable(Exception):
    """The draft cannot be published as it is: it has no items, or nothing changed."""


class AlreadyPublished(NotPublishable):
    """The newest published version is this content: publishing again would add nothing.

    Not a failure for the CLI (a weekly job that publishes twice did its job), so it exits 0.
    """

    def __init__(self, message: str, version: int) -> None:
        super().__init__(message)
        self.version = version


class NoSuchItem(LookupError):
    """The draft has no item at that position (or the item has no source article)."""


class BadWeek(ValueError):
    """A week that is no ISO week like ``2025-W51``, or one too far out to page around."""


_WEEK = re.compile(r"(\d{4})-W(\d{1,2})", re.IGNORECASE)
# Years whose weeks and neighbours ``date`` can hold (it ends at 1 and 9999).
FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, LAST_DAY.year  # as the CLI and the API take them


def week_of(value: str | None, today: date | None = None) -> tuple[date, date]:
    """Monday..Sunday of an ISO week like ``2025-W51``; the current week if None or empty;
    ``last``, the last whole week in UTC (as the CLI's ``--week last``: a weekly job's).

    Raises `BadWeek` for anything else: showing the current week instead hid the mistake.
    """
    today = today or datetime.now(UTC).date()
    if value and value.strip().casefold() == "last":
        start = today - timedelta(days=today.weekday() + 7)
        return start, start + timedelta(days=6)
    if value:
        found = _WEEK.fullmatch(value.strip())
        if not found:
            raise BadWeek(f"{value!r} is not a week like 2025-W51.")
        year, week = int(found[1]), int(found[2])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise BadWeek(f"{value} is out of range: weeks of {FIRST_YEAR}–{LAST_YEAR} only.")
        try:
            start = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise BadWeek(f"{year} has no week {week}.") from None
        return start, start + timedelta(days=6)
    start = today - timedelta(days=today.weekday())
    return start, start + timedelta(days=6)


def week_name(since: date) -> str:
    year, week, _ = since.isocalendar()
    return f"{year}-W{week:02d}"


def build_draft(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    size: int = compose.DEFAULT_SIZE,
    publisher: str | None = None,
) -> dict[str, Any]:
    """A fresh draft: the digest ``compose`` writes (stories ranked, pins in, hides out)."""
    built = compose.build_digest(conn, profile, since, until, size=size, publisher=publisher)
    return rendering.to_dict(built)


def open_draft(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    user: str,
    publisher: str | None = None,
) -> tuple[dict[str, Any], int]:
    """The period's draft, made from the stored articles the first time anyone opens it."""
    found = versions.get_draft(conn, profile.name, since, until)
    if found is not None:
        return found
    content = build_draft(conn, profile, since, until, publisher=publisher)
    revision = versions.save_draft(
        conn, profile.name, since, until, content, user=user, revision=None
    )
    if revision is None:  # another editor made it in the meantime: theirs stands
        found = versions.get_draft(conn, profile.name, since, until)
        assert found is not None
        return found
    persist.audit(conn, user, "draft.create", f"{profile.name} {since}..{until}")
    return content, revision


def save(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    content: dict[str, Any],
    *,
    user: str,
    revision: int,
) -> int:
    new = versions.save_draft(
        conn, profile.name, since, until, content, user=user, revision=revision
    )
    if new is None:
        raise EditConflict(CONFLICT)
    return new


CONFLICT = "The draft was changed by someone else meanwhile; here it is with their edits."


# -- one item across revisions: what a page showed, and where it is now -----------------------


def seen(item: dict[str, Any]) -> str:
    """A token of the item as a page shows it: which story (or article) and its content.

    An edit sent from a page loaded before someone else saved the draft carries it, so the
    edit can go onto the newer draft when that item itself did not change.
    """
    key = f"{item.get('story_id') or ''}/{item.get('article_id') or ''}"
    digest = hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()
    return f"{key}:{digest[:20]}"


def locate(content: dict[str, Any], token: str) -> tuple[int | None, bool]:
    """(where the item of ``token`` is now, whether it is unchanged); (None, False) if gone."""
    key = token.rpartition(":")[0]
    now = [seen(item) for item in content["items"]]
    if token in now:
        return now.index(token), True
    same = [i for i, t in enumerate(now) if key.strip("/") and t.rpartition(":")[0] == key]
    return (same[0] if same else None), False


def check_publishable(
    conn: sa.Connection, profile: str, since: date, until: date, content: dict[str, Any]
) -> None:
    """Raise `NotPublishable` for a digest that would mislead or repeat itself.

    Without items the writer's intro says no articles were found, which is rarely true; a
    draft identical to the latest version would only add a copy under a new number; an item
    of a story an editor hid would publish what the newsroom decided against (a page loaded
    before the hide can still save the item back, as can a draft of another week).
    """
    if not content.get("items"):
        raise NotPublishable(
            "The digest has no items, so there is nothing to publish; "
            "rebuild the draft or pin stories first."
        )
    hidden = hidden_items(conn, profile, content)
    if hidden:
        named = "; ".join(f"item {i + 1} (“{content['items'][i]['headline']}”)" for i in hidden)
        raise NotPublishable(
            f"The draft still has {named} of a hidden story (Review lists it as hidden); "
            "remove it from the draft, or show the story again, then publish."
        )
    twice = _told_twice(conn, profile, content)
    if twice:
        named = " and ".join(f"item {i + 1} (“{content['items'][i]['headline']}”)" for i in twice)
        raise NotPublishable(
            f"The draft tells one story twice: {named} are of the same story now (merged "
            "after the draft was made); remove one of them, then publish."
        )
    latest = versions.latest_version(conn, profile, since, until)
    if latest is not None and latest["content"] == content:
        raise AlreadyPublished(
            f"Already published as version {latest['version']}; nothing changed since.",
            latest["version"],
        )


def nothing_to_publish(conn: sa.Connection, profile: Profile, since: date, until: date) -> str:
    """Why a digest built now for the period has no items, in words that fit the period: no
    story dated in it, or all of them hidden (`check_publishable`'s hint is for a draft)."""
    found = grouping.for_period(conn, profile, since, until)
    if not found:
        return (
            f"No story in the store is dated {since}..{until}, so there is nothing to publish "
            "(collect or ingest the period's articles first)."
        )
    if all(s.hidden for s in found):
        ids = ", ".join(str(s.id) for s in found[:5]) + (", …" if len(found) > 5 else "")
        which = (
            f"only story, {ids}, is hidden"
            if len(found) == 1
            else f"{len(found)} stories are all hidden ({ids})"
        )
        return (
            f"The period's {which}, so there is nothing to publish "
            "(`stories hide ID --undo` shows one again)."
        )
    return "The digest built now has no items, so there is nothing to publish."


def line_seen(content: dict[str, Any], key: str) -> str:
    """A token of the intro or the week-over-week line (``key``) as a page shows it.

    The writer's line is one token whatever it says: the writer rewrites the intro after any
    item change, and an editor's text typed over it should still go onto the newer draft;
    only another editor's text in the meantime stops it.
    """
    if not content.get(f"{key}_edited"):
        return "writer"
    text = json.dumps(content.get(key) or "")
    return "editor:" + hashlib.sha256(text.encode()).hexdigest()[:20]


# -- the editors' decisions in Review, seen from the draft ------------------------------------


def item_stories(conn: sa.Connection, profile: str, content: dict[str, Any]) -> list[Any]:
    """Each item's story as stored now (a row with ``id`` and ``hidden``), or None.

    The story its article is in now, since merges and splits move articles between stories
    (the item's ``story_id`` is where the article was when the item was written); that
    ``story_id`` only for an article no story holds.
    """
    items = content.get("items") or []
    sa_, st = story_store.story_articles, story_store.stories
    arts = sorted({int(i.get("article_id") or 0) for i in items} - {0})
    query = (
        sa.select(sa_.c.article_id, st.c.id, st.c.hidden)
        .join(st, st.c.id == sa_.c.story_id)
        .where(sa_.c.profile == profile, sa_.c.article_id.in_(arts))
    )
    by_article = {r.article_id: r for r in conn.execute(query)} if arts else {}
    named = sorted(
        {i.get("story_id") for i in items if i.get("article_id") not in by_article} - {None}
    )
    query = sa.select(st.c.id, st.c.hidden).where(st.c.profile == profile, st.c.id.in_(named))
    by_id = {r.id: r for r in conn.execute(query)} if named else {}
    return [by_article.get(i.get("article_id")) or by_id.get(i.get("story_id")) for i in items]


def _told_twice(conn: sa.Connection, profile: str, content: dict[str, Any]) -> list[int]:
    """The positions of the first two items of one story, where the draft has such (a merge
    in Review takes them out of its week's draft only, not of a neighbouring week's)."""
    first: dict[int, int] = {}
    for i, story in enumerate(item_stories(conn, profile, content)):
        if story is not None and story.id in first:
            return [first[story.id], i]
        if story is not None:
            first[story.id] = i
    return []


def hidden_items(conn: sa.Connection, profile: str, content: dict[str, Any]) -> list[int]:
    """The positions of the draft's items whose story an editor hid in Review."""
    return [i for i, s in enumerate(item_stories(conn, profile, content)) if s and s.hidden]


def has_story(conn: sa.Connection, profile: str, content: dict[str, Any], story_id: int) -> bool:
    """Whether the draft has an item of ``story_id`` (as Review names it: ``-article_id`` for
    an article no story held then)."""
    if story_id < 0:
        sa_ = story_store.story_articles
        query = sa.select(sa_.c.story_id).where(
            sa_.c.profile == profile, sa_.c.article_id == -story_id
        )
        placed = conn.execute(query).scalar()
        if placed is None:
            return any(i.get("article_id") == -story_id for i in content.get("items") or [])
        story_id = int(placed)
    return any(s is not None and s.id == story_id for s in item_stories(conn, profile, content))


def take_out_hidden(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    *,
    user: str,
    publisher: str | None = None,
) -> list[str]:
    """Take the items of hidden stories out of the period's draft, as one audited change of
    it; the headlines taken out (none: no draft, or no such item in it).

    Called in the transaction that hides a story, so the hide and the draft change stand or
    fall together. Raises `EditConflict` if the draft is saved in between.
    """
    found = versions.get_draft(conn, profile.name, since, until)
    if found is None:
        return []
    content = found[0]
    gone = hidden_items(conn, profile.name, content)
    if not gone:
        return []
    # In Review, by the API or by the CLI: the audit entry's user says which.
    period, reason = (since, until), "story hidden"
    return _remove_items(
        conn, profile, period, found, gone, user=user, publisher=publisher, reason=reason
    )


def _remove_items(
    conn: sa.Connection,
    profile: Profile,
    period: tuple[date, date],
    draft: tuple[dict[str, Any], int],
    gone: list[int],
    *,
    user: str,
    publisher: str | None,
    reason: str,
) -> list[str]:
    """Take items ``gone`` out of the period's ``draft`` (its content and revision) as one
    audited change, writing the intro and the week-over-week line again; the headlines."""
    (since, until), (content, revision) = period, draft
    headlines = [content["items"][i]["headline"] for i in gone]
    content["items"] = [item for i, item in enumerate(content["items"]) if i not in gone]
    refresh_trend(conn, refresh_intro(content, profile, publisher), profile)
    save(conn, profile, since, until, content, user=user, revision=revision)
    persist.audit(
        conn,
        user,
        "item.remove",
        f"{profile.name} {since}..{until}",
        items=gone,
        headlines=headlines,
        reason=reason,
    )
    return headlines


@dataclass(slots=True)
class TakenOut:
    """The items a decision in Review took out of one period's draft."""

    since: date
    until: date
    headlines: list[str]

    def __str__(self) -> str:
        quoted = ", ".join(f"“{h}”" for h in self.headlines)
        return f"{quoted} out of the draft of {self.since}..{self.until}"


def hide_story(
    conn: sa.Connection,
    profile: Profile,
    story_id: int,
    on: bool = True,
    *,
    user: str,
    period: tuple[date, date] | None = None,
    publisher: str | None = None,
) -> list[TakenOut]:
    """Hide a story (``on=False``: show it again) as Review, the API and the CLI do.

    Hiding takes its item out of the draft of ``period`` (Review's week), or without one out
    of every draft that has it, in the caller's transaction: a draft is what gets published,
    and ``check_publishable`` refuses one with a hidden story's item anyway. Showing a story
    again changes no draft (there is no adding one story's item; a rebuild would drop edits).
    Raises `stories.UnknownStory`, and `EditConflict` if a draft is saved in between.
    """
    stories.set_flag(conn, profile, story_id, "hidden", on, by=user)
    periods = [period] if period else draft_periods(conn, profile.name)
    taken = []
    for since, until in periods if on else ():
        headlines = take_out_hidden(conn, profile, since, until, user=user, publisher=publisher)
        if headlines:
            taken.append(TakenOut(since, until, headlines))
    recount(conn, profile, _untouched(periods, taken), user=user, story_ids=[story_id])
    return taken


def merge_stories(
    conn: sa.Connection,
    profile: Profile,
    story_ids: list[int],
    *,
    user: str,
    period: tuple[date, date] | None = None,
    publisher: str | None = None,
) -> tuple[int, list[TakenOut]]:
    """Merge stories into the first (``stories.merge``) and keep one item of it per draft.

    A draft made before the merge has an item for each of the stories, which are now one:
    published so, the digest would tell one story twice. The item of the story merged into
    stays (where it is, with its edits); the others leave the draft, audited. Where the draft
    had no item of that story, the first of the merged ones stays in its place. Drafts as in
    `hide_story`: ``period``'s, or every one. Returns (the story's id, what left which draft).
    """
    periods = [period] if period else draft_periods(conn, profile.name)
    before = {p: _items_of(conn, profile.name, p, story_ids[0]) for p in periods}
    into = stories.merge(conn, profile, story_ids, by=user)
    taken = []
    for (since, until), targets in before.items():
        headlines = _keep_one_item(
            conn, profile, since, until, into, targets, user=user, publisher=publisher
        )
        if headlines:
            taken.append(TakenOut(since, until, headlines))
    recount(conn, profile, _untouched(periods, taken), user=user, story_ids=[into])
    return into, taken


def split_story(
    conn: sa.Connection,
    profile: Profile,
    story_id: int,
    article_ids: list[int],
    *,
    user: str,
    period: tuple[date, date] | None = None,
) -> int:
    """Split articles off a story into a new one (``stories.split``), as Review and the CLI
    do; the drafts' week-over-week lines count the new story. Returns its id."""
    new = stories.split(conn, profile, story_id, article_ids, by=user)
    periods = [period] if period else draft_periods(conn, profile.name)
    recount(conn, profile, periods, user=user, story_ids=[story_id, new])
    return new


def _untouched(periods: list[tuple[date, date]], taken: list[TakenOut]) -> list[tuple[date, date]]:
    """The periods whose draft a decision took nothing out of: `_remove_items` wrote the
    others' week-over-week lines already (counting their stories twice was wasted work)."""
    done = {(t.since, t.until) for t in taken}
    return [p for p in periods if p not in done]


def recount(
    conn: sa.Connection,
    profile: Profile,
    periods: list[tuple[date, date]],
    *,
    user: str,
    story_ids: Sequence[int] = (),
) -> None:
    """Write the drafts' week-over-week lines again where a decision changed the count of
    their stories (a hide, a show, a merge, a split), unless an editor wrote the line: the
    draft said "Of 11 stories" where the digest built now says 10, and was published so.

    Only the drafts of periods the stories ``story_ids`` reach (their first to last report,
    a split's two parts together spanning the story as it was): a year of weekly drafts is
    not ranked again for one story's hide.
    """
    reach = _reach(conn, profile, story_ids)
    for since, until in periods:
        if reach is not None and (until < reach[0] or since > reach[1]):
            continue
        found = versions.get_draft(conn, profile.name, since, until)
        if found is None or found[0].get("trend_edited"):
            continue
        content, revision = found
        before = content.get("trend")
        refresh_trend(conn, content, profile)
        if content.get("trend") != before:
            save(conn, profile, since, until, content, user=user, revision=revision)


def _reach(
    conn: sa.Connection, profile: Profile, story_ids: Sequence[int]
) -> tuple[date, date] | None:
    """The first and last day of the stories' reports; None where that is not known (an
    unplaced article's ``-id``, a story without dates): then every period counts."""
    ids = [i for i in story_ids if i > 0]
    if not ids or len(ids) < len(story_ids):
        return None
    st = story_store.stories
    query = sa.select(sa.func.min(st.c.first_seen), sa.func.max(st.c.last_seen)).where(
        st.c.profile == profile.name, st.c.id.in_(ids)
    )
    first, last = conn.execute(query).one()
    return (first.date(), last.date()) if first is not None and last is not None else None


def draft_periods(conn: sa.Connection, profile: str) -> list[tuple[date, date]]:
    """The periods that have a draft, oldest first."""
    drafts = persist.digest_drafts
    query = (
        sa.select(drafts.c.period_from, drafts.c.period_to)
        .where(drafts.c.profile == profile)
        .order_by(drafts.c.period_from, drafts.c.period_to)
    )
    return [(r.period_from, r.period_to) for r in conn.execute(query)]


def _item_key(item: dict[str, Any]) -> tuple[Any, Any]:
    return item.get("story_id"), item.get("article_id")


def _items_of(
    conn: sa.Connection, profile: str, period: tuple[date, date], story_id: int
) -> set[tuple[Any, Any]]:
    """The draft's items of ``story_id`` as Review names it (``-article_id``: unplaced)."""
    found = versions.get_draft(conn, profile, *period)
    if found is None:
        return set()
    items = found[0].get("items") or []
    placed = item_stories(conn, profile, found[0])
    return {
        _item_key(item)
        for item, s in zip(items, placed, strict=True)
        if (s.id if s is not None else -int(item.get("article_id") or 0)) == story_id
    }


def _keep_one_item(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    story_id: int,
    preferred: set[tuple[Any, Any]],
    *,
    user: str,
    publisher: str | None,
) -> list[str]:
    """Take all but one of the draft's items of ``story_id`` out: the first ``preferred`` one
    (by `_item_key`) stays, or else the first; the headlines taken out."""
    found = versions.get_draft(conn, profile.name, since, until)
    if found is None:
        return []
    content = found[0]
    mine = [
        i
        for i, s in enumerate(item_stories(conn, profile.name, content))
        if s is not None and s.id == story_id
    ]
    if len(mine) < 2:
        return []
    kept = next((i for i in mine if _item_key(content["items"][i]) in preferred), mine[0])
    gone = [i for i in mine if i != kept]
    period, reason = (since, until), f"story merged into story {story_id}"
    return _remove_items(
        conn, profile, period, found, gone, user=user, publisher=publisher, reason=reason
    )


# -- edits on the JSON -----------------------------------------------------------------------


@dataclass(slots=True)
class ItemEdit:
    """What the editor's form sends for one item; summary is one sentence per line."""

    headline: str
    attribution: str
    summary: str
    quote_text: str = ""
    quote_speaker: str = ""
    # The lines after the quote: other outlets ("also covered by"), coverage by country. None:
    # not sent (a client that does not know the field), so the line stays as it is.
    also: str | None = None
    framing: str | None = None


def _item(content: dict[str, Any], index: int) -> dict[str, Any]:
    if not 0 <= index < len(content["items"]):
        raise NoSuchItem(index)
    return content["items"][index]


def move(content: dict[str, Any], index: int, delta: int) -> dict[str, Any]:
    """Move item ``index`` by ``delta`` places (clamped to the list)."""
    items = content["items"]
    item = _item(content, index)
    target = min(max(index + delta, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    assert items[target] is item
    return content


def edit(
    content: dict[str, Any], index: int, change: ItemEdit, conn: sa.Connection | None = None
) -> dict[str, Any]:
    """Apply an edit. Each line is set as one paragraph (a blank line or an indent in a text
    box made two paragraphs, or code, in Markdown only), and evidence follows content, never
    position (`_matched`, `_quote_evidence`): ``conn`` reads the source article for a quote
    whose words changed, to point at them where the article has them word for word."""
    item = _item(content, index)
    before = list(item.get("summary") or [])
    sentences = [line for line in map(_line, change.summary.splitlines()) if line]
    item["headline"] = _line(change.headline) or item["headline"]
    attribution = _line(change.attribution)
    evidence = item.get("evidence") or []
    if item.get("written_by") == "llm":  # its entries are of the sentences the model read
        summary = [e for e in evidence if _part(e) == "summary" and e["sentence"] < len(sentences)]
    else:
        summary, rewritten = _matched(before, sentences, evidence)
        own = {e["sentence"] for e in summary if not e.get("edited")}
        if rewritten:  # the summary's sentences are no longer all the articles' own
            item["written_by"] = "editor"
        elif item.get("written_by") == "editor" and len(own) == len(sentences):
            item["written_by"] = "extractive"  # the editor's sentences taken out again
    lede = _lede(item.get("attribution", ""), attribution, evidence)
    item["attribution"] = attribution
    item["summary"] = sentences
    speaker = _line(change.quote_speaker) or None
    old_quote = item.get("quote")
    item["quote"] = _quote(old_quote, _line(change.quote_text), speaker)
    quoted = _quote_evidence(item, old_quote, evidence, conn)
    others = [e for e in evidence if _part(e) not in ("attribution", "summary", "quote")]
    item["evidence"] = lede + summary + quoted + others
    for key, line in (("also", change.also), ("framing", change.framing)):
        if line is not None:
            item[key] = _line(line) or None  # an empty one: the digest leaves the line out
    item["edited"] = True
    return content


def _quote(before: dict[str, Any] | None, text: str, speaker: str | None) -> dict[str, Any] | None:
    """The quote as edited: the speaker's role stays only with the speaker it was read for
    (an editor who names another speaker would have the first one's title printed with
    theirs)."""
    if not text:
        return None
    quote: dict[str, Any] = {"text": text, "speaker": speaker}
    role = (before or {}).get("role")
    if role and speaker is not None and speaker == (before or {}).get("speaker"):
        quote["role"] = role
    return quote


# How much of a sentence an edit may change and still keep its source ("reworded" in the
# editor): difflib's ratio of the two sentences' words. A typo fixed or a clause added keeps
# it; another sentence typed in place of one deleted shares too few words to take its span.
_REWORDED = 0.6


def _part(evidence: dict[str, Any]) -> str:
    """An entry's ``part``, read from ``sentence`` in digests stored before ``part``."""
    if evidence.get("part"):
        return str(evidence["part"])
    which = evidence.get("sentence")
    if which == "quote":
        return "quote"
    return "attribution" if which == -1 else "summary"


def _same(text: str) -> str:
    """A sentence as an unchanged one is recognised: white space and quote marks as the
    quote check reads them (a sentence copied back with other marks is the same sentence)."""
    return normalise_quote(text)


def _likeness(old: str, new: str) -> float:
    return difflib.SequenceMatcher(
        None, _same(old).casefold().split(), _same(new).casefold().split(), autojunk=False
    ).ratio()


def _matched(
    before: list[str], after: list[str], evidence: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], bool]:
    """The summary's evidence for the sentences ``after``, and whether the editor wrote or
    reworded any of them.

    A sentence left as it was keeps its own entry wherever it moved (inserting a line above
    it no longer handed it the next one's); one lightly edited keeps the entry of the old
    sentence it is most like, marked ``edited``; one typed anew has none (the editor page says
    an editor wrote it), and a deleted sentence's entry goes with it.
    """
    spans: dict[int, list[dict[str, Any]]] = {}
    for e in evidence:
        if _part(e) == "summary" and isinstance(e.get("sentence"), int):
            spans.setdefault(e["sentence"], []).append(e)
    free = {i for i in spans if 0 <= i < len(before)}
    taken: dict[int, tuple[int, bool]] = {}  # new index: (old index, reworded)
    for n, sentence in enumerate(after):
        same = next((i for i in sorted(free) if _same(before[i]) == _same(sentence)), None)
        if same is not None:
            taken[n] = same, False
            free.discard(same)
    pairs = sorted(
        ((_likeness(before[i], s), n, i) for n, s in enumerate(after) if n not in taken
         for i in free),
        key=lambda p: (-p[0], p[1], p[2]),
    )  # fmt: skip
    for likeness, n, i in pairs:
        if likeness >= _REWORDED and n not in taken and i in free:
            taken[n] = i, True
            free.discard(i)
    out = []
    for n in sorted(taken):
        i, reworded = taken[n]
        for e in spans[i]:
            entry = {**e, "sentence": n}
            if reworded:
                entry["edited"] = True
            out.append(entry)
    return out, len(taken) < len(after) or any(r for _, r in taken.values())


def _lede(before: str, after: str, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entry of the sentence the attribution line ends with: kept while the line is the
    same, marked ``edited`` where it was lightly edited, gone where it was written anew."""
    entries = [e for e in evidence if _part(e) == "attribution"]
    if not entries or _same(before) == _same(after):
        return entries
    if not after or _likeness(before, after) < _REWORDED:
        return []
    return [{**e, "edited": True} for e in entries]


def _quote_evidence(
    item: dict[str, Any],
    before: dict[str, Any] | None,
    evidence: list[dict[str, Any]],
    conn: sa.Connection | None,
) -> list[dict[str, Any]]:
    """The quote's entry after an edit.

    Its words as they were keep their span; other words only where they stand word for word
    in the same article (its quote's, else the item's lead report), at that place: the span
    of words the editor replaced would vouch for words the article never had. A speaker the
    editor named is theirs (``speaker_edited``): the span shows the words, not who said them.
    """
    quote = item.get("quote")
    entries = [e for e in evidence if _part(e) == "quote"]
    if quote is None:
        return []
    old_speaker = _same((before or {}).get("speaker") or "")
    speaker_changed = _same(quote.get("speaker") or "") != old_speaker
    if before is not None and _same(before.get("text", "")) == _same(quote["text"]):
        if speaker_changed:
            return [{**e, "speaker_edited": True} for e in entries]
        return entries
    aid = next((e.get("article_id") for e in entries), None) or item.get("article_id")
    art = get_article(conn, int(aid)) if conn is not None and aid else None
    if art is None:
        return []
    words = len(quote["text"].split())
    for start, end in attribute.quote_spans(quote["text"], art):
        # All its words there, not one of the article's quotes that is a piece of them.
        if len(art.text[start:end].split()) >= words:
            # Whose words these are: the article's quote there, if it names this speaker.
            said = any(
                q.start < end and start < q.end and q.speaker
                and _same(q.speaker) == _same(quote.get("speaker") or "")
                for q in art.quotes
            )  # fmt: skip
            entry: dict[str, Any] = {
                "sentence": "quote",
                "part": "quote",
                "article_id": art.id,
                "start": start,
                "end": end,
            }
            if not said:
                entry["speaker_edited"] = True
            return [entry]
    return []


def remove(content: dict[str, Any], index: int) -> dict[str, Any]:
    _item(content, index)
    content["items"].pop(index)
    return content


def set_intro(content: dict[str, Any], intro: str) -> dict[str, Any]:
    """The editor's own introduction, as one paragraph (the renderers set it as one: a blank
    line in it was a second paragraph in Markdown only); an empty one hands it back to the
    writer."""
    content["intro"] = _line(intro)
    content["intro_edited"] = bool(content["intro"])
    return content


def set_trend(content: dict[str, Any], trend: str) -> dict[str, Any]:
    """The editor's week-over-week line; an empty one leaves the digest without it (the writer's
    line is counted from the period's stories, which only a rebuild counts again)."""
    content["trend"] = _line(trend)
    content["trend_edited"] = True
    return content


def _line(text: str) -> str:
    """One line of the digest as typed in a text box: the renderers set it as one paragraph."""
    return " ".join(text.split())


def refresh_intro(
    content: dict[str, Any], profile: Profile, publisher: str | None = None
) -> dict[str, Any]:
    """Write the introduction again from the items as they now are (their number, outlets and
    headlines, in their order), unless the editor wrote it: after a move, an edited headline or
    a removed item the writer's intro would name stories the digest no longer has."""
    if not content.get("intro_edited"):
        digest = rendering.from_dict(content)
        content["intro"] = compose.intro(
            digest.items, profile, digest.period_from, digest.period_to, publisher
        )
    return content


def refresh_trend(conn: sa.Connection, content: dict[str, Any], profile: Profile) -> None:
    """Count the period's stories again for the week-over-week line, unless the editor wrote
    it: after a story was hidden or merged, "Of 3 stories this week" counted one that the
    digest (built now) would not."""
    if content.get("trend_edited"):
        return
    since = date.fromisoformat(content["period"]["from"])
    until = date.fromisoformat(content["period"]["to"])
    shown = [s for s in grouping.ranked_for_period(conn, profile, since, until) if not s.hidden]
    last_items = story_rank.previous_items(conn, profile, since)
    content["trend"] = trend.week_over_week(conn, profile, since, until, shown, last_items)


def regenerate(
    conn: sa.Connection, profile: Profile, content: dict[str, Any], index: int
) -> dict[str, Any]:
    """Write item ``index`` again from its story (or article), dropping the edits made to it."""
    item = _item(content, index)
    since = date.fromisoformat(content["period"]["from"])
    until = date.fromisoformat(content["period"]["to"])
    story = stories.story_of(conn, profile, since, until, item.get("story_id"))
    if story is not None:
        fresh = compose.compose_story(story, profile, since=since)
    else:
        art = get_article(conn, int(item.get("article_id") or 0))
        if art is None:
            raise NoSuchItem(index)
        fresh = compose.compose_item(art, profile)
    content["items"][index] = item_to_dict(fresh)
    return content


# -- reading the JSON back -------------------------------------------------------------------

# What the preview keeps of the writer's e-mail HTML: text structure, http(s) links, and the
# language of the words an item takes from a report in another (lang=, on any of these) and
# their direction (dir=: Arabic and Persian read right to left).
_HOUSE_TAGS = {"h1", "h2", "p", "a", "em", "strong", "blockquote", "ul", "ol", "li", "br", "span"}


def house_html(content: dict[str, Any], *, inside: bool = False) -> Markup:
    """The digest as ``write.render`` writes it for e-mail, through nh3 for the page.

    The renderer escapes what it writes; nh3 makes sure anyway (and drops layout tables, inline
    styles and any link that is not http or https, such as a ``javascript:`` source URL).
    ``inside``: the digest is a part of a page with a title (h1) of its own, so its headings
    go a level down (its title h2, its items h3): one h1 a page, as screen readers expect.
    """
    # Every source: the page is where a mail's and an export's "and 3 more" lead.
    html = rendering.to_html(rendering.from_dict(content), every_source=True)
    clean = nh3.clean(
        html,
        tags=_HOUSE_TAGS,
        attributes={"a": {"href"}, "*": {"lang", "dir"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"head", "title", "script", "style"},  # gone with their text
    )
    if inside:
        # nh3 writes tags in lower case and text escaped, so only a heading reads "<h2".
        for level in (2, 1):
            clean = re.sub(rf"<(/?)h{level}\b", rf"<\1h{level + 1}", clean)
    return Markup(clean)


def feed(
    conn: sa.Connection,
    profile: str,
    link: str | None = None,
    page_of: Callable[[int], str] | None = None,
) -> str:
    """The Atom feed of published digests: the latest version of each period, newest first.

    ``page_of``: the URL of a published version's public page, by its id; each entry links
    to it as its ``alternate``, so a feed reader can open the digest on the web.
    """
    rows = versions.latest_per_period(conn, profile)
    entries = [(rendering.from_dict(r["content"]), r["version"], r["published_at"]) for r in rows]
    pages = [page_of(int(r["id"])) for r in rows] if page_of is not None else None
    return rendering.to_atom(entries, profile=profile, link=link, pages=pages)


def title(content: dict[str, Any]) -> str:
    """A digest's title as the renderers write it ("Foreign media digest: Dec. 15–21, 2025")."""
    return heading(rendering.from_dict(content))


def formats() -> list[str]:
    """Export formats the renderers offer now (others appear when ``write.render`` has them)."""
    return [f for f in EXPORTS if f in rendering.Format.__members__]


def export(
    content: dict[str, Any], fmt: str, publisher: str | None = None
) -> tuple[bytes, str, str]:
    """(body, media type, file extension) of a digest in one of ``formats()``; ``publisher``:
    who selects (the settings'), the DOCX's author."""
    format_ = rendering.Format(fmt)
    body = rendering.render(rendering.from_dict(content), format_, publisher=publisher)
    media_type, ext = MEDIA_TYPES[fmt]
    return (body if isinstance(body, bytes) else body.encode("utf-8")), media_type, ext
