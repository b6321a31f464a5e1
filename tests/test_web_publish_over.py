"""The web's Publish asks on the server before the draft replaces a newer version.

From a walk of two editors at once: an editor page loaded before a cron job's
`publish --rebuild` asked "Publish this draft as the next version?", and the draft, last saved
before the rebuild, was published over it without a word (its version undone). The question
about the newer version was only the page's, as rendered (a stale page lacks it, and without
its script there is none); `publish` and the API refuse the case.
"""

from __future__ import annotations

import re

from mediadigest.web import versions
from test_editor_weeks import LATE, arrives, mediadigest, post, version_count
from web_support import WEEK

EDITED = "The desk's own intro, typed before the cron job ran."


def _latest_intro(seeded) -> str:
    with seeded.engine.connect() as conn:
        latest = versions.list_versions(conn)[0]
        return (versions.get_version(conn, latest["id"]) or {})["content"]["intro"]


def _fields(html: str) -> dict[str, str]:
    form = html[html.index('<form method="post" action="/editor/publish"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))


def test_a_page_loaded_before_a_rebuild_asks_before_publishing_over_it(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/intro", week=WEEK, revision="1", text=EDITED)
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    asked = post(editor, "/editor/publish", week=WEEK, revision="2")  # the page of revision 2
    assert asked.status_code == 409
    assert "Publish the draft over version 1?" in asked.text
    assert "publishing the draft would undo version 1" in asked.text
    assert version_count(seeded) == 1 and _latest_intro(seeded) != EDITED
    fields = _fields(asked.text)
    assert (fields["revision"], fields["replace_newer"]) == ("2", "1")
    published = editor.post("/editor/publish", data=fields)
    assert published.status_code == 303
    assert version_count(seeded) == 2 and _latest_intro(seeded) == EDITED


def test_a_yes_for_one_version_does_not_publish_over_a_later_one(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    arrives(seeded, 6, LATE, 18)
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    asked = post(editor, "/editor/publish", week=WEEK, revision="1", replace_newer="1")
    assert asked.status_code == 409 and "Publish the draft over version 2?" in asked.text
    assert version_count(seeded) == 2


def test_a_draft_saved_after_the_latest_version_is_published_without_a_question(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    post(editor, "/editor/intro", week=WEEK, revision="1", text=EDITED)
    assert post(editor, "/editor/publish", week=WEEK, revision="2").status_code == 303
    assert version_count(seeded) == 2 and _latest_intro(seeded) == EDITED
