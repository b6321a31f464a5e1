"""DOCX digest for editors who work in Word: title, intro, then one section per item."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from mediadigest.model import Digest
from mediadigest.write.render.html import xml_safe as _safe
from mediadigest.write.render.markdown import item_blocks, more, shown_sources, title


def to_docx(digest: Digest) -> bytes:
    """The digest as a .docx file's bytes (Word's built-in styles, so it restyles cleanly).

    Every text goes through ``_safe``: lxml refuses a string with a character XML forbids.
    """
    from docx import Document as WordDocument  # python-docx: a fifth of a second to import

    doc = WordDocument()
    doc.core_properties.title = _safe(title(digest))
    doc.core_properties.author = "mediadigest"
    doc.add_heading(_safe(title(digest)), level=1)
    doc.add_paragraph(_safe(digest.intro))
    if digest.trend:
        doc.add_paragraph().add_run(_safe(digest.trend)).italic = True
    for item in digest.items:
        doc.add_heading(_safe(item.headline), level=2)
        for text, quoted in item_blocks(item):
            run = doc.add_paragraph().add_run(_safe(text))
            if quoted:
                run.italic = True
        if item.sources:
            # Each outlet a link, as in the e-mail: an editor clicks through to check a source.
            para = doc.add_paragraph()
            _small(para.add_run("Sources: "))
            for i, (label, url) in enumerate(shown_sources(item.sources)):
                if i:
                    _small(para.add_run(", "))
                if url is not None:
                    _hyperlink(para, _safe(label), _safe(url))
                else:
                    _small(para.add_run(_safe(label)))
            if rest := more(item.sources):
                _small(para.add_run(_safe(rest)))
    out = io.BytesIO()
    doc.save(out)
    return _undated(out.getvalue())


# The earliest time a zip entry can carry. python-docx stamps each part with the time of
# saving, so two runs over one digest gave different bytes (a diff, a checksum, a cache saw
# a change where there was none); Word shows none of these times.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _undated(package: bytes) -> bytes:
    """The .docx zip again, each part stamped ``_ZIP_EPOCH``: the same digest, the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            part.compress_type = info.compress_type
            part.external_attr = info.external_attr
            dst.writestr(part, src.read(info))
    return out.getvalue()


def _small(run: Any) -> None:
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _hyperlink(para: Any, text: str, url: str) -> None:
    """A link run (python-docx has no API for one): blue, underlined, 9 pt, like Word's own."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), para.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run, props = OxmlElement("w:r"), OxmlElement("w:rPr")
    for tag, value in (("w:color", "0563C1"), ("w:u", "single"), ("w:sz", "18")):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        props.append(el)
    words = OxmlElement("w:t")
    words.text = text
    words.set(qn("xml:space"), "preserve")
    run.append(props)
    run.append(words)
    link.append(run)
    para._p.append(link)
