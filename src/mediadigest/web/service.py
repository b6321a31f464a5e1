"""What the CLI's `serve` and `users` commands call: run the service, manage accounts."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from mediadigest import store
from mediadigest.config import Settings
from mediadigest.web import auth, persist
from mediadigest.web.persist import Role, User


def parse_every(text: str) -> timedelta | None:
    """``serve --collect-every``: ``30m``, ``1h``, ``1h30m``; ``0`` or ``off``: no schedule."""
    from mediadigest.run.collect import parse_interval  # the pipeline: `users` need none of it

    if text.strip().lower() in {"0", "off", "never", "none"}:
        return None
    every = parse_interval(text)
    if every < timedelta(minutes=1):
        raise ValueError("collect at most once a minute")
    return every


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    collect_every: timedelta | None = timedelta(hours=1),
) -> None:
    """Run the web app (and scheduled collection) until interrupted."""
    import uvicorn

    from mediadigest.web.app import create_app

    app = create_app(settings, collect_every=collect_every)
    # Behind a reverse proxy on the same host, trust its X-Forwarded-Proto so that cookies
    # are marked Secure when editors reach the app over HTTPS.
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        log_level="info",
    )


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
