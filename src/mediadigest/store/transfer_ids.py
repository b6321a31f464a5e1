"""The row ids inside a digest's JSON, pointed at the same rows in a store an export goes to.

A digest, draft or published edition holds ids of the store that wrote it: each item's
``article_id`` and ``story_id``, its evidence's ``article_id``, its sources' ``copy_of``. An
import learns which exported id is which row here (``ArticleIds``; stories by their ``ref``)
and rewrites them (``remap_digest``); an id the file does not carry becomes null.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleIds:
    """The exporting store's article ids, learned from an import, and the ids here they name.

    An article record carries its exporting id (``ref``). Files written before it did carry
    none; there an id is known only where the file pairs it with a URL (an item's
    ``article_id`` with its first source, the lead report: "anchors") or lies between two
    anchors with as many articles between them in the file as ids: articles are exported in
    id order, so no id between them is missing. Any other id of such a file stays unknown.
    """

    refs: dict[int, int] = field(default_factory=dict)  # exported id -> id here
    placed: list[int] = field(default_factory=list)  # id here of each refless record, in order
    places: dict[str, int] = field(default_factory=dict)  # its URL -> its place (0: not unique)
    leads: dict[int, str | None] = field(default_factory=dict)  # id -> URL (None: not unique)

    def learn(self, ref: int | None, url: str | None, here: int) -> None:
        """One article record of the file, stored (or found) here as ``here``."""
        if ref is not None:
            self.refs[int(ref)] = here
            return
        self.placed.append(here)
        if url is not None:
            self.places[url] = 0 if url in self.places else len(self.placed)

    def note(self, content: Any) -> None:
        """Pair each item's article id with its lead report's URL (for files without refs)."""
        for item in _items(content):
            sources = item.get("sources")
            first = sources[0] if isinstance(sources, list) and sources else None
            url = first.get("url") if isinstance(first, dict) else None
            old = _id(item.get("article_id"))
            if old is not None and url:
                self.leads[old] = url if self.leads.get(old, url) == url else None

    def resolver(self) -> Callable[[int], int | None]:
        """The id here of an exported article id, or None where it cannot be known."""
        if self.refs or not self.placed:
            return self.refs.get
        found = ((old, self.places.get(url or "", 0)) for old, url in self.leads.items())
        anchors = [(0, 0), *sorted((old, place) for old, place in found if place)]
        olds = [old for old, _ in anchors]

        def here(old: int) -> int | None:
            i = bisect_left(olds, old)
            if old <= 0 or i == len(anchors):
                return None
            if olds[i] == old:
                return self.placed[anchors[i][1] - 1]
            (low, at_low), (high, at_high) = anchors[i - 1], anchors[i]
            if low - at_low != high - at_high:
                return None  # some ids between the two anchors were never exported
            return self.placed[old - (low - at_low) - 1]

        return here


def remap_digest(
    content: Any, article: Callable[[int], int | None], story: Callable[[int], int | None]
) -> int:
    """Point the ids in a digest's JSON at rows here, in place; returns how many were set to
    null because nothing here answers to them. 0 and "" (no article) stay as they are."""
    cleared = 0

    def swap(holder: Any, key: str, lookup: Callable[[int], int | None]) -> None:
        nonlocal cleared
        old = _id(holder.get(key)) if isinstance(holder, dict) else None
        if old is None:
            return
        new = lookup(old)
        if new is None:
            cleared += 1
        # Digests stored before held copy_of as a string; readers take both.
        holder[key] = new if new is None or not isinstance(holder[key], str) else str(new)

    for item in _items(content):
        swap(item, "article_id", article)
        swap(item, "story_id", story)
        for evidence in item.get("evidence") or []:
            swap(evidence, "article_id", article)
        for source in item.get("sources") or []:
            swap(source, "copy_of", article)
    return cleared


def _items(content: Any) -> list[dict[str, Any]]:
    items = content.get("items") if isinstance(content, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _id(value: Any) -> int | None:
    """A row id held in a digest's JSON (an int, or a string of digits), or None for none."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    if isinstance(value, str) and not value.strip().isdecimal():
        return None
    return int(value) or None
