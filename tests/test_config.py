"""Settings precedence: flags > env > config file > defaults."""

import pytest

from mediadigest.config import DEFAULT_DB, load_settings
from mediadigest.errors import ConfigError


def test_defaults_when_nothing_is_set(tmp_path):
    s = load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert (s.db, s.profile_name) == (DEFAULT_DB, "kazakhstan")


def test_flag_beats_env_beats_file(tmp_path):
    (tmp_path / "mediadigest.toml").write_text('db = "sqlite:///file.db"\nprofile = "uzbekistan"\n')
    env = {"MEDIADIGEST_DB": "sqlite:///env.db"}
    assert load_settings(db=None, profile=None, env={}, cwd=tmp_path).db == "sqlite:///file.db"
    assert load_settings(db=None, profile=None, env=env, cwd=tmp_path).db == "sqlite:///env.db"
    assert (
        load_settings(db="sqlite:///flag.db", profile=None, env=env, cwd=tmp_path).db
        == "sqlite:///flag.db"
    )
    assert load_settings(db=None, profile=None, env={}, cwd=tmp_path).profile_name == "uzbekistan"


def test_broken_config_file_is_named_in_the_error(tmp_path):
    (tmp_path / "mediadigest.toml").write_text("db = \n")
    with pytest.raises(ConfigError, match=r"mediadigest\.toml"):
        load_settings(db=None, profile=None, env={}, cwd=tmp_path)
