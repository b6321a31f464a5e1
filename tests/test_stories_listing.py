"""`mediadigest stories` ranks the period's stories as the digest does: against the last
published digest too (its novelty), or the listing an editor checks explains a ranking the
digest does not use."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app
from mediadigest.profile import load_profile
from mediadigest.stories import persist
from mediadigest.write.compose import build_digest
from mediadigest.write.render import to_dict

WEEK = Path(__file__).parent / "fixtures" / "stories" / "week.jsonl"
SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)


def test_the_listing_ranks_against_the_last_published_digest_as_the_digest_does(tmp_path):
    profile = load_profile("kazakhstan")
    db = f"sqlite:///{tmp_path / 's.db'}"
    engine = store.open_store(db)
    assert run.ingest(engine, profile, [WEEK]).ok
    with engine.begin() as conn:
        # The week's own digest, published as last week's: every story continues from it.
        content = to_dict(build_digest(conn, profile, SINCE, UNTIL))
        week_before = (SINCE - timedelta(days=7), UNTIL - timedelta(days=7))
        persist.publish(conn, profile.name, *week_before, content, by="test")
        digest = to_dict(build_digest(conn, profile, SINCE, UNTIL, update=False))
    engine.dispose()
    result = CliRunner().invoke(app, ["--db", db, "stories", "--week", "2025-W51", "--json"])
    assert result.exit_code == 0, result.output
    listed = {s["id"]: s for s in json.loads(result.output)}
    for item in digest["items"]:
        story = listed[item["story_id"]]
        # The item's reasons are the story's, after why the selection chose it.
        assert (story["score"], story["why"]) == (item["score"], item["why"][1:])
        assert any("from the last digest" in why for why in story["why"])
