"""Collect stage, first step: polite HTTP GETs with limits, retries, robots.txt and validators.

``AsyncFetcher`` does the work on one event loop: a global concurrency limit, a per-host limit
and delay, robots.txt per host, conditional GET, retries with backoff on 429/5xx and dropped
connections, timeouts, body caps (also after decompression), a redirect cap, and refusal of
private addresses (``guard``). ``Fetcher`` is the same thing for synchronous callers: it runs
the event loop in a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import email.utils
import logging
import random
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from mediadigest import USER_AGENT
from mediadigest.collect.guard import GuardedBackend, PrivateAddressError, Resolver, networks
from mediadigest.collect.loop import LoopThread
from mediadigest.collect.robots import MAX_ROBOTS_BYTES, RobotsCache
from mediadigest.errors import FetchError, FormatError, RefusedError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class FetchPolicy:
    """How we fetch: limits, politeness and what we refuse. Built once from Settings."""

    timeout: float = 20.0  # one attempt, first byte to last, redirects included
    connect_timeout: float = CONNECT_TIMEOUT
    max_bytes: int = 10_000_000  # after decompression
    max_redirects: int = MAX_REDIRECTS
    concurrency: int = 16  # requests in flight, all hosts together
    per_host: int = 2  # requests in flight to one host
    delay: float = 1.0  # seconds between the starts of two requests to one host
    retries: int = 2  # after the first attempt, on 429, 5xx and dropped connections
    backoff: float = 0.5  # the first retry waits up to this (full jitter), doubling each time
    max_retry_after: float = 120.0  # a longer Retry-After gives up instead of waiting
    robots: bool = True
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()  # CIDRs allowed even though private
    user_agent: str = USER_AGENT


@dataclass(slots=True)
class Response:
    """What a server answered: the final URL after redirects, the status and the decoded body.

    ``status`` 304 (``not_modified``) has an empty body: the validators sent still hold.
    """

    url: str
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    content: bytes
    content_type: str | None
    # Where the URL now lives, when every hop of its redirects was permanent (301, 308).
    moved_to: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class _Host:
    """Per-host politeness: at most ``per_host`` in flight, starts ``delay`` seconds apart."""

    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self.lock = asyncio.Lock()
        self.next_start = 0.0

    async def wait_turn(self, delay: float) -> None:
        async with self.lock:
            now = time.monotonic()
            if self.next_start > now:
                await asyncio.sleep(self.next_start - now)
            self.next_start = max(now, self.next_start) + delay


class _Retry(Exception):
    """An attempt failed in a way worth retrying; ``after`` is the server's Retry-After."""

    def __init__(self, error: FetchError, after: float | None = None) -> None:
        self.error = error
        self.after = after


