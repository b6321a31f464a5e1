"""`mediadigest publish` beside the web app: the editors' draft is what gets published.

A press office's cron job ran `publish --week …` after the editors had worked on the draft in
the web app; it published a digest built afresh, and the editors' edits, order and removals
were gone from the feed (and the CLI publish was not in the audit log).
"""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest.cli import app
from mediadigest.web import persist, versions
from test_web_editor import post
from web_support import WEEK

EDITED = "EDITED BY THE DESK: the week in three stories."


def _publish(seeded, *args: str):
    return CliRunner().invoke(app, ["--db", seeded.settings.db, "publish", "--week", WEEK, *args])


def _latest(seeded) -> dict:
    with seeded.engine.connect() as conn:
        found = versions.list_versions(conn)[0]
        return versions.get_version(conn, found["id"]) or {}


def test_publish_publishes_the_editors_draft(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/intro", week=WEEK, revision="1", text=EDITED)
    post(editor, "/editor/items/0/remove", week=WEEK, revision="2")
    with seeded.engine.connect() as conn:
        draft, revision = versions.get_draft(conn, "kazakhstan", *_week(conn)) or ({}, 0)
    result = _publish(seeded)
    assert result.exit_code == 0, result.output
    assert f"the editors' draft, revision {revision}" in result.output
    assert _latest(seeded)["content"] == draft
    assert _latest(seeded)["content"]["intro"] == EDITED
    with seeded.engine.connect() as conn:
        logged = conn.execute(sa.select(persist.audit_log.c.user_name, persist.audit_log.c.action))
        assert ("cli", "digest.publish") in [tuple(r) for r in logged]
    # Nothing changed since: not published again under a new number.
    again = _publish(seeded)
    assert again.exit_code == 0 and "Already published as version 1" in again.output


def test_rebuild_publishes_a_digest_built_now_and_leaves_the_draft(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/intro", week=WEEK, revision="1", text=EDITED)
    result = _publish(seeded, "--rebuild")
    assert result.exit_code == 0, result.output
    assert "built now from the store" in result.output
    assert _latest(seeded)["content"]["intro"] != EDITED
    with seeded.engine.connect() as conn:
        assert (versions.get_draft(conn, "kazakhstan", *_week(conn)) or ({},))[0]["intro"] == EDITED


def test_without_a_draft_publish_builds_the_digest(seeded):
    result = _publish(seeded)
    assert result.exit_code == 0, result.output
    assert "built now from the store" in result.output and _latest(seeded)["content"]["items"]


def test_publishing_an_unchanged_digest_again_says_so_and_exits_0(seeded):
    """A weekly cron job that ran twice reported a failure (exit 1, "error: ...")."""
    assert _publish(seeded).exit_code == 0
    again = _publish(seeded)
    assert again.exit_code == 0, again.output
    assert "Already published as version 1; nothing changed since." in again.output
    assert "error" not in again.output
    with seeded.engine.connect() as conn:
        assert len(versions.list_versions(conn)) == 1


def _week(conn: sa.Connection) -> tuple:
    row = conn.execute(sa.select(persist.digest_drafts.c.period_from,
                                 persist.digest_drafts.c.period_to)).first()  # fmt: skip
    return (row.period_from, row.period_to) if row else (None, None)


def test_feed_with_a_base_url_links_like_the_web_feed(seeded):
    """A feed file written by cron for a static site: with no links a reader cannot open an
    entry, nor find the feed again."""
    assert _publish(seeded).exit_code == 0
    args = ["--db", seeded.settings.db, "feed", "--base-url", "https://digest.example.org/"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert '<link href="https://digest.example.org/feed.atom" rel="self"' in result.output
    assert 'href="https://digest.example.org/public/digests/1"' in result.output
    bad = CliRunner().invoke(app, [*args[:-1], "digest.example.org"])
    assert bad.exit_code == 2 and "is not an http(s) address" in bad.output


def test_the_digest_names_the_publisher_the_settings_give(seeded, monkeypatch):
    monkeypatch.setenv("MEDIADIGEST_PUBLISHER", "The Astana Times")
    args = ["--db", seeded.settings.db, "digest", "--week", WEEK, "--format", "md"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "The Astana Times has selected" in result.output
    assert _publish(seeded).exit_code == 0
    assert _latest(seeded)["content"]["intro"].startswith("The Astana Times has selected")
