"""The editor when a form is sent twice (a double-click, the back button, two tabs of one editor).

The second send comes from the page of the revision the first one saved over. Where the draft
holds what it asks for already, it is a success with nothing to save; where it is a real
conflict of the editor with their own other tab, it does not blame "someone else".
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from datetime import date

import pytest
from fastapi.testclient import TestClient

from mediadigest.web import persist, versions
from web_support import WEEK, token_of

PERIOD = (date(2025, 12, 15), date(2025, 12, 21))


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "csrf_token": token_of(client)})


def followed(client: TestClient, response) -> str:
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"]).text


def draft(seeded) -> tuple[dict, int]:
    with seeded.engine.connect() as conn:
        found = versions.get_draft(conn, "kazakhstan", *PERIOD)
    assert found is not None
    return found


def actions(seeded) -> list[str]:
    with seeded.engine.connect() as conn:
        return [e["action"] for e in persist.list_audit(conn) if e["action"] != "login"]


def tokens(client: TestClient) -> dict[str, list]:
    """What the editor page sends back: each item's token, each move button's, the intro's."""
    html = client.get(f"/editor?week={WEEK}").text
    return {
        "items": re.findall(r'name="item_seen" value="([^"]+)"', html),
        "moves": re.findall(r'/move".*?name="seen" value="([^"]+)"', html),
        "forms": [
            dict(re.findall(r'name="(seen|swaps|delta)" value="([^"]*)"', form))
            for form in re.findall(r'action="/editor/items/\d+/move".*?</form>', html)
        ],
        "intro": re.findall(r'action="/editor/intro".*?name="seen" value="([^"]*)"', html, re.S),
    }


@pytest.fixture
def started(editor, seeded) -> TestClient:
    assert post(editor, "/editor/start", week=WEEK).status_code == 303
    assert draft(seeded)[1] == 1
    return editor


def _edit(client: TestClient, seen: str, headline: str, revision: int = 1):
    return post(
        client,
        "/editor/items/0/edit",
        week=WEEK,
        revision=str(revision),
        item_seen=seen,
        headline=headline,
        summary="One sentence.",
    )


def test_an_item_edit_sent_twice_is_saved_once_and_the_second_says_saved(started, seeded):
    seen = tokens(started)["items"][0]
    assert _edit(started, seen, "Sent twice").status_code == 303
    again = _edit(started, seen, "Sent twice")
    html = followed(started, again)
    assert "Saved." in html and "was not saved" not in html
    content, revision = draft(seeded)
    assert (content["items"][0]["headline"], revision) == ("Sent twice", 2)
    assert actions(seeded).count("item.edit") == 1


def test_an_introduction_sent_twice_is_saved_once(started, seeded):
    seen = tokens(started)["intro"][0]
    for _ in range(2):
        sent = post(started, "/editor/intro", week=WEEK, revision="1", seen=seen, text="Mine.")
        assert sent.status_code == 303, sent.text
    assert "Saved." in started.get(sent.headers["location"]).text
    content, revision = draft(seeded)
    assert (content["intro"], revision) == ("Mine.", 2)


def test_a_move_sent_twice_moves_the_item_one_place_not_two(started, seeded):
    before = [i["article_id"] for i in draft(seeded)[0]["items"]]
    down = {"week": WEEK, "revision": "1", **tokens(started)["forms"][1]}  # item 1's "down"
    assert down["delta"] == "1" and down["swaps"]
    post(started, "/editor/items/0/move", **down)
    again = post(started, "/editor/items/0/move", **down)
    assert again.headers["location"] == f"/editor?week={WEEK}#item-1"
    html = followed(started, again)
    assert "Saved." in html and "Make your change again" not in html
    content, revision = draft(seeded)
    assert [i["article_id"] for i in content["items"]] == [before[1], before[0], before[2]]
    assert revision == 2


def test_a_stale_move_whose_item_another_removal_shifted_is_refused_not_said_made(started, seeded):
    """The item removed above put the moved one where its move would: that was taken for a
    second send, "Saved.", and nothing moved (a review of the double-send fix)."""
    before = [i["article_id"] for i in draft(seeded)[0]["items"]]
    up = {"week": WEEK, "revision": "1", **tokens(started)["forms"][4]}  # item 3's "up"
    assert up["delta"] == "-1"
    post(started, "/editor/items/0/remove", week=WEEK, revision="1")
    sent = post(started, "/editor/items/2/move", **up)
    html = followed(started, sent)
    assert "Item 3 is no longer where your page showed it" in html and "Saved." not in html
    assert [i["article_id"] for i in draft(seeded)[0]["items"]] == before[1:]


def test_the_same_edit_from_two_tabs_at_once_is_saved_once(started, app, seeded):
    """Both read revision 1 and wait for the writer lock held here; one saves, and the other
    finds its edit in the draft the first saved, where it was refused as someone else's."""
    seen = tokens(started)["items"][0]
    token = token_of(started)
    data = {"week": WEEK, "revision": "1", "item_seen": seen, "headline": "At once"}
    answers: list[int] = []

    def send() -> None:
        tab = TestClient(app, follow_redirects=False, cookies=dict(started.cookies))
        answers.append(tab.post("/editor/items/0/edit", data={**data, "csrf_token": token}))

    blocker = sqlite3.connect(seeded.settings.db.removeprefix("sqlite:///"))
    blocker.execute("BEGIN IMMEDIATE")
    tabs = [threading.Thread(target=send) for _ in range(2)]
    for tab in tabs:
        tab.start()
    time.sleep(1)  # both have read the draft and wait to write it
    blocker.rollback()
    for tab in tabs:
        tab.join(30)
    blocker.close()
    assert sorted(r.status_code for r in answers) == [303, 303], [r.text[:300] for r in answers]
    content, revision = draft(seeded)
    assert (content["items"][0]["headline"], revision) == ("At once", 2)


def test_an_edit_over_the_editors_own_edit_in_another_tab_does_not_blame_someone_else(
    started, seeded
):
    seen = tokens(started)["items"][0]
    _edit(started, seen, "From the first tab")
    refused = _edit(started, seen, "From the second tab")
    assert refused.status_code == 409
    assert "Someone else" not in refused.text and "someone else" not in refused.text
    assert "This item was changed after you loaded the page (the draft was last saved by " in (
        refused.text
    )
    assert "by you, in another tab or window, at " in refused.text
    assert ' value="From the second tab"' in refused.text.split('id="kept"')[1]
    assert draft(seeded)[0]["items"][0]["headline"] == "From the first tab"


def test_an_edit_over_another_editors_names_them(started, app, seeded):
    from web_support import login

    boss = login(TestClient(app, follow_redirects=False), "admin")
    seen = tokens(started)["items"][0]
    _edit(boss, seen, "The boss's")
    refused = _edit(started, seen, "Mine")
    assert refused.status_code == 409
    assert "(the draft was last saved by admin at " in refused.text


def test_a_stale_remove_from_the_editors_other_tab_is_not_said_to_be_someone_elses(started):
    post(started, "/editor/items/2/remove", week=WEEK, revision="1")
    stale = post(started, "/editor/items/0/remove", week=WEEK, revision="1")
    html = followed(started, stale)
    assert "someone else" not in html
    assert "The draft was changed after you loaded the page (last saved by you, in another" in html
