"""A digest is a publication: its links give away no credential of a paid feed.

A review found ``https://user:pw@paid.example/a?api_key=SECRET`` linked whole by every
renderer (the no-sign-in public page, exports, mails, the Atom feed) and given whole to a
viewer's token by ``/api/digests/ID``, where the other API routes mask it (1035eff).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from mediadigest.web import versions
from mediadigest.write.render import to_dict, to_html
from mediadigest.write.render.links import web_link
from test_digest_formats_agree import _digest, _hrefs, _links
from web_support import csrf_of, login

PAID = "https://user:pw@paid.example/a?id=7&api_key=SECRET&page=2&access_token=T#top"
PUBLIC = "https://paid.example/a?id=7&page=2#top"


def test_a_link_leaves_out_the_userinfo_and_secret_parameters():
    assert web_link(PAID) == PUBLIC
    assert web_link("https://token@paid.example/a?apikey=X") == "https://paid.example/a"
    # The rule of `logs.secret_name`: a name read decoded is a key too.
    assert web_link("https://x.example/a?api%2Dkey=X&q=1") == "https://x.example/a?q=1"
    assert web_link("https://x.example/a?q=wheat&&b") == "https://x.example/a?q=wheat&&b"


@pytest.mark.parametrize("fmt", ["md", "html", "atom", "docx"])
def test_every_format_publishes_the_link_without_its_secrets(fmt: str):
    assert _links(fmt, _digest([PAID])) == [PUBLIC]


def test_the_public_page_publishes_the_link_without_its_secrets():
    html = to_html(_digest([PAID]), every_source=True)
    assert _hrefs(html) == [PUBLIC] and "SECRET" not in html and "pw@" not in html


def _publish(seeded) -> int:
    digest = _digest([PAID])
    digest.items[0].sources[0]["via"] = {"outlet": "Roundup", "url": PAID, "published": None}
    with seeded.engine.begin() as conn:
        content = to_dict(digest)
        versions.publish(conn, "kazakhstan", date(2025, 12, 15), date(2025, 12, 21), content, "ed")
        return versions.list_versions(conn)[0]["id"]


def _token(client: TestClient) -> dict[str, str]:
    client.post(
        "/account/tokens", data={"name": "t", "csrf_token": csrf_of(client.get("/account").text)}
    )
    token = re.search(r'class="token">([^<]+)<', client.get("/account").text)[1]
    return {"Authorization": f"Bearer {token}"}


def test_the_api_masks_a_sources_secrets_for_a_viewer(app, seeded):
    version = _publish(seeded)
    viewer = login(TestClient(app, follow_redirects=False), "viewer")
    got = viewer.get(f"/api/digests/{version}", headers=_token(viewer)).json()["content"]
    source = got["items"][0]["sources"][0]
    masked = "https://user:***@paid.example/a?id=7&api_key=***&page=2&access_token=***#top"
    assert source["url"] == masked and source["via"]["url"] == masked
    # The public page of the same version links it without them.
    public = TestClient(app).get(f"/public/digests/{version}").text
    assert "SECRET" not in public and "pw@" not in public and PUBLIC.replace("&", "&amp;") in public


def test_the_api_gives_an_editor_the_stored_address(editor, seeded):
    version = _publish(seeded)
    got = editor.get(f"/api/digests/{version}", headers=_token(editor)).json()["content"]
    assert got["items"][0]["sources"][0]["url"] == PAID


def test_a_published_link_keeps_parameters_that_only_look_like_secrets():
    # Whole words of the name, not substrings: "author" is no "auth", "keyword" no "key".
    from mediadigest.write.render.links import web_link

    url = "https://a.example/x?apiKey=S&author=bob&keyword=k&design=d&X-Amz-Signature=z&page=2"
    assert web_link(url) == "https://a.example/x?author=bob&keyword=k&design=d&page=2"


def test_the_json_export_gives_a_viewer_what_the_api_gives(app, editor, seeded):
    # /digests/ID/export.json gave a viewer the stored address the API masks.
    version = _publish(seeded)
    viewer = login(TestClient(app, follow_redirects=False), "viewer")
    exported = viewer.get(f"/digests/{version}/export.json").json()
    api = viewer.get(f"/api/digests/{version}", headers=_token(viewer)).json()["content"]
    assert exported["items"][0]["sources"] == api["items"][0]["sources"]
    assert "SECRET" not in viewer.get(f"/digests/{version}/export.json").text
    assert (
        editor.get(f"/digests/{version}/export.json").json()["items"][0]["sources"][0]["url"]
        == PAID
    )
    # The stored version is unchanged by a viewer's reading of it.
    assert (
        editor.get(f"/api/digests/{version}", headers=_token(editor)).json()["content"]["items"][0][
            "sources"
        ][0]["url"]
        == PAID
    )
