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
    from_file = load_settings(db=None, profile=None, env={}, cwd=tmp_path).db
    assert from_file == f"sqlite:///{tmp_path / 'file.db'}"
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


def test_fetch_settings_default_to_polite_and_private_addresses_refused(tmp_path):
    s = load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert (s.allow_private, s.host_delay, s.concurrency, s.per_host, s.retries) == (
        False, 1.0, 16, 2, 2)  # fmt: skip


def test_allow_private_flag_beats_env_beats_file(tmp_path):
    (tmp_path / "mediadigest.toml").write_text("allow_private = true\nhost_delay = 0.5\n")
    from_file = load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert from_file.allow_private is True and from_file.host_delay == 0.5
    env = {"MEDIADIGEST_ALLOW_PRIVATE": "0"}
    assert load_settings(db=None, profile=None, env=env, cwd=tmp_path).allow_private is False
    flag = load_settings(db=None, profile=None, env=env, cwd=tmp_path, allow_private=True)
    assert flag.allow_private is True


def test_unreadable_fetch_setting_names_where_it_came_from(tmp_path):
    with pytest.raises(ConfigError, match="MEDIADIGEST_CONCURRENCY"):
        load_settings(db=None, profile=None, env={"MEDIADIGEST_CONCURRENCY": "many"}, cwd=tmp_path)


def test_the_publisher_comes_from_env_or_file_and_names_who_selects(tmp_path):
    assert load_settings(db=None, profile=None, env={}, cwd=tmp_path).publisher is None
    (tmp_path / "mediadigest.toml").write_text('publisher = "The Astana Times"\n')
    assert load_settings(db=None, profile=None, env={}, cwd=tmp_path).publisher == (
        "The Astana Times"
    )
    env = {"MEDIADIGEST_PUBLISHER": " Steppe Weekly "}
    assert load_settings(db=None, profile=None, env=env, cwd=tmp_path).publisher == "Steppe Weekly"


def test_relative_paths_in_a_config_file_are_the_files_not_the_working_folders(tmp_path):
    """`profile = "georgia.yaml"` in a MEDIADIGEST_CONFIG elsewhere was looked for in the folder
    the command ran in: "file not found"."""
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "mediadigest.toml").write_text('db = "news.db"\nprofile = "profiles/georgia.yaml"\n')
    env = {"MEDIADIGEST_CONFIG": str(desk / "mediadigest.toml")}
    settings = load_settings(db=None, profile=None, env=env, cwd=tmp_path / "elsewhere")
    assert settings.db == str(desk / "news.db")
    assert settings.profile_name == str(desk / "profiles" / "georgia.yaml")
    for kept in ("sqlite:////srv/md.db", "/srv/md.db", "postgresql://u@h/db", "sqlite:///:memory:"):
        (desk / "mediadigest.toml").write_text(f'db = "{kept}"\nprofile = "uzbekistan"\n')
        settings = load_settings(db=None, profile=None, env=env, cwd=tmp_path)
        assert (settings.db, settings.profile_name) == (kept, "uzbekistan")
    (desk / "mediadigest.toml").write_text('db = "sqlite:///data/md.db"\n')
    assert load_settings(db=None, profile=None, env=env, cwd=tmp_path).db == (
        f"sqlite:///{desk / 'data' / 'md.db'}"
    )
