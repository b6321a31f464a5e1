"""The week-over-week line: new vs continuing stories, themes up or down against four weeks.

Computed from the store's numbers only, so it never says more than they do: a theme is "up"
when this period's relevant articles on it are at least 50% and 3 articles above the mean of
the four periods before, "down" likewise below.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from mediadigest.model import Story
from mediadigest.profile import Profile
from mediadigest.stories import persist
from mediadigest.stories.rank import themes_in_story
from mediadigest.write import style

__all__ = ["continuing", "theme_counts", "week_over_week"]

WEEKS = 4
MIN_CHANGE = 3  # articles: below this a swing is noise, whatever the ratio


def continuing(story: Story, since: date) -> bool:
    """Whether a story goes on from before the period: it began before ``since``, or the
    ranking found it continues or resembles an item of the last published digest (its `why`
    says which). A follow-up a week later is often a story of its own, grouping joining
    only reports days apart; the item's status and this line count it as the `why` tells it."""
    return bool(story.first_seen and story.first_seen.date() < since) or story.follows_last


def theme_counts(stories: Sequence[Story], profile: Profile) -> Counter[str]:
    """Relevant reports per main theme (each counts once, for its first theme)."""
    counts: Counter[str] = Counter()
    for story in stories:
        for art in story.reports:
            found = themes_in_story(story, art, profile) if art.relevance.relevant else []
            if found:
                counts[found[0]] += 1
    return counts


def _label(profile: Profile, name: str) -> str:
    return style.theme_label(profile, name)


def week_over_week(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    stories: Sequence[Story],
    last_items: Sequence[dict],
) -> str:
    """``Of 9 stories, 6 are new and 3 continue; coverage of energy rose (12 against 5).``"""
    if not stories:
        return ""
    earlier = {i.get("story_id") for i in last_items if i.get("story_id") is not None}
    going_on = sum(1 for s in stories if continuing(s, since) or s.id in earlier)
    n = len(stories)
    days = (until - since).days + 1
    weekly = style.weekly(since, until)  # as the intro says it
    line = (
        f"Of {n} stor{'ies' if n != 1 else 'y'} {'this week' if weekly else 'in this period'}, "
        f"{n - going_on} {'are' if n - going_on != 1 else 'is'} new and {going_on} "
        f"continue{'s' if going_on == 1 else ''} from before"
    )
    now = theme_counts(stories, profile)
    start = datetime.combine(since, time.min)
    before = persist.theme_counts(conn, profile.name, start - timedelta(days=days * WEEKS), start)
    if not before:
        return line + "."
    moves = []
    for name in sorted(set(now) | set(before), key=lambda t: -abs(now[t] - before[t] / WEEKS)):
        mean = before[name] / WEEKS
        if abs(now[name] - mean) < MIN_CHANGE or not (
            now[name] >= 1.5 * mean or now[name] <= mean / 1.5
        ):
            continue
        way = "rose" if now[name] > mean else "fell"
        moves.append(
            f"coverage of {_label(profile, name)} {way} ({now[name]} articles against "
            f"{'a four-week average' if weekly else 'an average over the four periods before'}"
            f" of {mean:.0f})"
        )
    return f"{line}; {' and '.join(moves[:2])}." if moves else f"{line}."
