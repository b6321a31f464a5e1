"""How the LLM writer talks to its chat endpoint: one request at a time, each bounded as a
whole by a deadline, its answer size-capped and read as JSON.

httpx's timeouts are per read: a server sending its status line and then a byte a second
never trips them, before the headers (``stream()`` returns only once they are in) or after.
So each request runs on an event loop of the pass's own under ``asyncio.timeout``, which
cancels it wherever it waits.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import time
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from mediadigest.write.llm_answer import NoAnswer, endpoint_of, one_line

log = logging.getLogger(__name__)

__all__ = ["MAX_RESPONSE", "Endpoint", "EndpointError", "chat_url", "userinfo_problem"]

MAX_RESPONSE = 256 * 1024  # bytes: an answer of a few sentences is a few kilobytes
RETRY_AFTER_CAP = 10.0  # seconds: a 429/503 asking for longer falls back at once


class EndpointError(httpx.HTTPError):
    """An HTTP status that every further request would meet too."""


def chat_url(url: str) -> str:
    """The chat completions URL under the API base ``url`` (``…/v1``), or ``url`` itself where
    it is that URL already (``…/v1/chat/completions``, as servers' docs often give it)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path += "/chat/completions"
    return urlunsplit(parts._replace(path=path))


def userinfo_problem(url: str) -> str | None:
    """Why ``url`` cannot be the endpoint's where it has a user or password before its host
    (``http://user:pw@host/v1``): httpx sends them as Basic authentication in place of the
    Bearer key, and the request is refused or, worse, accepted as someone else's."""
    try:
        netloc = urlsplit(url.strip()).netloc
    except ValueError:
        return None  # an unreadable URL is refused for that elsewhere
    if "@" not in netloc:
        return None
    return (
        "has a user name or password before the host, which would be sent as Basic "
        "authentication in place of the key; give the URL without 'user:password@' and the "
        "key in MEDIADIGEST_LLM_KEY"
    )


def in_clear(url: str) -> bool:
    """Whether a request to ``url`` crosses a network unencrypted: plain http to a host that
    is not this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if parts.scheme != "http" or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: whatever it resolves to, the key goes out unencrypted


class Endpoint:
    """The pass's client and event loop; ``complete`` asks for one chat completion.

    A deadline passed is an ``httpx.ReadTimeout`` ("no whole answer within 3 s"), as a silent
    server's would be, so that the pass stops as for any endpoint that is down."""

    def __init__(
        self,
        url: str,
        key: str | None,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = chat_url(url)
        self.timeout = timeout
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        if key and in_clear(self.url):
            # Once a pass (one Endpoint each), as mail warns of a password sent without TLS.
            log.warning(
                "LLM endpoint %s: plain http to another host: the API key in clear",
                endpoint_of(self.url),
            )
        self._runner = asyncio.Runner()
        # httpx's own timeout a little later than the deadline: one reason for one wait.
        self._client = httpx.AsyncClient(timeout=timeout + 1, transport=transport)

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._runner.run(self._client.aclose())
        finally:
            self._runner.close()

    def complete(self, body: dict[str, Any]) -> Any:
        """The endpoint's JSON answer to ``body``; ``NoAnswer`` with the reason, or an
        ``httpx`` error where every further request would fail too (``EndpointError`` for a
        status: a refused key, a wrong URL or model, a redirect, a rate limit that outlasted
        the retry)."""
        for attempt in (1, 2):
            status, headers, raw = self._runner.run(self._post(body))
            wait = _retry_after(headers) if status in {429, 503} and attempt == 1 else None
            if wait is None:
                break
            log.debug("llm writer: HTTP %d, asking again in %.1f s", status, wait)
            time.sleep(wait)
        if status >= 300:
            raise _status_error(status, headers, raw, self.url, str(body.get("model", "")))
        try:
            return json.loads(raw)
        # 200 KB of "[" is too deep for the decoder: that is no answer, not a crash.
        except (ValueError, RecursionError) as exc:
            raise NoAnswer("the answer is not JSON") from exc

    async def _post(self, body: dict[str, Any]) -> tuple[int, httpx.Headers, bytes]:
        """Status, headers and up to ``MAX_RESPONSE`` bytes of body, within the deadline."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._read(body)
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"no whole answer within {self.timeout:g} s") from exc

    async def _read(self, body: dict[str, Any]) -> tuple[int, httpx.Headers, bytes]:
        chunks, size = [], 0
        request = self._client.stream("POST", self.url, json=body, headers=self._headers)
        async with request as response:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE:
                    raise NoAnswer(f"the answer is over {MAX_RESPONSE // 1024} KiB")
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)


def _status_error(
    status: int, headers: httpx.Headers, raw: bytes, url: str, model: str
) -> Exception:
    """``EndpointError`` where every further request would meet the status too (the pass
    stops), ``NoAnswer`` where the next one may not. The reasons name the URL asked by
    scheme, host, port and path only: its userinfo and query may carry a key."""
    if 300 <= status < 400:
        # Not followed: the key would go with the request to wherever it points.
        where = headers.get("location")
        to = f" to {_shown(urljoin(url, where))}" if where else ""
        return EndpointError(
            f"HTTP {status}: the endpoint redirected{to}, which is not followed; give "
            "MEDIADIGEST_LLM_URL as the URL it redirects to"
        )
    if status in {400, 404} and _names_unknown_model(raw, model):
        return EndpointError(f"HTTP {status}: the endpoint does not know model {model!r}")
    if status == 404:
        return EndpointError(
            f"HTTP 404: nothing answers at {_shown(url)} (MEDIADIGEST_LLM_URL is the API "
            "base, which most servers give as …/v1: does the URL lack /v1?)"
        )
    if status in {401, 403, 429, 503}:
        return EndpointError(f"HTTP {status}")
    return NoAnswer(f"HTTP {status}")


# What an error's message says of a model it does not serve: OpenAI's "The model `x` does not
# exist", vLLM's "The model `x` does not exist.", Ollama's "model \"x\" not found", LiteLLM's
# "Invalid model name passed in model=x".
_UNKNOWN = re.compile(
    r"\b(?:not (?:exist|found|available|served)|does ?n[o']t exist|unknown|invalid|no such)\b",
    re.IGNORECASE,
)


def _names_unknown_model(raw: bytes, model: str) -> bool:
    """Whether an error body (OpenAI's ``{"error": {"message", "code"}}``, vLLM's
    ``{"message", "code"}``, Ollama's ``{"error": "…"}``) says the model is unknown: a 404
    for a wrong model read as a wrong URL, a 400 as a failure of each item in turn."""
    try:
        answer = json.loads(raw)
    except (ValueError, RecursionError):
        return False
    error = answer.get("error", answer) if isinstance(answer, dict) else None
    if isinstance(error, str):
        error = {"message": error}
    if not isinstance(error, dict):
        return False
    if error.get("code") == "model_not_found":
        return True
    message = error.get("message")
    if not isinstance(message, str) or not model:
        return False
    named = re.search(rf"(?<![\w-]){re.escape(model)}(?![\w-]|[.:/]\w)", message) is not None
    return named and _UNKNOWN.search(message) is not None


def _shown(url: str) -> str:
    """``url`` as a note may show it: scheme, host, port and path (no userinfo or query)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    return one_line(endpoint_of(url) + path, 200)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait before the one retry: Retry-After in seconds (1 without it), or None
    where the endpoint asks for longer than ``RETRY_AFTER_CAP`` (or gives a date)."""
    value = headers.get("retry-after", "1").strip()
    try:
        wait = float(value)
    except ValueError:
        return None
    return max(wait, 0.0) if wait <= RETRY_AFTER_CAP else None
