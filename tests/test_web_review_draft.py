"""Review's decisions once the week's draft exists: a hidden story leaves the draft and is never
published; a pin or a show says the draft is left as it is; a merge says which story it keeps."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from mediadigest.stories import persist as story_store
from mediadigest.web import persist, versions
from web_support import WEEK, token_of

SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)
UNIVERSITY = "Kazakhstan and China sign university exchange deal"


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "csrf_token": token_of(client)})


def followed(client: TestClient, response) -> str:
    """The page a POST redirected to, with the flash message it set."""
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"]).text


def story_id(client: TestClient, title: str) -> int:
    """The id the review page gives the story with that title."""
    html = client.get(f"/review?week={WEEK}").text
    found = re.search(
        rf'id="story-(-?\d+)">(?:(?!</li>).)*?class="title"[^>]*>{re.escape(title)}', html, re.S
    )
    assert found, title
    return int(found[1])


def story_html(html: str, sid: int) -> str:
    found = re.search(rf'<li class="story[^"]*" id="story-{sid}">(?:(?!</li>).)*', html, re.S)
    assert found, f"no story {sid} on the page"
    return found[0]


def draft(seeded) -> tuple[dict, int]:
    with seeded.engine.connect() as conn:
        found = versions.get_draft(conn, "kazakhstan", SINCE, UNTIL)
    assert found is not None
    return found


def headlines(seeded) -> list[str]:
    return [i["headline"] for i in draft(seeded)[0]["items"]]


def start(client: TestClient) -> None:
    assert post(client, "/editor/start", week=WEEK).status_code == 303


# -- hiding ----------------------------------------------------------------------------------


def test_hiding_a_story_of_the_draft_takes_its_item_out_and_says_so(editor, seeded):
    start(editor)
    sid = story_id(editor, UNIVERSITY)
    html = followed(editor, post(editor, f"/review/{sid}/hide", week=WEEK, on="true"))
    assert "Hidden; taken out of the week&#39;s draft." in story_html(html, sid)
    assert UNIVERSITY not in headlines(seeded)
    assert len(headlines(seeded)) == 2
    assert UNIVERSITY not in editor.get(f"/preview?week={WEEK}").text


def test_the_hide_and_the_draft_change_are_one_revision_audited_after_the_hide(editor, seeded):
    start(editor)
    sid = story_id(editor, UNIVERSITY)
    post(editor, f"/review/{sid}/hide", week=WEEK, on="true")
    assert draft(seeded)[1] == 2  # one change of the draft
    with seeded.engine.connect() as conn:
        removal, hide = persist.list_audit(conn)[:2]
    assert (hide["action"], hide["target"]) == ("story.hide", f"story {sid}")
    assert removal["action"] == "item.remove"
    assert removal["target"] == f"kazakhstan {SINCE}..{UNTIL}"
    assert removal["detail"]["headlines"] == [UNIVERSITY]
    assert removal["detail"]["reason"] == "story hidden"


def test_the_writers_intro_no_longer_names_the_hidden_story(editor, seeded):
    start(editor)
    assert "university" in draft(seeded)[0]["intro"].lower()
    post(editor, f"/review/{story_id(editor, UNIVERSITY)}/hide", week=WEEK, on="true")
    assert "university" not in draft(seeded)[0]["intro"].lower()


def test_the_week_over_week_line_no_longer_counts_the_hidden_story(editor, seeded):
    start(editor)
    assert draft(seeded)[0]["trend"].startswith("Of 3 stories this week")
    post(editor, f"/review/{story_id(editor, UNIVERSITY)}/hide", week=WEEK, on="true")
    assert draft(seeded)[0]["trend"].startswith("Of 2 stories this week")


def test_an_editors_week_over_week_line_stays_when_a_story_is_hidden(editor, seeded):
    start(editor)
    post(editor, "/editor/trend", week=WEEK, revision="1", text="Three stories, all new.")
    post(editor, f"/review/{story_id(editor, UNIVERSITY)}/hide", week=WEEK, on="true")
    assert draft(seeded)[0]["trend"] == "Three stories, all new."


def test_hiding_a_story_before_any_draft_says_only_hidden_and_starts_no_draft(editor, seeded):
    sid = story_id(editor, UNIVERSITY)
    html = followed(editor, post(editor, f"/review/{sid}/hide", week=WEEK, on="true"))
    assert 'role="status" tabindex="-1" data-focus>Hidden.</p>' in story_html(html, sid)
    with seeded.engine.connect() as conn:
        assert versions.get_draft(conn, "kazakhstan", SINCE, UNTIL) is None


def test_an_edit_from_a_page_loaded_before_the_hide_does_not_bring_the_item_back(editor, seeded):
    start(editor)
    page = editor.get(f"/editor?week={WEEK}").text
    at = [i["headline"] for i in draft(seeded)[0]["items"]].index(UNIVERSITY)
    seen = re.findall(r'name="item_seen" value="([^"]+)"', page)[at]
    post(editor, f"/review/{story_id(editor, UNIVERSITY)}/hide", week=WEEK, on="true")
    refused = post(
        editor,
        f"/editor/items/{at}/edit",
        week=WEEK,
        revision="1",
        item_seen=seen,
        headline="Universities team up",
    )
    assert refused.status_code == 409
    assert "that item has since been removed from the draft" in refused.text
    assert len(headlines(seeded)) == 2


# -- publishing ------------------------------------------------------------------------------


def _hide_behind_the_drafts_back(seeded, sid: int) -> None:
    """Hidden as the CLI's ``stories hide`` does it: the story only, the draft left alone."""
    with seeded.engine.begin() as conn:
        story_store.set_flag(conn, "kazakhstan", sid, "hidden", True, by="cli")


