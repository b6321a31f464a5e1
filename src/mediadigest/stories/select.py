"""Pick the digest's stories: editors' pins first, hidden never, then MMR across themes.

Maximal marginal relevance: each next story is the one whose score, less its likeness to the
stories already picked (shared themes, shared headline words, shared names), is highest; so a
week with five energy stories and one on education still shows the education story. MMR
decides which stories are in; their order is by score, as an editor orders by importance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mediadigest.model import Story
from mediadigest.stories.anchors import article_names, fold
from mediadigest.stories.cluster import ClusterParams, name_vectors
from mediadigest.stories.rank import words

__all__ = ["Selection", "select"]

MAX_ITEMS = 10
MIN_ITEMS = 6


@dataclass(slots=True, frozen=True)
class Selection:
    """How many items and how much diversity: ``size`` at most, ``minimum`` when there are."""

    size: int = MAX_ITEMS
    minimum: int = MIN_ITEMS
    diversity: float = 0.3  # lambda of MMR: 0 is pure score, 1 pure novelty among the picks
    floor: float = 0.3  # past ``minimum``, stories below this adjusted score are left out

    @classmethod
    def of_size(cls, size: int) -> Selection:
        """A digest of ``size`` items at most (and no more than that at least)."""
        return cls(size=size, minimum=min(MIN_ITEMS, size))


class _Likeness:
    """How alike two stories are: the most of shared themes, shared headline words (both
    Jaccard) and shared names.

    Names are compared in one spelling (`anchors.fold`) and weighted as clustering weighs
    them (`cluster.name_vectors`, over the stories at hand): the Russian report of a grain
    record, a story of its own with no theme and no headline word in common with the English
    one, was picked fourth of ten beside it; they share Aktau, which few stories name. A
    name every story gives (the president's) makes them little alike.
    """

    def __init__(self, stories: Sequence[Story]) -> None:
        self.row = {id(s): i for i, s in enumerate(stories)}
        self.titles = [words(s.title) for s in stories]
        names = [sorted({fold(n) for a in s.reports for n in article_names(a)} - {""})
                 for s in stories]  # fmt: skip
        x = name_vectors(names, ClusterParams().entity_prior)
        self.names = np.asarray((x @ x.T).todense())

    def __call__(self, a: Story, b: Story) -> float:
        ta, tb = set(a.themes), set(b.themes)
        themes = len(ta & tb) / max(len(ta | tb), 1)
        i, j = self.row[id(a)], self.row[id(b)]
        wa, wb = self.titles[i], self.titles[j]
        title = len(wa & wb) / max(len(wa | wb), 1)
        return max(themes, title, float(self.names[i, j]))


def select(stories: Sequence[Story], selection: Selection | None = None) -> list[Story]:
    """The stories for the digest, in digest order (pins as given, then the picks by score);
    each gets the reason it was chosen."""
    sel = selection or Selection()
    pool = [s for s in stories if not s.hidden]
    likeness = _Likeness(pool)
    pinned = [s for s in pool if s.pinned]
    picked = list(pinned)
    for s in picked:
        s.reasons.insert(0, "pinned by an editor")
    rest = [s for s in pool if not s.pinned]
    # Each candidate's likeness to its nearest pick, updated as picks are added.
    nearest: dict[int, tuple[float, Story | None]] = {id(s): (0.0, None) for s in rest}
    for p in picked:
        _update(nearest, rest, p, likeness)
    while rest and len(picked) < sel.size:
        best = max(rest, key=lambda s: (1 - sel.diversity) * s.score
                   - sel.diversity * nearest[id(s)][0])  # fmt: skip
        penalty, like = nearest[id(best)]
        value = (1 - sel.diversity) * best.score - sel.diversity * penalty
        if len(picked) >= sel.minimum and value < sel.floor * (1 - sel.diversity):
            break
        rest.remove(best)
        best.reasons.insert(0, _why(len(picked) + 1, len(pool), best, (like, penalty)))
        picked.append(best)
        _update(nearest, rest, best, likeness)
    # The penalty keeps a near-twin out, not behind a lesser story: an editors' walk found a
    # three-outlet story placed after a one-outlet one of a lower score that shared no theme
    # with the picks before it. Stable, so equal scores keep the order they were picked in.
    return pinned + sorted(picked[len(pinned) :], key=lambda s: -s.score)


def _update(
    nearest: dict[int, tuple[float, Story | None]],
    rest: list[Story],
    pick: Story,
    likeness: _Likeness,
) -> None:
    for s in rest:
        value = likeness(s, pick)
        if value > nearest[id(s)][0]:
            nearest[id(s)] = (value, pick)


def _why(position: int, total: int, story: Story, like: tuple[Story | None, float] | None) -> str:
    why = f"chosen {position} of {total} stories"
    nearest, penalty = like or (None, 0.0)
    if nearest is None or penalty == 0.0:
        new_themes = ", ".join(story.themes)
        return f"{why}{'; themes: ' + new_themes if new_themes else ''}"
    return f"{why}; kept despite likeness {penalty:.2f} to “{nearest.title}”"
