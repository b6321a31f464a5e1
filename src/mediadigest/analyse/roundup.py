"""Roundup pages: a press digest, a ministry's news page or a newsletter, split into items.

Plain text: a headline is a short line without final punctuation followed by a paragraph;
a newsletter marks its items' headlines (separator lines such as "* * *" or "---" between
them, "1." or "•" before them: then three at least, and only those are items), and an item
may close with its source line ("Source: Reuters, Dec 16"), the item's attribution.
HTML: repeated blocks (same tag and class, each with a heading and text) or a run of
same-level headings with text between them. A split is accepted only with evidence that the
page is a roundup: its items open with attributions ("<Outlet> reported on <date> that") or
close with source lines, the page calls itself a digest, or (HTML) the blocks carry the
page's main text; an article with a few sub-headings, section breaks or a list of points,
or a sidebar of teasers, stays whole.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError, XMLSyntaxError

from mediadigest.analyse.attribution import DAY, find_attribution, parse_day
from mediadigest.model import Attribution

__all__ = ["Item", "Roundup", "source_line", "split_html", "split_text"]

MAX_HEADLINE_WORDS, MAX_HEADLINE_CHARS = 20, 160
MIN_PARAGRAPH_WORDS = 12
MIN_ITEM_CHARS = 40  # an HTML block with less text than this beyond its heading is a link
HTML_MAX_CHARS = 2_000_000
COVERAGE = 0.6  # share of the extracted main text the HTML items must hold
_END_PUNCT = tuple('.!?:;,…"”»)')
_BOILERPLATE = re.compile(
    r"^(?:photo|image|picture|source|credit|read more|advertisement|subscribe|share|tags?)\b",
    re.IGNORECASE,
)
_SELF_NAMED = re.compile(
    r"\b(?:digest|round-?up|press review|media review|news in brief|briefing|weekly review"
    r"|selected (?:key )?articles|newsletter|media monitoring|news summary)\b"
    r"|обзор|дайджест|шолу|мониторинг сми",
    re.IGNORECASE,
)
_DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe")
_HEADINGS = ("h1", "h2", "h3", "h4")
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class Item:
    """One item of a roundup: its own headline and text (and link, when HTML gives one)."""

    title: str
    text: str
    link: str | None = None
    attribution: Attribution | None = None  # a plain-text item's closing source line


@dataclass(slots=True)
class Roundup:
    """The items of a page, the page's text outside them (intro, closing), and why."""

    items: list[Item]
    rest: str = ""
    reasons: list[str] = field(default_factory=list)


# -- plain text --------------------------------------------------------------------------------

# A line that only separates: "* * *", "---", "===", "•", "~~~".
_SEPARATOR = re.compile(r"[*\-=_~#•·—–]+(?:\s+[*\-=_~#•·—–]+)*")
# A headline's list marker: "1. ", "2) ", "• ", "- ", "* ".
_MARKER = re.compile(r"(?:(?P<n>\d{1,2})[.)]|[•*·▪►–-])\s+(?=\S)")
# An item's closing source line: "Source: Reuters, Dec 16" or "(Reuters, 16.12.2025)".
_SOURCE_LINE = re.compile(
    r"(?:sources?|via|источник|дереккөз)\s*[:—–-]\s*(?P<outlet>[^\W\d_][^,;()\n]{1,60}?)"
    r"(?:\s*[,;]\s*(?P<date>[^()\n]{3,40}?))?\s*\.?",
    re.IGNORECASE,
)
_PAREN_SOURCE = re.compile(
    r"\((?P<outlet>[^\W\d_][^,;()\n]{1,60}?)\s*[,;]\s*(?P<date>[^()\n]{3,40}?)\)\.?$"
)
_DAY = re.compile(DAY, re.IGNORECASE)
_NUMERIC_DAY = re.compile(
    r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
)
_PARTS = "parts between separator lines"
MIN_SHAPED_ITEMS = 3  # separators or list markers alone say little: a roundup has three items


