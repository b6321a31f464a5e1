"""Who is asking: passwords (hashed, changed), login sessions, API tokens, roles, login throttling.

Every route declares the least role it needs with ``Depends(need(Role.x))`` (pages, session
cookie) or ``Depends(need_token(Role.x))`` (``/api``, bearer token only, so no cookie ever
authorises an API call and the API needs no CSRF token). ``app.create_app`` refuses to start
if a route declares neither, so no route is open by accident.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mediadigest.store.writes import lock_for_writing
from mediadigest.web import persist
from mediadigest.web.persist import ApiToken, Role, TokenScope, User

SESSION_COOKIE = "md_session"
SESSION_TTL = timedelta(hours=12)
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


# What an API 401 says (RFC 6750, section 3). No token, or another scheme (Basic): a bare
# challenge, as the client may not know a token is needed. A bearer token that is not valid:
# error="invalid_token". Revoked, never issued and a removed user's token are refused alike,
# so the answer tells nothing of which tokens once were.
NO_TOKEN = (
    "an API token is required: send 'Authorization: Bearer <token>' "
    "(tokens are made on the account page)"
)
EMPTY_TOKEN = "the Authorization header has no token after 'Bearer'"
BAD_TOKEN = "the API token is not valid: it was revoked, or never issued by this server"
# A read-only token may send only these: anything else may change the store.
READ_METHODS = frozenset({"GET", "HEAD"})
READ_ONLY = (
    "this token is read-only: it may only read (GET); make a token of full scope on the "
    "account page to change anything"
)


def expired_detail(expires_at: datetime) -> str:
    """An expired token's 401: it was valid once, so saying when it stopped tells its holder
    what to do (an unknown token says nothing of which tokens once were)."""
    return (
        f"the API token expired at {expires_at:%Y-%m-%dT%H:%M:%SZ}; "
        "make a new one on the account page"
    )


class NotAuthenticated(Exception):
    """No valid session (pages: redirect to the login form) or token (API: 401, saying
    ``detail``; ``token_sent``: a bearer token came, and is not valid)."""

    def __init__(self, api: bool, detail: str = NO_TOKEN, token_sent: bool = False) -> None:
        self.api = api
        self.detail = detail
        self.token_sent = token_sent

    @property
    def challenge(self) -> str:
        """The API 401's WWW-Authenticate: an error code only for a token that was sent."""
        if not self.token_sent:
            return "Bearer"
        return f'Bearer error="invalid_token", error_description="{self.detail}"'


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""

    def __init__(self, user: User, needed: Role) -> None:
        self.user = user
        self.needed = needed


def hash_password(password: str, hasher: PasswordHasher = _hasher) -> str:
    return hasher.hash(password)


def find_user(conn: sa.Connection, name: str) -> tuple[User, str] | None:
    """The account ``name`` names, in any case, with its password hash; None if none does.

    Names are unique ignoring case (`add_user`), so "ED" can only mean "ed". The name as
    stored wins, so two accounts made before that rule, differing in case only, are each
    still reached by their own spelling (and neither by a third).
    """
    name = name.strip()
    if not name:
        return None
    found = persist.password_hash_of(conn, name)
    if found is None:
        same = [u.name for u in persist.list_users(conn) if u.name.casefold() == name.casefold()]
        if len(same) == 1:
            found = persist.password_hash_of(conn, same[0])
    return found


def taken_name(conn: sa.Connection, name: str) -> str | None:
    """The stored name of the account that ``name`` would clash with (any case), if any."""
    wanted = name.strip().casefold()
    return next((u.name for u in persist.list_users(conn) if u.name.casefold() == wanted), None)