class AsyncFetcher:
    """One httpx.AsyncClient (one connection pool) behind the politeness rules of a policy.

    Every failure is a :class:`FetchError` (or :class:`FormatError` for an unwanted content
    type) naming the URL; no httpx error escapes.
    """

    def __init__(self, policy: FetchPolicy, *, resolver: Resolver | None = None) -> None:
        self.policy = policy
        backend = GuardedBackend(
            allow_private=policy.allow_private,
            allowed=networks(policy.allowed_networks),
            resolver=resolver,
        )
        transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=None))
        # httpx takes no network backend argument; its pool does. Swapping the pool keeps
        # httpx's request/response mapping and exception translation intact.
        transport._pool = type(transport._pool)(
            ssl_context=httpx.create_ssl_context(),
            max_connections=policy.concurrency + 4,
            network_backend=backend,
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                policy.timeout, connect=min(policy.connect_timeout, policy.timeout)
            ),
            follow_redirects=False,  # each hop is checked (robots, host delay) by us
            headers={"User-Agent": policy.user_agent},
        )
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._hosts: dict[str, _Host] = {}
        self._robots = RobotsCache(self._fetch_robots, policy.user_agent)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: tuple[str, ...] | None = None,
        what: str = "a web page",
    ) -> Response:
        """GET ``url`` politely; a 304 comes back as a Response, any failure as FetchError.

        ``accept`` lists content-type prefixes; any other type is a FormatError saying the
        URL is not ``what``, raised before the body is read.
        """
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        policy = self.policy
        for attempt in range(policy.retries + 1):
            try:
                return await self._attempt(url, conditional, accept, what)
            except _Retry as retry:
                if attempt == policy.retries:
                    raise retry.error from None
                wait = retry.after
                if wait is None:
                    wait = random.uniform(0, policy.backoff * 2**attempt)
                elif wait > policy.max_retry_after:
                    raise FetchError(
                        url, f"{retry.error.reason}; asked to retry after {wait:g} s (too long)"
                    ) from None
                log.info("%s: %s; retrying in %.2f s", url, retry.error.reason, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self, url: str, headers: dict[str, str], accept: tuple[str, ...] | None, what: str
    ) -> Response:
        try:
            return await self._follow(url, headers, accept, what)
        except TimeoutError as exc:
            raise FetchError(url, f"timed out after {self.policy.timeout:g} s") from exc
        except PrivateAddressError as exc:
            raise FetchError(url, str(exc)) from exc
        except httpx.ConnectTimeout as exc:
            limit = min(self.policy.connect_timeout, self.policy.timeout)
            raise FetchError(url, f"connect timed out after {limit:g} s") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out after {self.policy.timeout:g} s") from exc
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Retry(FetchError(url, f"cannot connect ({exc or type(exc).__name__})")) from exc
        except httpx.RemoteProtocolError as exc:
            raise _Retry(FetchError(url, f"connection dropped ({exc})")) from exc
        except httpx.DecodingError as exc:
            raise FetchError(url, f"cannot decode the body ({exc})") from exc
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(url, f"unsupported URL ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__} ({exc})") from exc
        except (httpx.InvalidURL, httpx.StreamError) as exc:
            raise FetchError(url, f"invalid URL ({exc})") from exc

    async def _follow(
        self, url: str, headers: dict[str, str], accept: tuple[str, ...] | None, what: str
    ) -> Response:
        current, clock = url, _Clock(self.policy.timeout)
        permanent: str | None = None  # the end of an unbroken chain of permanent redirects
        for hop in range(self.policy.max_redirects + 1):
            _check_url(url, current)
            await self._check_robots(url, current)
            async with self._turn(current), clock.running():
                request = self._client.build_request("GET", current, headers=headers)
                resp = await self._client.send(request, stream=True)
                try:
                    location = resp.headers.get("location")
                    if resp.status_code in REDIRECTS and location:
                        current = urljoin(current, location)
                        moved = resp.status_code in PERMANENT and (hop == 0 or bool(permanent))
                        permanent = current if moved else None
                        headers = {}  # validators belong to the URL they were stored for
                        continue
                    answer = await self._response(url, resp, accept, what)
                    answer.moved_to = permanent
                    return answer
                finally:
                    await resp.aclose()
        raise FetchError(url, f"too many redirects (more than {self.policy.max_redirects})")

    async def _check_robots(self, url: str, current: str) -> None:
        if not self.policy.robots:
            return
        try:
            rules = await self._robots.rules(current)
        except FetchError as exc:  # robots.txt unreachable: so is the page, but say which failed
            raise FetchError(url, f"robots.txt: {exc.reason}") from exc
        if not rules.allows(current, self._robots.agent):
            where = "" if current == url else f" (redirected to {current})"
            # A robots.txt that failed (5xx) may answer next round: not a refusal for good.
            error = FetchError if rules.disallow_all else RefusedError
            raise error(url, f"{self._robots.refusal(rules)}{where}")

    def _turn(self, url: str) -> _Turn:
        host = urlsplit(url).netloc.lower()
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(self.policy.per_host)
        return _Turn(self, state, url)

    async def _host_delay(self, url: str) -> float:
        delay = self.policy.delay
        if self.policy.robots and urlsplit(url).path != "/robots.txt":
            crawl_delay = await self._robots.crawl_delay(url)
            if crawl_delay is not None:
                delay = max(delay, min(crawl_delay, 60.0))  # a site may slow us, not stop us
        return delay

    async def _response(
        self, url: str, resp: httpx.Response, accept: tuple[str, ...] | None, what: str
    ) -> Response:
        status = resp.status_code
        if status in RETRY_STATUSES:
            raise _Retry(FetchError(url, status_reason(resp)), retry_after(resp))
        if status >= 400:
            raise (RefusedError if status < 500 else FetchError)(url, status_reason(resp))
        headers = dict(resp.headers.items())
        ctype = resp.headers.get("content-type")
        if status == 304:
            return Response(str(resp.url), status, headers, b"", ctype)
        bare = (ctype or "").split(";")[0].strip().lower()
        if accept is not None and bare and not bare.startswith(accept):
            raise FormatError(url, f"not {what} (content type {bare})")
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_bytes:
            # Refuse before reading anything; an honest server told us it is too big.
            raise FetchError(url, f"body over {self.policy.max_bytes} bytes ({declared} declared)")
        content = await self._read_capped(url, resp, self.policy.max_bytes)
        if not content:
            raise FetchError(url, "empty response")
        return Response(str(resp.url), status, headers, content, ctype)

    @staticmethod
    async def _read_capped(url: str, resp: httpx.Response, cap: int) -> bytes:
        # aiter_bytes yields *decoded* chunks, so the cap also stops a gzip bomb that
        # inflates far beyond its Content-Length.
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(url, f"body over {cap} bytes (cut off while decompressing)"
                                 if resp.headers.get("content-encoding") else
                                 f"body over {cap} bytes")  # fmt: skip
            chunks.append(chunk)
        return b"".join(chunks)

    async def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        """GET robots.txt under the same guard and host rules, without robots or retries."""
        try:
            async with self._turn(url), asyncio.timeout(self.policy.timeout):
                resp = await self._client.send(self._client.build_request("GET", url), stream=True)
                try:
                    if resp.status_code != 200:
                        return resp.status_code, b""
                    return 200, await _read_head(resp, MAX_ROBOTS_BYTES)
                finally:
                    await resp.aclose()
        except TimeoutError as exc:
            raise FetchError(url, f"timed out after {self.policy.timeout:g} s") from exc
        except PrivateAddressError as exc:
            raise FetchError(url, str(exc)) from exc
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect ({exc})") from exc
        except httpx.HTTPError:
            return 0, b""  # unreachable robots.txt: RFC 9309 says stay out


