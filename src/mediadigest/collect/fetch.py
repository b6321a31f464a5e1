"""Collect stage, first step: fetch one URL over HTTP with explicit timeouts and size limits."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType

import httpx

from mediadigest import USER_AGENT
from mediadigest.errors import FetchError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 5


@dataclass(slots=True)
class Response:
    """What a server answered: the final URL after redirects, the status and the decoded body."""

    url: str
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    content: bytes
    content_type: str | None


class Fetcher:
    """One HTTP client (one connection pool) with timeouts, a redirect cap and a body size cap.

    Use as a context manager::

        with Fetcher(timeout=5) as fetcher:
            response = fetcher.get("https://example.org/feed.xml")

    Every failure is a :class:`FetchError` naming the URL; no httpx error escapes.
    """

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_bytes: int = 10_000_000,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.timeout = timeout
        self.connect_timeout = min(CONNECT_TIMEOUT, timeout)
        self.max_bytes = max_bytes
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=self.connect_timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": user_agent},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def get(self, url: str) -> Response:
        """GET ``url``, following redirects; raise FetchError on any failure or an empty body."""
        try:
            return self._get(url)
        except httpx.ConnectTimeout as exc:
            raise FetchError(url, f"connect timed out after {self.connect_timeout:g} s") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out after {self.timeout:g} s") from exc
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect ({exc})") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(url, f"too many redirects (more than {MAX_REDIRECTS})") from exc
        except httpx.DecodingError as exc:
            raise FetchError(url, f"cannot decode the body ({exc})") from exc
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(url, f"unsupported URL ({exc})") from exc
        except httpx.HTTPError as exc:
            # The rest of httpx's transport errors: read/write errors, protocol violations.
            raise FetchError(url, f"{type(exc).__name__} ({exc})") from exc
        except (httpx.InvalidURL, httpx.StreamError) as exc:
            raise FetchError(url, f"invalid URL ({exc})") from exc

    def _get(self, url: str) -> Response:
        with self._client.stream("GET", url) as resp:
            final = str(resp.url)
            if resp.status_code >= 400:
                raise FetchError(url, _status_reason(resp))
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                # Refuse before reading anything; an honest server told us it is too big.
                raise FetchError(url, f"body over {self.max_bytes} bytes ({declared} declared)")
            content = self._read_capped(url, resp)
            if final != url:
                log.debug("%s redirected to %s", url, final)
            return Response(
                url=final,
                status=resp.status_code,
                headers=dict(resp.headers.items()),
                content=content,
                content_type=resp.headers.get("content-type"),
            )

    def _read_capped(self, url: str, resp: httpx.Response) -> bytes:
        # iter_bytes yields *decoded* chunks, so the cap also stops a gzip bomb that
        # inflates far beyond its Content-Length.
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"body over {self.max_bytes} bytes")
            chunks.append(chunk)
        if size == 0:
            raise FetchError(url, "empty response")
        return b"".join(chunks)


def _status_reason(resp: httpx.Response) -> str:
    reason = resp.reason_phrase
    if not reason:
        try:
            reason = HTTPStatus(resp.status_code).phrase
        except ValueError:
            reason = ""
    return f"HTTP {resp.status_code} {reason}".rstrip()
