"""The week-over-week line: new vs continuing stories, themes up or down against the weeks before.

Computed from the store's numbers only, so it never says more than they do: a theme is "up"
when this period's reports on it are at least 50% and 3 reports above their mean over the
(up to four) periods before that the store covers, "down" likewise below. A period before the
store's first article is no period of no news: it is left out of the mean, and the line says
over how many periods it averages; with none, it claims no rise or fall.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from mediadigest.model import Story
from mediadigest.profile import Profile
from mediadigest.stories import persist
from mediadigest.stories.rank import themes_in_story
from mediadigest.write import style

__all__ = ["continuing", "theme_counts", "week_over_week"]

WEEKS = 4  # periods before at most, that the mean is taken over
MIN_CHANGE = 3  # reports: below this a swing is noise, whatever the ratio


def continuing(story: Story, since: date) -> bool:
    """Whether a story goes on from before the period: it began before ``since``, or the
    ranking found it continues or resembles an item of the last published digest (its `why`
    says which). A follow-up a week later is often a story of its own, grouping joining
    only reports days apart; the item's status and this line count it as the `why` tells it."""
    return bool(story.first_seen and story.first_seen.date() < since) or story.follows_last


def theme_counts(stories: Sequence[Story], profile: Profile) -> Counter[str]:
    """Relevant reports per main theme (each counts once, for its first theme), copies left
    out: what `persist.theme_counts` counts of stored stories, for stories as they are in hand
    (those the store does not hold yet)."""
    counts: Counter[str] = Counter()
    for story in stories:
        for art in story.articles:
            if art.id in story.duplicates or not art.relevance.relevant:
                continue
            found = themes_in_story(story, art, profile)
            if found:
                counts[found[0]] += 1
    return counts


def _label(profile: Profile, name: str) -> str:
    return style.theme_label(profile, name)


def _covered(first: datetime | None, start: datetime, days: int) -> int:
    """How many of the ``WEEKS`` periods before ``start`` the store covers whole: its first
    article dated by the end of the period's first day. A period before it would read as
    one without news, and one it began in midweek as a whole week of little."""
    if first is None:
        return 0
    return sum(
        1
        for k in range(1, WEEKS + 1)
        if first < start - timedelta(days=days * k) + timedelta(days=1)
    )


def _mean(total: int, periods: int) -> str:
    """``10``, ``4.5``, ``3.3``: whole where it is, else one decimal, half up (``:.0f`` made
    4.5 "4" and 3.5 "4")."""
    value = (Decimal(total) / Decimal(periods)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value}"


def _against(mean: str, periods: int, weekly: bool) -> str:
    """``an average of 10 over the previous 2 weeks``, ``12 the week before``."""
    unit = "week" if weekly else "period"
    if periods == 1:
        return f"{mean} the {unit} before"
    return f"an average of {mean} over the previous {periods} {unit}s"


def week_over_week(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    stories: Sequence[Story],
    last_items: Sequence[dict],
) -> str:
    """``Of 9 stories this week, 6 are new and 3 continue from before; coverage of energy rose
    (12 reports mainly on it against an average of 5 over the previous 4 weeks).``

    Both sides count alike (`persist.theme_counts`): each distinct report once, under its
    main theme, in the week of its first capture; so the numbers are reports, not the
    articles `mediadigest coverage` counts (copies included, under every theme).
    """
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
    start = datetime.combine(since, time.min)
    periods = _covered(persist.first_dated(conn), start, days)
    if not periods:
        return line + "."
    before = persist.theme_counts(conn, profile.name, start - timedelta(days=days * periods), start)
    if not before:
        return line + "."
    end = start + timedelta(days=days)
    stored = {s.id for s in stories if s.id is not None}
    now = persist.theme_counts(conn, profile.name, start, end, story_ids=stored)
    now += theme_counts([s for s in stories if s.id is None], profile)
    moves = []
    for name in sorted(set(now) | set(before), key=lambda t: -abs(now[t] - before[t] / periods)):
        mean = before[name] / periods
        if abs(now[name] - mean) < MIN_CHANGE or not (
            now[name] >= 1.5 * mean or now[name] <= mean / 1.5
        ):
            continue
        way = "rose" if now[name] > mean else "fell"
        moves.append(
            f"coverage of {_label(profile, name)} {way} ({now[name]} "
            f"report{'s' if now[name] != 1 else ''} mainly on it against "
            f"{_against(_mean(before[name], periods), periods, weekly)})"
        )
    return f"{line}; {' and '.join(moves[:2])}." if moves else f"{line}."
