"""A stored HTTP response's body as the page: Content-Encoding undone, or said it cannot be.

Crawlers other than Common Crawl store what the server sent: gzip, zlib-wrapped or raw
deflate (IIS), brotli, zstd. An encoding that cannot be undone here is counted as
undecodable, with a warning: never scanned as compressed bytes and ruled out unseen.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mediadigest import run, store
from mediadigest.collect import prefilter, warc
from mediadigest.collect.http import Head, decode_payload
from mediadigest.errors import FormatError
from mediadigest.profile import load_profile

PAGE = (b"<html><head><title>Kazakhstan signs a wind farm deal</title></head><body><article>"
        b"<h1>Kazakhstan signs a wind farm deal</h1><p>The government of Kazakhstan said on "
        b"Monday it would build a wind farm in the Zhambyl region, worth $1.2 billion.</p>"
        b"<p>Officials said Kazakhstan would cut its use of coal by 2030.</p>"
        b"</article></body></html>")  # fmt: skip
CAP = 1_000_000


def head(encoding: str) -> Head:
    return Head(200, {"content-type": "text/html", "content-encoding": encoding}, 0)


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.fixture
def no_brotli(monkeypatch):
    """As on an install without brotli: importing it fails (None in sys.modules)."""
    for name in ("brotli", "brotlicffi", "zstandard"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [("gzip", gzip.compress(PAGE)), ("deflate", zlib.compress(PAGE)),
     ("deflate", raw_deflate(PAGE)), ("gzip", raw_deflate(PAGE)), ("GZIP", gzip.compress(PAGE)),
     ("x-gzip", gzip.compress(PAGE)), ("identity", PAGE),
     ("deflate, gzip", gzip.compress(zlib.compress(PAGE)))],
    ids=["gzip", "zlib", "raw-deflate", "raw-deflate-as-gzip", "upper-case", "x-gzip",
         "identity", "two-codings"],
)  # fmt: skip
def test_each_deflate_form_is_undone(encoding, packed):
    assert decode_payload(packed, head(encoding), CAP) == PAGE


def test_a_body_stored_already_decoded_is_kept_as_it_is():
    """A crawler that decoded the body but kept the header: the text is the page."""
    assert decode_payload(PAGE, head("gzip"), CAP) == PAGE
    assert decode_payload(PAGE, head("br"), CAP) == PAGE
    assert decode_payload(PAGE, head("utf-8"), CAP) == PAGE  # a header misused


def test_compressed_bytes_that_will_not_decode_are_an_error_not_a_page():
    garbage = bytes(range(256)) * 4
    with pytest.raises(FormatError, match="content encoding gzip: not gzip, zlib or deflate data"):
        decode_payload(garbage, head("gzip"), CAP)
    with pytest.raises(FormatError, match="content encoding compress: not one this reader knows"):
        decode_payload(garbage, head("compress"), CAP)


@pytest.mark.parametrize(("encoding", "module"), [("br", "brotli"), ("zstd", "zstandard")])
def test_br_and_zstd_without_their_module_say_what_to_install(no_brotli, encoding, module):
    packed = bytes(range(256)) * 4  # compressed-looking bytes
    with pytest.raises(FormatError, match=f"content encoding {encoding}: install {module}"):
        decode_payload(packed, head(encoding), CAP)


def test_brotli_is_undone_when_installed():
    brotli = pytest.importorskip("brotli")
    assert decode_payload(brotli.compress(PAGE), head("br"), CAP) == PAGE
    bomb = brotli.compress(b" " * (CAP * 3))
    with pytest.raises(FormatError, match="inflates beyond"):
        decode_payload(bomb, head("br"), CAP)


def test_brotlicffi_stands_in_for_brotli(monkeypatch):
    brotlicffi = pytest.importorskip("brotlicffi")
    monkeypatch.setitem(sys.modules, "brotli", None)
    assert decode_payload(brotlicffi.compress(PAGE), head("br"), CAP) == PAGE


def test_zstd_is_undone_when_installed():
    zstandard = pytest.importorskip("zstandard")
    packer = zstandard.ZstdCompressor()
    assert decode_payload(packer.compress(PAGE), head("zstd"), CAP) == PAGE
    with pytest.raises(FormatError, match="inflates beyond"):
        decode_payload(packer.compress(b" " * (CAP * 3)), head("zstd"), CAP)


def test_a_deflate_bomb_is_refused():
    with pytest.raises(FormatError, match="inflates beyond"):
        decode_payload(raw_deflate(b" " * (CAP * 3)), head("deflate"), CAP)


# -- in an archive ---------------------------------------------------------------------------


def write_archive(path: Path, records: list[tuple[str, bytes, str]]) -> Path:
    """Response records (URL, stored body, its Content-Encoding) in a .warc.gz."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body, encoding in records:
            fields = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", encoding),
                      ("Content-Length", str(len(body)))]  # fmt: skip
            headers = StatusAndHeaders("200 OK", fields, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
    return path


def test_archive_pages_reach_the_prefilter_decoded(tmp_path):
    """Raw deflate was scanned compressed: ruled out unread, with no word of it."""
    path = write_archive(tmp_path / "c.warc.gz", [
        ("https://news.example/raw", raw_deflate(PAGE), "deflate"),
        ("https://news.example/zlib", zlib.compress(PAGE), "deflate"),
        ("https://news.example/gzip", gzip.compress(PAGE), "gzip"),
    ])  # fmt: skip
    records = list(warc.iter_records(path))
    assert [r.payload for r in records] == [PAGE] * 3
    scan = prefilter.for_profile(load_profile("kazakhstan"))
    assert all(scan.maybe(r.payload) for r in records)


def test_a_page_whose_encoding_cannot_be_undone_is_counted_and_warned(tmp_path, no_brotli):
    path = write_archive(tmp_path / "br.warc.gz", [
        ("https://news.example/br", bytes(range(256)) * 4, "br"),
        ("https://news.example/raw", raw_deflate(PAGE), "deflate"),
    ])  # fmt: skip
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    report = run.ingest(engine, load_profile("kazakhstan"), [path])
    assert report.skipped_records.get("undecodable") == 1
    assert report.prefiltered == 0
    (warning,) = [w for w in report.warnings if "news.example/br" in w]
    assert "content encoding br: install brotli to read it" in warning
    with engine.connect() as conn:
        urls = conn.execute(sa.text("SELECT url FROM articles")).scalars().all()
    assert urls == ["https://news.example/raw"]
