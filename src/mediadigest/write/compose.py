"""Compose a period's digest from stored articles: pick, attribute, summarise, introduce."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mediadigest import store
from mediadigest.model import Article, Digest, DigestItem, Quote
from mediadigest.profile import Profile
from mediadigest.write import style
from mediadigest.write.summarise import lead_sentences

DEFAULT_SIZE = 10


def build_digest(
    conn: sa.Connection, profile: Profile, since: date, until: date, *, size: int = DEFAULT_SIZE
) -> Digest:
    """The digest for ``since``..``until`` (inclusive): the most relevant article per story."""
    candidates = store.list_articles(
        conn, relevant_only=True, since=since, until=until, order="score"
    )
    picked = _one_per_story(candidates)[:size]
    items = [compose_item(a, profile) for a in picked]
    return Digest(since, until, intro(items, profile, since, until), items, profile.name)


def _one_per_story(articles: list[Article]) -> list[Article]:
    """v0 grouping: the same URL or the same headline is one story (the first, most relevant)."""
    seen: set[str] = set()
    out: list[Article] = []
    for art in articles:
        keys = {art.canonical_url, " ".join(art.title.casefold().split())}
        if keys & seen:
            continue
        seen |= keys
        out.append(art)
    return out


def compose_item(art: Article, profile: Profile) -> DigestItem:
    """One digest item: headline, attribution line, lead sentences, a verified quote."""
    summary = lead_sentences(art.text)
    quote = pick_quote(art)
    return DigestItem(
        headline=art.title,
        outlet=art.outlet,
        outlet_country=art.outlet_country,
        published=art.published.date() if art.published else None,
        author=art.author,
        summary=[s.text for s in summary],
        quote=quote,
        attribution=attribution(art, profile),
        sources=[{"url": art.url, "outlet": art.outlet or ""}],
        evidence=[
            {"sentence": i, "article_id": art.id or 0, "start": s.start, "end": s.end}
            for i, s in enumerate(summary)
        ],
        article_id=art.id,
    )


def attribution(art: Article, profile: Profile) -> str:
    """``China's Global Times published an article on Dec. 4 by Jane Doe.``"""
    outlet = style.outlet_name(art.outlet, art.outlet_country, profile.country_code)
    when = f" on {style.day(art.published.date())}" if art.published else ""
    if art.author:
        return f"{outlet} published an article{when} by {art.author}."
    return f"{outlet} reported{when}."


def pick_quote(art: Article) -> Quote | None:
    """The longest quote with a named speaker that is, word for word, in the article's text."""
    for q in sorted(art.quotes, key=lambda q: -len(q.text)):
        if q.speaker and art.text[q.start : q.end] == q.text:
            return q
    return None


def intro(items: list[DigestItem], profile: Profile, since: date, until: date) -> str:
    """The opening paragraph naming the period, the outlets and the stories."""
    if not items:
        return f"No articles about {profile.country} were found for {style.period(since, until)}."
    outlets = {i.outlet for i in items if i.outlet}
    head = (
        f"mediadigest has selected {len(items)} key article{'s' if len(items) != 1 else ''} "
        f"from {len(outlets) or 'several'} international media outlet"
        f"{'s' if len(outlets) != 1 else ''} covering {profile.country} "
        f"for {style.period(since, until)}."
    )
    named = [f"“{i.headline}”" for i in items[:4]]
    if len(named) == 1:
        return f"{head} This week’s digest features {named[0]}."
    return f"{head} This week’s digest features {', '.join(named[:-1])} and {named[-1]}."
