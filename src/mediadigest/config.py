"""Settings, built once by the CLI: flags > env ``MEDIADIGEST_*`` > config file > defaults."""

from __future__ import annotations

import difflib
import email.utils
import logging
import math
import os
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediadigest.errors import ConfigError
from mediadigest.profile import Profile, load_profile

DEFAULT_DB = "sqlite:///mediadigest.db"
DEFAULT_PROFILE = "kazakhstan"
CONFIG_FILE = "mediadigest.toml"

log = logging.getLogger(__name__)


SECURITY = ("starttls", "tls", "none")
# The port each security is served on where none is set (RFC 8314: 465 is implicit TLS).
MAIL_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(slots=True, frozen=True)
class MailSettings:
    """The ``[mail]`` table: the SMTP server a digest is mailed through, and to whom."""

    host: str | None = None
    port: int | None = None  # None: the port of ``security`` (MAIL_PORTS)
    security: str = "starttls"
    user: str | None = None  # log in as this user; no login without one
    password: str | None = field(default=None, repr=False)
    sender: str | None = None  # the table's ``from`` (a Python keyword): "Name <addr>" or addr
    to: tuple[str, ...] = ()
    timeout: float = 30.0  # seconds for each exchange with the server
    # How a reader of the list leaves it (mailto: or https: URIs): the List-Unsubscribe header
    # of what goes to ``to``, which mail clients show as an "Unsubscribe" button.
    unsubscribe: tuple[str, ...] = ()
    # Recipients in one message: servers refuse those past their limit with a 452 (Postfix
    # takes 1000 by default, hosted mail often 100), so a list is sent in messages of this many.
    per_message: int = 100

    @property
    def server(self) -> str:
        """``host:port`` as errors name the server."""
        return f"{self.host}:{self.port or MAIL_PORTS[self.security]}"


@dataclass(slots=True)
class Settings:
    db: str = DEFAULT_DB
    profile_name: str = DEFAULT_PROFILE
    # Fetching (collect): see collect.fetch.FetchPolicy for what each one limits.
    allow_private: bool = False  # fetch from private/loopback/link-local addresses too
    host_delay: float = 1.0  # seconds between two requests to one host
    concurrency: int = 16  # requests in flight, all hosts together
    per_host: int = 2  # requests in flight to one host
    retries: int = 2  # on 429, 5xx and dropped connections
    # Who publishes the digest, named in its intro ("The Astana Times has selected...").
    publisher: str | None = None
    mail: MailSettings = field(default_factory=MailSettings)
    _profile: Profile | None = field(default=None, repr=False)

    @property
    def profile(self) -> Profile:
        """The loaded country profile (loaded on first use: `sources add` needs none)."""
        if self._profile is None:
            self._profile = load_profile(self.profile_name)
        return self._profile


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if number is None or number < low:
            raise ValueError(f"give a whole number from {low} to {high}")
        return number

    parse.highest = high  # type: ignore[attr-defined]
    return parse


def _seconds(low: float, high: float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not low <= number < math.inf:  # nan is neither
            raise ValueError(f"give seconds from {low:g} to {high:g}")
        return number

    parse.highest = float(high)  # type: ignore[attr-defined]
    return parse


def _flag(value: str) -> bool:
    value = value.strip().lower()
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise ValueError("give 1/0, true/false, yes/no or on/off")


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}

# Fetch settings: name -> parser; env MEDIADIGEST_<NAME>, config file key <name>. A value
# below the range is refused, as it breaks a run: 0 requests in flight (concurrency, per_host)
# hung `collect` for good with no output, -1 retries failed every source, a negative delay was
# taken as none. One above it is taken as the highest, with a warning: per_host = 20 and the
# like ran before the ranges, and a setting that worked must not stop every command.
_FETCH_SETTINGS: dict[str, Callable[[str], Any]] = {
    "allow_private": _flag,
    "host_delay": _seconds(0, 3600),
    "concurrency": _whole(1, 512),
    "per_host": _whole(1, 16),
    "retries": _whole(0, 10),
}
KEYS = ("db", "profile", "publisher", *_FETCH_SETTINGS)  # what a config file may set
# Words people write for a key, for "did you mean": difflib finds no "db" in "databse".
_SAID_FOR = {"database": "db", "store": "db", "db_url": "db", "url": "db", "country": "profile",
             "smtp": "mail", "email": "mail"}  # fmt: skip
