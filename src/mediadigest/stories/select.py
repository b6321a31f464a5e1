"""Pick the digest's stories: editors' pins first, hidden never, then MMR across themes.

Maximal marginal relevance: each next story is the one whose score, less its likeness to the
stories already picked (shared themes, shared headline words), is highest; so a week with five
energy stories and one on education still shows the education story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mediadigest.model import Story
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


def _likeness(a: Story, b: Story, titles: dict[int, set[str]]) -> float:
    themes = len(set(a.themes) & set(b.themes)) / max(len(set(a.themes) | set(b.themes)), 1)
    wa, wb = titles[id(a)], titles[id(b)]
    title = len(wa & wb) / max(len(wa | wb), 1)
    return max(themes, title)


def select(stories: Sequence[Story], selection: Selection | None = None) -> list[Story]:
    """The stories for the digest, in digest order; each gets the reason it was chosen."""
    sel = selection or Selection()
    pool = [s for s in stories if not s.hidden]
    titles = {id(s): words(s.title) for s in pool}
    picked = [s for s in pool if s.pinned]
    for s in picked:
        s.reasons.insert(0, "pinned by an editor")
    rest = [s for s in pool if not s.pinned]
    # Each candidate's likeness to its nearest pick, updated as picks are added.
    nearest: dict[int, tuple[float, Story | None]] = {id(s): (0.0, None) for s in rest}
    for p in picked:
        _update(nearest, rest, p, titles)
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
        _update(nearest, rest, best, titles)
    return picked


def _update(
    nearest: dict[int, tuple[float, Story | None]],
    rest: list[Story],
    pick: Story,
    titles: dict[int, set[str]],
) -> None:
    for s in rest:
        value = _likeness(s, pick, titles)
        if value > nearest[id(s)][0]:
            nearest[id(s)] = (value, pick)


def _why(position: int, total: int, story: Story, like: tuple[Story | None, float] | None) -> str:
    why = f"chosen {position} of {total} stories"
    nearest, penalty = like or (None, 0.0)
    if nearest is None or penalty == 0.0:
        new_themes = ", ".join(story.themes)
        return f"{why}{'; themes: ' + new_themes if new_themes else ''}"
    return f"{why}; kept despite likeness {penalty:.2f} to “{nearest.title}”"
