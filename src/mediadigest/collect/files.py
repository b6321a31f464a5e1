"""Collect stage: turn local files and folders (HTML, text, JSONL, gzipped) into Documents."""

from __future__ import annotations

import gzip
import json
import logging
import os
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mediadigest.analyse.decoding import guess_encoding
from mediadigest.analyse.normalise import parse_date
from mediadigest.collect import warc
from mediadigest.collect.chars import storable
from mediadigest.errors import FormatError, InputError
from mediadigest.model import WHOLE_TEXT, Document

log = logging.getLogger(__name__)

_HTML = "text/html"  # raw bytes from disk: the page itself says its charset
_HTML_UTF8 = "text/html; charset=utf-8"  # HTML from JSONL, re-encoded by us
_TEXT = "text/plain; charset=utf-8"
_KINDS = {".html": "html", ".htm": "html", ".txt": "text", ".jsonl": "jsonl", ".warc": "warc"}
_EXPECTED = "expected .html, .htm, .txt, .jsonl, .warc, or .gz of those"
# JSONL fields copied into hints when they are present and text.
_JSONL_HINTS = ("title", "published", "outlet", "author", "lang")
_BOM = b"\xef\xbb\xbf"  # what Windows tools (Notepad, PowerShell's UTF8) put first
# A gzipped file inflates to this much at most, a JSONL line is at most this long: a 4 MB
# .gz that inflates to 4 GiB (a bomb, or one endless line) ran out of memory.
MAX_INFLATED = 100 * 1024 * 1024
MAX_LINE = 100 * 1024 * 1024
_JSON_TYPES = {dict: "an object", list: "a list", bool: "true or false", int: "a number",
               float: "a number"}  # fmt: skip


def iter_paths(paths: Iterable[Path]) -> Iterator[Document | InputError]:
    """Yield a Document per usable file (one per line for JSONL, per response for WARC) or the
    error for each bad one.

    Folders are walked recursively in sorted order; hidden files and folders are skipped.
    """
    for file in walk(paths):
        if isinstance(file, InputError):
            yield file
        else:
            yield from iter_file(file)


