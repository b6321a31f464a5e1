"""The stories the review page shows and the editors' decisions on them: pin, hide, merge, split.

A small interface for the pages and the API over ``mediadigest.stories`` (stories grouped,
ranked and kept in the store). A story id is the stored story's id; an article that no stored
story holds yet (grouping has not run over it) is shown as the story ``-article_id`` and is
grouped into a story when an editor acts on it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import sqlalchemy as sa

from mediadigest.analyse import tone
from mediadigest.errors import InputError
from mediadigest.model import Article, Story
from mediadigest.profile import Profile
from mediadigest.store import schema as store_schema
from mediadigest.stories import grouping, persist
from mediadigest.web.articles import get_article, themes_of
from mediadigest.web.persist import digest_versions as versions_table
from mediadigest.write.compose import story_lead


class UnknownStory(LookupError):
    """No story (or no such member) with that id."""


@dataclass(slots=True)
class StoryArticle:
    id: int
    title: str
    outlet: str | None
    outlet_country: str | None
    published: datetime | None
    url: str
    score: float
    grade: str
    tone: float | None = None
    language: str | None = None  # its title's, for the pages' lang=


@dataclass(slots=True)
class StoryView:
    """One story as the review page shows it, with why it matched and why it ranks where."""

    id: int
    title: str
    articles: list[StoryArticle]
    score: float
    pinned: bool = False
    hidden: bool = False
    themes: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    ranked: list[str] = field(default_factory=list)

    @property
    def outlets(self) -> list[str]:
        return sorted({a.outlet for a in self.articles if a.outlet})

    @property
    def language(self) -> str | None:
        """The language of ``title``: its lead's."""
        return self.articles[0].language if self.articles else None


def story_of(
    conn: sa.Connection, profile: Profile, since: date, until: date, story_id: int | None
) -> Story | None:
    """One stored story of the period, ranked (so it has its themes and reasons), or None."""
    if story_id is None:
        return None
    found = grouping.ranked_for_period(conn, profile, since, until)
    return next((s for s in found if s.id == story_id), None)


def list_stories(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    ranked: Sequence[Story] | None = None,
) -> list[StoryView]:
    """Pinned stories first, hidden ones last, the rest in rank order; ``ranked``: the
    period's stories already ranked."""
    found = grouping.ranked_for_period(conn, profile, since, until) if ranked is None else ranked
    views = [_view(s) for s in found if s.articles]
    return sorted(views, key=lambda v: (v.hidden, not v.pinned))


class StoryCache:
    """Ranked stories per period, kept until the store's articles, stories or digests change.

    Ranking reads every article of the period (and classifies themes the store lacks), which
    takes seconds for a busy week; the pages ask for the same week again and again.
    """

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, tuple[list[Story], list[StoryView]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, conn: sa.Connection, profile: Profile, since: date, until: date
    ) -> list[StoryView]:
        return self._entry(conn, profile, since, until)[1]

    def ranked(
        self, conn: sa.Connection, profile: Profile, since: date, until: date
    ) -> list[Story]:
        """The period's stories ranked, best first (`grouping.ranked_for_period`); copies,
        as picking a digest from them (`select.select`) writes its reasons into each."""
        found = self._entry(conn, profile, since, until)[0]
        return [replace(s, reasons=list(s.reasons)) for s in found]

    def _entry(
        self, conn: sa.Connection, profile: Profile, since: date, until: date
    ) -> tuple[list[Story], list[StoryView]]:
        key = (profile.name, since, until, *conn.execute(_STATE).one())
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        found = grouping.ranked_for_period(conn, profile, since, until)
        entry = found, list_stories(conn, profile, since, until, found)
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry


# Changes whenever an article arrives, a story is grouped, pinned, hidden, merged or split
# (each stamps ``updated_at``), or a digest is published (novelty ranks against it).
_STATE = sa.select(
    sa.select(sa.func.max(store_schema.articles.c.id)).scalar_subquery(),
    sa.select(sa.func.max(persist.stories.c.updated_at)).scalar_subquery(),
    sa.select(sa.func.count()).select_from(persist.stories).scalar_subquery(),
    sa.select(sa.func.max(versions_table.c.id)).scalar_subquery(),
)


