"""Settings, built once by the CLI: flags > env ``MEDIADIGEST_*`` > config file > defaults."""

from __future__ import annotations

import difflib
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
_SAID_FOR = {"database": "db", "store": "db", "db_url": "db", "url": "db", "country": "profile"}
# What an empty db or profile, given on purpose (a flag, the file), is refused with: taken as
# unset, `--db ""` put a new store in ./mediadigest.db.
_GIVE = {
    "db": "give a store URL: sqlite:///file.db or postgresql://...",
    "profile": "give a shipped profile's name or a YAML file",
}
_MISSING = "does not exist"


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
    return settings


def _from_env(env: Mapping[str, str], name: str) -> str | None:
    """``MEDIADIGEST_<name>``, None when unset or blank: a shell's ``VAR=`` and a compose
    file's ``VAR:`` mean "not set", and some settings read them so while others refused them
    or took them as a value (an empty MEDIADIGEST_ALLOW_PRIVATE overrode the file's true)."""
    value = env.get(f"MEDIADIGEST_{name}")
    return value if value and value.strip() else None


def _read_config_file(path: Path, *, required: bool) -> dict[str, str]:
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
    values = {}
    for key, value in _settings_in(path, data).items():
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
    words = [*KEYS, *_SAID_FOR]
    close = difflib.get_close_matches(said, words, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {_SAID_FOR.get(close[0], close[0])}?"
    return f" (a config file may set {', '.join(KEYS)})"


def _beside(folder: Path, db: str) -> str:
    """A SQLite store's relative path read from ``folder`` (bare, or sqlite:///relative)."""
    for prefix in ("sqlite:///", ""):
        if db.startswith(prefix) and (prefix or "://" not in db):
            rest = db[len(prefix) :]
            if not rest or rest.startswith((":memory:", "file:")) or Path(rest).is_absolute():
                return db
            return f"{prefix}{Path(folder, Path(rest).expanduser())}"
    return db
