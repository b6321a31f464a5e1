"""Decoding pages: UTF-16 and UTF-32 without a BOM are read where declared, refused where not."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadigest.analyse.decoding import decode_page
from mediadigest.analyse.extract import extract_html
from mediadigest.errors import FormatError

TEXT = (
    "Правительство Казахстана в понедельник объявило о строительстве новой ветровой "
    "электростанции в Жамбылской области, сообщил журналистам министр энергетики. "
)


def page(charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<!DOCTYPE html><html lang=ru><head>{meta}<title>Казахстан строит ветровую станцию"
        f"</title></head><body><article><h1>Казахстан строит ветровую станцию</h1>"
        f"<p>{TEXT * 3}</p><p>{TEXT * 2}</p></article></body></html>"
    )


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_page_in_the_wide_charset_its_header_and_meta_declare_is_read_without_a_bom(codec):
    label = codec.replace("-le", "le").replace("-be", "be")  # utf-16le, as servers write it
    html = page(label)
    text, warnings = decode_page(html.encode(codec), "https://kz.example/a",
                                 f"text/html; charset={label}")  # fmt: skip
    assert (text, warnings) == (html, [])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_meta_charset_in_utf16_is_found_without_a_header(codec):
    html = page(codec.replace("-le", "le").replace("-be", "be"))
    assert decode_page(html.encode(codec), "https://kz.example/b", "text/html") == (html, [])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_declared_without_a_byte_order_reads_in_the_one_the_page_is_in(codec):
    family = codec[:6]  # "utf-16": no byte order, no BOM either
    html = page(family)
    assert decode_page(html.encode(codec), "https://kz.example/c", None) == (html, [])


def test_a_utf16_page_is_extracted_as_an_article():
    result = extract_html(page("utf-16le").encode("utf-16-le"), "https://kz.example/d",
                          "text/html; charset=utf-16le")  # fmt: skip
    assert result.title == "Казахстан строит ветровую станцию"
    assert "Жамбылской области" in result.text


def test_a_page_cut_in_the_middle_of_a_character_keeps_the_rest_with_a_warning():
    body = page("utf-16le").encode("utf-16-le")[:-1]
    text, warnings = decode_page(body, "https://kz.example/e", None)
    assert text.startswith("<!DOCTYPE html>") and "Жамбылской" in text
    assert warnings == ["declared charset utf-16-le: some bytes do not fit; replaced"]


@pytest.mark.parametrize("declared", [None, "windows-1251", "utf-8"])
def test_nul_laden_bytes_not_declared_wide_are_still_binary(declared):
    body = page(declared).encode("utf-16-le")  # no BOM, nothing saying UTF-16
    with pytest.raises(FormatError, match="binary content, not HTML"):
        decode_page(body, "https://kz.example/f", None)


def test_random_bytes_declared_utf16_are_still_binary():
    body = random.Random(3).randbytes(4096)
    with pytest.raises(FormatError, match="binary content, not HTML"):
        decode_page(body, "https://kz.example/g", "application/octet-stream; charset=utf-16le")


def test_a_png_declared_utf16_is_still_binary():
    body = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    with pytest.raises(FormatError, match="binary content, not HTML"):
        decode_page(body, "https://kz.example/h", "text/html; charset=utf-16")


def test_a_utf8_page_declared_utf16_is_read_as_utf8_with_a_warning():
    # A UTF-16 label on bytes with no NULs is wrong (WHATWG reads such a <meta> as UTF-8);
    # decoded as UTF-16 they were CJK garbage.
    html = page("utf-16le")
    text, warnings = decode_page(html.encode(), "https://kz.example/i", None)
    assert text == html
    assert warnings == ["declared charset utf-16-le does not fit the bytes"]


@given(st.text(max_size=300), st.sampled_from(["utf-16-le", "utf-16-be", "utf-32-le"]))
def test_any_text_declared_in_its_wide_charset_comes_back_whole(body, codec):
    html = f'<html><head><meta charset="{codec}"></head><body>{body}</body></html>'
    assert decode_page(html.encode(codec), "https://kz.example/j", None) == (html, [])


@pytest.mark.parametrize("where", ["meta", "header"])
@pytest.mark.parametrize("charset", ["undefined", "punycode", "idna"])
def test_a_codec_no_page_is_written_in_is_ignored_with_a_warning(charset: str, where: str):
    # 'undefined' raised a UnicodeError (not a UnicodeDecodeError) that stopped a whole
    # ingest; punycode read the ASCII page as garbage.
    meta = f'<meta charset="{charset}">' if where == "meta" else ""
    body = f"<html><head>{meta}<title>Kazakhstan wind</title></head><body>Caf\u00e9</body></html>"
    header = f"text/html; charset={charset}" if where == "header" else None
    text, warnings = decode_page(body.encode(), "https://example.com/a", header)
    assert text == body
    assert f"charset {charset!r} is no encoding of pages; ignored" in warnings


@pytest.mark.parametrize(
    "text",
    [
        "MOĞOLİSTAN İLE ANLAŞMA",
        "Türkiye ile Kırgızistan arasında yeni bir anlaşma imzalandı. Dışişleri Bakanı, iş "
        "birliğinin güçlendirileceğini söyledi.",
        # Read a little less garbled in cp1252 (a walk): "Cumhurbaþkaný Kasým".
        "Kazakistan ve Çin, Astana'da doğalgaz boru hattı anlaşması imzaladı\n18 Kasım 2026\n"
        "Kazakistan Cumhurbaşkanı Kasım Cömert Tokayev ile Çin Başbakanı Li Çiang, Astana'da "
        "Beyneu-Şımkent-Çin doğalgaz boru hattının üçüncü hattının inşasına ilişkin anlaşmayı "
        "imzaladı.\nTokayev, görüşmenin ardından düzenlenen basın toplantısında, “Bu anlaşma "
        "ülkelerimizin enerji işbirliğinde yeni bir sayfa açacak” dedi.\nKazak Enerji Bakanı "
        "Erlan Akkenjenov, inşaatın 2027 baharında başlayacağını söyledi. Anlaşmanın "
        "İstanbul'daki enerji zirvesinde de ele alınması bekleniyor.\nTaraflar ayrıca "
        "Kazakistan tahılının Çin'e ihracatını artırmayı görüştü.",
    ],
)
def test_turkish_without_a_declared_charset_is_read_as_turkish(text):
    """A walk: Turkish in cp1254 came back as cp1252's Icelandic letters, "MOÐOLÝSTAN ÝLE
    ANLAÞMA", and no Turkish name in it matched."""
    decoded, warnings = decode_page(text.encode("cp1254"), "file:///tr.txt", "text/plain")
    assert decoded == text
    assert "charset guessed as cp1254" in warnings


def test_icelandic_without_a_declared_charset_is_still_cp1252():
    text = "Það var þó ekki fyrr en í gær að ráðherrann sagði frá því. Æfingin gekk vel."
    assert decode_page(text.encode("cp1252"), "file:///is.txt", "text/plain")[0] == text
