"""Render a Digest: Markdown, e-mail HTML, JSON (DESIGN.md shape), Atom, DOCX."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from mediadigest.model import Digest
from mediadigest.write.render.atom import single as to_atom_single
from mediadigest.write.render.atom import to_atom
from mediadigest.write.render.docx import to_docx
from mediadigest.write.render.html import to_html
from mediadigest.write.render.json import from_dict, to_dict, to_json
from mediadigest.write.render.markdown import to_markdown

__all__ = [
    "Format",
    "from_dict",
    "render",
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


def render(digest: Digest, fmt: Format) -> str | bytes:
    """The digest in ``fmt``: text, or bytes for DOCX."""
    match Format(fmt):
        case Format.md:
            return to_markdown(digest)
        case Format.html:
            return to_html(digest)
        case Format.json:
            return to_json(digest)
        case Format.atom:
            return to_atom_single(digest)
        case Format.docx:
            return to_docx(digest)


def write_file(digest: Digest, fmt: Format, path: Path) -> None:
    """Write atomically so a crash never leaves half a digest behind."""
    body = render(digest, fmt)
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(body, bytes):
        tmp.write_bytes(body)
    else:
        tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)
