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
    assert (
        '<p class="flash flash-ok flash-here" id="flash-item-2" role="status" tabindex="-1" '
        "data-focus>Saved.</p>"
    ) in _item(html, "item-2")
    assert html.count("Saved.") == 1  # not at the top as well
    assert "Saved." not in editor.get(f"/editor?week={WEEK}").text  # shown once


def test_a_message_for_no_item_on_the_page_is_shown_at_the_top(editor):
    post(editor, "/editor/start", week=WEEK)
    html = followed(editor, post(editor, "/editor/intro", week=WEEK, revision="1", text="Hi."))
    top = html.split('<div class="page-head">')[0]
    assert (
        'class="flash flash-ok" id="flash-1" role="status" tabindex="-1" data-focus>Saved.' in top
    )


def test_after_pinning_a_story_the_message_is_shown_in_that_story(editor):
    wind = story_ids(editor)[0]
    html = followed(editor, post(editor, f"/review/{wind}/pin", week=WEEK, on="true"))
    story = re.search(rf'<li class="story[^"]*" id="story-{wind}">(?:(?!</li>).)*', html, re.S)
    assert story and 'class="flash flash-ok flash-here" id="flash-story-' in story[0]
    assert 'role="status" tabindex="-1" data-focus>Pinned.</p>' in story[0]


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


# -- two editors at once: the intro, the week-over-week line, a move --------------------------


def _page_tokens(client: TestClient) -> dict[str, list[str]]:
    """What the editor page showed, as its forms send it back: per line, per item, per move."""
    html = client.get(f"/editor?week={WEEK}").text
    lines = re.findall(r'action="/editor/(intro|trend)".*?name="seen" value="([^"]*)"', html, re.S)
    return {
        **{key: [token] for key, token in lines},
        "items": re.findall(r'name="item_seen" value="([^"]+)"', html),
        "moves": re.findall(r'/move".*?name="seen" value="([^"]+)"', html),
    }


def _draft(seeded) -> tuple[dict, int]:
    with seeded.engine.connect() as conn:
        found = versions.get_draft(conn, "kazakhstan", date(2025, 12, 15), date(2025, 12, 21))
    assert found is not None
    return found


@pytest.fixture
def boss(app) -> TestClient:
    """A second editor (the admin) in a browser of their own."""
    from web_support import login

    return login(TestClient(app, follow_redirects=False), "admin")


def _edit_headline(client: TestClient, index: int, revision: int, seen: str, headline: str):
    return post(
        client,
        f"/editor/items/{index}/edit",
        week=WEEK,
        revision=str(revision),
        item_seen=seen,
        headline=headline,
    )


LONG = "Coverage doubled on last week, led by British and Chinese outlets writing on energy."


def test_a_trend_line_from_an_older_page_goes_onto_a_draft_changed_elsewhere(editor, boss, seeded):
    post(editor, "/editor/start", week=WEEK)
    theirs = _page_tokens(boss)  # the boss loads the page at revision 1
    _edit_headline(editor, 0, 1, _page_tokens(editor)["items"][0], "Ed's headline")
    saved = post(boss, "/editor/trend", week=WEEK, revision="1", seen=theirs["trend"][0], text=LONG)
    assert "your edit went onto the newer draft" in followed(boss, saved)
    content, revision = _draft(seeded)
    assert (content["trend"], content["items"][0]["headline"]) == (LONG, "Ed's headline")
    assert revision == 3


def test_an_intro_from_an_older_page_goes_over_the_writers_rewritten_one(editor, boss, seeded):
    """The writer rewrote its intro for the edited headline; the boss's text still goes on."""
    post(editor, "/editor/start", week=WEEK)
    theirs = _page_tokens(boss)
    _edit_headline(editor, 0, 1, _page_tokens(editor)["items"][0], "Ed's headline")
    saved = post(boss, "/editor/intro", week=WEEK, revision="1", seen=theirs["intro"][0], text=LONG)
    assert saved.status_code == 303
    content, _ = _draft(seeded)
    assert (content["intro"], content["intro_edited"]) == (LONG, True)
    assert content["items"][0]["headline"] == "Ed's headline"


