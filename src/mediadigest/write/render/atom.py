"""Atom feed of published digests (RFC 4287): one entry per period, its HTML body as content."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, time
from urllib.parse import quote
from xml.etree import ElementTree as ET

from mediadigest.model import Digest
from mediadigest.write.render.html import fragment, xml_safe
from mediadigest.write.render.markdown import title

ATOM = "http://www.w3.org/2005/Atom"


# What a tag: URI's specific part may hold as it is (RFC 4151, RFC 3987's ipchar) besides
# letters and digits: a profile name of only these ("kazakhstan", "central-asia") keeps the id
# it always had, which feed readers key on.
_ID_SAFE = frozenset("-._~!$&'()*+,;=:@")


def _id_name(profile: str) -> str:
    """``profile`` as a part of an Atom id: "KZ desk / Central Asia" had a space (no IRI holds
    one) and a "/" that read as the id's next part; each is percent-encoded (UTF-8), as any
    character an IRI does not allow there is, so a name has one id, always the same."""
    return "".join(c if c.isalnum() or c in _ID_SAFE else _encoded(c) for c in profile)


def _encoded(char: str) -> str:
    return quote(char, safe="", errors="replace")  # a lone surrogate has no UTF-8: "%3F"


def _period_id(digest: Digest) -> str:
    # tag: URIs (RFC 4151) are stable without a web site. One id per profile and period, not
    # per version: a new version is the same entry with a later ``updated`` (RFC 4287, 4.2.6),
    # which feed readers show as an update of the week's digest, not as a second digest of it.
    # The id is the one version 1 always had ("/v1"): readers already hold it for every period
    # published before, and a new form would have shown each of them again as a new digest.
    first = digest.period_from.isoformat()
    period = f"{_id_name(digest.profile)}/{first}/{digest.period_to.isoformat()}"
    return f"tag:mediadigest,{first}:{period}/v1"


def _stamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_atom(
    digests: Sequence[tuple[Digest, int, datetime]],
    *,
    profile: str,
    feed_title: str = "mediadigest: foreign media digests",
    link: str | None = None,
    pages: Sequence[str] | None = None,
) -> str:
    """The feed of ``profile``'s digests; ``digests`` are (digest, version, published at),
    newest first, one version of each period (the latest). A version after the first says so
    above its body.

    ``link``: the feed's own address; ``pages``: each digest's web page, in the same order,
    its entry's ``alternate`` link, so a feed reader can open the digest on the web.
    """
    if pages is not None and len(pages) != len(digests):
        raise ValueError(f"{len(pages)} pages for {len(digests)} digests")
    newest = max((at for _, _, at in digests), default=datetime(2025, 1, 1, tzinfo=UTC))
    # The profile the caller serves, never the first digest's: an empty feed was
    # "mediadigest/digests" until the first publication changed its id (RFC 4287 4.2.6: an
    # id is permanent), and readers took it for another feed.
    feed = _feed(f"tag:mediadigest,2025:{_id_name(profile)}/digests", feed_title, newest, link)
    for k, (digest, version, at) in enumerate(digests):
        page = pages[k] if pages is not None else None
        # Why the entry came back in the reader's list: it replaces the version they read.
        note = (
            f"<p><em>Version {version} of this digest: it replaces the one published before."
            "</em></p>\n"
            if version > 1
            else ""
        )
        _entry(feed, digest, _period_id(digest), title(digest), at, page=page, note=note)
    return _xml(feed)


def single(digest: Digest) -> str:
    """A feed with one entry: the digest as built now, not published (``digest --format
    atom``). A preview, so its id is its own (the period's and a hash of its content, never a
    published version's) and its title says it is one; only published digests get the period's
    id, in `to_atom`."""
    at = datetime.combine(digest.period_to, time(12), tzinfo=UTC)
    body = hashlib.sha256(fragment(digest).encode()).hexdigest()[:16]
    feed = _feed(f"tag:mediadigest,2025:{_id_name(digest.profile)}/previews",
                 "mediadigest: digest preview (not published)", at, None)  # fmt: skip
    name = f"Preview, not published: {title(digest)}"
    _entry(feed, digest, f"{_period_id(digest)}/preview-{body}", name, at)
    return _xml(feed)


def _feed(feed_id: str, feed_title: str, updated: datetime, link: str | None) -> ET.Element:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ATOM}}}title").text = feed_title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(updated)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "mediadigest"
    if link:
        ET.SubElement(feed, f"{{{ATOM}}}link", href=link, rel="self")
    return feed


def _entry(
    feed: ET.Element,
    digest: Digest,
    entry_id: str,
    entry_title: str,
    at: datetime,
    *,
    page: str | None = None,
    note: str = "",
) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    ET.SubElement(entry, f"{{{ATOM}}}id").text = entry_id
    ET.SubElement(entry, f"{{{ATOM}}}title").text = entry_title
    if page is not None:
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
    ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(at)
    ET.SubElement(entry, f"{{{ATOM}}}summary").text = digest.intro
    body = fragment(digest, page=page)  # "and 3 more" links to the page listing them all
    ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = note + body


def _xml(feed: ET.Element) -> str:
    # ElementTree writes control characters as they are: the feed would not be XML.
    body = xml_safe(ET.tostring(feed, encoding="unicode"))
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'
