"""Users and roles (admins only), and the audit log of edits and publishes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from mediadigest.web import auth, csrf, persist
from mediadigest.web.auth import need
from mediadigest.web.persist import Role, User
from mediadigest.web.routes import PathId
from mediadigest.web.templating import page, redirect

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)
Admin = Annotated[User, Depends(need(Role.admin))]
Name = Annotated[str, Form(min_length=1, max_length=64)]
# An existing name, as the users page sends it back: may be blank if stored before names
# were checked, and such an account must still be removable (FastAPI reads an empty form
# field as missing, hence the default).
Existing = Annotated[str, Form(max_length=64)]
# The users page's forms, by their ids: an error about one of their fields is shown on it.
ADD, SET_PASSWORD = "add-user", "set-password"


@router.get("/users")
def users(request: Request, user: Admin) -> HTMLResponse:
    with request.app.state.web.engine.connect() as conn:
        found = persist.list_users(conn)
        tokens = persist.list_all_tokens(conn)
    return page(request, "users.html", title="Users", users=found, roles=list(Role), tokens=tokens)


@router.post("/users/add")
def add(
    request: Request,
    user: Admin,
    name: Name,
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(min_length=8, max_length=1024)],
) -> Response:
    typed = {"name": name, "role": str(role)}  # shown again after an error; no password

    def refused(message: str, field: str) -> Response:
        return redirect(request, "/users", message, "error", form=ADD, field=field, typed=typed)

    try:
        name = auth.check_new_name(name)  # before the checks: "   " is no name
    except ValueError as exc:
        return refused(f"{str(exc)[:1].upper()}{str(exc)[1:]}; nobody was added.", "name")
    try:
        auth.check_new_password(password)
    except ValueError as exc:
        return refused(f"{str(exc)[:1].upper()}{str(exc)[1:]}; nobody was added.", "password")
    with request.app.state.web.engine.begin() as conn:
        # Names differing in case only ("Ed", "ed") would be two people nobody can tell apart.
        taken = auth.taken_name(conn, name)
        if taken is not None:
            return refused(f"There is already a user {taken}.", "name")
        _, added = persist.add_user(conn, name, role, auth.hash_password(password))
        if added:
            persist.audit(conn, user.name, "user.add", name, role=str(role))
    if not added:
        return refused(f"There is already a user {name}.", "name")
    return redirect(request, "/users", f"Added {name} as {role}.")


@router.post("/users/role")
def set_role(
    request: Request, user: Admin, role: Annotated[Role, Form()], name: Existing = ""
) -> Response:
    with request.app.state.web.engine.connect() as conn:
        changed = persist.set_role(conn, name, role)
        if persist.no_admin_left(conn):
            return redirect(request, "/users", "The last admin must stay an admin.", "error")
        if changed:
            persist.audit(conn, user.name, "user.role", name, role=str(role))
        conn.commit()
    return redirect(
        request,
        "/users",
        f"{name} is now {role}." if changed else f"No user {name}.",
        "ok" if changed else "error",
    )


@router.post("/users/remove")
def remove(request: Request, user: Admin, name: Existing = "") -> Response:
    if name == user.name:
        # Even with another admin: one click would lock this admin out mid-session, with
        # nobody to say so to; another admin removing them is a decision made by two.
        message = "You cannot remove your own account; ask another admin to remove it."
        return redirect(request, "/users", message, "error")
    with request.app.state.web.engine.connect() as conn:
        removed = persist.remove_user(conn, name)
        if persist.no_admin_left(conn):
            return redirect(request, "/users", "The last admin cannot be removed.", "error")
        if removed:
            persist.audit(conn, user.name, "user.remove", name)
        conn.commit()
    return redirect(
        request,
        "/users",
        f"Removed {name}." if removed else f"No user {name}.",
        "ok" if removed else "error",
    )


@router.post("/users/password")
def set_password(
    request: Request,
    user: Admin,
    password: Annotated[str, Form(max_length=1024)],
    password_again: Annotated[str, Form(max_length=1024)],
    name: Existing = "",
) -> Response:
    """Set another user's password (one who forgot theirs); their sessions end."""

    def refused(message: str, field: str) -> Response:
        return redirect(
            request,
            "/users",
            message,
            "error",
            form=SET_PASSWORD,
            field=field,
            typed={"name": name},
        )

    if password != password_again:
        return refused("The two passwords differ; nothing was changed.", "password_again")
    with request.app.state.web.engine.begin() as conn:
        found = auth.find_user(conn, name)
        if found is None:
            return refused(f"No user {name}.", "name")
        if found[0].id == user.id:
            # Here no current password is asked for: one's own is changed on the account page.
            return refused("Change your own password on your account page.", "name")
        try:
            auth.set_password(conn, found[0], password, by=user.name)
        except ValueError as exc:
            return refused(f"{str(exc).capitalize()}.", "password")
    message = f"Set a new password for {found[0].name}; their sessions are signed out."
    return redirect(request, "/users", message)


@router.post("/users/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: PathId, user: Admin) -> Response:
    """Revoke any user's API token: one that leaked is stopped without removing its user
    (whose own revoke, on the account page, covers only their own)."""
    with request.app.state.web.engine.begin() as conn:
        revoked = persist.revoke_any_token(conn, token_id)
        if revoked is not None:
            owner, name = revoked
            persist.audit(conn, user.name, "token.revoke", f"token {token_id}", owner=owner)
    if revoked is None:
        return redirect(request, "/users", "No such token.", "error")
    return redirect(request, "/users", f"Revoked {owner}'s token {name}.")


AUDIT_PAGE = 300  # entries a page of the audit log shows


def _entry_id(value: str | None) -> int | None:
    """A page's ``before``/``after`` entry id; anything else (a hand-edited link) is none."""
    # ASCII digits only: "²".isdigit() is true and int("²") fails.
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


@router.get("/audit")
def audit_log(
    request: Request,
    user: Admin,
    before: str | None = None,
    after: str | None = None,
    action: str = "",
    who: Annotated[str, Query(alias="user")] = "",
) -> HTMLResponse:
    """The audit log, newest first, a page at a time (sign-ins are logged too, so the edits
    of a busy install are far down): older and newer pages, filtered by action and user."""
    action, who = action.strip()[:32], who.strip()[:64]
    wanted = {"action": action or None, "user": who or None}
    with request.app.state.web.engine.connect() as conn:
        entries = persist.list_audit(
            conn, AUDIT_PAGE, before=_entry_id(before), after=_entry_id(after), **wanted
        )
        ids = [e["id"] for e in entries]
        counts = persist.count_audit(conn, max(ids, default=None), min(ids, default=None),
                                     **wanted)  # fmt: skip
        actions = persist.audit_actions(conn)
        names = [u.name for u in persist.list_users(conn)]
    kept = "".join(f"&{k}={quote(v, safe='')}" for k, v in [("action", action), ("user", who)] if v)
    return page(
        request,
        "audit.html",
        title="Audit log",
        entries=entries,
        counts=counts,
        actions=actions,
        names=names,
        action=action,
        who=who,
        newer_url=f"/audit?after={ids[0]}{kept}" if ids and counts.newer else None,
        older_url=f"/audit?before={ids[-1]}{kept}" if ids and counts.older else None,
        newest_url=("/audit?" + kept[1:] if kept else "/audit") if counts.total else None,
    )
