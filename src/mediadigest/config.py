"""Settings, built once by the CLI: flags > env ``MEDIADIGEST_*`` > config file > defaults."""

from __future__ import annotations

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


# Fetch settings: name -> parser; env MEDIADIGEST_<NAME>, config file key <name>.
_FETCH_SETTINGS: dict[str, Callable[[str], Any]] = {
    "allow_private": lambda v: _flag(v),
    "host_delay": float,
    "concurrency": int,
    "per_host": int,
    "retries": int,
}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def load_settings(
    *,
    db: str | None,
    profile: str | None,
    env: Mapping[str, str],
    cwd: Path,
    allow_private: bool | None = None,
) -> Settings:
    """Merge flags, environment and the optional ``mediadigest.toml`` (or MEDIADIGEST_CONFIG)."""
    file_values = _read_config_file(Path(env.get("MEDIADIGEST_CONFIG", cwd / CONFIG_FILE)))
    settings = Settings(
        db=db or env.get("MEDIADIGEST_DB") or file_values.get("db") or DEFAULT_DB,
        profile_name=profile
        or env.get("MEDIADIGEST_PROFILE")
        or file_values.get("profile")
        or DEFAULT_PROFILE,
    )
    for name, parse in _FETCH_SETTINGS.items():
        where, raw = f"MEDIADIGEST_{name.upper()}", env.get(f"MEDIADIGEST_{name.upper()}")
        if raw is None:
            where, raw = f"{name} in the config file", file_values.get(name)
        if raw is not None:
            try:
                setattr(settings, name, parse(raw))
            except ValueError as exc:
                raise ConfigError(f"{where}: cannot use {raw!r} ({exc})") from exc
    if allow_private is not None:
        settings.allow_private = allow_private
    publisher = env.get("MEDIADIGEST_PUBLISHER") or file_values.get("publisher")
    settings.publisher = publisher.strip() or None if publisher else None
    return settings


def _flag(value: str) -> bool:
    value = value.strip().lower()
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


def _read_config_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: {exc}") from exc
    section = data.get("mediadigest", data)
    known = {"db", "profile", "publisher", *_FETCH_SETTINGS}
    values = {k: str(v).lower() if isinstance(v, bool) else str(v)
              for k, v in section.items() if k in known}  # fmt: skip
    # Relative paths are the file's, not the working folder's: `profile = "georgia.yaml"` in
    # a MEDIADIGEST_CONFIG elsewhere was looked for wherever the command happened to run.
    here = path.absolute().parent
    if "profile" in values and values["profile"].endswith((".yaml", ".yml")):
        values["profile"] = str(here / Path(values["profile"]).expanduser())
    if "db" in values:
        values["db"] = _beside(here, values["db"])
    return values


def _beside(folder: Path, db: str) -> str:
    """A SQLite store's relative path read from ``folder`` (bare, or sqlite:///relative)."""
    for prefix in ("sqlite:///", ""):
        if db.startswith(prefix) and (prefix or "://" not in db):
            rest = db[len(prefix) :]
            if not rest or rest.startswith((":memory:", "file:")) or Path(rest).is_absolute():
                return db
            return f"{prefix}{Path(folder, Path(rest).expanduser())}"
    return db
