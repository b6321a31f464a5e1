"""The review and editor pages: what they say after a refused merge, a split, a publish."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from mediadigest.web import persist, versions
from web_support import WEEK, token_of


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "csrf_token": token_of(client)})


def followed(client: TestClient, response) -> str:
    """The page a POST redirected to, with the flash message it set."""
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"]).text


def story_ids(client: TestClient) -> list[int]:
    return [
        int(i) for i in re.findall(r'id="story-(-?\d+)"', client.get(f"/review?week={WEEK}").text)
    ]


# -- merging ---------------------------------------------------------------------------------


def test_merging_with_nothing_ticked_gets_the_review_page_with_a_message(editor):
    response = post(editor, "/review/merge", week=WEEK)
    assert response.headers["location"] == f"/review?week={WEEK}"
    html = followed(editor, response)
    assert "No story was ticked; tick two stories or more to merge." in html
    assert html.count('<li class="story') == 3  # nothing merged


def test_merging_one_ticked_story_says_a_second_is_needed(editor):
    html = followed(editor, post(editor, "/review/merge", week=WEEK, story=[story_ids(editor)[0]]))
    assert "Only one story was ticked; tick two stories or more to merge." in html


# -- the week's heading ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading", "title"),
    [
        ("/", "Week of Dec. 15–21, 2025", "Week of Dec. 15–21, 2025"),
        ("/review", "Review stories: week of Dec. 15–21, 2025", "Review: week of Dec. 15–21, 2025"),
    ],
)
def test_the_week_and_review_pages_are_headed_with_the_week_they_show(editor, path, heading, title):
    html = editor.get(path, params={"week": WEEK}).text
    assert f"<h1>{heading}</h1>" in html
    assert f"<title>{title} · mediadigest</title>" in html


def test_a_week_across_two_months_is_headed_in_house_style(editor):
    html = editor.get("/", params={"week": "2025-W44"}).text
    assert "<h1>Week of Oct. 27 – Nov. 2, 2025</h1>" in html


# -- splitting -------------------------------------------------------------------------------


def test_after_a_split_the_review_page_lands_on_the_new_story(editor, seeded):
    wind, university, grain = story_ids(editor)
    # A merge and a split first, so that new story ids no longer equal article ids.
    post(editor, "/review/merge", week=WEEK, story=[university, grain])
    post(editor, f"/review/{university}/split", week=WEEK, article_id=seeded.ids[2])
    response = post(editor, f"/review/{wind}/split", week=WEEK, article_id=seeded.ids[3])
    anchor = response.headers["location"].partition("#")[2]
    html = followed(editor, response)
    new = re.search(rf'<li class="story[^"]*" id="{anchor}">(?:(?!</li>).)*', html, re.S)
    assert new, f"no {anchor!r} on the page"
    assert f'href="/articles/{seeded.ids[3]}"' in new[0]  # the report split off
    assert f'href="/articles/{seeded.ids[0]}"' not in new[0]  # not the story it left


# -- times -----------------------------------------------------------------------------------


def test_published_times_are_shown_in_utc_and_say_so(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    with seeded.engine.connect() as conn:
        at = versions.list_versions(conn)[0]["published_at"]  # naive UTC, as the store keeps
    shown = f"{at:%Y-%m-%d %H:%M} UTC"
    for path in ("/digests", "/digests/1", f"/?week={WEEK}", "/public/digests/1"):
        assert shown in editor.get(path).text, path


def test_the_time_filter_shows_an_aware_time_in_utc(app):
    when = app.state.web.templates.filters["when"]
    assert when(datetime(2025, 12, 18, 9, 30)) == "2025-12-18 09:30 UTC"
    almaty = timezone(timedelta(hours=5))
    assert when(datetime(2025, 12, 18, 14, 30, tzinfo=almaty)) == "2025-12-18 09:30 UTC"
    assert when(None) == "never"


# -- replaced versions -----------------------------------------------------------------------


@pytest.fixture
def two_versions(editor) -> TestClient:
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    post(editor, "/editor/items/0/remove", week=WEEK, revision="1")
    post(editor, "/editor/publish", week=WEEK, revision="2")
    return editor


def test_an_older_version_says_a_newer_one_replaced_it_and_links_to_it(two_versions):
    html = two_versions.get("/digests/1").text
    assert "Replaced: version 2 of this digest was published" in html
    assert '<a href="/digests/2">Read the newest version</a>' in html
    assert "Replaced:" not in two_versions.get("/digests/2").text


def test_an_older_public_version_links_to_the_newest_public_one(two_versions, app):
    anyone = TestClient(app)
    html = anyone.get("/public/digests/1").text
    assert "Replaced: version 2 of this digest was published" in html
    assert '<a href="/public/digests/2">Read the newest version</a>' in html
    assert "Replaced:" not in anyone.get("/public/digests/2").text


# -- an edit from an older page --------------------------------------------------------------


def test_an_edit_from_an_older_page_follows_its_item_to_where_it_moved(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    page = editor.get(f"/editor?week={WEEK}").text
    seen = re.findall(r'name="item_seen" value="([^"]+)"', page)
    post(editor, "/editor/items/0/move", week=WEEK, revision="1", delta="2")  # item 0 is now 2
    saved = post(
        editor,
        "/editor/items/0/edit",
        week=WEEK,
        revision="1",
        item_seen=seen[0],
        headline="Moved and edited",
    )
    assert saved.headers["location"] == f"/editor?week={WEEK}#item-2"
    assert "your edit went onto the newer draft" in followed(editor, saved)
    with seeded.engine.connect() as conn:
        content, revision = versions.get_draft(
            conn, "kazakhstan", date(2025, 12, 15), date(2025, 12, 21)
        )
        entry = persist.list_audit(conn)[0]
    assert [i["headline"] for i in content["items"]][2] == "Moved and edited"
    assert revision == 3
    assert (entry["action"], entry["detail"]["item"]) == ("item.edit", 2)


# -- what an editor's walk in chromium found ---------------------------------------------------


def test_a_storys_score_badge_shows_the_score_its_ranked_line_gives(editor):
    """The badge said 0.8 for both 0.77 and 0.75 while "Ranked" said score 0.77."""
    html = editor.get(f"/review?week={WEEK}").text
    stories = re.findall(r'<li class="story.*?</li>\s*</ul>', html, re.S)
    assert len(stories) == 3
    for story in stories:
        badge = re.search(r'<span class="score">([^<]+)</span>', story)
        ranked = re.search(r"Ranked:</span> [^<]*?score (\d+\.\d+)", story)
        assert badge and ranked and badge[1] == ranked[1], story


def _item(html: str, anchor: str) -> str:
    found = re.search(rf'<li class="item card" id="{anchor}">(?:(?!</li>).)*', html, re.S)
    assert found, f"no {anchor!r} on the page"
    return found[0]


def test_after_a_move_the_saved_message_is_shown_in_the_moved_item(editor):
    """The page goes to the moved item; "Saved." at the top of the page was out of sight."""
    post(editor, "/editor/start", week=WEEK)
    response = post(editor, "/editor/items/0/move", week=WEEK, revision="1", delta="2")
    assert response.headers["location"] == f"/editor?week={WEEK}#item-2"
    html = followed(editor, response)
    assert '<p class="flash flash-ok flash-here" role="status">Saved.</p>' in _item(html, "item-2")
    assert html.count("Saved.") == 1  # not at the top as well
    assert "Saved." not in editor.get(f"/editor?week={WEEK}").text  # shown once


def test_a_message_for_no_item_on_the_page_is_shown_at_the_top(editor):
    post(editor, "/editor/start", week=WEEK)
    html = followed(editor, post(editor, "/editor/intro", week=WEEK, revision="1", text="Hi."))
    top = html.split('<div class="page-head">')[0]
    assert '<p class="flash flash-ok" role="status">Saved.</p>' in top


def test_after_pinning_a_story_the_message_is_shown_in_that_story(editor):
    wind = story_ids(editor)[0]
    html = followed(editor, post(editor, f"/review/{wind}/pin", week=WEEK, on="true"))
    story = re.search(rf'<li class="story[^"]*" id="story-{wind}">(?:(?!</li>).)*', html, re.S)
    assert story and 'class="flash flash-ok flash-here" role="status">Pinned.</p>' in story[0]


def test_publishing_lands_on_the_published_digest(editor):
    """It went to /digests?week=…, a list of every version of every week."""
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    post(editor, "/editor/items/0/remove", week=WEEK, revision="1")
    response = post(editor, "/editor/publish", week=WEEK, revision="2")
    assert response.headers["location"] == "/digests/2"
    html = followed(editor, response)
    assert "Published version 2." in html
    assert "<h1>Published digest · version 2</h1>" in html
    assert '<a href="/public/digests/2">Public page</a>' in html
