"""Review's merge refuses to join a hidden story with one that is not, and says who hid it.

From a walk of two editors at once: bob's Review page, loaded before alice hid stories, showed
them as any other. His merge of a visible story with one alice had hidden said "Merged 2
stories into this one." and showed the hidden story's articles again (her hide undone); merged
the other way, a story of the draft went into the hidden one and out of the digest, nothing
said until Publish refused "item 3 ... of a hidden story". One story cannot be both: the
editor is told what is hidden, by whom and since when, and what to do.
"""

from __future__ import annotations

import sqlalchemy as sa

from mediadigest.stories import persist as story_store
from test_editorial_consistency import mediadigest, story_of
from test_web_review_draft import followed, headlines, post, start
from web_support import WEEK


def _hidden_and_merged(seeded) -> dict[int, tuple[bool, int | None]]:
    st = story_store.stories
    with seeded.engine.connect() as conn:
        rows = conn.execute(sa.select(st.c.id, st.c.hidden, st.c.merged_into))
        return {r.id: (r.hidden, r.merged_into) for r in rows}


def test_a_stale_review_page_does_not_merge_a_visible_story_with_a_hidden_one(editor, seeded):
    start(editor)
    wind, university = story_of(seeded, 0), story_of(seeded, 1)
    # Hidden meanwhile by someone else (with `stories hide`, so by "cli").
    assert mediadigest(seeded, "stories", "hide", str(university)).exit_code == 0
    before, draft = _hidden_and_merged(seeded), headlines(seeded)
    html = followed(editor, post(editor, "/review/merge", week=WEEK, story=[wind, university]))
    assert f"Nothing was merged: story {university} was hidden by cli on 20" in html
    assert (
        f"and story {wind} is not: merged into story {wind}, the articles of story "
        f"{university} would be shown again. Show story {university} again, or hide story "
        f"{wind} too, then merge." in html
    )
    html = followed(editor, post(editor, "/review/merge", week=WEEK, story=[university, wind]))
    assert (
        f"merged into hidden story {university}, the articles of story {wind} would be hidden "
        "with it" in html
    )
    assert _hidden_and_merged(seeded) == before and headlines(seeded) == draft


def test_the_cli_refuses_the_merge_alike(seeded):
    wind, university = story_of(seeded, 0), story_of(seeded, 1)
    assert mediadigest(seeded, "stories", "hide", str(university)).exit_code == 0
    result = mediadigest(seeded, "stories", "merge", str(wind), str(university))
    assert result.exit_code == 1
    assert f"story {university} was hidden by cli on 20" in result.output
    assert f"hide story {wind} too, then merge" in result.output


def test_hidden_stories_merge_with_each_other_and_stay_hidden(editor, seeded):
    wind, university = story_of(seeded, 0), story_of(seeded, 1)
    for story in (wind, university):
        assert mediadigest(seeded, "stories", "hide", str(story)).exit_code == 0
    html = followed(editor, post(editor, "/review/merge", week=WEEK, story=[wind, university]))
    assert "Merged 2 stories into this one." in html
    assert _hidden_and_merged(seeded)[university] == (True, wind)
    assert _hidden_and_merged(seeded)[wind] == (True, None)
