"""How the LLM writer sends its key: a URL with a user or password is refused (httpx sent them
as Basic authentication in place of the Bearer key, silently), and plain http to a host
that is not this machine is warned of once a pass, as mail warns of a password in clear
(walk h32)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from http_support import serving
from mediadigest.cli.app import app
from mediadigest.errors import ConfigError
from mediadigest.write.llm import LLMConfig, rewrite
from mediadigest.write.llm_endpoint import Endpoint
from test_llm import GROUNDED, _Chat, _config, _Server, _week

CLEAR = "the API key in clear"


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pa55@127.0.0.1:9/v1",
        "https://sk-t0ken@api.example.org/v1",
        "http://user:@127.0.0.1:9/v1/chat/completions",
    ],
)
def test_a_url_with_a_user_or_password_is_a_config_error_that_does_not_show_them(url: str):
    with pytest.raises(ConfigError, match="MEDIADIGEST_LLM_URL: has a user name or password"):
        LLMConfig(url, "m", "sk-abc")
    with pytest.raises(ConfigError) as raised:
        LLMConfig(url, "m", "sk-abc")
    assert "pa55" not in str(raised.value) and "t0ken" not in str(raised.value)


def test_a_url_with_a_password_is_a_usage_error_of_the_digest_command(tmp_path):
    env = {"MEDIADIGEST_LLM_URL": "http://user:pa55@127.0.0.1:9/v1", "MEDIADIGEST_LLM_MODEL": "m"}
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = CliRunner().invoke(app, ["--db", db, "digest", "--writer", "llm"], env=env)
    assert result.exit_code == 2, result.output
    assert "user name or password" in result.stderr and "pa55" not in result.output


@pytest.mark.parametrize(
    ("url", "key", "warned"),
    [
        ("http://10.0.0.5:8000/v1", "sk-abc", True),
        ("http://llm.example.org/v1", "sk-abc", True),
        ("https://llm.example.org/v1", "sk-abc", False),
        ("http://10.0.0.5:8000/v1", None, False),
        ("http://127.0.0.1:8000/v1", "sk-abc", False),
        ("http://127.0.1.1:8000/v1", "sk-abc", False),
        ("http://localhost:11434/v1", "sk-abc", False),
        ("http://[::1]:8000/v1", "sk-abc", False),
    ],
)
def test_a_key_over_plain_http_to_another_host_is_warned_of(
    caplog: pytest.LogCaptureFixture, url: str, key: str | None, warned: bool
):
    with caplog.at_level(logging.WARNING), Endpoint(url, key, 1.0):
        pass
    said = [r.getMessage() for r in caplog.records if CLEAR in r.getMessage()]
    assert bool(said) is warned, said
    assert all("sk-abc" not in s for s in said)


def _outward_address() -> str | None:
    """An address of this machine that is not loopback (none: the test is skipped)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP: nothing is sent, a route is chosen
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


class _OutwardServer(_Server):
    """The test chat server, on an address other hosts could reach."""

    def __init__(self, host: str) -> None:
        ThreadingHTTPServer.__init__(self, (host, 0), _Chat)
        self.mode, self.content, self.intro = "grounded", GROUNDED, None
        self.after: dict[int, str] = {}
        self.requests: list = []


@pytest.fixture
def outward() -> Iterator[_Server]:
    host = _outward_address()
    if host is None:
        pytest.skip("no address other than loopback")
    try:
        server = _OutwardServer(host)
    except OSError:
        pytest.skip(f"cannot listen on {host}")
    with serving(server):
        yield server


def test_a_pass_over_plain_http_warns_once_not_once_per_item(
    outward: _Server, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.WARNING):
        out = rewrite(*_week(3), _config(outward))
    assert [i.written_by for i in out.items] == ["llm"] * 3
    said = [r.getMessage() for r in caplog.records if CLEAR in r.getMessage()]
    host, port = outward.server_address[:2]
    assert said == [f"LLM endpoint http://{host}:{port}: plain http to another host: {CLEAR}"]


def test_a_pass_to_this_machine_over_plain_http_is_not_warned_of(
    caplog: pytest.LogCaptureFixture,
):
    with serving(_Server()) as local, caplog.at_level(logging.WARNING):
        rewrite(*_week(2), _config(local))
    assert not [r for r in caplog.records if CLEAR in r.getMessage()]