def split_text(text: str, title: str = "", day: date | datetime | None = None) -> Roundup | None:
    """Items of a plain-text roundup, or None when the text is not one.

    Items are headlines followed by text; in a newsletter, the headlines each open a part
    between separator lines ("* * *", "---") or carry list markers ("1. Headline", "• …"),
    and then only those are items (3 at least). An item's closing source line ("Source:
    Reuters, Dec 16") is its attribution, its dates read against ``day`` (the page's). A
    roundup of a single item comes back with one item: the caller keeps the page whole.
    """
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    seps = {i for i, (a, b) in enumerate(lines) if _SEPARATOR.fullmatch(text[a:b].strip())}
    content = [span for i, span in enumerate(lines) if i not in seps]
    heads, shape = _shaped_heads(text, lines, seps, content)
    if shape is None:
        heads = [i for i in range(len(content) - 1) if _headline_at(text, content, i)]
    if not heads:
        return None
    items = []
    # Where each separator stands among the content lines (the count of those before it).
    ends = [j - r for r, j in enumerate(sorted(seps))] if shape == _PARTS else []
    for n, i in enumerate(heads):
        stop = heads[n + 1] if n + 1 < len(heads) else len(content)
        # A part ends at its separator: what follows the last is a footer, not the item's.
        if (k := bisect_right(ends, i)) < len(ends):
            stop = min(stop, ends[k])
        body = content[i + 1 : stop]
        head = _unmarked(text[content[i][0] : content[i][1]].strip())
        body_text = text[body[0][0] : body[-1][1]].strip() if body else ""
        items.append(Item(head, body_text, attribution=source_line(body_text, day)))
    rest = "\n".join(
        text[a:b].strip()
        for a, b in content[: heads[0]]
        if not _BOILERPLATE.match(text[a:b].strip())
    )
    reasons = _evidence(items, f"{title}\n{rest}")
    if not reasons:
        return None
    if shape is not None:
        reasons.insert(1, f"the items are {shape}")
    return Roundup(items, rest, reasons)


def _shaped_heads(
    text: str, lines: list[tuple[int, int]], seps: set[int], content: list[tuple[int, int]]
) -> tuple[list[int], str | None]:
    """Headlines (indices into ``content``) a newsletter's layout marks, and how it marks
    them; none where it marks fewer than three. Only such headlines are items then: a short
    line inside an item ("Key figures") is no item of its own."""
    at = {span: n for n, span in enumerate(content)}
    # Numbered headings 1, 2, 3 … or bulleted ones, each followed by a paragraph.
    marked = [
        n for n in range(len(content) - 1)
        if _MARKER.match(text[content[n][0] : content[n][1]].strip())
        and _headline_at(text, content, n, _unmarked)
    ]  # fmt: skip
    numbers = [
        _MARKER.match(text[content[n][0] : content[n][1]].strip()).group("n") for n in marked
    ]
    if len(marked) >= MIN_SHAPED_ITEMS:
        if all(numbers) and [int(x) for x in numbers] == list(range(1, len(numbers) + 1)):
            return marked, "numbered headings"
        if not any(numbers):
            return marked, "bulleted headlines"
    # Parts between separator lines, each opening with a headline and text.
    opened = [
        at[lines[i + 1]] for i in sorted(seps)
        if i + 1 < len(lines) and i + 1 not in seps and _opens_part(text, lines, seps, i + 1)
    ]  # fmt: skip
    if lines and 0 not in seps and _opens_part(text, lines, seps, 0) and opened:
        opened.insert(0, 0)  # the part before the first separator, where it is an item too
    if len(opened) >= MIN_SHAPED_ITEMS:
        return opened, _PARTS
    return [], None


def _opens_part(text: str, lines: list[tuple[int, int]], seps: set[int], i: int) -> bool:
    """Whether line ``i`` is a headline with text of its own up to the next separator."""
    line = _unmarked(text[lines[i][0] : lines[i][1]].strip())
    if not _headline(line):
        return False
    body = []
    for j in range(i + 1, len(lines)):
        if j in seps:
            break
        body.append(text[lines[j][0] : lines[j][1]])
    return len(" ".join(body).split()) >= MIN_PARAGRAPH_WORDS


def _unmarked(line: str) -> str:
    m = _MARKER.match(line)
    return line[m.end() :] if m else line


def _headline(line: str) -> bool:
    words = line.split()
    if not (2 <= len(words) <= MAX_HEADLINE_WORDS) or len(line) > MAX_HEADLINE_CHARS:
        return False
    if line.endswith(_END_PUNCT) or not (line[0].isupper() or line[0].isdigit()):
        return False
    return not _BOILERPLATE.match(line)