# What an empty db or profile, given on purpose (a flag, the file), is refused with: taken as
# unset, `--db ""` put a new store in ./mediadigest.db.
_GIVE = {
    "db": "give a store URL: sqlite:///file.db or postgresql://...",
    "profile": "give a shipped profile's name or a YAML file",
}
_MISSING = "does not exist"


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("give a string")
    return value.strip()


def _port(value: Any) -> int:
    # Not _whole's "above it is the highest": no port 65535 is what a port 70000 meant.
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if number is None or not 1 <= number <= 65535:
        raise ValueError("give a port from 1 to 65535")
    return number


def _security(value: Any) -> str:
    said = value.strip().lower() if isinstance(value, str) else None
    if said not in SECURITY:
        raise ValueError("give starttls, tls (implicit TLS, port 465) or none")
    return said


def _password(value: Any) -> str:
    # Kept as given: a password may begin or end with a space.
    if not isinstance(value, str) or not value:
        raise ValueError("give a string")
    return value


def address(value: Any) -> str:
    """One e-mail address, or ``Name <address>``, as given; ValueError for anything else."""
    text = value.strip() if isinstance(value, str) else ""
    if any(c < " " or c == "\x7f" for c in text):  # a header cannot hold them: a traceback
        raise ValueError("an address holds a line break or another control character")
    # parseaddr takes almost anything ("a, b" is "a"): getaddresses splits where it should,
    # and leaves a quoted name's comma alone ('"Doe, Jane" <jane@example.org>').
    found = email.utils.getaddresses([text])
    addr = found[0][1] if len(found) == 1 else ""
    if addr.count("@") != 1 or not all(addr.split("@")):
        raise ValueError("give an e-mail address, or Name <address>")
    return text


def _one_address(text: str) -> bool:
    try:
        return address(text) == text and "<" not in text
    except ValueError:
        return False


class _BadItem(ValueError):
    """A list's item that is no use; the error names the item, not the whole list."""

    def __init__(self, item: Any, reason: str) -> None:
        super().__init__(reason)
        self.item = item


def _addresses(value: Any) -> tuple[str, ...]:
    # A list in the file; a variable separates them with commas (so a name with a comma is
    # for the file, quoted there).
    items = [i for i in value.split(",") if i.strip()] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError('give a list of addresses: to = ["a@example.org", "b@example.org"]')
    found = []
    for item in items:
        try:
            found.append(address(item))
        except ValueError as exc:
            raise _BadItem(item, str(exc)) from None
    return tuple(dict.fromkeys(found))


def _mail_timeout(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not 0 < number <= 600:
        raise ValueError("give seconds above 0, at most 600")
    return number


def _unsubscribe(value: Any) -> tuple[str, ...]:
    # Like ``to``: a list in the file, commas between in a variable. A header holds only
    # ASCII, without spaces or angle brackets: a URI as it is sent, percent-encoded.
    items = [i for i in value.split(",") if i.strip()] if isinstance(value, str) else value
    if isinstance(items, str) or not isinstance(items, list) or not items:
        raise ValueError('give mailto: or https: addresses: unsubscribe = ["mailto:..."]')
    found = []
    for item in items:
        uri = item.strip() if isinstance(item, str) else ""
        scheme, _, rest = uri.partition(":")
        if scheme.lower() == "http":
            # Unencrypted, the link (often a reader's token) crosses the network in clear; and
            # RFC 8058's one-click unsubscribe, which large mailbox providers ask for, is https.
            raise _BadItem(item, "give an https: address, not http:")
        if scheme.lower() not in ("mailto", "https") or not rest.strip("/"):
            raise _BadItem(item, "give a mailto: or https: address")
        if not uri.isascii() or any(c <= " " or c in "<>\x7f" for c in uri):
            raise _BadItem(item, "give the address percent-encoded: ASCII, no spaces or <>")
        if scheme.lower() == "mailto" and not _one_address(rest.partition("?")[0]):
            raise _BadItem(item, "give mailto:ADDRESS, an e-mail address after mailto:")
        found.append(uri)
    return tuple(dict.fromkeys(found))


def _per_message(value: Any) -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if number is None or not 1 <= number <= 1000:
        raise ValueError("give a number of recipients from 1 to 1000")
    return number


# The [mail] table: key -> (MailSettings field, parser); env MEDIADIGEST_MAIL_<KEY>.
_MAIL: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "host": ("host", _text),
    "port": ("port", _port),
    "security": ("security", _security),
    "user": ("user", _text),
    "password": ("password", _password),
    "from": ("sender", address),
    "to": ("to", _addresses),
    "timeout": ("timeout", _mail_timeout),
    "unsubscribe": ("unsubscribe", _unsubscribe),
    "per_message": ("per_message", _per_message),
}