def _member(art: Article) -> StoryArticle:
    rel = art.relevance
    # The analyse stage's tone where the store kept it; the lexicon is one cheap pass.
    found = (
        art.tone
        if getattr(art, "tone", None) is not None
        else tone.score(art.text, title=art.title)[0]
    )
    return StoryArticle(
        art.id or 0,
        art.title,
        art.outlet,
        art.outlet_country,
        art.published,
        art.url,
        rel.score,
        str(rel.grade),
        found,
        art.language,
    )


def _view(story: Story) -> StoryView:
    # The report the digest tells the story from (`compose`), first: the review page headed
    # a story with its earliest article, a Russian wire's, where the digest, `stories` and the
    # editor used Reuters' English headline.
    lead = story_lead(story)
    members = [lead, *(a for a in story.articles if a is not lead)]
    ranked = [r for r in story.reasons if r]
    if story.pinned:
        ranked.insert(0, "pinned by an editor")
    if story.hidden:
        ranked.insert(0, "hidden by an editor")
    return StoryView(
        id=story.id if story.id is not None else -(lead.id or 0),
        # The lead's own title, not the story's (its first article ever, perhaps weeks
        # before): the pages link the title to the lead, so the two must agree.
        title=lead.title or story.title,
        articles=[_member(a) for a in members],
        score=story.score,
        pinned=story.pinned,
        hidden=story.hidden,
        themes=story.themes or themes_of(lead),
        matched=_why_matched(lead),
        ranked=ranked,
    )


def _why_matched(art: Article) -> list[str]:
    if art.relevance.reasons:
        return list(art.relevance.reasons)
    return [
        f"“{h.alias}” ({h.canonical}) in the {h.field} ×{h.count}" for h in art.relevance.hits[:6]
    ]


# -- decisions -------------------------------------------------------------------------------


def _placed(conn: sa.Connection, profile: Profile, story_id: int) -> int:
    """The stored id of ``story_id``; an unplaced article (negative id) is grouped first."""
    if story_id > 0:
        return story_id
    art = get_article(conn, -story_id)
    if art is None:
        raise UnknownStory(story_id)
    # Its listed day (published, else fetched), not the server's clock: the machine's zone
    # may be a day behind the UTC day an undated article was fetched on.
    when = art.when or datetime.now(UTC)
    grouping.update(conn, profile, until=when.date())
    sa_ = persist.story_articles
    query = sa.select(sa_.c.story_id).where(
        sa_.c.article_id == art.id, sa_.c.profile == profile.name
    )
    found = conn.execute(query).scalar()
    if found is None:
        raise UnknownStory(story_id)
    return int(found)


def set_flag(
    conn: sa.Connection, profile: Profile, story_id: int, flag: str, on: bool, *, by: str
) -> None:
    """Pin (``flag="pinned"``) or hide (``"hidden"``) a story; ``on=False`` undoes it."""
    try:
        persist.set_flag(conn, profile.name, _placed(conn, profile, story_id), flag, on, by=by)
    except InputError as exc:
        raise UnknownStory(str(exc)) from exc


def merge(conn: sa.Connection, profile: Profile, story_ids: list[int], *, by: str) -> int:
    """Merge stories into the first; returns its id."""
    if len(story_ids) < 2:
        raise ValueError("merging takes at least two stories")
    try:
        into, *others = [_placed(conn, profile, s) for s in story_ids]
    except InputError as exc:
        raise UnknownStory(str(exc)) from exc
    others = [o for o in dict.fromkeys(others) if o != into]
    if not others:  # "merge 5 5" said "merged 1 into story 5"
        raise ValueError(f"nothing to merge: the stories named are all story {into}")
    try:
        persist.merge(conn, profile.name, into, others, by=by)
    except InputError as exc:
        raise UnknownStory(str(exc)) from exc
    return into


def split(
    conn: sa.Connection, profile: Profile, story_id: int, article_ids: Sequence[int], *, by: str
) -> int:
    """Take ``article_ids`` out of ``story_id`` as a story of their own; returns the new id."""
    try:
        return persist.split(conn, profile.name, story_id, list(article_ids), by=by)
    except InputError as exc:
        raise UnknownStory(str(exc)) from exc
