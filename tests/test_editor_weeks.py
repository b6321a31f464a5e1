"""An editor's weeks: decisions that outlive their week, late articles, what publish says.

From a walk over four weeks of a desk's work: splitting every article out of a pinned (or
hidden) story left the pin on an empty story and the articles, unflagged, back in the digest;
an article arriving after the draft was made was announced as "nothing changed since", and a
plain `publish` after `publish --rebuild` silently published the older draft again; a pin or a
hide of week 1 decided week 2's digest without a word; the empty week's hint named a draft
that did not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from mediadigest import store
from mediadigest.stories import persist as story_store
from mediadigest.web import versions
from test_editorial_consistency import api_client, mediadigest, story_of
from web_support import WEEK, _article, token_of

SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)
LATE = "Kazakhstan court jails journalist for seven years"


def flags(seeded, story_id: int) -> tuple[bool, bool, int]:
    """(pinned, hidden, articles held) of a stored story."""
    st, sa_ = story_store.stories, story_store.story_articles
    with seeded.engine.connect() as conn:
        row = conn.execute(sa.select(st.c.pinned, st.c.hidden).where(st.c.id == story_id)).one()
        held = conn.execute(
            sa.select(sa.func.count()).where(sa_.c.story_id == story_id)
        ).scalar_one()
    return row.pinned, row.hidden, held


def post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": token_of(client)})


def arrives(seeded, n: int, title: str, day: int, *, joins: int | None = None) -> int:
    """Store an article now (of Dec. ``day``), as a new story or in story ``joins``; the story."""
    art = _article(n, title, f"{title}, officials in Astana said on Thursday.", day=day,
                   outlet=f"Outlet {n}", country="GB")  # fmt: skip
    with seeded.engine.begin() as conn:
        store.save_articles(conn, [art])
        when = datetime(2025, 12, day, 9, 30)
        if joins is None:
            joins = story_store.create(conn, "kazakhstan", title, when, when)
        story_store.add_members(conn, "kazakhstan", joins, {art.id or 0: (None, False)})
        st = story_store.stories
        row = conn.execute(sa.select(st.c.title, st.c.first_seen).where(st.c.id == joins)).one()
        story_store.touch(conn, joins, row.title, row.first_seen, when)
    return joins


def version_count(seeded) -> int:
    with seeded.engine.connect() as conn:
        return len(versions.list_versions(conn))


def story_count(seeded) -> int:
    with seeded.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(story_store.stories)).scalar()


# -- a split leaves something behind ---------------------------------------------------------


def test_splitting_out_every_article_of_a_pinned_story_is_refused(seeded):
    wind = story_of(seeded, 0)  # the wind farm: articles 0 and 3
    assert mediadigest(seeded, "stories", "pin", str(wind)).exit_code == 0
    before = story_count(seeded)
    result = mediadigest(
        seeded, "stories", "split", str(wind), str(seeded.ids[0]), str(seeded.ids[3])
    )
    assert result.exit_code == 1
    assert "are all its articles, and a split leaves at least one in the story" in result.output
    assert (flags(seeded, wind), story_count(seeded)) == ((True, False, 2), before)


def test_splitting_the_only_article_of_a_hidden_story_is_refused(seeded):
    """The new story came back into the digest: a hidden story shown again."""
    university = story_of(seeded, 1)
    assert mediadigest(seeded, "stories", "hide", str(university)).exit_code == 0
    result = mediadigest(seeded, "stories", "split", str(university), str(seeded.ids[1]))
    assert result.exit_code == 1
    assert f"article {seeded.ids[1]} is its only article" in result.output
    assert "hide the story to keep it out of the digest" in result.output
    assert flags(seeded, university) == (False, True, 1)


# -- publish: a draft older than the store, or than the feed ---------------------------------


def test_publish_names_the_stories_that_arrived_after_the_draft_was_made(editor, seeded):
    """It said "Already published as version 1; nothing changed since." though the week had a
    new story, which only a rebuild would bring in."""
    post(editor, "/editor/start", week=WEEK)
    assert mediadigest(seeded, "publish", "--week", WEEK).exit_code == 0
    arrives(seeded, 6, LATE, 18)
    again = mediadigest(seeded, "publish", "--week", WEEK)
    assert again.exit_code == 0, again.output
    assert "nothing changed since" not in again.output
    assert f"1 story arrived after the draft was made (“{LATE}”)" in again.output
    assert "`publish --rebuild` to include it" in again.output
    assert version_count(seeded) == 1


def test_publish_does_not_undo_a_rebuild_with_the_older_draft(editor, seeded):
    """A cron job's plain `publish` after `publish --rebuild` published the draft again: the
    late story the rebuild had published left the feed."""
    post(editor, "/editor/start", week=WEEK)
    assert mediadigest(seeded, "publish", "--week", WEEK).exit_code == 0
    arrives(seeded, 6, LATE, 18)
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    result = mediadigest(seeded, "publish", "--week", WEEK)
    assert result.exit_code == 1
    assert "was last saved before version 2 was published" in result.output
    assert "publishing the draft would undo version 2" in result.output
    assert "`publish --rebuild` publishes a digest built now" in result.output
    assert version_count(seeded) == 2


def test_a_draft_changed_after_the_rebuild_is_published(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    post(editor, "/editor/intro", week=WEEK, revision="1", text="The desk's own intro.")
    result = mediadigest(seeded, "publish", "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert "published version 2" in result.output and "revision 2" in result.output


def test_a_story_the_editors_took_out_did_not_arrive_late(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/items/0/remove", week=WEEK, revision="1")
    result = mediadigest(seeded, "publish", "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert "arrived after the draft" not in result.output


def test_publishing_the_draft_says_what_arrived_after_it(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    arrives(seeded, 6, LATE, 18)
    result = mediadigest(seeded, "publish", "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert "published version 1" in result.output
    assert f"1 story arrived after the draft was made (“{LATE}”) and is not in it" in result.output


# -- publish: an empty period ----------------------------------------------------------------


def test_publishing_a_week_without_stories_says_so_and_names_no_draft(seeded):
    result = mediadigest(seeded, "publish", "--week", "2025-W50")
    assert result.exit_code == 1
    assert "No story in the store is dated 2025-12-08..2025-12-14" in result.output
    assert "collect or ingest the period's articles first" in result.output
    assert "draft" not in result.output


def test_publishing_a_week_whose_stories_are_all_hidden_says_so(seeded):
    for article in (0, 1, 2):
        assert mediadigest(seeded, "stories", "hide", str(story_of(seeded, article))).exit_code == 0
    result = mediadigest(seeded, "publish", "--week", WEEK)
    assert result.exit_code == 1
    assert "The period's 3 stories are all hidden" in result.output
    assert "`stories hide ID --undo` shows one again" in result.output


# -- pins and hides live on the story, across weeks ------------------------------------------


def _digest(seeded, week: str, tmp_path: Path):
    return mediadigest(seeded, "digest", "--week", week, "-o", str(tmp_path / "d.md"))


def test_the_digest_names_a_pin_of_an_earlier_week_that_puts_a_story_in(seeded, tmp_path):
    wind = story_of(seeded, 0)
    assert mediadigest(seeded, "stories", "pin", str(wind)).exit_code == 0
    assert "note:" not in _digest(seeded, WEEK, tmp_path).output  # the week it was pinned for
    arrives(seeded, 6, "Kazakhstan wind farm adds a second turbine line", 23, joins=wind)
    result = _digest(seeded, "2025-W52", tmp_path)
    assert result.exit_code == 0, result.output
    assert f"story {wind} (“Kazakhstan opens wind farm" in result.output
    assert "is in the digest with 1 article this week" in result.output
    assert f"`stories pin {wind} --undo`" in result.output
    assert "a pin stays on the story, week after week" in result.output


def test_the_digest_names_a_hidden_story_with_new_articles(seeded, tmp_path):
    university = story_of(seeded, 1)
    assert mediadigest(seeded, "stories", "hide", str(university)).exit_code == 0
    arrives(seeded, 6, "Kazakhstan and China open a joint university campus", 23, joins=university)
    arrives(seeded, 7, "Kazakhstan and China name the campus rector", 24, joins=university)
    result = _digest(seeded, "2025-W52", tmp_path)
    assert result.exit_code == 0, result.output
    assert f"story {university} (“Kazakhstan and China sign university exchange deal”)" in (
        result.output
    )
    assert f"has 2 new articles this week: `stories hide {university} --undo` to show it" in (
        result.output
    )


def test_pin_and_hide_say_they_reach_later_weeks(seeded):
    pinned = mediadigest(seeded, "stories", "pin", str(story_of(seeded, 0)))
    assert "later weeks' too" in pinned.output
    hidden = mediadigest(seeded, "stories", "hide", str(story_of(seeded, 1)))
    assert "later weeks' too" in hidden.output
    for command in ("pin", "hide"):
        help_text = " ".join(mediadigest(seeded, "stories", command, "--help").output.split())
        assert "is on the story, not on a week" in help_text


def test_the_editor_page_says_what_arrived_after_the_draft_and_a_newer_version(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    assert "arrived after the draft" not in editor.get(f"/editor?week={WEEK}").text
    arrives(seeded, 6, LATE, 18)
    page = editor.get(f"/editor?week={WEEK}").text
    assert f"1 story arrived after the draft was made (“{LATE}”) and is not in it" in page
    assert "Rebuild the draft to take it in (its edits are lost)" in page
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    page = editor.get(f"/editor?week={WEEK}").text
    assert "Version 1, published after the draft was last saved, says something else" in page


def test_the_editor_page_ranks_the_week_only_for_an_article_that_came_after_the_draft(
    editor, seeded, monkeypatch
):
    """The page reloads after every edit, and ranking a busy week takes seconds: it ranked
    the whole week on every load to look for late stories, with no late article at all."""
    from mediadigest.stories import grouping

    ranked = []
    real = grouping.ranked_for_period
    monkeypatch.setattr(grouping, "ranked_for_period", lambda *a: ranked.append(a) or real(*a))
    post(editor, "/editor/start", week=WEEK)
    ranked.clear()  # making the draft ranks the week
    post(editor, "/editor/intro", week=WEEK, revision="1", text="The desk's own intro.")
    assert "arrived after the draft" not in editor.get(f"/editor?week={WEEK}").text
    assert ranked == []
    arrives(seeded, 6, LATE, 18)
    post(editor, "/editor/intro", week=WEEK, revision="2", text="The desk's intro, again.")
    page = editor.get(f"/editor?week={WEEK}").text
    assert f"1 story arrived after the draft was made (“{LATE}”) and is not in it" in page
    assert "The desk&#39;s intro, again." in page  # saved: an edit, then a reload
    assert len(ranked) == 1  # once, kept for the pages until the store changes again


def test_the_api_does_not_undo_a_rebuild_with_the_older_draft(app, editor, seeded):
    """The API's publish published the older draft over `publish --rebuild` without a word."""
    post(editor, "/editor/start", week=WEEK)
    arrives(seeded, 6, LATE, 18)
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    client, bearer = api_client(app)
    refused = client.post("/api/digests/publish", json={"week": WEEK}, headers=bearer)
    assert refused.status_code == 409
    assert "publishing the draft would undo version 1" in refused.json()["detail"]
    assert "replace_newer: true" in refused.json()["detail"]
    assert version_count(seeded) == 1
    body = {"week": WEEK, "replace_newer": True}
    published = client.post("/api/digests/publish", json=body, headers=bearer)
    assert published.status_code == 201 and published.json()["version"] == 2


