"""`mediadigest serve` and `users`: the editors' web app and its accounts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mediadigest.cli.app import missing_store, require_store, say, settings_of, users_app


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    collect_every: Annotated[
        str, typer.Option(help="Collect from the sources every INTERVAL (30m, 1h; 'off': never).")
    ] = "1h",
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ADDR",
            help="A reverse proxy (IP address or network; repeat, or a comma list) whose "
            "X-Forwarded-For and X-Forwarded-Proto are believed. Default: this host "
            "(127.0.0.1, ::1); 'none': no proxy, the client is the connecting address.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Where readers reach the app (https://digest.example.org): the Atom feed's "
            "links use it, not the Host header each request brings."
        ),
    ] = None,
) -> None:
    """Run the editors' web app, collecting on a schedule (create an admin with `users add`)."""
    from mediadigest.web import service

    try:
        every = service.parse_every(collect_every)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--collect-every") from exc
    try:
        proxies = service.parse_proxies(trusted_proxy)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--trusted-proxy") from exc
    try:
        base = None if base_url is None else service.parse_base_url(base_url)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--base-url") from exc
    settings = settings_of(ctx)
    # First: a port in use must change nothing (no store made, no collection round run).
    sockets = service.listen(host, port)
    try:
        # A mistyped --db served a new, empty store where every sign-in failed, saying nothing.
        missing = missing_store(settings.db)
        if missing is not None:
            say(f"no store at {missing}: starting a new, empty one (check --db)", "warning")
        # Another profile's store served an empty feed under this one's name, 500s on the
        # review pages and a traceback each scheduled round, as `articles` and the rest refuse.
        service.check_profile(settings)
        if not service.list_users(settings):
            say("the store has no accounts, so nobody can sign in: add an admin with "
                "`mediadigest users add NAME --role admin`", "warning")  # fmt: skip
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    service.serve(
        settings,
        host=host,
        port=port,
        collect_every=every,
        trusted_proxies=proxies,
        base_url=base,
        sockets=sockets,
    )


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (sign-in name).")],
    role: Annotated[str, typer.Option(help="admin, editor or viewer.")] = "editor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a web app account; the password is prompted for (or read with --password-stdin)."""
    from mediadigest.web import service
    from mediadigest.web.persist import Role

    if role not in Role.__members__:
        raise typer.BadParameter("admin, editor or viewer", param_hint="--role")
    password = _read_password(password_stdin)
    try:
        added = service.add_user(settings_of(ctx), name, Role(role), password)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if not added:
        # Taken in another case, perhaps: name the account as it is stored ("ed", not "ED").
        wanted = name.strip().casefold()
        users = service.list_users(settings_of(ctx))
        taken = next((u.name for u in users if u.name.casefold() == wanted), name)
        say(f"there is already a user {taken}", "error")
        raise typer.Exit(1)
    say(f"added {name} ({role})")


@users_app.command("password")
def users_password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (in any case).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a password (prompted for, or --password-stdin); signs the user out, keeps tokens."""
    from mediadigest import store
    from mediadigest.web import auth
    from mediadigest.write.style import counted

    require_store(settings_of(ctx).db)
    password = _read_password(password_stdin)
    try:
        done = auth.reset_password(store.open_store(settings_of(ctx).db), name, password)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if done is None:
        say(f"{name}: no such user", "error")
        raise typer.Exit(1)
    user, ended = done
    say(f"set a new password for {user.name} ({counted(ended, 'session')} ended)")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """List web app accounts and their roles."""
    from mediadigest.web import service

    require_store(settings_of(ctx).db)
    for user in service.list_users(settings_of(ctx)):
        typer.echo(f"{user.name}\t{user.role}")


@users_app.command("role")
def users_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (in any case).")],
    role: Annotated[str, typer.Argument(help="admin, editor or viewer.")],
) -> None:
    """Give a web app account another role (the last admin stays one)."""
    from mediadigest import store
    from mediadigest.web import auth, service
    from mediadigest.web.persist import Role

    if role not in Role.__members__:
        raise typer.BadParameter("admin, editor or viewer", param_hint="ROLE")
    settings = settings_of(ctx)
    require_store(settings.db)
    # Found as sign-in finds it (any case): names are unique ignoring case.
    with store.open_store(settings.db).connect() as conn:
        found = auth.find_user(conn, name)
    try:
        changed = found is not None and service.set_role(settings, found[0].name, Role(role))
    except ValueError as exc:
        say(f"{name}: {exc}", "error")
        raise typer.Exit(1) from None
    if not changed or found is None:
        say(f"{name}: no such user", "error")
        raise typer.Exit(1)
    say(f"{found[0].name} is now {role}")


@users_app.command("remove")
def users_remove(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(help="User names (in any case).")],
) -> None:
    """Remove web app accounts (their sessions and API tokens end; the audit log keeps them);
    the last admin stays."""
    from mediadigest import store
    from mediadigest.web import auth, service

    settings = settings_of(ctx)
    require_store(settings.db)
    engine = store.open_store(settings.db)
    missing, refused = [], []
    for name in names:
        # Found as sign-in finds it (any case): names are unique ignoring case.
        with engine.connect() as conn:
            found = auth.find_user(conn, name)
        try:
            removed = found is not None and service.remove_user(settings, found[0].name)
        except ValueError as exc:
            refused.append(f"{name}: {exc}")
            continue
        if not removed or found is None:
            missing.append(name)
        else:
            say(f"removed {found[0].name}")
    for line in [*refused, *(f"{name}: no such user" for name in missing)]:
        say(line, "error")
    if missing or refused:
        raise typer.Exit(1)