async def _read_head(resp: httpx.Response, size: int) -> bytes:
    """The first ``size`` bytes of the body (decoded), the rest not read: RFC 9309 has a
    crawler parse the first 500 KiB of a larger robots.txt, not refuse the site."""
    chunks: list[bytes] = []
    got = 0
    async for chunk in resp.aiter_bytes():
        chunks.append(chunk)
        got += len(chunk)
        if got >= size:
            break
    return b"".join(chunks)[:size]


class _Clock:
    """The time limit of one attempt, running only while its requests hold their turn.

    The time a request waits behind the host's other requests (their delay, the host's slots)
    is not the server's: timed from the queue, the 21st feed of one host timed out at the
    default 20 s with requests 1 s apart, without being sent.
    """

    def __init__(self, limit: float) -> None:
        self.left = limit

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.left):
                yield
        finally:
            self.left -= time.monotonic() - started


class _Turn:
    """``async with``: hold a global slot and a host slot, after the host's delay."""

    def __init__(self, fetcher: AsyncFetcher, host: _Host, url: str) -> None:
        self.fetcher, self.host, self.url = fetcher, host, url

    async def __aenter__(self) -> None:
        delay = await self.fetcher._host_delay(self.url)
        await self.host.slots.acquire()
        try:
            await self.host.wait_turn(delay)
            await self.fetcher._slots.acquire()
        except BaseException:
            self.host.slots.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self.fetcher._slots.release()
        self.host.slots.release()


def _check_url(url: str, current: str) -> None:
    try:
        parts = urlsplit(current)
    except ValueError as exc:  # urlsplit's own complaint, e.g. "Invalid IPv6 URL"
        raise FetchError(url, f"invalid URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, f"unsupported URL ({current})")


def retry_after(resp: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    value = resp.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():  # str.isdigit() is also true of "²" and "٣"
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return max(0.0, when.timestamp() - time.time())


def status_reason(resp: httpx.Response) -> str:
    reason = resp.reason_phrase
    if not reason:
        try:
            reason = HTTPStatus(resp.status_code).phrase
        except ValueError:
            reason = ""
    return f"HTTP {resp.status_code} {reason}".rstrip()


class Fetcher:
    """The synchronous face of :class:`AsyncFetcher`: its event loop runs in a thread.

    Use as a context manager::

        with Fetcher(timeout=5) as fetcher:
            response = fetcher.get("https://example.org/feed.xml")

    ``run`` and ``stream`` let a synchronous driver run many fetches concurrently on the
    fetcher's loop. Keyword arguments override fields of ``policy``.
    """

    def __init__(
        self, policy: FetchPolicy | None = None, *, resolver: Resolver | None = None, **changes: Any
    ) -> None:
        self.policy = dataclasses.replace(policy or FetchPolicy(), **changes)
        self._loop = LoopThread()
        self.aio: AsyncFetcher = self._loop.call(self._make(resolver))

    async def _make(self, resolver: Resolver | None) -> AsyncFetcher:
        return AsyncFetcher(self.policy, resolver=resolver)

    @property
    def timeout(self) -> float:
        return self.policy.timeout

    @property
    def connect_timeout(self) -> float:
        return min(self.policy.connect_timeout, self.policy.timeout)

    @property
    def max_bytes(self) -> int:
        return self.policy.max_bytes

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool and stop the loop thread."""
        if self._loop.running:
            self._loop.call(self.aio.aclose())
            self._loop.stop()

    def get(self, url: str, **kwargs: Any) -> Response:
        """GET ``url`` (see :meth:`AsyncFetcher.get`); raise FetchError on any failure."""
        return self._loop.call(self.aio.get(url, **kwargs))

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the fetcher's loop and wait for its result."""
        return self._loop.call(coro)

    def stream(self, items: AsyncIterator[T], buffer: int = 64) -> Iterator[T]:
        """Iterate an async iterator from synchronous code, at most ``buffer`` items ahead."""
        return self._loop.stream(items, buffer)
