"""The LLM writer against a real OpenAI-compatible server on 127.0.0.1 that the test runs."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mediadigest.errors import ConfigError
from mediadigest.model import Article, Digest, DigestItem, Relevance
from mediadigest.write.llm import LLMConfig, grounding_problems, rewrite

SOURCE = (
    "Kazatomprom will produce about 10 percent less uranium in 2026, the company said on "
    "Tuesday. It blamed shortages of sulphuric acid at its mines in Kazakhstan."
)


class _Chat(BaseHTTPRequestHandler):
    """``POST /v1/chat/completions``; what it answers is set per test in ``server.mode``."""

    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, dict(self.headers), body))
        mode = self.server.after.get(len(self.server.requests), self.server.mode)
        if mode == "slow":
            time.sleep(1.0)
        if mode == "error":
            self._send(500, b'{"error": "overloaded"}')
            return
        if mode == "unauthorised":
            self._send(401, b'{"error": "invalid api key"}')
            return
        answers = {
            "grounded": "Kazatomprom expects to produce about 10 percent less uranium in 2026. "
            "The company blamed shortages of sulphuric acid.",
            "invented": "Kazatomprom will close 3 mines, Energy Minister Erlan Akkenzhenov said.",
        }
        content = answers.get(mode, answers["grounded"])
        reply = {"choices": [{"message": {"role": "assistant", "content": content}}]}
        self._send(200, b"not json" if mode == "garbage" else json.dumps(reply).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # The timeout test's client hangs up on purpose; anything else is reported.
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Chat)
        self.mode = "grounded"
        self.after: dict[int, str] = {}  # the mode of the nth request, where not ``mode``
        self.requests: list = []


@pytest.fixture
def chat() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _config(server: _Server, timeout: float = 5.0) -> LLMConfig:
    host, port = server.server_address[:2]
    return LLMConfig(f"http://{host}:{port}/v1", "tiny-model", "secret", timeout)


def _digest() -> tuple[Digest, dict[int, Article]]:
    art = Article(
        url="u",
        canonical_url="u",
        content_hash="h",
        title="Kazatomprom cuts output",
        text=SOURCE,
        published=datetime(2025, 12, 16, tzinfo=UTC),
        relevance=Relevance(),
        id=7,
    )
    item = DigestItem(
        "Kazatomprom cuts output",
        "TCA",
        "KZ",
        date(2025, 12, 16),
        None,
        [SOURCE],
        None,
        "The Times of Central Asia reported on Dec. 16.",
        evidence=[{"sentence": 0, "article_id": 7, "start": 0, "end": 10}],
    )
    intro = "mediadigest has selected 1 key story: “Kazatomprom cuts output”."
    return Digest(date(2025, 12, 15), date(2025, 12, 21), intro, [item]), {7: art}


def test_a_grounded_rewrite_replaces_the_extractive_summary(chat: _Server):
    digest, arts = _digest()
    out = rewrite(digest, arts, _config(chat))
    assert out.items[0].summary[0].startswith("Kazatomprom expects to produce")
    assert out.writer == "llm"
    assert out.items[0].attribution == digest.items[0].attribution  # locked


def test_the_request_is_an_openai_chat_completion_with_the_key(chat: _Server):
    digest, arts = _digest()
    rewrite(digest, arts, _config(chat))
    path, headers, body = chat.requests[0]
    assert path == "/v1/chat/completions" and headers["Authorization"] == "Bearer secret"
    assert body["model"] == "tiny-model" and body["messages"][0]["role"] == "system"
    assert SOURCE in body["messages"][1]["content"]


def test_invented_names_and_numbers_fall_back_to_the_extractive_text(chat: _Server):
    chat.mode = "invented"
    digest, arts = _digest()
    out = rewrite(digest, arts, _config(chat))
    assert out.items[0].summary == [SOURCE]
    assert any("Akkenzhenov" in note and "item 1" in note for note in out.notes)


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_server_errors_fall_back_to_the_extractive_text(chat: _Server, mode: str):
    chat.mode = mode
    digest, arts = _digest()
    out = rewrite(digest, arts, _config(chat))
    assert out.items[0].summary == [SOURCE] and out.writer == "extractive"
    assert out.notes and out.notes[0].startswith("item 1: kept the extractive text")


def test_a_timeout_falls_back_to_the_extractive_text(chat: _Server):
    chat.mode = "slow"
    digest, arts = _digest()
    out = rewrite(digest, arts, _config(chat, timeout=0.2))
    assert out.items[0].summary == [SOURCE]
    assert "Timeout" in out.notes[0]


def _week(items: int) -> tuple[Digest, dict[int, Article]]:
    digest, arts = _digest()
    return replace(digest, items=digest.items * items), arts


def test_an_endpoint_that_does_not_answer_is_asked_once_not_once_per_item(chat: _Server):
    chat.mode = "slow"
    digest, arts = _week(10)
    started = time.monotonic()
    out = rewrite(digest, arts, _config(chat, timeout=0.2))
    assert time.monotonic() - started < 1.5  # one timeout, not eleven
    assert len(chat.requests) == 1
    assert [i.summary for i in out.items] == [[SOURCE]] * 10 and out.writer == "extractive"
    assert out.notes == [
        f"the LLM endpoint {_config(chat).url} failed (ReadTimeout: timed out); "
        "every item and the intro keep the extractive text"
    ]


def test_a_refused_key_stops_the_rewrite_where_it_happened(chat: _Server):
    digest, arts = _week(3)
    chat.after = {2: "unauthorised"}  # the second request is refused, as a revoked key would be
    out = rewrite(digest, arts, _config(chat))
    assert len(chat.requests) == 2
    assert out.items[0].summary[0].startswith("Kazatomprom expects")
    assert out.items[1].summary == out.items[2].summary == [SOURCE]
    assert "items 2 to 3 and the intro keep the extractive text" in out.notes[0]
    assert "401" in out.notes[0]


def test_grounding_names_what_the_sources_lack():
    assert (
        grounding_problems("Kazatomprom cut output by 10 percent. The cut is big.", [SOURCE]) == []
    )
    got = grounding_problems("Kazatomprom cut output by 12 percent in Aktau.", [SOURCE])
    assert sorted(got) == ["12", "Aktau"]


def test_grounding_matches_whole_words_and_numbers_not_pieces_of_them():
    source = [SOURCE + " Iran's utility and Tokayev’s office bought 1,200 tonnes, officials said."]
    # "4" is in "2026" and "Ira" in "Iran", but neither is what the source says.
    got = grounding_problems("Kazatomprom will produce 4 percent less for Ira.", source)
    assert got == ["4", "Ira"]
    # A sentence may open with a common word the source has in lower case; a possessive
    # and a number written without its comma are the source's words too.
    grounded = "Officials said Tokayev's office bought 1200 tonnes. Iran’s utility paid."
    assert grounding_problems(grounded, source) == []


def test_the_config_comes_from_the_environment_the_cli_passes():
    env = {"MEDIADIGEST_LLM_URL": "http://127.0.0.1:9/v1/", "MEDIADIGEST_LLM_MODEL": "m"}
    assert LLMConfig.from_env(env) == LLMConfig("http://127.0.0.1:9/v1", "m", None, 30.0)
    with pytest.raises(ConfigError, match="MEDIADIGEST_LLM_URL"):
        LLMConfig.from_env({})
