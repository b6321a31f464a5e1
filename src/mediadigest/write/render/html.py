"""HTML digest for e-mail: one centred table, inline CSS only, no scripts, no external files.

Mail clients drop <style> blocks and ignore most layout CSS, so every element carries its own
``style`` and the layout is a single 640-pixel table, as newsletters are built.
"""

from __future__ import annotations

import re
from html import escape

from mediadigest.model import Digest, DigestItem
from mediadigest.write.render.markdown import item_blocks, more, shown_sources, title

_FONT = "font-family:Georgia,'Times New Roman',serif;color:#1a1a1a;"
_BODY = f"{_FONT}font-size:16px;line-height:1.55;margin:0 0 12px 0;"
_HEAD = f"{_FONT}font-size:20px;line-height:1.3;margin:28px 0 8px 0;font-weight:bold;"
_TITLE = f"{_FONT}font-size:26px;line-height:1.25;margin:0 0 16px 0;"
_SMALL = "font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#555555;margin:0 0 12px 0;"
_QUOTE = f"{_BODY}font-style:italic;border-left:3px solid #c8a200;padding-left:12px;"
_LINK = "color:#0b5394;text-decoration:underline;"
_TABLE = 'role="presentation" cellpadding="0" cellspacing="0" border="0"'
# Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/F):
# an Atom feed with one is not XML, python-docx refuses them, HTML calls them parse errors,
# and a lone surrogate cannot be written as UTF-8. Stored text from a file or a feed can hold
# them (a NUL in a .txt title).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters no XML (nor HTML) document may hold."""
    return _NOT_XML.sub("", text)


def _item(item: DigestItem) -> str:
    out = [f'<h2 style="{_HEAD}">{escape(item.headline)}</h2>']
    for text, quoted in item_blocks(item):
        out.append(f'<p style="{_QUOTE if quoted else _BODY}">{escape(text)}</p>')
    if item.sources:
        links = ", ".join(_source_link(*s) for s in shown_sources(item.sources))
        out.append(f'<p style="{_SMALL}">Sources: {links}{more(item.sources)}</p>')
    return "\n".join(out)


def _source_link(label: str, url: str | None) -> str:
    """A link only for web addresses (``shown_sources``)."""
    if url is None:
        return escape(label)
    return f'<a href="{escape(url, quote=True)}" style="{_LINK}">{escape(label)}</a>'


def fragment(digest: Digest) -> str:
    """The digest's intro and items without the document around them: an Atom entry's content,
    which a feed reader shows inside its own page under the entry's title."""
    trend = f'<p style="{_SMALL}">{escape(digest.trend)}</p>' if digest.trend else ""
    items = "\n".join(_item(i) for i in digest.items)
    return xml_safe(f'<p style="{_BODY}">{escape(digest.intro)}</p>\n{trend}\n{items}')


def to_html(digest: Digest) -> str:
    """A complete HTML document that renders the same in Gmail, Outlook and Apple Mail."""
    heading = escape(xml_safe(title(digest)))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f4;">
<table {_TABLE} width="100%" style="background:#f4f4f4;">
<tr><td align="center" style="padding:24px 12px;">
<table {_TABLE} width="640" style="max-width:640px;width:100%;background:#ffffff;">
<tr><td style="padding:32px 36px;">
<h1 style="{_TITLE}">{heading}</h1>
{fragment(digest)}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""
