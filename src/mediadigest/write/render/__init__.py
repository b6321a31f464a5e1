"""Render a Digest: Markdown, e-mail HTML, JSON (DESIGN.md shape), Atom, DOCX."""

from __future__ import annotations

import contextlib
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from mediadigest.errors import MediadigestError
from mediadigest.model import Digest
from mediadigest.targets import refuse_store_target
from mediadigest.write.render.atom import single as to_atom_single
from mediadigest.write.render.atom import to_atom
from mediadigest.write.render.docx import to_docx
from mediadigest.write.render.html import to_html
from mediadigest.write.render.json import from_dict, stored_dict, stored_json, to_dict, to_json
from mediadigest.write.render.markdown import to_markdown

__all__ = [
    "Format",
    "default_name",
    "from_dict",
    "render",
    "render_stored",
    "stored_dict",
    "to_atom",
    "to_dict",
    "to_docx",
    "to_html",
    "to_json",
    "to_markdown",
    "write_file",
]


class Format(StrEnum):
    md = "md"
    html = "html"
    json = "json"
    atom = "atom"
    docx = "docx"

    @property
    def binary(self) -> bool:
        return self is Format.docx


def render(
    digest: Digest, fmt: Format, *, publisher: str | None = None, page: str | None = None
) -> str | bytes:
    """The digest in ``fmt``: text, or bytes for DOCX (``publisher``: its author, as the
    settings name who selects; the other formats say it in the intro). ``page``: the web page
    of the digest that lists every source (a published version's public page), which an
    item's "and 3 more" links to; None: plain words."""
    match Format(fmt):
        case Format.md:
            return to_markdown(digest, page=page)
        case Format.html:
            return to_html(digest, page=page)
        case Format.json:
            return to_json(digest)
        case Format.atom:
            return to_atom_single(digest)
        case Format.docx:
            return to_docx(digest, publisher=publisher, page=page)


def render_stored(
    content: dict[str, Any], fmt: Format, *, publisher: str | None = None, page: str | None = None
) -> str | bytes:
    """A stored digest (a published version, a draft) in ``fmt``: the web's exports and
    ``digest --published``. Its JSON is ``stored_dict``'s, as the API gives it."""
    if Format(fmt) is Format.json:
        return stored_json(content)
    return render(from_dict(content), fmt, publisher=publisher, page=page)


def default_name(digest: Digest, fmt: Format) -> str:
    """The file name ``-o FOLDER/`` writes: ``digest-kazakhstan-2025-12-15_2025-12-21.md``."""
    first, last = digest.period_from.isoformat(), digest.period_to.isoformat()
    period = first if first == last else f"{first}_{last}"
    profile = re.sub(r"[^\w.-]+", "-", digest.profile).strip(".-") or "profile"  # no "/", ".."
    return f"digest-{profile}-{period}.{Format(fmt).value}"


def write_file(
    digest: Digest,
    fmt: Format,
    path: Path,
    *,
    folder: bool = False,
    publisher: str | None = None,
    page: str | None = None,
    stored: dict[str, Any] | None = None,
) -> Path:
    """Write the digest to ``path`` and return the file written.

    A ``path`` that is a folder, or that names one (``folder``: it was given with a trailing
    slash), gets ``default_name`` inside it, as ``cp FILE DIR/`` does; missing folders are
    made; a store (an SQLite database) or a file beside one is never replaced. The file is
    written whole or not at all: a crash never leaves half a digest behind,
    and a failure leaves no temporary file. A path that cannot be written is a
    MediadigestError naming it. ``publisher``, ``page``: as for ``render``; ``stored``: the
    stored digest ``digest`` was read from (a published version), written by ``render_stored``.
    """
    path = Path(path)
    if folder or path.is_dir():
        path = path / default_name(digest, fmt)
    refuse_store_target(path)
    if stored is not None:
        body = render_stored(stored, fmt, publisher=publisher, page=page)
    else:
        body = render(digest, fmt, publisher=publisher, page=page)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            tmp.write_bytes(body)
        else:
            tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # e.g. its folder could not be made
            tmp.unlink()
        raise MediadigestError(f"{path}: cannot write ({_reason(exc, path)})") from exc
    return path


def _reason(exc: OSError, path: Path) -> str:
    # mkdir says only "File exists" or "Not a directory": name the file in the way.
    found = next((p for p in path.parents if p.exists()), None)
    if found is not None and not found.is_dir():
        return f"{found} is a file, not a folder"
    return exc.strerror or str(exc)
