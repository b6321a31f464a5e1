"""What the CLI's `serve` and `users` commands call: run the service, manage accounts."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from mediadigest import store
from mediadigest.config import Settings
from mediadigest.errors import ConfigError
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


def listen(host: str, port: int) -> list[socket.socket]:
    """The listening sockets `serve` runs on, bound as uvicorn (asyncio's ``create_server``)
    binds them: one for each address ``host`` names (``localhost``: 127.0.0.1 and ::1, an
    IPv6 one for IPv6 only; ``""``: every interface). ConfigError (one line, every socket
    closed) if one cannot be had.

    Bound before the app starts: uvicorn bound after the app's startup, which starts the
    collector, so a port in use still ran a collection round before it failed.
    """
    try:
        found = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(f"cannot listen on {_where(host, port)}: {_reason(exc)}") from None
    sockets: list[socket.socket] = []
    address: tuple[str, int] = (host, port)
    try:
        for family, kind, proto, _, address in dict.fromkeys(found):  # (each address once)
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # As asyncio: or [::] would take IPv4's port too, and 0.0.0.0 find it taken.
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            # At once: on Linux two SO_REUSEADDR sockets may both bind a port that neither
            # listens on, so one bound only would not keep another `serve` out.
            sock.listen(socket.SOMAXCONN)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        where = _where(address[0], address[1])
        raise ConfigError(f"cannot listen on {where}: {_reason(exc)}") from None
    return sockets


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text[:1].lower() + text[1:]


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    collect_every: timedelta | None = timedelta(hours=1),
    trusted_proxies: Sequence[str] = LOOPBACK,
    base_url: str | None = None,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Run the web app (and scheduled collection) until interrupted; ``base_url``: where
    readers reach it, for the feed's links (else they follow each request's Host);
    ``sockets``: those `listen` made for ``host`` and ``port`` (made here if None)."""
    import uvicorn

    from mediadigest.web.app import create_app

    if sockets is None:
        sockets = listen(host, port)
    app = create_app(settings, collect_every=collect_every, base_url=base_url)
    config = server_config(app, host=host, port=port, trusted_proxies=trusted_proxies)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:  # uvicorn says where it runs only for sockets it made itself
                for sock in sockets or ():
                    bound, at = sock.getsockname()[:2]
                    _uvicorn_log.info(
                        "Uvicorn running on http://%s (Press CTRL+C to quit)", _where(bound, at)
                    )

    Server(config).run(sockets=sockets)


_uvicorn_log = logging.getLogger("uvicorn.error")  # where uvicorn's own lines go


def add_user(settings: Settings, name: str, role: Role, password: str) -> bool:
    """Create an account; False if the name is taken. Raises ValueError for a weak password."""
    return auth.add_user(store.open_store(settings.db), name, role, password)


def remove_user(settings: Settings, name: str) -> bool:
    """Remove an account; False if there is none of that name. ValueError (a message for the
    user) for the last admin, as the web's /users page refuses it."""
    engine = store.open_store(settings.db)
    with engine.connect() as conn:
        removed = persist.remove_user(conn, name)
        if persist.no_admin_left(conn):
            raise ValueError("the last admin cannot be removed")
        if removed:
            persist.audit(conn, "cli", "user.remove", name)
        conn.commit()
    return removed


def set_role(settings: Settings, name: str, role: Role) -> bool:
    """Give an account ``role``; False if there is none of that name. ValueError (a message
    for the user) for demoting the last admin, as the web's /users page refuses it."""
    engine = store.open_store(settings.db)
    with engine.connect() as conn:
        changed = persist.set_role(conn, name, role)
        if persist.no_admin_left(conn):
            raise ValueError("the last admin must stay an admin")
        if changed:
            persist.audit(conn, "cli", "user.role", name, role=str(role))
        conn.commit()
    return changed


def check_profile(settings: Settings) -> None:
    """ConfigError (one line) if the store's articles were judged against another profile
    than ``settings``' (see ``stories.persist.require_profile``)."""
    from mediadigest.stories import persist as story_store

    with store.open_store(settings.db).connect() as conn:
        story_store.require_profile(conn, settings.profile.name)


def list_users(settings: Settings) -> list[User]:
    engine: sa.Engine = store.open_store(settings.db)
    with engine.connect() as conn:
        return persist.list_users(conn)
