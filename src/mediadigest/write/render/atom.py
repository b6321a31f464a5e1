"""Atom feed of published digests (RFC 4287): one entry per digest, its HTML body as content."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from xml.etree import ElementTree as ET

from mediadigest.model import Digest
from mediadigest.write.render.html import fragment, xml_safe
from mediadigest.write.render.markdown import title

ATOM = "http://www.w3.org/2005/Atom"


def _entry_id(digest: Digest, version: int) -> str:
    # tag: URIs (RFC 4151) are stable without a web site: profile, period and version.
    return (
        f"tag:mediadigest,{digest.period_from.isoformat()}:{digest.profile}/"
        f"{digest.period_from.isoformat()}/{digest.period_to.isoformat()}/v{version}"
    )


def _stamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_atom(
    digests: Sequence[tuple[Digest, int, datetime]],
    *,
    feed_title: str = "mediadigest: foreign media digests",
    link: str | None = None,
    pages: Sequence[str] | None = None,
) -> str:
    """The feed; ``digests`` are (digest, version, published at), newest first.

    ``link``: the feed's own address; ``pages``: each digest's web page, in the same order,
    its entry's ``alternate`` link, so a feed reader can open the digest on the web.
    """
    if pages is not None and len(pages) != len(digests):
        raise ValueError(f"{len(pages)} pages for {len(digests)} digests")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    profile = digests[0][0].profile if digests else "mediadigest"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"tag:mediadigest,2025:{profile}/digests"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = feed_title
    newest = max((at for _, _, at in digests), default=datetime(2025, 1, 1, tzinfo=UTC))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(newest)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "mediadigest"
    if link:
        ET.SubElement(feed, f"{{{ATOM}}}link", href=link, rel="self")
    for k, (digest, version, at) in enumerate(digests):
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _entry_id(digest, version)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = title(digest)
        if pages is not None:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                          href=pages[k])  # fmt: skip
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(at)
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = digest.intro
        ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = fragment(digest)
    # ElementTree writes control characters as they are: the feed would not be XML.
    body = xml_safe(ET.tostring(feed, encoding="unicode"))
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


def single(digest: Digest) -> str:
    """A feed with one entry: the digest as if published at the end of its period."""
    at = datetime.combine(digest.period_to, time(12), tzinfo=UTC)
    return to_atom([(digest, 1, at)])
