"""The CLI, the JSON API and Review make the same editorial decisions with the same effects.

A story hidden with `stories hide` or ``POST /api/stories/{id}/hide`` stayed in the week's web
draft (Review takes it out), so the desk found Publish refused and did not know why; stories
merged after the draft was made stayed in it twice, one story told as two. Also the CLI's
small slips: ``digest -o -`` wrote a file named "-", and `users remove ED` did not find "ed".
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest.cli import app as cli
from mediadigest.stories import persist as story_store
from mediadigest.web import persist, versions
from test_web_review_draft import SINCE, UNIVERSITY, UNTIL, followed, headlines, post, start
from web_support import WEEK, csrf_of, login

GRAIN = "Caspian grain exports from Kazakhstan hit a record"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder (the seeded store is in ``tmp_path``)."""
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def mediadigest(seeded, *args: str):
    return CliRunner().invoke(cli, ["--db", seeded.settings.db, *args])


def story_of(seeded, article: int) -> int:
    """The stored story of the ``article``-th seeded article."""
    sa_ = story_store.story_articles
    query = sa.select(sa_.c.story_id).where(sa_.c.article_id == seeded.ids[article])
    with seeded.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def audit(seeded) -> list[tuple[str, str, str]]:
    """(user, action, target) of the audit log, oldest first."""
    with seeded.engine.connect() as conn:
        return [(r["user_name"], r["action"], r["target"]) for r in persist.list_audit(conn)][::-1]


def api_client(app) -> tuple[TestClient, dict[str, str]]:
    """A client and the bearer header of a token the seeded editor made on the account page."""
    client = login(TestClient(app), "editor")
    html = client.post(
        "/account/tokens",
        data={"name": "newsroom-bot", "csrf_token": csrf_of(client.get("/account").text)},
    ).text
    token = re.search(r'class="token">([^<]+)<', html)[1]
    return TestClient(app), {"Authorization": f"Bearer {token}"}


# -- hiding ----------------------------------------------------------------------------------


def test_cli_hide_takes_the_storys_item_out_of_the_web_draft_and_says_so(editor, seeded):
    start(editor)
    university = story_of(seeded, 1)
    result = mediadigest(seeded, "stories", "hide", str(university))
    assert result.exit_code == 0, result.output
    assert UNIVERSITY not in headlines(seeded)
    assert len(headlines(seeded)) == 2
    assert f"took “{UNIVERSITY}” out of the draft of {SINCE}..{UNTIL}" in result.output
    # Audited as Review audits it: the decision, then what it did to the draft.
    assert audit(seeded)[-2:] == [
        ("cli", "story.hide", f"story {university}"),
        ("cli", "item.remove", f"kazakhstan {SINCE}..{UNTIL}"),
    ]


def test_after_a_cli_hide_the_draft_publishes_without_the_story(editor, seeded):
    start(editor)
    mediadigest(seeded, "stories", "hide", str(story_of(seeded, 1)))
    result = mediadigest(seeded, "publish", "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert "published version 1" in result.output


def test_cli_hide_without_a_draft_only_hides(seeded):
    result = mediadigest(seeded, "stories", "hide", str(story_of(seeded, 1)))
    assert result.exit_code == 0, result.output
    assert "took" not in result.output
    with seeded.engine.connect() as conn:
        assert versions.get_draft(conn, "kazakhstan", SINCE, UNTIL) is None


def test_cli_hide_of_an_unknown_story_is_one_line_and_changes_nothing(editor, seeded):
    start(editor)
    before = audit(seeded)
    result = mediadigest(seeded, "stories", "hide", "999")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: story 999: no such story for profile kazakhstan"
    ]
    assert audit(seeded) == before


