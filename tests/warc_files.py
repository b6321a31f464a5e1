"""WARC files written by the tests with warcio: real fixture pages, filler, other record types.

Every page of tests/fixtures (the site's articles, the files' pages) goes in as a response
record, plus a Russian article re-encoded as windows-1251 (a non-UTF-8 page), so the relevant
records are known: those the analyse stage finds relevant when run on the pages directly.
"""

from __future__ import annotations

import gzip
import io
import random
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

FIXTURES = Path(__file__).parent / "fixtures"
CP1251_PAGE = """<html><head><meta charset="windows-1251">
<title>Казахстан увеличил экспорт пшеницы через Актау</title></head>
<body><article><h1>Казахстан увеличил экспорт пшеницы через Актау</h1>
<p>Казахстан в этом году отправил через порт Актау рекордный объём зерна, сообщило
министерство сельского хозяйства Казахстана. Экспорт пшеницы в страны Кавказа и Ирана
вырос на треть.</p>
<p>По словам экспертов, Казахстан рассчитывает сохранить темпы роста и в следующем году,
если погода позволит собрать хороший урожай.</p></article></body></html>"""
FILLER_TEXT = """market rain council harbour season coffee league museum river bridge orchestra
festival election tariff vineyard glacier satellite bakery cinema"""
FILLER_WORDS = FILLER_TEXT.split()


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"


def fixture_pages(base: str = "https://news.example") -> list[Page]:
    """The project's real fixture pages (articles about Kazakhstan and not), as web pages."""
    pages = []
    for path in sorted((FIXTURES / "site" / "pages").rglob("*.html")):
        rel = path.relative_to(FIXTURES / "site")
        pages.append(Page(f"{base}/{rel}", path.read_bytes().replace(b"{{BASE}}", base.encode())))
    for path in sorted((FIXTURES / "files" / "pages").glob("*.html*")):
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        pages.append(Page(f"{base}/files/{path.name.removesuffix('.gz')}", body))
    pages.append(
        Page(
            f"{base}/ru/cp1251.html",
            CP1251_PAGE.encode("cp1251"),
            "text/html; charset=windows-1251",
        )
    )
    return pages


def filler_page(i: int) -> Page:
    """A page about nothing in particular (no alias of the profile), a few KB long."""
    rng = random.Random(i)
    paras = "".join(
        "<p>" + " ".join(rng.choice(FILLER_WORDS) for _ in range(60)) + ".</p>" for _ in range(8)
    )
    title = " ".join(rng.choice(FILLER_WORDS) for _ in range(5)).capitalize()
    html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}"
    return Page(f"https://filler.example/{i}.html", (html + "</article></body></html>").encode())


def write_warc(
    path: Path,
    pages: list[Page],
    *,
    gzip_members: bool = True,
    extra_types: bool = False,
    date: str = "2025-12-18T10:00:00Z",
) -> Path:
    """Write ``pages`` as response records (with request and metadata records if asked)."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip_members)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for page in pages:
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", page.content_type), ("Content-Length", str(len(page.body)))],
                protocol="HTTP/1.1",
            )
            warc_headers = {"WARC-Date": date}
            if extra_types:
                host = page.url.split("/")[2]
                get = f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
                req = writer.create_warc_record(page.url, "request", payload=io.BytesIO(get))
                writer.write_record(req)
            record = writer.create_warc_record(
                page.url, "response", payload=io.BytesIO(page.body), http_headers=headers,
                warc_headers_dict=warc_headers,
            )  # fmt: skip
            writer.write_record(record)
            if extra_types:
                meta = writer.create_warc_record(
                    page.url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
                    warc_content_type="application/warc-fields",
                )  # fmt: skip
                writer.write_record(meta)
    return path


def mixed_pages(filler: int, every: int = 10, copies: int = 1) -> list[Page]:
    """Filler with the fixture pages spread through it (one every ``every`` records).

    ``copies`` > 1 repeats the fixture pages under other hosts (distinct URLs).
    """
    real = [p for i in range(copies) for p in fixture_pages(f"https://news{i or ''}.example")]
    pages: list[Page] = []
    for i in range(filler):
        pages.append(filler_page(i))
        if i % every == 0 and real:
            pages.append(real.pop(0))
    return pages + real
