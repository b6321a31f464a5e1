"""The digest's lines besides intro and items: the week-over-week line and each item's "also
covered by" and coverage-by-country lines. Editors rewrite or blank them in the editor; what
they write is stored in the draft and goes into every format of the published digest."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from mediadigest.web import editions, versions
from web_support import WEEK, login, token_of

FORMATS = ("md", "html", "json")
OURS = "Kazakh TV and Tengrinews carried it too, a day later."


def post(client: TestClient, path: str, **data):
    response = client.post(path, data={**data, "csrf_token": token_of(client)})
    assert response.status_code == 303, response.text
    return response


def draft(seeded) -> tuple[dict, int]:
    with seeded.engine.connect() as conn:
        found = versions.get_draft(conn, "kazakhstan", *editions.week_of(WEEK))
    assert found is not None
    return found


def start(editor, seeded) -> dict:
    post(editor, "/editor/start", week=WEEK)
    return draft(seeded)[0]


def covered(content: dict) -> int:
    """The index of the item that has an "also covered by" line (the wind farm's)."""
    return next(i for i, item in enumerate(content["items"]) if item["also"])


def edit_item(client: TestClient, seeded, index: int, **lines: str) -> None:
    """Save item ``index`` as it is but for ``lines`` (also, framing), as the page's form does."""
    content, revision = draft(seeded)
    item = content["items"][index]
    post(
        client,
        f"/editor/items/{index}/edit",
        week=WEEK,
        revision=str(revision),
        item_seen=editions.seen(item),
        headline=item["headline"],
        attribution=item["attribution"],
        summary="\n".join(item["summary"]),
        **lines,
    )


def published(client: TestClient, seeded) -> dict[str, str]:
    """Publish the draft; every export of the version and the public feed, as text."""
    post(client, "/editor/publish", week=WEEK, revision=str(draft(seeded)[1]))
    version_id = _latest_id(seeded)
    out = {f: client.get(f"/digests/{version_id}/export.{f}").text for f in FORMATS}
    out["atom"] = unescape(TestClient(client.app).get("/feed.atom").text)
    out["page"] = unescape(client.get(f"/digests/{version_id}").text)
    return out


@pytest.fixture
def admin_client(app) -> TestClient:
    return login(TestClient(app, follow_redirects=False), "admin")


def _latest_id(seeded) -> int:
    with seeded.engine.connect() as conn:
        return max(v["id"] for v in versions.list_versions(conn))


# -- the week-over-week line -------------------------------------------------------------------


def test_the_editor_page_offers_the_week_over_week_line_for_editing(editor, seeded):
    trend = start(editor, seeded)["trend"]
    assert trend
    html = editor.get(f"/editor?week={WEEK}").text
    form = re.search(r'<form method="post" action="/editor/trend".*?</form>', html, re.S)
    assert form and re.search(
        rf'name="text" rows="\d+" maxlength="5000">{re.escape(trend)}</textarea>', form[0]
    )


def test_the_editors_week_over_week_line_is_stored_and_outlives_other_changes(editor, seeded):
    start(editor, seeded)
    post(editor, "/editor/trend", week=WEEK, revision="1", text="  Three stories, all new.\n")
    post(editor, "/editor/items/0/move", week=WEEK, revision="2", delta="1")
    content, _ = draft(seeded)
    assert (content["trend"], content["trend_edited"]) == ("Three stories, all new.", True)
    assert "Three stories, all new.</textarea>" in editor.get(f"/editor?week={WEEK}").text


def test_the_editors_week_over_week_line_is_in_every_published_format(editor, seeded):
    writers = start(editor, seeded)["trend"]
    post(editor, "/editor/trend", week=WEEK, revision="1", text="Three stories, all new.")
    out = published(editor, seeded)
    for name, text in out.items():
        assert "Three stories, all new." in text, name
        assert writers not in text, name
    assert json.loads(out["json"])["trend"] == "Three stories, all new."


def test_a_blanked_week_over_week_line_is_left_out_of_the_digest(editor, seeded):
    writers = start(editor, seeded)["trend"]
    post(editor, "/editor/trend", week=WEEK, revision="1", text="")
    assert draft(seeded)[0]["trend"] == ""
    out = published(editor, seeded)
    assert not [name for name, text in out.items() if writers in text]
    assert json.loads(out["json"])["trend"] == ""
    assert "\n\n*" not in out["md"]  # no empty emphasis where the line was


def test_editing_the_week_over_week_line_is_audited(editor, admin_client, seeded):
    start(editor, seeded)
    post(editor, "/editor/trend", week=WEEK, revision="1", text="Quiet week.")
    assert "draft.trend" in admin_client.get("/audit").text


# -- an item's "also covered by" and coverage-by-country lines ----------------------------------


def test_the_item_form_offers_its_also_and_framing_lines(editor, seeded):
    item = start(editor, seeded)["items"][0]
    html = unescape(editor.get(f"/editor?week={WEEK}").text)
    form = re.search(
        r'<li class="item card" id="item-0">.*?class="item-form".*?</form>', html, re.S
    )
    assert form
    for line in ("also", "framing"):
        box = re.search(
            rf'name="{line}" rows="\d+" maxlength="5000">(.*?)</textarea>', form[0], re.S
        )
        assert box and box[1] == (item[line] or ""), line


def test_an_items_rewritten_also_line_is_stored_and_published_in_every_format(editor, seeded):
    content = start(editor, seeded)
    at = covered(content)
    writers = content["items"][at]["also"]
    edit_item(editor, seeded, at, also=OURS, framing=content["items"][at]["framing"])
    item = draft(seeded)[0]["items"][at]
    assert (item["also"], item["edited"]) == (OURS, True)
    out = published(editor, seeded)
    for name, text in out.items():
        assert OURS in text, name
        assert writers not in text, name
    assert json.loads(out["json"])["items"][at]["also"] == OURS


def test_blanked_also_and_framing_lines_are_left_out_of_the_digest(editor, seeded):
    content = start(editor, seeded)
    at = covered(content)
    assert content["items"][at][
        "framing"
    ]  # the seeded story is told differently in Britain and the United States
    edit_item(editor, seeded, at, also="", framing="")
    item = draft(seeded)[0]["items"][at]
    assert (item["also"], item["framing"]) == (None, None)
    out = published(editor, seeded)
    for name, text in out.items():
        assert "also covered by" not in text and "Coverage differed" not in text, name


def test_an_item_edit_that_does_not_send_the_lines_keeps_them(editor, seeded):
    """An older page or a script that knows only headline..quote must not blank them."""
    content = start(editor, seeded)
    at = covered(content)
    edit_item(editor, seeded, at)
    item = draft(seeded)[0]["items"][at]
    assert (item["also"], item["framing"]) == (
        content["items"][at]["also"],
        content["items"][at]["framing"],
    )


def test_the_rewritten_also_line_outlives_a_move_and_the_intro_being_rewritten(editor, seeded):
    content = start(editor, seeded)
    at = covered(content)
    edit_item(editor, seeded, at, also=OURS)
    delta = -1 if at else 1
    post(editor, f"/editor/items/{at}/move", week=WEEK, revision="2", delta=str(delta))
    assert draft(seeded)[0]["items"][at + delta]["also"] == OURS
    assert OURS in editor.get(f"/editor?week={WEEK}").text