def test_the_editors_publish_button_asks_about_the_newer_version(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    assert "Publish this draft as the next version?" in editor.get(f"/editor?week={WEEK}").text
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    arrives(seeded, 6, LATE, 18)
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    page = editor.get(f"/editor?week={WEEK}").text
    assert "Version 2, published after this draft was last saved, says something else" in page


def test_the_review_page_says_a_hidden_story_was_hidden_in_an_earlier_week(editor, seeded):
    """The review page showed a plain "hidden" badge: nothing said the hide was made for an
    earlier week and now keeps this week's new development out, as `digest` says."""
    university = story_of(seeded, 1)
    assert mediadigest(seeded, "stories", "hide", str(university)).exit_code == 0
    arrives(seeded, 6, "Kazakhstan and China open a joint university campus", 23, joins=university)
    arrives(seeded, 7, "Kazakhstan and China name the campus rector", 24, joins=university)
    page = editor.get("/review?week=2025-W52").text
    story = page[page.index(f'id="story-{university}"') :]
    badge = story[story.index('class="badge earlier"') :]
    badge = badge[: badge.index("</span>")]
    assert "hidden since 20" in badge and "with articles of earlier weeks" in badge
    assert "2 articles this week" in badge
    assert 'class="badge earlier"' not in editor.get(f"/review?week={WEEK}").text


def test_a_source_without_outlet_or_web_address_is_named_not_none(editor, seeded):
    """A page read from a file without a canonical address has neither (no file:// path goes
    into a digest): the editor showed "None", linked to "#"."""
    post(editor, "/editor/start", week=WEEK)
    with seeded.engine.begin() as conn:
        content, revision = versions.get_draft(conn, "kazakhstan", SINCE, UNTIL)
        content["items"][0]["sources"] = [{"outlet": None, "url": None, "via": None}]
        assert versions.save_draft(conn, "kazakhstan", SINCE, UNTIL, content, user="editor",
                                   revision=revision)  # fmt: skip
    page = editor.get(f"/editor?week={WEEK}").text
    assert "Sources: a source without a web address" in page
    assert ">None<" not in page
