"""What the LLM writer says of an endpoint it cannot use: a wrong model, URL or scheme, a
redirect, blank settings. Each stops the pass with a note that says what to change, where it
said "HTTP 404" for a wrong model and a wrong URL alike (walk w31)."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from http_support import serving
from mediadigest.cli.app import app
from mediadigest.errors import ConfigError
from mediadigest.write.llm import LLMConfig, rewrite
from mediadigest.write.llm_endpoint import chat_url
from test_llm import SOURCE, _Chat, _config, _digest, _Server, _week
from web_support import WEEK, seed

STOPPED = "the LLM writer did not run: "


class _Failing(_Chat):
    """The test server's chat, but for ``server.status`` (status, body, headers), answered to
    every request, and a 404 for any path other than ``/v1/chat/completions``."""

    server: _ErrorServer

    def do_POST(self) -> None:
        if self.path.split("?")[0] != "/v1/chat/completions":
            self.rfile.read(int(self.headers["Content-Length"]))
            self.server.requests.append((self.path, dict(self.headers), None))
            self._send(404, b'{"detail": "Not Found"}')  # FastAPI's, as vLLM's server says it
            return
        if self.server.status is None:
            super().do_POST()
            return
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((self.path, dict(self.headers), None))
        status, body, headers = self.server.status
        self._send(status, json.dumps(body).encode(), headers)


class _ErrorServer(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.RequestHandlerClass = _Failing
        self.status: tuple[int, object, dict[str, str]] | None = None


@pytest.fixture
def chat() -> Iterator[_ErrorServer]:
    with serving(_ErrorServer()) as server:
        yield server


def _base(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


OPENAI_404 = {"error": {"message": "The model `tiny-model` does not exist", "type":
              "invalid_request_error", "param": None, "code": "model_not_found"}}  # fmt: skip
VLLM_400 = {"object": "error", "message": "The model `tiny-model` does not exist.",
            "type": "NotFoundError", "param": None, "code": 404}  # fmt: skip
OLLAMA_404 = {"error": 'model "tiny-model" not found, try pulling it first'}


@pytest.mark.parametrize(
    ("status", "body"),
    [(404, OPENAI_404), (400, VLLM_400), (404, OLLAMA_404)],
    ids=["openai-404", "vllm-400", "ollama-404"],
)
def test_a_model_the_endpoint_does_not_know_is_named_and_stops_the_pass(
    chat: _ErrorServer, status: int, body: object
):
    chat.status = (status, body, {})
    out = rewrite(*_week(3), _config(chat))
    assert len(chat.requests) == 1  # a 400 was asked again for each item and the intro
    assert out.writer == "extractive" and len(out.notes) == 1
    assert out.notes[0].startswith(STOPPED)
    assert f"HTTP {status}: the endpoint does not know model 'tiny-model'" in out.notes[0]


def test_a_400_about_something_else_than_the_model_is_this_request_s_alone(chat: _ErrorServer):
    too_long = {"error": {"message": "This model's maximum context length is 4096 tokens."}}
    chat.status = (400, too_long, {})
    out = rewrite(*_week(2), _config(chat))
    assert len(chat.requests) == 3  # each item, then the intro
    assert out.notes[0] == "item 1: kept the extractive text (HTTP 400)"


def test_a_bare_404_names_the_url_asked_and_the_v1_it_may_lack(chat: _ErrorServer):
    config = LLMConfig(_base(chat) + "?api-key=k3y", "tiny-model", "secret", 5.0)
    out = rewrite(*_week(3), config)
    assert len(chat.requests) == 1 and chat.requests[0][0] == "/chat/completions?api-key=k3y"
    note = out.notes[0]
    assert note.startswith(STOPPED)
    assert f"HTTP 404: nothing answers at {_base(chat)}/chat/completions" in note
    assert "does the URL lack /v1?" in note and "k3y" not in note


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/chat/completions/"])
def test_a_url_that_is_the_chat_url_already_is_used_as_it_is(chat: _ErrorServer, path: str):
    assert chat_url("http://h:8000" + path) == "http://h:8000/v1/chat/completions"
    env = {"MEDIADIGEST_LLM_URL": _base(chat) + path, "MEDIADIGEST_LLM_MODEL": "tiny-model"}
    out = rewrite(*_digest(), LLMConfig.from_env(env))
    assert chat.requests[0][0] == "/v1/chat/completions"  # not …/chat/completions twice
    assert out.items[0].written_by == "llm"


def test_the_api_base_still_gets_chat_completions_added():
    assert chat_url("http://h:8000/v1/") == "http://h:8000/v1/chat/completions"
    assert chat_url("http://h/v1?api-version=1") == "http://h/v1/chat/completions?api-version=1"


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("https://127.0.0.1:{port}/v1/chat/completions?k=1", "https://127.0.0.1:{port}/v1/chat"),
        ("/v2/chat/completions", "http://127.0.0.1:{port}/v2/chat"),
    ],
    ids=["to-https", "relative"],
)
def test_a_redirect_says_where_to_and_stops_the_pass(chat: _ErrorServer, location, shown):
    port = chat.server_address[1]
    chat.status = (308, "", {"Location": location.format(port=port)})
    out = rewrite(*_week(3), _config(chat))
    # Not followed (the key would go with it), and not read as an answer that is not JSON.
    assert len(chat.requests) == 1
    assert out.notes[0].startswith(STOPPED)
    shown = f"{shown.format(port=port)}/completions,"
    assert f"HTTP 308: the endpoint redirected to {shown}" in out.notes[0]
    assert "k=1" not in out.notes[0]


def test_https_to_a_plain_http_server_says_the_tls_handshake_failed(chat: _ErrorServer):
    host, port = chat.server_address[:2]
    out = rewrite(*_digest(), LLMConfig(f"https://{host}:{port}/v1", "tiny-model", None, 5.0))
    assert out.notes == [
        f"{STOPPED}the LLM endpoint https://{host}:{port} failed "
        "(ConnectError: TLS handshake failed (is it http?)); the digest is the extractive one"
    ]


def _closed_port() -> int:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return free.getsockname()[1]


def test_an_endpoint_that_is_down_says_the_llm_writer_did_not_run():
    port = _closed_port()
    out = rewrite(*_week(2), LLMConfig(f"http://127.0.0.1:{port}/v1", "m", None, 5.0))
    assert out.notes == [
        f"{STOPPED}the LLM endpoint http://127.0.0.1:{port} failed "
        "(ConnectError: could not connect); the digest is the extractive one"
    ]
    assert [i.summary for i in out.items] == [[SOURCE]] * 2


def test_digest_with_an_endpoint_that_is_down_writes_the_extractive_digest_and_says_so(tmp_path):
    unset = {k: None for k in os.environ if k.startswith("MEDIADIGEST_LLM_")}  # None: unset
    env = {"MEDIADIGEST_LLM_URL": f"http://127.0.0.1:{_closed_port()}/v1",
           "MEDIADIGEST_LLM_MODEL": "m"}  # fmt: skip
    db = seed(tmp_path).settings.db
    args = ["--db", db, "digest", "--week", WEEK, "--writer", "llm", "--format", "json"]
    result = CliRunner().invoke(app, args, env=unset | env)
    assert result.exit_code == 0, result.output  # the digest is written, extractive
    # Its first item has no summary, so nothing is asked for it: "stopped", not "did not run".
    assert "note: the LLM writer stopped: the LLM endpoint http://127.0.0.1:" in result.stderr
    assert "(ConnectError: could not connect); the digest is the extractive one" in result.stderr
    assert json.loads(result.stdout)["writer"] == "extractive"


BASE = {"MEDIADIGEST_LLM_URL": "http://127.0.0.1:9/v1", "MEDIADIGEST_LLM_MODEL": "m"}


@pytest.mark.parametrize("name", ["MEDIADIGEST_LLM_URL", "MEDIADIGEST_LLM_MODEL"])
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_url_or_model_is_unset(name: str, blank: str):
    with pytest.raises(ConfigError) as raised:
        LLMConfig.from_env({**BASE, name: blank})
    assert str(raised.value) == (
        "--writer llm needs MEDIADIGEST_LLM_URL and MEDIADIGEST_LLM_MODEL "
        f"({name} is unset or blank)"
    )


def test_a_blank_model_given_directly_is_refused_too():
    with pytest.raises(ConfigError, match="MEDIADIGEST_LLM_MODEL: empty"):
        LLMConfig("http://127.0.0.1:9/v1", "  ")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ftp://x/v1", "'ftp://x/v1'"),
        ("ftp://bob:pa55@x/v1", "'ftp://bob:***@x/v1'"),
        ("http:///v1", "'http:///v1'"),
    ],
)
def test_a_url_that_is_not_http_is_named_as_given(url: str, shown: str):
    with pytest.raises(ConfigError) as raised:
        LLMConfig.from_env({**BASE, "MEDIADIGEST_LLM_URL": url})
    message = str(raised.value)
    assert message.startswith(f"MEDIADIGEST_LLM_URL: not an http(s) URL with a host: {shown}; ")
    assert "http(s)://HOST[:PORT]/v1" in message
    assert "None" not in message and "pa55" not in message