def test_an_intro_over_another_editors_intro_is_kept_unsaved_on_the_page(editor, boss, seeded):
    post(editor, "/editor/start", week=WEEK)
    theirs = _page_tokens(boss)
    post(editor, "/editor/intro", week=WEEK, revision="1", text="Ed's intro.")
    refused = post(
        boss, "/editor/intro", week=WEEK, revision="1", seen=theirs["intro"][0], text="Boss <b>"
    )
    assert refused.status_code == 409
    assert "The introduction was changed after you loaded the page" in refused.text
    assert "(the draft was last saved by editor at " in refused.text
    kept = refused.text.split('id="kept"')[1].split("</section>")[0]
    assert "<h2>Your text, not saved</h2>" in kept
    assert ">Boss &lt;b&gt;</textarea>" in kept
    assert _draft(seeded)[0]["intro"] == "Ed's intro."
    # The box's own form is of the draft as it is now: saving it puts the boss's text over Ed's.
    revision = re.search(r'name="revision" value="(\d+)"', kept)[1]
    seen = re.search(r'name="seen" value="([^"]+)"', kept)[1]
    post(boss, "/editor/intro", week=WEEK, revision=revision, seen=seen, text="Boss <b>")
    assert _draft(seeded)[0]["intro"] == "Boss <b>"


def test_a_trend_line_from_a_page_that_sent_no_token_is_kept_not_lost(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/items/0/move", week=WEEK, revision="1", delta="1")
    refused = post(editor, "/editor/trend", week=WEEK, revision="1", text=LONG)
    assert refused.status_code == 409
    assert f">{LONG}</textarea>" in refused.text.split('id="kept"')[1]


def test_a_move_from_an_older_page_goes_onto_the_newer_draft_when_its_item_is_in_place(
    editor, boss, seeded
):
    post(editor, "/editor/start", week=WEEK)
    theirs = _page_tokens(boss)
    _edit_headline(editor, 2, 1, _page_tokens(editor)["items"][2], "Ed's headline")
    before = [i["article_id"] for i in _draft(seeded)[0]["items"]]
    moved = post(
        boss, "/editor/items/0/move", week=WEEK, revision="1", seen=theirs["moves"][1], delta="1"
    )
    assert moved.headers["location"] == f"/editor?week={WEEK}#item-1"
    assert "your move went onto the newer draft" in followed(boss, moved)
    content, _ = _draft(seeded)
    assert [i["article_id"] for i in content["items"]] == [before[1], before[0], before[2]]
    assert content["items"][2]["headline"] == "Ed's headline"


def test_a_move_of_an_item_that_moved_meanwhile_is_refused(editor, boss, seeded):
    post(editor, "/editor/start", week=WEEK)
    theirs = _page_tokens(boss)
    post(editor, "/editor/items/0/move", week=WEEK, revision="1", delta="2")
    stale = post(
        boss, "/editor/items/0/move", week=WEEK, revision="1", seen=theirs["moves"][1], delta="1"
    )
    assert "Item 1 is no longer where your page showed it" in followed(boss, stale)
    assert _draft(seeded)[1] == 2  # only the first move


def test_a_week_across_the_new_year_names_both_years(editor, seeded):
    """The list wrote "Dec. 29 – Jan. 4, 2026" by hand: a December of which year?"""
    with seeded.engine.begin() as conn:
        content = {"period": {"from": "2025-12-29", "to": "2026-01-04"}, "items": []}
        versions.publish(conn, "kazakhstan", date(2025, 12, 29), date(2026, 1, 4), content, "ed")
    assert "Dec. 29, 2025 – Jan. 4, 2026" in editor.get("/digests").text
    assert "Dec. 29, 2025 – Jan. 4, 2026" in editor.get("/?week=2026-W01").text


# -- what the toolbar says of the published version ---------------------------------------------


def _toolbar(client: TestClient) -> str:
    html = client.get(f"/editor?week={WEEK}").text
    return re.sub(
        r"<[^>]+>", "", re.search(r'class="toolbar sticky">\s*<span>(.*?)</span>', html)[1]
    )


def test_after_a_save_since_publishing_the_toolbar_says_the_published_version_lacks_it(editor):
    """It said "Draft revision 2 · 3 items · published as version 1", as if revision 2 were."""
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    assert _toolbar(editor) == "Draft revision 1 · 3 items · published as version 1"
    post(editor, "/editor/intro", week=WEEK, revision="1", text="Later words.")
    assert _toolbar(editor) == "Draft revision 2 · 3 items · unpublished changes since version 1"
    post(editor, "/editor/publish", week=WEEK, revision="2")
    assert _toolbar(editor) == "Draft revision 2 · 3 items · published as version 2"


def test_a_version_published_over_the_draft_is_not_said_to_be_the_draft(editor, seeded):
    """A `publish --rebuild` after the last save: "published as version 1" named a digest
    that says something else than the draft shown."""
    post(editor, "/editor/start", week=WEEK)
    content, _ = _draft(seeded)
    with seeded.engine.begin() as conn:
        rebuilt = {**content, "items": content["items"][:1]}
        versions.publish(conn, "kazakhstan", date(2025, 12, 15), date(2025, 12, 21), rebuilt, "cli")
    assert _toolbar(editor) == "Draft revision 1 · 3 items · version 1, published later, differs"