def walk(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Every file under ``paths`` (folders recursively, sorted, hidden ones skipped)."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() or path.is_symlink():  # a broken link or a loop: the plan says which
            yield path
        else:
            yield InputError(str(path), "no such file or directory")


def kind_of(path: Path) -> str | None:
    """html | text | jsonl | warc, or None for a file type we do not read."""
    return _kind(path)[0]


def type_suffix(path: Path) -> str:
    """What names the file's type: ``.pdf``, ``.csv.gz``."""
    gzipped = path.name.lower().endswith(".gz")
    return "".join(path.suffixes[-2:]) if gzipped else path.suffix


def unknown_type(path: Path) -> FormatError:
    return FormatError(str(path), f"unknown file type '{type_suffix(path)}' ({_EXPECTED})")


def jsonl_ranges(path: Path, size: int, start: int = 0) -> list[tuple[int, int, int]]:
    """(start, end, first line number) ranges of about ``size`` bytes, on line boundaries.

    One pass counts lines (for error messages that name the line); a gzipped file is one range.
    """
    total = path.stat().st_size
    if _kind(path)[1] or total - start <= size:
        return [(start, total, 1 + _lines_before(path, start))] if start < total else []
    ranges: list[tuple[int, int, int]] = []
    line = 1 + _lines_before(path, start)
    with open(path, "rb") as fh:
        fh.seek(start)
        while start < total:
            fh.seek(min(start + size, total))
            fh.readline()  # finish the line the cut fell in
            end = min(fh.tell(), total)
            fh.seek(start)
            line_count = fh.read(end - start).count(b"\n")
            ranges.append((start, end, line))
            start, line = end, line + line_count
    return ranges


def _lines_before(path: Path, offset: int) -> int:
    count = 0
    with open(path, "rb") as fh:
        while offset > 0 and (chunk := fh.read(min(offset, 1 << 24))):
            count += chunk.count(b"\n")
            offset -= len(chunk)
    return count


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        # Sorting in place makes os.walk descend in a stable order.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root, name)


def _kind(path: Path) -> tuple[str | None, bool]:
    """(kind, gzipped) from the file name: ``a.html.gz`` -> ("html", True)."""
    name = path.name.lower()
    gzipped = name.endswith(".gz")
    if gzipped:
        name = name[:-3]
    return _KINDS.get(os.path.splitext(name)[1]), gzipped


def iter_file(
    path: Path, start: int = 0, end: int | None = None, first_line: int = 1
) -> Iterator[Document | InputError]:
    """Documents of one file, or of bytes [start, end) of a JSONL or WARC file."""
    kind, gzipped = _kind(path)
    if kind is None:
        yield unknown_type(path)
        return
    try:
        if path.stat().st_size == 0:
            yield InputError(str(path), "empty file")
        elif kind == "jsonl":
            yield from _iter_jsonl(path, gzipped, start, end, first_line)
        elif kind == "warc":
            yield from warc.iter_documents(path, start, end)
        else:
            yield _read_document(path, kind, gzipped)
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        yield FormatError(str(path), f"not gzip ({exc})")
    except OSError as exc:
        yield InputError(str(path), f"cannot read ({exc.strerror or exc})")


def _read_document(path: Path, kind: str, gzipped: bool) -> Document | InputError:
    if gzipped:
        with gzip.open(path, "rb") as fh:
            raw = fh.read(MAX_INFLATED + 1)
        if len(raw) > MAX_INFLATED:
            return FormatError(str(path), f"inflates beyond {MAX_INFLATED:,} bytes; not read")
    else:
        raw = path.read_bytes()
    if not raw.strip():
        return InputError(str(path), "empty file")
    url = path.resolve().as_uri()
    hints = {"source": storable_path(path)}
    if kind == "html":
        return _document(url, raw, _HTML, hints)
    text, warning = _decode(raw)
    if text is None:
        return FormatError(str(path), "not text (cannot detect the character encoding)")
    text = storable(text)
    if warning:
        hints["warning"] = warning
    title, _, rest = text.strip().partition("\n")
    hints["title"] = title.strip()
    return _document(url, rest.strip().encode("utf-8"), _TEXT, hints)


def storable_path(path: Path) -> str:
    """``path`` as text a store can hold: a name that is not UTF-8 keeps the surrogate Python
    reads it with, which no store can encode; its bytes are written out ("bad\\xffname.txt")."""
    return storable(os.fsencode(path).decode("utf-8", errors="backslashreplace"))


def _decode(raw: bytes) -> tuple[str | None, str | None]:
    """Text and a warning: UTF-8 (BOM allowed) silently, else the best guess, said aloud."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    encoding = guess_encoding(raw)
    if encoding is None:
        return None, None
    return raw.decode(encoding, errors="replace"), f"not UTF-8; decoded as {encoding}"


def _iter_jsonl(
    path: Path, gzipped: bool, start: int = 0, end: int | None = None, first_line: int = 1
) -> Iterator[Document | InputError]:
    opener = gzip.open if gzipped else open
    # Binary lines, decoded one at a time: a bad byte spoils one line, not the file,
    # and the file is never held in memory whole.
    with opener(path, "rb") as lines:
        if start:
            lines.seek(start)
        pos, lineno = start, first_line
        while end is None or pos < end:
            line = lines.readline(MAX_LINE + 1)
            if not line:
                break
            opening = pos == 0
            pos += len(line)
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                pos += _skip_line(lines)
                yield FormatError(f"{path}:{lineno}", f"line over {MAX_LINE:,} bytes; skipped")
            else:
                if opening:  # the file's first line, in whichever worker's range starts there
                    line = line.removeprefix(_BOM)
                if line.strip():
                    yield _jsonl_document(path, lineno, line)
            lineno += 1


def _skip_line(lines: Any) -> int:
    """Read past the rest of a line, a MiB at a time; the bytes it took."""
    skipped = 0
    while chunk := lines.readline(1 << 20):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _jsonl_document(path: Path, lineno: int, line: bytes) -> Document | InputError:
    where = f"{path}:{lineno}"
    try:
        text = line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return FormatError(where, f"not UTF-8 (byte {exc.start})")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return FormatError(where, f"not JSON ({_json_problem(exc, text)})")
    except RecursionError:  # '[' * 100000: json recurses once a level
        return FormatError(where, "not JSON (nested too deeply)")
    if not isinstance(obj, dict):
        return FormatError(where, f"not a JSON object (a {type(obj).__name__})")
    try:
        url = _jsonl_url(obj.get("url"))
        body, ctype = _jsonl_body(obj)
    except ValueError as exc:
        return InputError(where, str(exc))
    hints = {"source": storable_path(path)}
    warnings = []
    for key in _JSONL_HINTS:
        try:
            if (value := _jsonl_hint(key, obj.get(key))) is not None:
                hints[key] = value
        except ValueError as exc:
            warnings.append(str(exc))
    if warnings:  # the run's report prints it after the file's name
        hints["warning"] = f"line {lineno}: " + "; ".join(warnings)
    return _document(url, storable(body).encode("utf-8"), ctype, hints)


def _json_problem(exc: json.JSONDecodeError, text: str) -> str:
    # json's messages end "... at" where its own str() adds the position.
    problem = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
    if exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip()):
        problem += "; the line ends before the record does: cut off?"
    return problem


def _kind_of_value(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _jsonl_url(url: Any) -> str:
    """An absolute http(s) address, or a file:// one (exports of pages saved on disk)."""
    if url is None or (isinstance(url, str) and not url.strip()):
        raise ValueError("missing 'url'")
    if not isinstance(url, str):
        raise ValueError(f"'url' is {_kind_of_value(url)} ({url!r}), not an address")
    url = url.strip()
    if storable(url) != url:  # a NUL or a lone surrogate: not an address to store
        raise ValueError(f"'url' {url!r} holds a control character or a lone surrogate")
    parts = urlsplit(url)
    if parts.scheme.lower() == "file" and parts.path.startswith("/"):
        return url  # "file:notes" names no file: a path relative to what?
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in parts.netloc:
        raise ValueError(f"'url' {url!r} is not an absolute http(s) address")
    return url


def _jsonl_body(obj: dict[str, Any]) -> tuple[str, str]:
    """(body, content type): 'html' when it is text, else 'text'."""
    wrong = None
    for key, ctype in (("html", _HTML_UTF8), ("text", _TEXT)):
        value = obj.get(key)
        if isinstance(value, str):
            return value, ctype
        if value is not None and wrong is None:
            wrong = f"{key!r} is {_kind_of_value(value)} ({_short(value)}), not text"
    raise ValueError(wrong or "missing 'text' or 'html'")


def _jsonl_hint(key: str, value: Any) -> str | None:
    """The field as a hint; None when absent; ValueError (a warning: the record is kept
    without the field, as if it had none) when it is of no use."""
    if value is None or value == "":
        return None
    if key == "author" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        # A list of authors, as schema.org and news APIs write them: "A and B", "A, B and C",
        # the form a page's byline has and the digest's attribution reads.
        names = [" ".join(storable(v).split()) for v in value if v.strip()]
        return (f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1
                else names[0] if names else None)  # fmt: skip
    if not isinstance(value, str):
        expected = "text or a list of names" if key == "author" else "text"
        raise ValueError(
            f"{key!r} is {_kind_of_value(value)} ({_short(value)}), not {expected}; ignored"
        )
    value = storable(value)
    if key == "published" and parse_date(value) is None:
        raise ValueError(
            f"'published' {_short(value)} is not a date (ISO 8601 or RFC 2822); stored "
            "without a publication date"
        )
    return value


def _short(value: Any) -> str:
    shown = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _document(url: str, body: bytes, content_type: str, hints: dict[str, str]) -> Document:
    if content_type == _TEXT:  # a .txt file, a JSONL record's text: the article as given
        hints[WHOLE_TEXT] = "yes"
    return Document(
        url=url,
        body=body,
        fetched_at=datetime.now(UTC),
        content_type=content_type,
        hints=hints,
    )