def _headline_at(
    text: str, lines: list[tuple[int, int]], i: int, clean: Callable[[str], str] = str.strip
) -> bool:
    line = clean(text[lines[i][0] : lines[i][1]].strip())
    if not _headline(line):
        return False
    following = text[lines[i + 1][0] : lines[i + 1][1]].strip()
    return _paragraph(following) and len(following) > len(line)


def _paragraph(line: str) -> bool:
    words = len(line.split())
    ends = line.endswith((".", "!", "?", '"', "”", "»", "…"))
    return words >= 2 * MIN_PARAGRAPH_WORDS or (words >= MIN_PARAGRAPH_WORDS and ends)


def source_line(body: str, day: date | datetime | None) -> Attribution | None:
    """The outlet and date an item's closing line credits ("Source: Reuters, Dec 16", "…
    (Reuters, 16.12.2025)"), or None; a date without a year is read against ``day`` (the
    page's), undated without one. The span opens at the break before the line: the phrase
    closes the item after its last sentence, it opens none (the digest writes "Reuters
    reported on Dec. 16 that …", never the line itself)."""
    last = body.rfind("\n") + 1
    line = body[last:].rstrip()
    m = _SOURCE_LINE.fullmatch(line)
    start = last
    if m is None:
        m = _PAREN_SOURCE.search(line)
        if m is None or (m.start() == 0 and last == 0):
            return None
        start = last + m.start()
    words = (m.group("date") or "").strip(" .")
    if m.re is _PAREN_SOURCE and not (_DAY.fullmatch(words) or _NUMERIC_DAY.fullmatch(words)):
        return None  # "(in Russian, abridged)": no source line without its date
    outlet = m.group("outlet").strip()
    if not outlet[:1].isupper():
        return None
    return Attribution(
        reported_by=outlet, reported_on=_day(words, day), start=max(start - 1, 0), end=len(body)
    )


def _day(words: str, page_day: date | datetime | None) -> date | None:
    if m := _DAY.fullmatch(words):
        return parse_day(m, page_day)
    if m := _NUMERIC_DAY.fullmatch(words):
        y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["iy"], m["im"], m["id"])
        try:
            return date(int(y), int(mo), int(d))
        except ValueError:
            return None
    return None


