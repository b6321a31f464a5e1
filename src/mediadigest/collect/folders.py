"""Collect stage, sources: the folder a source is filed in, as a path of names ("Russia/Business").

A path is what an OPML's ``category`` attribute holds (``/Russia/Business``) without its
leading slash: names joined by ``/``. A name cannot hold ``/`` itself; an outline named
"TV/Radio" is the folder Radio inside TV, as ``category="/TV/Radio"`` is. Names come from
files others wrote, so each is cleaned: blanks (tabs, line breaks) become one space, control
characters and the bidirectional overrides go, a name is cut to ``MAX_NAME`` characters and
a path to ``MAX_DEPTH`` folders. What cleaning changed is said in notes, never raised: one
odd folder name must not lose a press office's whole subscription list.
"""

from __future__ import annotations

import re

from mediadigest.errors import InputError

SEPARATOR = "/"
MAX_DEPTH = 10  # readers show two or three levels; a hundred is a broken or hostile file
MAX_NAME = 100  # characters of one name

# Control characters (C0, DEL, C1), lone surrogates, the non-characters XML cannot carry,
# and the bidirectional embeddings, overrides and isolates, with which a listed name reads as
# another (U+202E turns the rest of a terminal's line around).
_UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_BLANKS = re.compile(r"\s+")


def extend(path: tuple[str, ...], text: str, notes: dict[str, None]) -> tuple[str, ...]:
    """``path`` with the folders ``text`` names inside it ("Business", or "Russia/Business").

    Empty names (a blank outline, "Russia//Business") add no level. What cleaning changed is
    added to ``notes`` (an ordered set: a file with a thousand odd folders says so once each).
    """
    for part in text.split(SEPARATOR):
        name = _clean_name(part, notes)
        if not name:
            continue
        if len(path) >= MAX_DEPTH:
            notes[f"folders nested deeper than {MAX_DEPTH} levels are filed in the one at level "
                  f"{MAX_DEPTH}"] = None  # fmt: skip
            break
        path += (name,)
    return path


def _clean_name(text: str, notes: dict[str, None]) -> str:
    spaced = _BLANKS.sub(" ", text)  # first: tabs and line breaks are controls too
    name = _BLANKS.sub(" ", _UNSEEN.sub("", spaced)).strip()
    if _UNSEEN.search(spaced):
        notes[f"folder {_shown(name)}: control characters removed from its name"] = None
    if len(name) > MAX_NAME:
        notes[f"folder {_shown(name)}: name cut to {MAX_NAME} characters"] = None
        name = name[:MAX_NAME].rstrip()
    return name


def _shown(name: str) -> str:
    return repr(name if len(name) <= 40 else name[:40] + "…")


def clean(text: str | None, notes: dict[str, None] | None = None) -> str | None:
    """A folder path as stored: cleaned names joined by ``/``; None for no folder."""
    path = extend((), text or "", {} if notes is None else notes)
    return SEPARATOR.join(path) or None


def names(path: str | None) -> tuple[str, ...]:
    """The names of a stored path, outermost first, cleaned again: a store imported from an
    export file holds whatever that file said."""
    return extend((), path or "", {})


def check(text: str) -> str | None:
    """A path a user typed ("Russia/Business"; "" for none), or InputError("--folder", why):
    what a user typed is refused, not silently changed."""
    if _UNSEEN.search(text):
        raise InputError("--folder", f"{text!r} holds a control character")
    parts = [p.strip() for p in text.split(SEPARATOR) if p.strip()]
    if any(len(p) > MAX_NAME for p in parts):
        raise InputError("--folder", f"a folder's name is longer than {MAX_NAME} characters")
    if len(parts) > MAX_DEPTH:
        raise InputError("--folder", f"{text!r} is nested deeper than {MAX_DEPTH} folders")
    return clean(text)


def within(path: str | None, folder: str) -> bool:
    """Whether a source filed at ``path`` is in ``folder`` or one of its subfolders."""
    inside = names(folder)
    return names(path)[: len(inside)] == inside


def describe(path: str | None) -> str:
    """A path for a message: quoted, or "no folder"."""
    return repr(path) if path else "no folder"
