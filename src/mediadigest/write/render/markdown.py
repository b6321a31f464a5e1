"""Markdown digest in the house style: intro, then headline / attribution / summary / quote."""

from __future__ import annotations

from mediadigest.model import Digest, DigestItem, Quote
from mediadigest.write import style


def quote_line(quote: Quote) -> str:
    """``“…,” Meirzhan Yussupov said.`` or ``“…,” according to the author.``"""
    text = quote.text.rstrip()
    if text.endswith("."):
        text = text[:-1] + ","
    elif not text.endswith(("?", "!", ",")):
        text += ","
    speaker = quote.speaker or "the article"
    if speaker.casefold().startswith(("the ", "a ")):
        return f"“{text}” according to {speaker}."
    return f"“{text}” {speaker} said."


def _item(item: DigestItem) -> str:
    parts = [f"## {item.headline}", "", item.attribution]
    if item.summary:
        parts += ["", " ".join(item.summary)]
    if item.quote:
        parts += ["", quote_line(item.quote)]
    if item.sources:
        parts += ["", f"Source: <{item.sources[0]['url']}>"]
    return "\n".join(parts)


def to_markdown(digest: Digest) -> str:
    title = f"# Foreign media digest: {style.period(digest.period_from, digest.period_to)}"
    blocks = [title, digest.intro, *(_item(i) for i in digest.items)]
    return "\n\n".join(blocks) + "\n"
