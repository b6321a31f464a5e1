"""The command line: the user's verbs, each a thin face over one core function.

The commands live in modules by what they work on; the table below registers them with
``app`` in the order ``--help`` lists them, the order of the work (the groups ``sources``,
``db``, ``stories`` and ``users`` follow them).
"""

from __future__ import annotations

import codecs
import errno
import linecache
import os
import sys

import sqlalchemy as sa

from mediadigest import __version__, store
from mediadigest.cli import archive, collect, coverage, digest, sources, web  # noqa: F401 (sources: its group)
from mediadigest.cli.app import app, out, say
from mediadigest.cli.archive import article_to_dict, search_hit_to_dict
from mediadigest.errors import MediadigestError
from mediadigest.store.engine import full_disk, hint, permission_denied

__all__ = ["app", "article_to_dict", "main", "search_hit_to_dict"]

for _name, _command in (
    ("collect", collect.collect),
    ("ingest", collect.ingest),
    ("run", collect.run_cmd),
    ("digest", digest.digest),
    ("publish", digest.publish),
    ("feed", digest.feed),
    ("articles", archive.articles),
    ("coverage", coverage.coverage),
    ("export", archive.export_cmd),
    ("import", archive.import_cmd),
    ("serve", web.serve),
):
    app.command(_name)(_command)
# A query may begin with an excluded word ("-alpha wheat"): that is no option to refuse.
app.command("search", context_settings={"ignore_unknown_options": True})(archive.search_cmd)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"mediadigest {__version__}")


def main() -> None:
    """Console entry point: our errors become one line and exit 1.

    So does a store that fails under a command that has no words of its own for it (a
    read-only file under `users add`, a lock held too long, a PostgreSQL role that may only
    read): SQLAlchemy's traceback ended with the statement, and ``users add`` printed the new
    user's password hash.
    """
    _escape_what_output_cannot_encode()
    try:
        app()
    except MediadigestError as exc:
        say(str(exc), "error")
        sys.exit(1)
    except sa.exc.DBAPIError as exc:
        if denied := permission_denied(exc):
            # A role that may only read (GRANT SELECT) under a command that writes: the
            # server's own words name the table, where it was a traceback ending in the SQL.
            say(f"the store failed ({denied})", "error")
            sys.exit(1)
        reason = store.unavailable_reason(exc)
        if reason is None:
            raise  # a bug (a query the schema does not fit): its traceback, no values
        why = hint(exc)
        said = f"the store cannot be used: {reason}" + (f" ({why})" if why else "")
        say(full_disk(exc) or said, "error")  # a full disk: as every command says it
        sys.exit(1)
    except OSError as exc:
        if exc.filename is not None or exc.errno not in _FULL or not _stdout_fails(exc):
            raise
        # `articles > /dev/full`, or a full disk under `> file`: a traceback from rich's
        # write. Python would fail again at exit, flushing what is left.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        say(f"standard output: {exc.strerror}", "error")
        sys.exit(1)


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def _escape_what_output_cannot_encode() -> None:
    """Standard output writes what its encoding lacks as escapes (``\\u0422``), as standard
    error does, in JSON's form: under ``LC_ALL=C`` with UTF-8 mode off it is ASCII, and a
    Cyrillic title ended a command in a traceback. In JSON an escape reads back as the
    character."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is None:  # None where the command started with it closed (`>&-`)
        return
    encoding = codecs.lookup(sys.stdout.encoding or "ascii").name
    if not encoding.startswith("utf"):
        codecs.register_error(_ESCAPE, _json_escape)
        reconfigure(errors=_ESCAPE)


_ESCAPE = "mediadigest-json-escape"


def _json_escape(exc: UnicodeError) -> tuple[str, int]:
    """``\\uXXXX`` for each character an encoding lacks, a surrogate pair past U+FFFF: JSON's
    own escapes (Python's ``backslashreplace`` writes ``\\xd7``, which JSON refuses)."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for char in exc.object[exc.start : exc.end]:
        point = ord(char)
        if point > 0xFFFF:
            point -= 0x10000
            out.append(f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}")
        else:
            out.append(f"\\u{point:04x}")
    return "".join(out), exc.end


def _stdout_fails(exc: OSError) -> bool:
    """Whether ``exc`` came from writing standard output: rich's console writing to it, or a
    line of ours writing to ``sys.stdout``. Told from where it was raised, not by writing a
    probe (a stray byte on a healthy output) or by the disk being full (another file's)."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    console = tb.tb_frame.f_locals.get("self")
    if getattr(console, "file", None) is sys.stdout:
        return True
    return "sys.stdout" in linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