def check_password(conn: sa.Connection, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs (``name`` in any case); None otherwise, in about
    the same time either way."""
    found = find_user(conn, name)
    try:
        _hasher.verify(found[1] if found else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return found[0] if found else None


def add_user(engine: sa.Engine, name: str, role: Role, password: str) -> bool:
    """Create an account (the CLI's `users add`); False if the name is taken, in any case.

    As the web form does: " ed " is "ed", and "ED" beside "ed" would sign in as neither.
    """
    name = check_new_name(name)
    check_new_password(password)
    with engine.begin() as conn:
        if taken_name(conn, name) is not None:
            return False
        _, added = persist.add_user(conn, name, role, hash_password(password))
        if added:
            persist.audit(conn, "cli", "user.add", name, role=str(role))
    return added


def check_new_name(name: str) -> str:
    """``name`` without surrounding spaces; ValueError (a message for the user) if it may not
    be a user name: blank, over 64 characters, or holding a control or invisible character.

    A line break split the name over two lines of `users list`, and nobody could type it to
    sign in; a zero-width space made a second "boss" that looked like the first.
    """
    name = name.strip()
    if not name or len(name) > 64:
        raise ValueError("a user name is 1 to 64 characters")
    odd = next((c for c in name if unicodedata.category(c)[0] in "CZ" and c != " "), None)
    if odd is not None:
        raise ValueError(
            f"a user name may not hold control or invisible characters (U+{ord(odd):04X})"
        )
    return name


def check_new_password(password: str) -> None:
    """Raise ValueError (with a message for the user) if ``password`` may not be set."""
    if len(password) < 8 or not password.strip():
        raise ValueError("a password has at least 8 characters, not all spaces")


def set_password(
    conn: sa.Connection, user: User, password: str, by: str, keep_session: str | None = None
) -> int:
    """Give ``user`` a new password and end their sessions but ``keep_session`` (the cookie of
    the session changing its own password); returns how many ended. Audited as ``by``.

    Sessions live in the store, so ending them signs the account out everywhere at once: a
    password changed because it leaked must not leave the leaker signed in. API tokens stay
    valid (integrations hold them; each can be revoked on the account page).
    """
    check_new_password(password)
    new_hash = hash_password(password)  # before the write lock: argon2 takes a while
    lock_for_writing(conn)
    users, sessions = persist.users, persist.web_sessions
    conn.execute(sa.update(users).where(users.c.id == user.id).values(password_hash=new_hash))
    ending = sessions.c.user_id == user.id
    if keep_session:
        ending &= sessions.c.token_hash != persist.digest(keep_session)
    ended = conn.execute(sa.delete(sessions).where(ending)).rowcount
    persist.audit(conn, by, "user.password", user.name, sessions_ended=ended)
    return ended


def reset_password(engine: sa.Engine, name: str, password: str) -> tuple[User, int] | None:
    """Set the password of ``name`` (any case) as the CLI's `users password` does: (the user,
    sessions ended), or None if there is no such user. Raises ValueError for a weak password."""
    check_new_password(password)
    with engine.begin() as conn:
        found = find_user(conn, name)
        if found is None:
            return None
        return found[0], set_password(conn, found[0], password, by="cli")


# -- login throttling ------------------------------------------------------------------------


class LoginLimiter:
    """Sliding-window count of failed logins per key (each counted before it is checked).

    The app keeps two: per (user name, client address), 5 failures in 15 minutes, and per
    client address, a looser 30 (``create_app``'s ``login_limits``). Guessing from one
    address stays slow, at any name or many, while failing as an editor from elsewhere
    locks no one out where they sign in (per name alone, anyone could lock out anyone).

    In memory, per process: enough to make guessing slow; a restart forgets, which only
    ever lets a locked-out editor in sooner.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 if it may now."""
        with self._lock:
            return self._wait(self._prune(key))

    def reserve(self, key: str) -> int:
        """Count an attempt of ``key`` as failed before its password is checked, and return 0;
        or, if ``key`` has none left, count nothing and return the seconds to wait.

        Looked at and counted under one lock: counted after the password check (argon2,
        ~0.1 s), concurrent guesses all found attempts left before the first was counted.
        """
        with self._lock:
            recent = self._prune(key)
            wait = self._wait(recent)
            if not wait:
                recent.append(self.clock())
            return wait

    def release(self, key: str) -> None:
        """Uncount one attempt that `reserve` counted: it succeeded, or another limit refused."""
        with self._lock:
            recent = self._prune(key)
            if recent:  # else it has left the window already
                recent.pop()  # the newest: concurrent ones are milliseconds apart

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _wait(self, recent: deque[float]) -> int:
        if len(recent) < self.limit:
            return 0
        return max(1, int(recent[0] + self.window - self.clock()) + 1)

    def _prune(self, key: str) -> deque[float]:
        recent = self._failures.setdefault(key, deque())
        while recent and recent[0] <= self.clock() - self.window:
            recent.popleft()
        return recent


def reserve_attempt(keys: Sequence[tuple[LoginLimiter, str]]) -> int:
    """Count one password check against every (limiter, key) before it is made: 0 if each
    had an attempt left; else the seconds to wait, and no limit keeps anything counted.

    A wrong password then needs nothing more; a right one gives the attempts back
    (`release_attempt`), so signing in never uses up an address's allowance.
    """
    held: list[tuple[LoginLimiter, str]] = []
    for limiter, key in keys:
        if limiter.reserve(key):
            release_attempt(held)
            return max(1, *(limiter.retry_after(key) for limiter, key in keys))
        held.append((limiter, key))
    return 0


def release_attempt(keys: Sequence[tuple[LoginLimiter, str]]) -> None:
    for limiter, key in keys:
        limiter.release(key)


# -- request dependencies --------------------------------------------------------------------


def session_user(request: Request) -> User | None:
    """The signed-in user of this request (cached on the request), or None."""
    if "user" in request.scope.get("state", {}):
        return request.state.user
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        with request.app.state.web.engine.connect() as conn:
            user = persist.session_user(conn, token)
    request.state.user = user
    return user


def need(role: Role) -> Callable[[Request], User]:
    """Dependency: a signed-in user whose role allows ``role`` (pages and forms)."""

    def check(request: Request) -> User:
        user = session_user(request)
        if user is None:
            raise NotAuthenticated(api=False)
        if not user.role.allows(role):
            raise Forbidden(user, role)
        return user

    check.needed_role = role  # type: ignore[attr-defined]  # read by create_app's route audit
    return check


_bearer = HTTPBearer(auto_error=False, description="An API token from your account page.")


def need_token(role: Role) -> Callable[..., User]:
    """Dependency: an API token (``Authorization: Bearer mdt_…``) whose user allows ``role``."""

    # ``_bearer`` puts the scheme in the OpenAPI schema; the header is read here, as it
    # answers None alike for no header, another scheme and "Bearer" with nothing after it.
    def check(
        request: Request, _creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> User:
        scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer":
            raise NotAuthenticated(api=True)
        if not token.strip():
            raise NotAuthenticated(api=True, detail=EMPTY_TOKEN, token_sent=True)
        engine = request.app.state.web.engine
        with engine.connect() as conn:
            found = persist.find_token(conn, token.strip())
        if found is None:
            raise NotAuthenticated(api=True, detail=BAD_TOKEN, token_sent=True)
        check_token_allows(found, request.method, role)
        persist.record_token_use(engine, found)
        request.state.user = found.user
        return found.user

    check.needed_role = role  # type: ignore[attr-defined]
    return check


def check_token_allows(token: ApiToken, method: str, role: Role) -> None:
    """Raise unless ``token`` may send ``method`` to an operation that needs ``role``: 401 if
    it has expired, 403 if it is read-only and ``method`` may write, or its user's role (which
    bounds every scope) does not allow ``role``."""
    if token.expires_at is not None and token.expired():
        detail = expired_detail(token.expires_at)
        raise NotAuthenticated(api=True, detail=detail, token_sent=True)
    if token.scope == TokenScope.read and method.upper() not in READ_METHODS:
        # RFC 6750, section 3.1: a valid token without the scope the request needs.
        challenge = f'Bearer error="insufficient_scope", error_description="{READ_ONLY}"'
        raise HTTPException(403, detail=READ_ONLY, headers={"WWW-Authenticate": challenge})
    if not token.user.role.allows(role):
        raise Forbidden(token.user, role)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
