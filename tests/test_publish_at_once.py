"""Publishing at the same moment as another publish, or as a hide, on SQLite and PostgreSQL.

From a walk of two editors at once: publishing read the draft and checked it (not published
yet, no hidden story) before it took the store's writer lock. Two presses of Publish at once
(a double click, two editors, the web and the API, a cron job's `publish`) both passed the
checks: on SQLite the second failed with a plain-text 500 (the version's unique key), on
PostgreSQL the same content was stored as two versions. A story hidden in Review while Publish
was pressed went out with the version, its hide logged before the publish.

Each test stops the first publisher between its checks and its write (`versions.publish`) and
sends the second request from another thread meanwhile; the first goes on when the second has
answered, or after a while if it waits for the lock, as it does now.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest.cli import app as cli
from mediadigest.config import Settings
from mediadigest.store import save_articles
from mediadigest.web import persist, versions
from mediadigest.web.app import create_app
from web_support import CHEAP, PASSWORD, WEEK, _group, articles, csrf_of, login, token_of

SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)
# How long the first publisher waits for the second before it writes: the second answers in
# well under it where nothing holds it back, and waits for the lock (as long as it takes)
# where the first holds it.
MEANWHILE_S = 1.0


@pytest.fixture
def desk(store_url: str, engine: sa.Engine) -> Iterator[Desk]:
    """The web app over a store (each backend) with the seeded week, its users and a draft."""
    arts = articles()
    with engine.begin() as conn:
        save_articles(conn, arts)
        for role in persist.Role:
            persist.add_user(conn, role.value, role, CHEAP.hash(PASSWORD))
        _group(conn, [a.id or 0 for a in arts])
    found = Desk(store_url, engine, create_app(Settings(db=store_url), engine=engine))
    editor = found.client("editor")
    editor.post("/editor/start", data={"week": WEEK, "csrf_token": token_of(editor)})
    yield found


class Desk:
    def __init__(self, url: str, engine: sa.Engine, app) -> None:
        self.url, self.engine, self.app = url, engine, app

    def client(self, name: str) -> TestClient:
        return login(TestClient(self.app, follow_redirects=False), name)

    def revision(self) -> int:
        with self.engine.connect() as conn:
            found = versions.get_draft(conn, "kazakhstan", SINCE, UNTIL)
        assert found is not None
        return found[1]

    def published(self) -> list[dict]:
        with self.engine.connect() as conn:
            listed = versions.list_versions(conn)
            return [versions.get_version(conn, v["id"]) or {} for v in listed][::-1]

    def audit(self) -> list[tuple[int, str]]:
        with self.engine.connect() as conn:
            return sorted((r["id"], r["action"]) for r in persist.list_audit(conn))


def web_publisher(desk: Desk, name: str = "editor") -> Callable[[], str]:
    """Press Publish on the editor page (loaded now, pressed when called); what it says."""
    client = desk.client(name)
    data = {"week": WEEK, "revision": str(desk.revision()),
            "csrf_token": csrf_of(client.get(f"/editor?week={WEEK}").text)}  # fmt: skip

    def press() -> str:
        answer = client.post("/editor/publish", data=data)
        assert answer.status_code == 303, answer.text
        return client.get(answer.headers["location"]).text

    return press


def api_publisher(desk: Desk) -> Callable[[], str]:
    client = desk.client("admin")
    html = client.post(
        "/account/tokens",
        data={"name": "bot", "csrf_token": token_of(client)},
        follow_redirects=True,
    ).text
    token = html.split('class="token">')[1].split("<")[0]
    api = TestClient(desk.app)

    def send() -> str:
        answer = api.post(
            "/api/digests/publish",
            json={"week": WEEK},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.headers["content-type"] == "application/json", answer.text
        assert answer.status_code in (201, 409), answer.text
        return str(answer.json())

    return send


def cli_publisher(desk: Desk) -> Callable[[], str]:
    def run() -> str:
        result = CliRunner().invoke(cli, ["--db", desk.url, "publish", "--week", WEEK])
        assert result.exit_code == 0, result.output
        return result.output

    return run


def meanwhile(monkeypatch: pytest.MonkeyPatch, second: Callable[[], str]) -> dict[str, str]:
    """Run ``second`` in a thread when the first publisher is about to write its version."""
    real, said, started = versions.publish, {}, threading.Event()

    def publish_after_the_other(*args, **kwargs):
        if not started.is_set():
            started.set()
            other = threading.Thread(target=lambda: said.setdefault("second", second()))
            other.start()
            other.join(MEANWHILE_S)  # answered, or waiting for the lock this publish holds
            said["joined"] = other  # type: ignore[assignment]
        return real(*args, **kwargs)

    monkeypatch.setattr(versions, "publish", publish_after_the_other)
    return said


def second_answer(said: dict) -> str:
    said["joined"].join(30)
    return said["second"]


FACES = {"web": web_publisher, "api": api_publisher, "cli": cli_publisher}


@pytest.mark.parametrize(
    ("first", "second"),
    [("web", "web"), ("web", "api"), ("api", "web"), ("cli", "api")],
)
def test_two_publishes_at_once_store_one_version_and_the_second_is_told(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, first: str, second: str
):
    """A double click, two editors, or a cron job beside the web: one version, and the
    second "Already published as version 1" (the API as JSON), not a duplicate or a 500."""
    first_publish = FACES[first](desk)
    said = meanwhile(monkeypatch, FACES[second](desk))
    first_publish()
    answer = second_answer(said)
    assert [v["version"] for v in desk.published()] == [1]
    assert "Already published as version 1" in answer
    assert [a for _, a in desk.audit()].count("digest.publish") == 1


def test_a_story_hidden_while_publish_is_pressed_is_not_published_after_its_hide(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
):
    """The hide, logged before the publish, took the item out of the draft (revision 1 to 2),
    and the version published revision 1 with the hidden story's item. Now the hide waits for
    the publish (or the publish, coming second, finds the draft changed)."""
    publish = web_publisher(desk)
    alice = desk.client("admin")
    with desk.engine.connect() as conn:
        content, _ = versions.get_draft(conn, "kazakhstan", SINCE, UNTIL) or ({}, 0)
    story = content["items"][0]["story_id"]
    data = {"week": WEEK, "on": "true", "csrf_token": token_of(alice)}
    said = meanwhile(monkeypatch, lambda: alice.post(f"/review/{story}/hide", data=data).text)
    publish()
    second_answer(said)
    log = desk.audit()
    hidden_at = next(i for i, a in log if a == "story.hide")
    published_at = next(i for i, a in log if a == "digest.publish")
    (version,) = desk.published()
    has_it = story in [i["story_id"] for i in version["content"]["items"]]
    assert not (has_it and hidden_at < published_at), log
    assert hidden_at > published_at  # the hide waited for the publish it met
    assert story not in [i["story_id"] for i in desk_draft(desk)["items"]]


def desk_draft(desk: Desk) -> dict:
    with desk.engine.connect() as conn:
        return (versions.get_draft(conn, "kazakhstan", SINCE, UNTIL) or ({},))[0]