def _mail_table(path: Path, table: Any) -> dict[str, Any]:
    """The file's ``[mail]`` table, its keys checked (their values are, with the variables')."""
    if not isinstance(table, dict):
        raise ConfigError(f'config file {path}: mail: give a table ([mail] with host = "...")')
    for key in table:
        if key not in _MAIL:
            close = difflib.get_close_matches(key, [*_MAIL, "username", "sender"], n=1)
            meant = {"username": "user", "sender": "from"}.get(close[0], close[0]) if close else ""
            hint = f"did you mean {meant}?" if meant else f"[mail] may set {', '.join(_MAIL)}"
            raise ConfigError(f"config file {path}: mail.{key}: unknown key; {hint}")
    if "password" in table and _others_may_read(path):
        log.warning(
            "config file %s holds mail.password and others may read it: chmod 600 it, or "
            "give the password in MEDIADIGEST_MAIL_PASSWORD",
            path,
        )
    return table


def _others_may_read(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False


def _mail_settings(table: Mapping[str, Any], env: Mapping[str, str], path: Path) -> MailSettings:
    values: dict[str, Any] = {}
    for key, (name, parse) in _MAIL.items():
        where, raw = f"MEDIADIGEST_MAIL_{key.upper()}", _from_env(env, f"MAIL_{key.upper()}")
        if raw is None and key in table:
            where, raw = f"config file {path}: mail.{key}", table[key]
        if raw is None:
            continue
        try:
            values[name] = parse(raw)
        except ValueError as exc:
            # Never the password itself: errors end up in cron mail and CI logs.
            shown = "it" if key == "password" else repr(str(getattr(exc, "item", raw))[:60])
            raise ConfigError(f"{where}: cannot use {shown} ({exc})") from exc
    return MailSettings(**values)


def load_settings(
    *,
    db: str | None,
    profile: str | None,
    env: Mapping[str, str],
    cwd: Path,
    allow_private: bool | None = None,
) -> Settings:
    """Merge flags, environment and the optional ``mediadigest.toml`` (or MEDIADIGEST_CONFIG).

    A file named by MEDIADIGEST_CONFIG must be there, and whatever stands at the default path
    must be a file; a key it does not know, or a value out of its range, is a ConfigError
    naming the file (or variable), the key and the value. An empty (or blank) variable is
    taken as unset; an empty ``--db``/``--profile``, or ``db``/``profile`` in the file, is an
    error.
    """
    for flag, given in (("db", db), ("profile", profile)):
        if given is not None and not given.strip():
            raise ConfigError(f"--{flag}: cannot use {given!r} ({_GIVE[flag]})")
    named = (_from_env(env, "CONFIG") or "").strip()
    path = cwd / Path(named).expanduser() if named else cwd / CONFIG_FILE
    file_values = _read_config_file(path, required=bool(named))
    settings = Settings(
        db=db or _from_env(env, "DB") or file_values.get("db") or DEFAULT_DB,
        profile_name=profile
        or _from_env(env, "PROFILE")
        or file_values.get("profile")
        or DEFAULT_PROFILE,
    )
    for name, parse in _FETCH_SETTINGS.items():
        where, raw = f"MEDIADIGEST_{name.upper()}", _from_env(env, name.upper())
        if raw is None:
            where, raw = f"config file {path}: {name}", file_values.get(name)
        if raw is not None:
            try:
                value = parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{where}: cannot use {raw[:40]!r} ({exc})") from exc
            highest = getattr(parse, "highest", None)
            if highest is not None and value > highest:
                log.warning(
                    "%s: %s is above the highest, %s; using %s",
                    where,
                    raw.strip()[:40],
                    highest,
                    highest,
                )
                value = highest
            setattr(settings, name, value)
    if allow_private is not None:
        settings.allow_private = allow_private
    publisher = _from_env(env, "PUBLISHER") or file_values.get("publisher")
    settings.publisher = publisher.strip() or None if publisher else None
    settings.mail = _mail_settings(file_values.get("mail") or {}, env, path)
    return settings


def _from_env(env: Mapping[str, str], name: str) -> str | None:
    """``MEDIADIGEST_<name>``, None when unset or blank: a shell's ``VAR=`` and a compose
    file's ``VAR:`` mean "not set", and some settings read them so while others refused them
    or took them as a value (an empty MEDIADIGEST_ALLOW_PRIVATE overrode the file's true)."""
    value = env.get(f"MEDIADIGEST_{name}")
    return value if value and value.strip() else None


def _read_config_file(path: Path, *, required: bool) -> dict[str, Any]:
    why = _why_not_a_file(path)
    if why == _MISSING and not required:
        return {}
    # Both were passed over: a mistyped MEDIADIGEST_CONFIG, and a folder or a broken link at
    # ./mediadigest.toml; the store and every setting silently took their defaults (a new
    # ./mediadigest.db that `collect` then filled).
    if why is not None and required:
        raise ConfigError(f"MEDIADIGEST_CONFIG names {path}, which {why}")
    if why is not None:
        raise ConfigError(f"config file {path} {why}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror}") from exc
    values: dict[str, Any] = {}
    for key, value in _settings_in(path, data).items():
        if key == "mail":
            values[key] = _mail_table(path, value)
            continue
        if key not in KEYS:
            raise ConfigError(f"config file {path}: {key}: unknown key{_did_you_mean(key)}")
        if key in ("db", "profile", "publisher") and not isinstance(value, str):
            raise ConfigError(f'config file {path}: {key}: give a string ({key} = "...")')
        if key in _GIVE and not value.strip():
            raise ConfigError(f"config file {path}: {key}: cannot use {value!r} ({_GIVE[key]})")
        values[key] = str(value).lower() if isinstance(value, bool) else str(value)
    # Relative paths are the file's, not the working folder's: `profile = "georgia.yaml"` in
    # a MEDIADIGEST_CONFIG elsewhere was looked for wherever the command happened to run.
    here = path.absolute().parent
    if "profile" in values and values["profile"].endswith((".yaml", ".yml")):
        values["profile"] = str(here / Path(values["profile"]).expanduser())
    if "db" in values:
        values["db"] = _beside(here, values["db"])
    return values


def _why_not_a_file(path: Path) -> str | None:
    """None when ``path`` is a regular file (or a link to one), else what stands there."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        if path.is_symlink():
            return f"is a broken symbolic link (to {os.readlink(path)})"
        return _MISSING
    except OSError as exc:  # a link loop, a folder above it we may not enter
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    # A fifo or a device would block or yield nothing a config file holds.
    return "is a folder" if stat.S_ISDIR(mode) else "is not a regular file"


def _settings_in(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The settings of a file: its top level, or its ``[mediadigest]`` table if it has one
    and the settings beside it (the table hid them: a top-level ``db`` was dropped without a
    word). A file with the table may be shared: its other tables, and top-level keys that are
    none of ours, are other tools' and left alone (``[tool.other]`` failed every command)."""
    table = data.get("mediadigest")
    if not isinstance(table, dict):
        return data
    top = {k: v for k, v in data.items() if k in KEYS}
    if twice := sorted(top.keys() & table.keys()):
        raise ConfigError(
            f"config file {path}: {twice[0]} is set both at the top and in [mediadigest]; keep one"
        )
    return top | table


def _did_you_mean(key: str) -> str:
    """``; did you mean db?`` for a near miss, else the keys there are."""
    said = key.lower().removeprefix("mediadigest_").replace("-", "_")
    words = [*KEYS, "mail", *_SAID_FOR]
    close = difflib.get_close_matches(said, words, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {_SAID_FOR.get(close[0], close[0])}?"
    return f" (a config file may set {', '.join(KEYS)} and a [mail] table)"


def _beside(folder: Path, db: str) -> str:
    """A SQLite store's relative path read from ``folder`` (bare, or sqlite:///relative)."""
    for prefix in ("sqlite:///", ""):
        if db.startswith(prefix) and (prefix or "://" not in db):
            rest = db[len(prefix) :]
            if not rest or rest.startswith((":memory:", "file:")) or Path(rest).is_absolute():
                return db
            return f"{prefix}{Path(folder, Path(rest).expanduser())}"
    return db
