"""`users role` and `users remove` at the command line keep an admin, as the /users page does.

Only the web could change a role, and the CLI removed the last admin without a word: nobody
was left to manage the accounts but by hand in the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest.cli import app as cli
from mediadigest.web import persist
from mediadigest.web.persist import Role


def users(seeded, *args: str):
    return CliRunner().invoke(cli, ["--db", seeded.settings.db, "users", *args])


def roles(seeded) -> dict[str, Role]:
    with seeded.engine.connect() as conn:
        return {u.name: u.role for u in persist.list_users(conn)}


def audited(seeded, action: str) -> list[tuple[str, str, dict]]:
    log = persist.audit_log
    query = sa.select(log.c.user_name, log.c.target, log.c.detail).where(log.c.action == action)
    with seeded.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query.order_by(log.c.id))]


def test_users_role_sets_a_role_finding_the_name_in_any_case_and_audits_it(seeded):
    done = users(seeded, "role", "EDITOR", "viewer")
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "editor is now viewer"
    assert roles(seeded)["editor"] == Role.viewer
    assert audited(seeded, "user.role") == [("cli", "editor", {"role": "viewer"})]


def test_users_role_makes_another_admin_who_may_then_be_the_one_left(seeded):
    assert users(seeded, "role", "editor", "admin").exit_code == 0
    done = users(seeded, "role", "admin", "editor")
    assert done.exit_code == 0, done.output
    assert roles(seeded) == {"admin": Role.editor, "editor": Role.admin, "viewer": Role.viewer}


def test_users_role_refuses_to_demote_the_last_admin(seeded):
    done = users(seeded, "role", "Admin", "editor")
    assert done.exit_code == 1
    assert done.output.strip() == "error: Admin: the last admin must stay an admin"
    assert roles(seeded)["admin"] == Role.admin
    assert audited(seeded, "user.role") == []


def test_users_role_refuses_an_unknown_user_and_an_unknown_role(seeded):
    nobody = users(seeded, "role", "nobody", "editor")
    assert (nobody.exit_code, nobody.output.strip()) == (1, "error: nobody: no such user")
    odd = users(seeded, "role", "editor", "owner")
    assert odd.exit_code == 2 and "admin, editor or viewer" in odd.output
    assert roles(seeded)["editor"] == Role.editor


def test_users_remove_refuses_the_last_admin_and_removes_the_others_named(seeded):
    done = users(seeded, "remove", "ADMIN", "viewer")
    assert done.exit_code == 1
    assert done.output.splitlines() == [
        "removed viewer",
        "error: ADMIN: the last admin cannot be removed",
    ]
    assert roles(seeded) == {"admin": Role.admin, "editor": Role.editor}
    assert [target for _, target, _ in audited(seeded, "user.remove")] == ["viewer"]


def test_users_remove_removes_an_admin_while_another_stays(seeded):
    assert users(seeded, "role", "editor", "admin").exit_code == 0
    done = users(seeded, "remove", "admin")
    assert done.exit_code == 0, done.output
    assert roles(seeded) == {"editor": Role.admin, "viewer": Role.viewer}
