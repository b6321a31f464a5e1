"""JSON digest: ``{"period": {...}, "intro": ..., "items": [...]}`` with evidence spans."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from mediadigest.model import Digest, DigestItem, Quote


def item_to_dict(item: DigestItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "headline": item.headline,
        "outlet": item.outlet,
        "outlet_country": item.outlet_country,
        "published": item.published.isoformat() if item.published else None,
        "author": item.author,
        "attribution": item.attribution,
        "summary": list(item.summary),
        "quote": _quote(item.quote),
        "themes": list(item.themes),
        "sources": list(item.sources),
        "evidence": list(item.evidence),
        "article_id": item.article_id,
        "story_id": item.story_id,
        "kind": item.kind,
        "language": item.language,
        "written_from": item.written_from,
        "written_by": item.written_by,
        "note": item.note,
        "also": item.also,
        "framing": item.framing,
        "status": item.status,
        "score": item.score,
        "why": list(item.reasons),
    }
    if item.edited:  # only then, as the web's drafts have it (docs/digest-json.md)
        data["edited"] = True
    return data


def _quote(quote: Quote | None) -> dict[str, Any] | None:
    if quote is None:
        return None
    data = {"text": quote.text, "speaker": quote.speaker}
    if quote.role:  # only then: an item without one reads as digests stored before roles
        data["role"] = quote.role
    return data


def to_dict(digest: Digest) -> dict[str, Any]:
    return {
        "period": {"from": digest.period_from.isoformat(), "to": digest.period_to.isoformat()},
        "profile": digest.profile,
        "intro": digest.intro,
        "trend": digest.trend,
        "writer": digest.writer,
        "notes": list(digest.notes),
        "items": [item_to_dict(i) for i in digest.items],
    }


def to_json(digest: Digest) -> str:
    return json.dumps(to_dict(digest), ensure_ascii=False, indent=2) + "\n"


# Whether an editor wrote the intro or the week-over-week line (the web app's drafts keep
# them, and an intro not edited is written again from the items); only where true.
EDITED_FLAGS = ("intro_edited", "trend_edited")


def stored_dict(content: dict[str, Any]) -> dict[str, Any]:
    """A stored digest (a draft, a published version) in the shape of docs/digest-json.md,
    as the API and every JSON export give it: the same JSON for the same version. The
    editors' ``intro_edited`` and ``trend_edited`` are kept, only where true."""
    data = to_dict(from_dict(content))
    data.update({flag: True for flag in EDITED_FLAGS if content.get(flag)})
    return data


def stored_json(content: dict[str, Any]) -> str:
    """``stored_dict`` written as ``to_json`` writes a digest."""
    return json.dumps(stored_dict(content), ensure_ascii=False, indent=2) + "\n"


def item_from_dict(data: dict[str, Any]) -> DigestItem:
    """The item a JSON item stands for (quote offsets are not in the JSON: they read 0, 0)."""
    quote = data.get("quote")
    published = data.get("published")
    return DigestItem(
        headline=data.get("headline", ""),
        outlet=data.get("outlet"),
        outlet_country=data.get("outlet_country"),
        published=date.fromisoformat(published) if published else None,
        author=data.get("author"),
        summary=list(data.get("summary", [])),
        quote=Quote(quote["text"], quote.get("speaker"), 0, 0, role=quote.get("role"))
        if quote
        else None,
        attribution=data.get("attribution", ""),
        themes=list(data.get("themes", [])),
        sources=list(data.get("sources", [])),
        evidence=list(data.get("evidence", [])),
        article_id=data.get("article_id"),
        story_id=data.get("story_id"),
        kind=data.get("kind", "news"),
        written_from=data.get("written_from", "text"),
        written_by=data.get("written_by", "extractive"),
        note=data.get("note"),
        also=data.get("also"),
        framing=data.get("framing"),
        reasons=list(data.get("why", [])),
        status=data.get("status", "new"),
        score=float(data.get("score", 0.0)),
        edited=bool(data.get("edited")),
        language=data.get("language") or None,
    )


def from_dict(data: dict[str, Any]) -> Digest:
    """The Digest a stored JSON digest (a published version, a draft) stands for."""
    return Digest(
        period_from=date.fromisoformat(data["period"]["from"]),
        period_to=date.fromisoformat(data["period"]["to"]),
        intro=data.get("intro", ""),
        items=[item_from_dict(i) for i in data.get("items", [])],
        profile=data.get("profile", "kazakhstan"),
        trend=data.get("trend", ""),
        writer=data.get("writer", "extractive"),
        notes=list(data.get("notes", [])),
    )