def _evidence(items: list[Item], page_words: str) -> list[str]:
    """Why these items are a roundup's; empty when nothing says so."""
    reasons = []
    attributed = sum(1 for item in items if find_attribution(item.text[:400], None))
    if len(items) >= 2 and attributed >= max(2, (len(items) + 1) // 2):
        reasons.append(f"{attributed} of {len(items)} items open with an attribution")
    sourced = sum(1 for item in items if item.attribution is not None)
    if len(items) >= 2 and sourced >= max(2, (len(items) + 1) // 2):
        reasons.append(f"{sourced} of {len(items)} items close with a source line")
    if m := _SELF_NAMED.search(page_words):
        reasons.append(f"the page calls itself a roundup ({m.group()!r})")
    if reasons:
        reasons.insert(0, f"{len(items)} items, each a headline followed by text")
    return reasons


# -- HTML --------------------------------------------------------------------------------------


def split_html(
    html: str | bytes | lxml.html.HtmlElement, url: str, main_text: str = "", title: str = ""
) -> Roundup | None:
    """Items of an HTML roundup (repeated blocks or headings), or None when it is not one.

    ``main_text`` is what extraction found; blocks that do not hold most of it are teasers
    beside an article, not the page's content. Bytes are decoded by lxml (meta charset). A
    parsed page (extraction's, decoded as it decoded the text) is used as it is, and pruned
    of scripts, navigation and the like: pass a copy to keep it whole.
    """
    if isinstance(html, lxml.html.HtmlElement):
        tree: lxml.html.HtmlElement | None = html
    else:
        tree = _parse(html[:HTML_MAX_CHARS])
    if tree is None:
        return None
    for tag in _DROP_TAGS:
        for el in tree.iter(tag):
            el.drop_tree()
    for finder, why in ((_blocks, "repeated blocks"), (_heading_runs, "headings with text")):
        items = finder(tree, url)
        if len(items) < 2:
            continue
        reasons = _evidence(items, f"{title}\n{main_text[:300]}")
        # Holding the main text says "listing page" of repeated blocks only: an article's own
        # sub-headings hold its text too (USA Today's "Indictments unsealed as…" became an item).
        # Two blocks are a listing when each links to a page of its own; otherwise they are an
        # article cut in two (Quanta's, The Real Deal's: a section and "Related Articles").
        listing = finder is _blocks and (len(items) >= 3 or _linked(items, url))
        share = _coverage(items, main_text) if listing else 0.0
        if share >= COVERAGE:
            reasons.append(f"{why} hold {share:.0%} of the page's main text")
        if reasons:
            return Roundup(items, "", [f"HTML {why}", *reasons])
    return None


def _parse(html: str | bytes) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except (ParserError, XMLSyntaxError, ValueError):
        return None


def _blocks(tree: lxml.html.HtmlElement, url: str) -> list[Item]:
    groups: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}
    for el in tree.iter("article", "li", "div", "section"):
        cls = el.get("class") or ""
        if el.tag == "article" or cls:
            groups.setdefault((el.tag, cls), []).append(el)
    best: list[Item] = []
    for members in groups.values():
        if len(members) < 2 or _nested(members):
            continue
        items = [item for el in members if (item := _block_item(el, url)) is not None]
        if len(items) >= 2 and sum(len(i.text) for i in items) > sum(len(i.text) for i in best):
            best = items
    return best


def _nested(members: list[lxml.html.HtmlElement]) -> bool:
    ids = {id(m) for m in members}
    return any(id(a) in ids for m in members for a in m.iterancestors())


def _block_item(el: lxml.html.HtmlElement, url: str) -> Item | None:
    heading = next((h for h in el.iter(*_HEADINGS)), None)
    if heading is None:
        return None
    title = " ".join(heading.text_content().split())
    if not 2 <= len(title.split()) <= MAX_HEADLINE_WORDS + 10:
        return None
    paras = [
        " ".join(p.text_content().split())
        for p in el.iter("p")
        if not any(a is heading for a in p.iterancestors())
    ]
    text = "\n".join(p for p in paras if p)
    if len(text) < MIN_ITEM_CHARS:
        return None
    link = heading.find(".//a[@href]")
    if link is None and heading.getparent() is not None and heading.getparent().tag == "a":
        link = heading.getparent()
    href = urljoin(url, link.get("href")) if link is not None else None
    return Item(title, text, href)


def _heading_runs(tree: lxml.html.HtmlElement, url: str) -> list[Item]:
    body = tree.find("body") if tree.find("body") is not None else tree
    for level in ("h2", "h3"):
        heads = list(body.iter(level))
        if len(heads) < 2:
            continue
        items = []
        for head in heads:
            parts = []
            for sib in head.itersiblings():
                if not isinstance(sib.tag, str):
                    continue  # comments and processing instructions carry no text
                if sib.tag in _HEADINGS or any(True for _ in sib.iter(*_HEADINGS)):
                    break
                if chunk := " ".join(sib.text_content().split()):
                    parts.append(chunk)
            text = "\n".join(parts)
            title = " ".join(head.text_content().split())
            if title and len(text) >= MIN_ITEM_CHARS:
                link = head.find(".//a[@href]")
                items.append(
                    Item(title, text, urljoin(url, link.get("href")) if link is not None else None)
                )
        if len(items) >= 2:
            return items
    return []


def _linked(items: list[Item], url: str) -> bool:
    page = url.split("#", 1)[0].rstrip("/")
    return all(i.link and i.link.split("#", 1)[0].rstrip("/") != page for i in items)


def _coverage(items: list[Item], main_text: str) -> float:
    """Share of the extracted main text's runs of three words that the items hold.

    Runs, not words: 59 teasers beside CBS's impeachment report held 63% of its words ("the",
    "Trump", "House") and none of its sentences."""
    main = _trigrams(main_text)
    if not main:
        return 1.0  # extraction found nothing: the blocks are all the page has
    held = set(_trigrams(" ".join(f"{i.title}\n{i.text}" for i in items)))
    return sum(1 for g in main if g in held) / len(main)


def _trigrams(text: str) -> list[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return list(zip(words, words[1:], words[2:], strict=False))