def test_api_hide_takes_the_storys_item_out_of_the_draft_and_says_so(app, editor, seeded):
    start(editor)
    client, bearer = api_client(app)
    university = story_of(seeded, 1)
    response = client.post(f"/api/stories/{university}/hide", json={"on": True}, headers=bearer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hidden"] is True
    assert body["taken_out"] == [
        {"period_from": str(SINCE), "period_to": str(UNTIL), "headlines": [UNIVERSITY]}
    ]
    assert f"taken “{UNIVERSITY}” out of the draft" in body["message"]
    assert UNIVERSITY not in headlines(seeded)
    assert [a[1] for a in audit(seeded)[-2:]] == ["story.hide", "item.remove"]


def test_api_show_again_changes_no_draft(app, editor, seeded):
    start(editor)
    client, bearer = api_client(app)
    response = client.post(f"/api/stories/{story_of(seeded, 1)}/hide", json={"on": False},
                           headers=bearer)  # fmt: skip
    assert response.json() == {
        "id": story_of(seeded, 1), "hidden": False, "taken_out": [], "message": "Shown again."
    }  # fmt: skip
    assert len(headlines(seeded)) == 3


# -- merging ---------------------------------------------------------------------------------


def test_review_merge_keeps_the_target_item_and_takes_the_other_out(editor, seeded):
    start(editor)
    grain, university = story_of(seeded, 2), story_of(seeded, 1)
    html = followed(editor, post(editor, "/review/merge", week=WEEK, story=[grain, university]))
    assert (
        f"Merged 2 stories into this one. The week&#39;s draft keeps one item of it: "
        f"“{UNIVERSITY}” taken out." in html
    )
    assert GRAIN in headlines(seeded)
    assert UNIVERSITY not in headlines(seeded)
    with seeded.engine.connect() as conn:
        removal = persist.list_audit(conn)[0]
    assert removal["action"] == "item.remove"
    assert removal["detail"]["reason"] == f"story merged into story {grain}"


def test_cli_merge_keeps_the_target_item_and_takes_the_other_out(editor, seeded):
    start(editor)
    grain, university = story_of(seeded, 2), story_of(seeded, 1)
    result = mediadigest(seeded, "stories", "merge", str(university), str(grain))
    assert result.exit_code == 0, result.output
    assert headlines(seeded).count(UNIVERSITY) == 1
    assert GRAIN not in headlines(seeded)
    assert f"took “{GRAIN}” out of the draft of {SINCE}..{UNTIL}" in result.output
    assert ("cli", "story.merge", f"story {university}") in audit(seeded)


def test_a_merge_into_a_story_the_draft_lacks_keeps_the_merged_storys_item(editor, seeded):
    start(editor)
    at = headlines(seeded).index(GRAIN)
    post(editor, f"/editor/items/{at}/remove", week=WEEK, revision="1")
    result = mediadigest(seeded, "stories", "merge", str(story_of(seeded, 2)),
                         str(story_of(seeded, 1)))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert UNIVERSITY in headlines(seeded) and len(headlines(seeded)) == 2
    assert "took" not in result.output


def test_the_merged_draft_publishes_one_item_for_the_story(editor, seeded):
    start(editor)
    mediadigest(seeded, "stories", "merge", str(story_of(seeded, 2)), str(story_of(seeded, 1)))
    result = mediadigest(seeded, "publish", "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert "(2 items, the editors' draft" in result.output


# -- digest -o - -----------------------------------------------------------------------------


def test_digest_to_dash_writes_markdown_to_stdout_and_no_file(seeded, here):
    result = mediadigest(seeded, "digest", "--week", WEEK, "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ")
    assert "wind farm" in result.stdout
    assert list(here.iterdir()) == []


def test_digest_json_to_dash_is_the_json_on_stdout(seeded, here):
    result = mediadigest(seeded, "digest", "--week", WEEK, "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    assert '"items"' in result.stdout
    assert list(here.iterdir()) == []


def _digest_process(seeded, here: Path, stdout) -> subprocess.CompletedProcess[bytes]:
    args = ["--db", seeded.settings.db, "digest", "--week", WEEK, "--format", "docx", "-o", "-"]
    return subprocess.run(
        [sys.executable, "-m", "mediadigest", *args],
        stdout=stdout, stderr=subprocess.PIPE, cwd=here, timeout=120, check=False,
    )  # fmt: skip


def test_docx_to_dash_goes_into_a_pipe(seeded, here):
    done = _digest_process(seeded, here, subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"PK\x03\x04")  # a zip: the DOCX itself
    assert list(here.iterdir()) == []


def test_docx_to_dash_on_a_terminal_is_refused_in_one_line(seeded, here):
    main, terminal = pty.openpty()
    try:
        done = _digest_process(seeded, here, terminal)
    finally:
        os.close(terminal)
        os.close(main)
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        "error: DOCX is binary: -o - writes it into a pipe or a file, not to a terminal"
    ]
    assert list(here.iterdir()) == []


# -- users -----------------------------------------------------------------------------------


def test_users_remove_finds_the_user_in_any_case_and_names_it_as_stored(seeded):
    result = mediadigest(seeded, "users", "remove", "EdItOr")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "removed editor"
    with seeded.engine.connect() as conn:
        assert "editor" not in [u.name for u in persist.list_users(conn)]


def test_users_remove_of_no_such_user_still_says_so(seeded):
    result = mediadigest(seeded, "users", "remove", "nobody")
    assert result.exit_code == 1
    assert result.output.strip() == "error: nobody: no such user"


# -- every decision counts the week's stories again, and the CLI's are audited ------------------


def trend(seeded) -> str:
    with seeded.engine.connect() as conn:
        found = versions.get_draft(conn, "kazakhstan", SINCE, UNTIL)
    assert found is not None
    return found[0]["trend"]


def test_showing_a_story_again_and_splitting_one_count_the_weeks_stories_again(editor, seeded):
    """Only a decision that took an item out rewrote the line: a story shown again, or split
    in two, left "Of 2 stories" where the digest built now says 3 (or 4), and so it was
    published."""
    start(editor)
    hidden = story_of(seeded, 1)
    post(editor, f"/review/{hidden}/hide", week=WEEK, on="true")
    assert trend(seeded).startswith("Of 2 stories")
    post(editor, f"/review/{hidden}/hide", week=WEEK, on="false")
    assert trend(seeded).startswith("Of 3 stories")
    wind = story_of(seeded, 0)
    assert mediadigest(seeded, "stories", "split", str(wind), str(seeded.ids[3])).exit_code == 0
    assert trend(seeded).startswith("Of 4 stories")


def test_the_clis_pins_and_splits_are_audited_as_its_hides_and_merges(seeded):
    wind, grain = story_of(seeded, 0), story_of(seeded, 2)
    assert mediadigest(seeded, "stories", "pin", str(grain)).exit_code == 0
    split = mediadigest(seeded, "stories", "split", str(wind), str(seeded.ids[3]))
    assert split.exit_code == 0
    new = int(split.stdout)  # the id alone on stdout, for scripts; what it did on stderr
    assert f"moved 1 article out of story {wind} into a new story, {new}" in split.stderr
    assert audit(seeded)[-2:] == [
        ("cli", "story.pin", f"story {grain}"),
        ("cli", "story.split", f"story {wind}"),
    ]


def test_merging_a_story_into_itself_is_refused_not_reported_done(seeded):
    grain = story_of(seeded, 2)
    result = mediadigest(seeded, "stories", "merge", str(grain), str(grain))
    assert result.exit_code == 1
    assert f"nothing to merge: the stories named are all story {grain}" in result.output
    assert ("cli", "story.merge", f"story {grain}") not in audit(seeded)


def test_a_decision_leaves_the_drafts_of_periods_its_story_does_not_reach(seeded):
    """A CLI hide recounts the drafts its story is in, not a year of weekly drafts."""
    from datetime import date

    early = (date(2025, 11, 3), date(2025, 11, 9))  # weeks before any seeded report
    content = {"period": {"from": "2025-11-03", "to": "2025-11-09"}, "items": [],
               "intro": "", "trend": "Of 2 stories this week, 2 are new."}  # fmt: skip
    with seeded.engine.begin() as conn:
        assert versions.save_draft(conn, "kazakhstan", *early, content, user="ed", revision=None)
    assert mediadigest(seeded, "stories", "hide", str(story_of(seeded, 2))).exit_code == 0
    with seeded.engine.connect() as conn:
        kept, revision = versions.get_draft(conn, "kazakhstan", *early)
    assert (kept["trend"], revision) == (content["trend"], 1)


def test_a_story_named_twice_in_a_merge_is_merged_and_counted_once(seeded):
    grain, university = story_of(seeded, 2), story_of(seeded, 1)
    result = mediadigest(seeded, "stories", "merge", str(grain), str(university), str(university))
    assert result.exit_code == 0 and f"merged 1 into story {grain}" in result.output
    with seeded.engine.connect() as conn:
        merge = next(r for r in persist.list_audit(conn) if r["action"] == "story.merge")
    assert merge["detail"]["merged"] == [university]