def test_publishing_refuses_a_draft_with_an_item_of_a_hidden_story_and_names_it(editor, seeded):
    start(editor)
    _hide_behind_the_drafts_back(seeded, story_id(editor, UNIVERSITY))
    at = headlines(seeded).index(UNIVERSITY) + 1
    response = post(editor, "/editor/publish", week=WEEK, revision="1")
    assert response.headers["location"] == f"/editor?week={WEEK}"
    html = followed(editor, response)
    assert f"The draft still has item {at} (“{UNIVERSITY}”) of a hidden story" in html
    with seeded.engine.connect() as conn:
        assert versions.list_versions(conn) == []


def test_publishing_refuses_a_draft_that_tells_one_story_twice(editor, seeded):
    """Merged behind the draft's back (Review merges in its own week's draft only): the
    draft's two items are of one story now, and published so it would tell it twice."""
    start(editor)
    university = story_id(editor, UNIVERSITY)
    with seeded.engine.begin() as conn:
        story_store.merge(conn, "kazakhstan", university, [story_of_grain(seeded)], by="cli")
    response = post(editor, "/editor/publish", week=WEEK, revision="1")
    html = followed(editor, response)
    assert "The draft tells one story twice: item " in html
    assert f"(“{UNIVERSITY}”)" in html and "remove one of them, then publish" in html
    with seeded.engine.connect() as conn:
        assert versions.list_versions(conn) == []


def story_of_grain(seeded) -> int:
    sa_ = story_store.story_articles
    with seeded.engine.connect() as conn:
        query = sa_.select().with_only_columns(sa_.c.story_id)
        return int(conn.execute(query.where(sa_.c.article_id == seeded.ids[2])).scalar_one())


def test_once_the_hidden_storys_item_is_removed_the_draft_publishes(editor, seeded):
    start(editor)
    _hide_behind_the_drafts_back(seeded, story_id(editor, UNIVERSITY))
    at = headlines(seeded).index(UNIVERSITY)
    post(editor, f"/editor/items/{at}/remove", week=WEEK, revision="1")
    response = post(editor, "/editor/publish", week=WEEK, revision="2")
    assert response.headers["location"] == "/digests/1"


def test_a_story_shown_again_may_be_published(editor, seeded):
    start(editor)
    sid = story_id(editor, UNIVERSITY)
    _hide_behind_the_drafts_back(seeded, sid)
    post(editor, f"/review/{sid}/hide", week=WEEK, on="false")
    response = post(editor, "/editor/publish", week=WEEK, revision="1")
    assert response.headers["location"] == "/digests/1"


# -- pinning and showing again leave the draft as it is ---------------------------------------


def test_pinning_a_story_the_draft_lacks_says_the_draft_is_not_changed(editor, seeded):
    sid = story_id(editor, UNIVERSITY)
    post(editor, f"/review/{sid}/hide", week=WEEK, on="true")
    start(editor)  # without the hidden story
    html = followed(editor, post(editor, f"/review/{sid}/pin", week=WEEK, on="true"))
    message = story_html(html, sid)
    assert "Pinned. The week&#39;s draft is not changed: Rebuild it in the editor" in message
    assert draft(seeded)[1] == 1
    assert UNIVERSITY not in headlines(seeded)


def test_showing_a_story_again_says_the_draft_is_not_changed(editor, seeded):
    start(editor)
    sid = story_id(editor, UNIVERSITY)
    post(editor, f"/review/{sid}/hide", week=WEEK, on="true")
    html = followed(editor, post(editor, f"/review/{sid}/hide", week=WEEK, on="false"))
    assert "Shown again. The week&#39;s draft is not changed: Rebuild it" in story_html(html, sid)


def test_pinning_a_story_already_in_the_draft_says_only_pinned(editor):
    start(editor)
    sid = story_id(editor, UNIVERSITY)
    html = followed(editor, post(editor, f"/review/{sid}/pin", week=WEEK, on="true"))
    assert 'role="status" tabindex="-1" data-focus>Pinned.</p>' in story_html(html, sid)


# -- merging ---------------------------------------------------------------------------------


def test_the_merge_form_says_the_ticked_story_highest_on_the_page_is_kept(editor):
    html = editor.get(f"/review?week={WEEK}").text
    assert "they join the ticked story highest on this page" in html
    assert "first ticked" not in html  # the server cannot know the order of the ticks


def test_a_merge_keeps_the_ticked_story_highest_on_the_page_and_says_so_there(editor):
    order = [
        int(i) for i in re.findall(r'id="story-(-?\d+)"', editor.get(f"/review?week={WEEK}").text)
    ]
    lower, higher = order[2], order[1]
    # In page order, as a browser sends the ticked boxes whatever order they were ticked in.
    response = post(editor, "/review/merge", week=WEEK, story=[higher, lower])
    assert response.headers["location"].endswith(f"#story-{higher}")
    html = followed(editor, response)
    assert "Merged 2 stories into this one." in story_html(html, higher)
    assert f'id="story-{lower}"' not in html
