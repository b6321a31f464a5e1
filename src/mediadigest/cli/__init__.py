"""The command line: the user's verbs, each a thin face over one core function.

The commands live in modules by what they work on; the table below registers them with
``app`` in the order ``--help`` lists them, the order of the work (the groups ``sources``,
``db``, ``stories`` and ``users`` follow them).
"""

from __future__ import annotations

import sys

from mediadigest import __version__
from mediadigest.cli import archive, collect, digest, sources, web  # noqa: F401 (sources: its group)
from mediadigest.cli.app import app, out, say
from mediadigest.cli.archive import article_to_dict, search_hit_to_dict
from mediadigest.errors import MediadigestError

__all__ = ["app", "article_to_dict", "main", "search_hit_to_dict"]

for _name, _command in (
    ("collect", collect.collect),
    ("ingest", collect.ingest),
    ("run", collect.run_cmd),
    ("digest", digest.digest),
    ("publish", digest.publish),
    ("feed", digest.feed),
    ("articles", archive.articles),
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
    """Console entry point: our errors become one line and exit 1."""
    try:
        app()
    except MediadigestError as exc:
        say(str(exc), "error")
        sys.exit(1)
