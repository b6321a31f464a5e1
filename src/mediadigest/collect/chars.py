"""Collect stage: the characters no stored text may hold, taken out where documents are made.

A NUL or another C0 control (a .txt title, a JSON Feed's "\\u0000", an RSS "&#1;") means
nothing in a text, makes an Atom feed or a DOCX built from it ill-formed, and PostgreSQL
refuses a NUL in a text column; a lone surrogate (a JSON escape such as "\\udfff") cannot be
written as UTF-8 at all, so storing it failed the whole feed or file.
"""

from __future__ import annotations

import re

__all__ = ["storable"]

# Tab, newline and carriage return stay: they are the text's own layout.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` without C0 controls (tab and newlines kept), a lone surrogate made U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
