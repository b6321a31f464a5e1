"""What the CLI's `serve` and `users` commands call: run the service, manage accounts."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from mediadigest import store
from mediadigest.config import Settings
from mediadigest.web import auth, persist
from mediadigest.web.persist import Role, User

if TYPE_CHECKING:  # uvicorn is imported only to serve: `users` needs none of it
    import uvicorn
    from starlette.types import ASGIApp


def parse_every(text: str) -> timedelta | None:
    """``serve --collect-every``: ``30m``, ``1h``, ``1h30m``; ``0`` or ``off``: no schedule."""
    from mediadigest.run.collect import parse_interval  # the pipeline: `users` need none of it

    if text.strip().lower() in {"0", "off", "never", "none"}:
        return None
    every = parse_interval(text)
    if every < timedelta(minutes=1):
        raise ValueError("collect at most once a minute")
    return every


# A proxy on the same host (nginx doing TLS in front): believed unless told otherwise, as
# without its X-Forwarded-Proto every form posted over HTTPS is refused as from another origin.
LOOPBACK = ("127.0.0.1", "::1")


def parse_proxies(values: Sequence[str] | None) -> list[str]:
    """``serve --trusted-proxy``: addresses or networks (``127.0.0.1``, ``10.0.0.0/8``), each
    value one or a comma list; none given: `LOOPBACK`; ``none`` or an empty value: no proxy is
    believed. ValueError (a message for the user) for anything else."""
    if values is None:
        return list(LOOPBACK)
    proxies = [p.strip() for value in values for p in value.split(",") if p.strip()]
    if any(p.lower() == "none" for p in proxies):
        if len(proxies) > 1:
            raise ValueError("'none' trusts no proxy: give it alone")
        return []
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            # Not a host name either: uvicorn compares the connecting address, never a name.
            raise ValueError(f"{proxy!r} is not an IP address or network") from None
    return proxies


def parse_base_url(text: str) -> str:
    """``serve --base-url``: an http(s) address with a host (and perhaps a path), no slash
    at the end; ValueError (a message for the user) otherwise."""
    parts = urlsplit(text.strip())
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()  # as browsers send Origin
    if scheme not in {"http", "https"} or not parts.hostname or "@" in netloc:
        raise ValueError(f"{text!r} is not an http(s) address such as https://digest.example.org")
    if parts.query or parts.fragment:
        raise ValueError(f"{text!r}: a base address has no ?query or #fragment")
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def server_config(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    trusted_proxies: Sequence[str] = LOOPBACK,
) -> uvicorn.Config:
    """How `serve` runs ``app``: X-Forwarded-For and -Proto believed from ``trusted_proxies``
    only (this host by default; empty: none).

    A trusted proxy's X-Forwarded-Proto is the scheme forms are checked against (the origin
    the browser names) and what marks cookies Secure over HTTPS. The login limits count per
    client address: uvicorn takes the rightmost X-Forwarded-For entry that is no trusted
    proxy, so a proxy that overwrites the header or appends to it names the client; one
    that passes on what the client sent lets each guess name a new address. Believed from
    none, everyone behind a proxy is the proxy's one address.
    """
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies),
        log_level="info",
    )


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    collect_every: timedelta | None = timedelta(hours=1),
    trusted_proxies: Sequence[str] = LOOPBACK,
    base_url: str | None = None,
) -> None:
    """Run the web app (and scheduled collection) until interrupted; ``base_url``: where
    readers reach it, for the feed's links (else they follow each request's Host)."""
    import uvicorn

    from mediadigest.web.app import create_app

    app = create_app(settings, collect_every=collect_every, base_url=base_url)
    config = server_config(app, host=host, port=port, trusted_proxies=trusted_proxies)
    uvicorn.Server(config).run()


def add_user(settings: Settings, name: str, role: Role, password: str) -> bool:
    """Create an account; False if the name is taken. Raises ValueError for a weak password."""
    return auth.add_user(store.open_store(settings.db), name, role, password)


def remove_user(settings: Settings, name: str) -> bool:
    engine = store.open_store(settings.db)
    with engine.begin() as conn:
        removed = persist.remove_user(conn, name)
        if removed:
            persist.audit(conn, "cli", "user.remove", name)
    return removed


def list_users(settings: Settings) -> list[User]:
    engine: sa.Engine = store.open_store(settings.db)
    with engine.connect() as conn:
        return persist.list_users(conn)
