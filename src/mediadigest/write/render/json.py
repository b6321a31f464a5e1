"""JSON digest: ``{"period": {...}, "intro": ..., "items": [...]}`` with evidence spans."""

from __future__ import annotations

import json
from typing import Any

from mediadigest.model import Digest, DigestItem


def item_to_dict(item: DigestItem) -> dict[str, Any]:
    return {
        "headline": item.headline,
        "outlet": item.outlet,
        "outlet_country": item.outlet_country,
        "published": item.published.isoformat() if item.published else None,
        "author": item.author,
        "attribution": item.attribution,
        "summary": list(item.summary),
        "quote": {"text": item.quote.text, "speaker": item.quote.speaker} if item.quote else None,
        "themes": list(item.themes),
        "sources": list(item.sources),
        "evidence": list(item.evidence),
        "article_id": item.article_id,
    }


def to_dict(digest: Digest) -> dict[str, Any]:
    return {
        "period": {"from": digest.period_from.isoformat(), "to": digest.period_to.isoformat()},
        "profile": digest.profile,
        "intro": digest.intro,
        "items": [item_to_dict(i) for i in digest.items],
    }


def to_json(digest: Digest) -> str:
    return json.dumps(to_dict(digest), ensure_ascii=False, indent=2) + "\n"
