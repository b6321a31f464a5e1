"""Re-run relevance and understanding on stored articles, in place (`mediadigest db reanalyse`).

What an ingest stores is never analysed again: a newer mediadigest (better speakers, themes)
or an edited profile (a new alias) left every stored article as it was first judged. Here each
article's stored title and text go through relevance and the understanding steps again (not
extraction, not the roundup split: the text, and so every evidence span, stays), and the
analysis is written back under the same id, batch by batch, each in a transaction of its own
under the writer lock: a stop keeps the batches done, and running it again is safe.

Stories follow. An article in a story that is no longer relevant on its own but still names
the country stays, relevant through its story (``via_story``, as grouping treats a passing
mention that joins one); one that became relevant on its own is so no longer only through
its story; one that no longer names the country at all leaves its story, and a story left
with no article relevant on its own is dissolved (grouping never makes a story of passing
mentions only). Then the days of the articles whose relevance changed are grouped again, as
after an ingest (`stories.grouping.update_days`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from mediadigest.analyse import _understand, relevance
from mediadigest.model import Article
from mediadigest.profile import Profile
from mediadigest.store import analysis
from mediadigest.store import schema as t
from mediadigest.store.writes import utcnow
from mediadigest.stories import persist
from mediadigest.stories.rank import article_themes
from mediadigest.write.style import counted

log = logging.getLogger(__name__)

__all__ = ["BATCH", "ReanalyseReport", "reanalyse", "reanalysed"]

BATCH = 200  # articles per transaction: a few seconds of analysis, then a short write
# The warnings the understanding steps write (analyse._guard): replaced, never piled up.
_STEP_FAILED = re.compile(r"(attribution|kind|quotes|entities|speakers|themes|tone) failed: ")
# Explanations the understanding steps write; the others (text, roundup) are the page's.
_STEP_EXPLANATIONS = ("attribution", "kind", "tone")


@dataclass(slots=True)
class ReanalyseReport:
    """What a reanalysis did, for the summary line."""

    articles: int = 0  # read and analysed again
    changed: int = 0  # whose stored analysis changed
    up: int = 0  # of which became relevant
    down: int = 0  # of which stopped being relevant
    left_stories: int = 0  # articles taken out of a story (no longer naming the country)
    dissolved: int = 0  # stories left with no article relevant on its own
    stories: str = ""  # what grouping did afterwards
    days: set[date] = field(default_factory=set)  # of the articles whose relevance changed
    decided: list[str] = field(default_factory=list)  # emptied stories an editor pinned or hid

    def summary(self) -> str:
        if not self.articles:
            return "no stored articles in the period: nothing to reanalyse"
        if not self.changed:
            return (f"reanalysed {counted(self.articles, 'article')}: nothing changed, the "
                    "stored analysis is the current one")  # fmt: skip
        parts = [
            f"reanalysed {counted(self.articles, 'article')}: {self.changed} changed, "
            f"{self.up} now relevant, {self.down} no longer relevant"
        ]
        if self.left_stories or self.dissolved:
            parts.append(f"{counted(self.left_stories, 'article')} out of their stories, "
                         f"{counted(self.dissolved, 'story', 'stories')} dissolved")  # fmt: skip
        if self.stories:
            parts.append(self.stories)
        if self.decided:
            # Its decision stays on the emptied story: articles that count again form a new one.
            parts.append(f"emptied, with an editor's decision on it: {', '.join(self.decided)}")
        return "; ".join(parts)


def reanalysed(stored: Article, profile: Profile) -> Article:
    """The article as the analyse stage would judge its stored title and text now (a copy)."""
    art = Article(
        url=stored.url, canonical_url=stored.canonical_url, content_hash=stored.content_hash,
        title=stored.title, text=stored.text, outlet=stored.outlet,
        outlet_country=stored.outlet_country, author=stored.author, published=stored.published,
        published_offset=stored.published_offset, language=stored.language,
        source=stored.source, id=stored.id, original_title=stored.original_title,
        parent_url=stored.parent_url, dated=stored.dated,
        warnings=[w for w in stored.warnings if not _STEP_FAILED.match(w)],
        explanations={k: v for k, v in stored.explanations.items()
                      if k not in _STEP_EXPLANATIONS},
    )  # fmt: skip
    art.relevance = relevance.score(art.text, profile, title=art.title)
    # The day the analyse stage gave: the page's date, else its fetch's (the row's ``dated``).
    _understand(art, profile, stored.published or stored.dated or date.today())
    return art


Progress = Callable[[int], None]


def reanalyse(
    engine: sa.Engine,
    profile: Profile,
    *,
    since: date | None = None,
    until: date | None = None,
    batch: int = BATCH,
    planned: Progress | None = None,
    progress: Progress | None = None,
    report: ReanalyseReport | None = None,
) -> ReanalyseReport:
    """Analyse the period's stored articles again (all of them without a period) and write
    what changed back in place; then group the days whose relevance changed.

    ``planned`` hears how many articles there are, ``progress`` how many each batch did.
    ``report`` is filled as batches commit, so a caller stopped midway knows what was done.
    """
    report = report if report is not None else ReanalyseReport()
    with engine.connect() as conn:
        persist.require_profile(conn, profile.name)  # relevance is judged by this profile
        if planned:
            planned(analysis.count_in_period(conn, since, until))
    after = 0
    while True:
        with engine.connect() as conn:
            stored = analysis.articles_after(conn, after, batch, since, until)
        if not stored:
            break
        after = int(stored[-1].id or 0)
        fresh = [reanalysed(art, profile) for art in stored]
        changed = [
            (old, new)
            for old, new in zip(stored, fresh, strict=True)
            if not analysis.same_analysis(old, new)
        ]
        if changed:
            with persist.writing(engine) as conn:
                _write(conn, profile, changed, report)
        report.articles += len(stored)
        if progress:
            progress(len(stored))
    from mediadigest.stories import grouping  # scikit-learn: not before the analysis is done

    # And the days of relevant articles no story holds: a run stopped while it grouped left
    # them so, and the run again found nothing changed (its days were that run's).
    with engine.connect() as conn:
        days = report.days | {
            d for d in grouping.unplaced_days(conn, profile)
            if (since is None or d >= since) and (until is None or d <= until)
        }  # fmt: skip
    if days:
        done = grouping.update_days(engine, profile, days)
        if done.articles:
            report.stories = done.summary()
    return report


def _write(
    conn: sa.Connection,
    profile: Profile,
    changed: Sequence[tuple[Article, Article]],
    report: ReanalyseReport,
) -> None:
    """One batch's new analyses, and what they change in stories, in the caller's transaction."""
    analysis.rewrite(conn, [new for _, new in changed])
    report.changed += len(changed)
    for old, new in changed:
        if old.relevance.relevant != new.relevance.relevant:
            report.up += new.relevance.relevant
            report.down += old.relevance.relevant
        moved = old.relevance.relevant != new.relevance.relevant or (
            (old.relevance.score > 0) != (new.relevance.score > 0)
        )
        if moved and new.dated is not None:
            report.days.add(new.dated.date())
    _follow_in_stories(conn, profile, [new for _, new in changed], report)


def _follow_in_stories(
    conn: sa.Connection, profile: Profile, arts: Sequence[Article], report: ReanalyseReport
) -> None:
    """The story rows of re-analysed articles agree with their new analysis (see the module)."""
    sa_ = persist.story_articles
    by_id = {art.id: art for art in arts}
    rows = conn.execute(
        sa.select(sa_.c.article_id, sa_.c.story_id, sa_.c.via_story, sa_.c.themes).where(
            sa_.c.profile == profile.name, sa_.c.article_id.in_(list(by_id))
        )
    ).all()
    gone, touched, changed = [], set(), set()
    for row in rows:
        art = by_id[row.article_id]
        if art.relevance.score <= 0 and not art.relevance.relevant:
            gone.append(row.article_id)
            touched.add(row.story_id)
            continue
        via = not art.relevance.relevant
        themes = article_themes(art, profile)[:3]
        if via != row.via_story or themes != list(row.themes or []):
            conn.execute(
                sa.update(sa_)
                .where(sa_.c.profile == profile.name, sa_.c.article_id == row.article_id)
                .values(via_story=via, themes=themes)
            )
            changed.add(row.story_id)
        if via:
            touched.add(row.story_id)
    if gone:
        conn.execute(
            sa.delete(sa_).where(sa_.c.profile == profile.name, sa_.c.article_id.in_(gone))
        )
        report.left_stories += len(gone)
    for story_id in sorted(touched):
        _dissolve_without_relevant(conn, profile, story_id, report)
    if touched | changed:
        # What the web app's story cache keys on: its pages showed an emptied story until
        # something else changed the store.
        s = persist.stories
        conn.execute(
            sa.update(s).where(s.c.id.in_(sorted(touched | changed))).values(updated_at=utcnow())
        )


def _dissolve_without_relevant(
    conn: sa.Connection, profile: Profile, story_id: int, report: ReanalyseReport
) -> None:
    """Take every article out of a story none of whose articles is relevant on its own: its
    passing mentions were relevant only through articles that no longer are. The story's row
    stays (editors' decisions and logs name it); with no articles it is in no period."""
    sa_, a = persist.story_articles, t.articles
    relevant = conn.execute(
        sa.select(sa_.c.article_id)
        .select_from(sa_.join(a, a.c.id == sa_.c.article_id))
        .where(sa_.c.story_id == story_id, a.c.relevant.is_(True))
        .limit(1)
    ).first()
    if relevant is not None:
        return
    conn.execute(sa.delete(sa_).where(sa_.c.story_id == story_id))
    # Emptied here or by its articles' leaving just before (it counted none such before).
    report.dissolved += 1
    s = persist.stories
    row = conn.execute(
        sa.select(s.c.title, s.c.pinned, s.c.hidden).where(s.c.id == story_id)
    ).first()
    if row is not None and (row.pinned or row.hidden):
        flag = "pinned" if row.pinned else "hidden"
        report.decided.append(f"story {story_id} “{row.title}” ({flag})")
