"""Render a Digest to Markdown or JSON (the shape in DESIGN.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from mediadigest.model import Digest
from mediadigest.write.render.json import to_dict, to_json
from mediadigest.write.render.markdown import to_markdown

__all__ = ["Format", "render", "to_dict", "to_json", "to_markdown", "write_file"]


class Format(StrEnum):
    md = "md"
    json = "json"


def render(digest: Digest, fmt: Format) -> str:
    return to_markdown(digest) if fmt is Format.md else to_json(digest)


def write_file(digest: Digest, fmt: Format, path: Path) -> None:
    """Write atomically so a crash never leaves half a digest behind."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(digest, fmt), encoding="utf-8")
    tmp.replace(path)
