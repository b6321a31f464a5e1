"""Collect stage, politeness: robots.txt rules per host (RFC 9309), fetched once and cached."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

log = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 512_000  # RFC 9309 asks crawlers to parse at least 500 KiB
ROBOTS_TTL = 24 * 3600.0  # RFC 9309: a cached copy should not be used for more than 24 hours

# (status, body) of a GET of robots.txt; status 0 when the host could not be reached.
RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes]]]


@dataclass(slots=True)
class Rules:
    """The robots.txt rules of one host as far as our user agent is concerned."""

    parser: RobotFileParser | None  # None: everything allowed
    disallow_all: bool = False
    fetched_at: float = 0.0
    delays: dict[str, float] | None = None  # user-agent token -> Crawl-delay
    status: int = 200  # what robots.txt answered; 0: it could not be reached

    def allows(self, url: str, agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(agent, url)

    def crawl_delay(self, agent: str) -> float | None:
        delays = self.delays or {}
        token = agent.split("/")[0].lower()
        return next((d for name, d in delays.items() if name != "*" and name in token),
                    delays.get("*"))  # fmt: skip


def crawl_delays(lines: list[str]) -> dict[str, float]:
    """Crawl-delay per user-agent token; robotparser reads only whole seconds ("0.5" is lost)."""
    delays: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for raw in lines:
        name, _, value = raw.split("#", 1)[0].partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "user-agent":
            if in_rules:  # a user-agent line after rules starts a new group
                agents, in_rules = [], False
            agents.append(value.lower())
        elif name == "crawl-delay":
            in_rules = True
            try:
                delays.update(dict.fromkeys(agents, float(value)))
            except ValueError:
                continue
        elif name:
            in_rules = True
    return delays


def rules_from(status: int, body: bytes) -> Rules:
    """Rules per RFC 9309: 2xx is parsed; 4xx means no rules; 5xx or unreachable means keep out."""
    if 200 <= status < 300:
        parser = RobotFileParser()
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        lines = text.splitlines()
        parser.parse(lines)
        return Rules(parser, fetched_at=time.monotonic(), delays=crawl_delays(lines))
    if 400 <= status < 500:
        return Rules(None, fetched_at=time.monotonic(), status=status)
    return Rules(None, disallow_all=True, fetched_at=time.monotonic(), status=status)


class RobotsCache:
    """robots.txt per origin, fetched on first use; concurrent callers share one fetch."""

    def __init__(self, fetch: RobotsFetch, agent: str, ttl: float = ROBOTS_TTL) -> None:
        self.fetch = fetch
        self.agent = agent
        self.ttl = ttl
        self._rules: dict[str, Rules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, url: str) -> Rules:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if cached is None or time.monotonic() - cached.fetched_at > self.ttl:
                status, body = await self.fetch(f"{origin}/robots.txt")
                cached = self._rules[origin] = rules_from(status, body)
                if cached.disallow_all:
                    log.info("%s/robots.txt unavailable (status %s): not crawling", origin, status)
            return cached

    def refusal(self, rules: Rules) -> str:
        """Why ``rules`` keep a page out, in words: a robots.txt that failed is not one that
        says no, and the user should hear which it was."""
        if not rules.disallow_all:
            return "disallowed by robots.txt"
        answer = f"answered HTTP {rules.status}" if rules.status else "could not be reached"
        return f"robots.txt {answer}: a crawler keeps out until it answers (RFC 9309)"

    async def allows(self, url: str) -> bool:
        return (await self.rules(url)).allows(url, self.agent)

    async def crawl_delay(self, url: str) -> float | None:
        return (await self.rules(url)).crawl_delay(self.agent)
