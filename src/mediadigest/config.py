"""Settings, built once by the CLI: flags > env ``MEDIADIGEST_*`` > config file > defaults."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mediadigest.errors import ConfigError
from mediadigest.profile import Profile, load_profile

DEFAULT_DB = "sqlite:///mediadigest.db"
DEFAULT_PROFILE = "kazakhstan"
CONFIG_FILE = "mediadigest.toml"


@dataclass(slots=True)
class Settings:
    db: str = DEFAULT_DB
    profile_name: str = DEFAULT_PROFILE
    _profile: Profile | None = field(default=None, repr=False)

    @property
    def profile(self) -> Profile:
        """The loaded country profile (loaded on first use: `sources add` needs none)."""
        if self._profile is None:
            self._profile = load_profile(self.profile_name)
        return self._profile


def load_settings(
    *, db: str | None, profile: str | None, env: Mapping[str, str], cwd: Path
) -> Settings:
    """Merge flags, environment and the optional ``mediadigest.toml`` (or MEDIADIGEST_CONFIG)."""
    file_values = _read_config_file(Path(env.get("MEDIADIGEST_CONFIG", cwd / CONFIG_FILE)))
    return Settings(
        db=db or env.get("MEDIADIGEST_DB") or file_values.get("db") or DEFAULT_DB,
        profile_name=profile
        or env.get("MEDIADIGEST_PROFILE")
        or file_values.get("profile")
        or DEFAULT_PROFILE,
    )


def _read_config_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: {exc}") from exc
    section = data.get("mediadigest", data)
    return {k: str(v) for k, v in section.items() if k in {"db", "profile"}}
