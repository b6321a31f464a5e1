"""Settings precedence: flags > env > config file > defaults."""

import os
from pathlib import Path

import pytest

from mediadigest.config import DEFAULT_DB, KEYS, load_settings
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


def test_an_unknown_key_in_a_config_file_is_an_error_naming_the_closest_one(tmp_path):
    """A typo was dropped without a word: `databse = "/srv/store.db"` put the store in
    ./mediadigest.db."""
    config = tmp_path / "mediadigest.toml"
    for typo, meant in (("databse", "db"), ("publsher", "publisher"), ("per-host", "per_host")):
        config.write_text(f'{typo} = "x"\n')
        with pytest.raises(ConfigError) as raised:
            load_settings(db=None, profile=None, env={}, cwd=tmp_path)
        assert str(raised.value) == (
            f"config file {config}: {typo}: unknown key; did you mean {meant}?"
        )
    config.write_text("workers = 4\n")
    with pytest.raises(ConfigError, match=r"workers: unknown key \(a config file may set db, "):
        load_settings(db=None, profile=None, env={}, cwd=tmp_path)


def test_a_config_file_named_by_the_environment_must_be_there(tmp_path):
    missing = tmp_path / "etc" / "mediadigest.tmol"
    for named in (missing, tmp_path):
        with pytest.raises(ConfigError) as raised:
            load_settings(
                db=None, profile=None, env={"MEDIADIGEST_CONFIG": str(named)}, cwd=tmp_path
            )
        assert str(raised.value).startswith(f"MEDIADIGEST_CONFIG names {named}, which ")
    # Unset or empty: the working folder's mediadigest.toml, if there is one.
    assert load_settings(db=None, profile=None, env={"MEDIADIGEST_CONFIG": ""}, cwd=tmp_path).db
    assert load_settings(db=None, profile=None, env={}, cwd=tmp_path).db == DEFAULT_DB


def test_keys_beside_a_mediadigest_table_count_too(tmp_path):
    """The table hid the file's top level: `db = "top.db"` above it was dropped."""
    config = tmp_path / "mediadigest.toml"
    config.write_text('db = "top.db"\n[mediadigest]\npublisher = "Steppe Weekly"\n')
    settings = load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert (settings.db, settings.publisher) == (str(tmp_path / "top.db"), "Steppe Weekly")
    config.write_text('db = "top.db"\n[mediadigest]\ndb = "table.db"\n')
    with pytest.raises(ConfigError, match=r"db is set both at the top and in \[mediadigest\]"):
        load_settings(db=None, profile=None, env={}, cwd=tmp_path)


def test_a_shared_config_file_leaves_other_tools_settings_alone(tmp_path):
    """With a [mediadigest] table, other tables and keys that are none of ours are another
    tool's: `[tool.other]` beside the table failed every command ("tool: unknown key")."""
    (tmp_path / "mediadigest.toml").write_text(
        'name = "site"\nretries = 3\n[mediadigest]\ndb = "x.db"\n'
        "[tool.other]\nfoo = 1\n[other]\ndb = 5\n"
    )
    settings = load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert (settings.db, settings.retries) == (str(tmp_path / "x.db"), 3)
    # Without the table the whole file is ours, and a stray key is still a typo.
    (tmp_path / "mediadigest.toml").write_text('db = "x.db"\n[tool.other]\nfoo = 1\n')
    with pytest.raises(ConfigError, match="tool: unknown key"):
        load_settings(db=None, profile=None, env={}, cwd=tmp_path)


def test_a_path_setting_that_is_no_string_is_refused(tmp_path):
    (tmp_path / "mediadigest.toml").write_text("db = 5\n")
    with pytest.raises(ConfigError, match=r'db: give a string \(db = "..."\)'):
        load_settings(db=None, profile=None, env={}, cwd=tmp_path)


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("concurrency", "0", "a whole number from 1 to 512"),
        ("concurrency", "2.5", "a whole number from 1 to 512"),
        ("per_host", "0", "a whole number from 1 to 16"),
        ("retries", "-1", "a whole number from 0 to 10"),
        ("host_delay", "-5", "seconds from 0 to 3600"),
        ("host_delay", "nan", "seconds from 0 to 3600"),
        ("allow_private", "maybe", "1/0, true/false, yes/no or on/off"),
    ],
)
def test_a_fetch_setting_out_of_its_range_names_the_setting_the_value_and_the_range(
    name, value, allowed, tmp_path
):
    """0 requests in flight hung `collect` for good, with no output; -1 retries failed every
    source with "AssertionError: unreachable"; a negative delay passed as none."""
    env = {f"MEDIADIGEST_{name.upper()}": value}
    with pytest.raises(ConfigError) as raised:
        load_settings(db=None, profile=None, env=env, cwd=tmp_path)
    assert str(raised.value) == f"MEDIADIGEST_{name.upper()}: cannot use {value!r} (give {allowed})"
    config = tmp_path / "mediadigest.toml"
    config.write_text(f"{name} = {value if value not in ('nan', 'maybe') else repr(value)}\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert (
        str(raised.value) == f"config file {config}: {name}: cannot use {value!r} (give {allowed})"
    )


def test_fetch_settings_at_the_ends_of_their_ranges_are_taken(tmp_path):
    ends = {"MEDIADIGEST_CONCURRENCY": "512", "MEDIADIGEST_PER_HOST": "1",
            "MEDIADIGEST_RETRIES": "0", "MEDIADIGEST_HOST_DELAY": "0"}  # fmt: skip
    s = load_settings(db=None, profile=None, env=ends, cwd=tmp_path)
    assert (s.concurrency, s.per_host, s.retries, s.host_delay) == (512, 1, 0, 0.0)


def test_a_fetch_setting_above_its_range_is_taken_as_the_highest_with_a_warning(tmp_path, caplog):
    """per_host = 20, concurrency = 1000 ran before the ranges: they must not stop every
    command, only be held to what a run can use."""
    (tmp_path / "mediadigest.toml").write_text("per_host = 20\nhost_delay = 5000\n")
    env = {"MEDIADIGEST_CONCURRENCY": "1000", "MEDIADIGEST_RETRIES": " 20 "}
    s = load_settings(db=None, profile=None, env=env, cwd=tmp_path)
    assert (s.concurrency, s.per_host, s.retries, s.host_delay) == (512, 16, 10, 3600.0)
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert said == [
        "config file {}: host_delay: 5000 is above the highest, 3600.0; using 3600.0".format(
            tmp_path / "mediadigest.toml"
        ),
        "MEDIADIGEST_CONCURRENCY: 1000 is above the highest, 512; using 512",
        "config file {}: per_host: 20 is above the highest, 16; using 16".format(
            tmp_path / "mediadigest.toml"
        ),
        "MEDIADIGEST_RETRIES: 20 is above the highest, 10; using 10",
    ]
    with pytest.raises(ConfigError, match=r"cannot use 'inf' \(give seconds from 0 to 3600\)"):
        load_settings(db=None, profile=None, env={"MEDIADIGEST_HOST_DELAY": "inf"}, cwd=tmp_path)


def test_every_config_key_is_a_row_of_the_readmes_settings_table():
    """The fetch settings were in no document: a key, its variable and its default each."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    for key in KEYS:
        assert any(r.startswith(f"| `{key}` | `MEDIADIGEST_{key.upper()}`") for r in rows), key


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_variable_is_taken_as_unset_for_every_setting(empty, tmp_path):
    """What a shell's `VAR=` and a compose file's `VAR:` give for "not set". Some were (the
    store, profile, publisher), some were refused ("cannot use ''"), and an empty
    MEDIADIGEST_ALLOW_PRIVATE was false, over the file's `allow_private = true`."""
    env = {f"MEDIADIGEST_{key.upper()}": empty for key in (*KEYS, "config")}
    assert load_settings(db=None, profile=None, env=env, cwd=tmp_path) == load_settings(
        db=None, profile=None, env={}, cwd=tmp_path
    )
    (tmp_path / "mediadigest.toml").write_text(
        'db = "file.db"\nprofile = "uzbekistan"\npublisher = "Steppe Weekly"\n'
        "allow_private = true\nhost_delay = 0.5\nconcurrency = 4\nper_host = 1\nretries = 5\n"
    )
    from_file = load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert load_settings(db=None, profile=None, env=env, cwd=tmp_path) == from_file
    assert from_file.allow_private is True and from_file.db == str(tmp_path / "file.db")


@pytest.mark.parametrize("flag", ["db", "profile"])
def test_an_empty_db_or_profile_flag_is_an_error_naming_the_flag(flag, tmp_path):
    """`--db ""` was taken as no flag: `sources add` made a new ./mediadigest.db."""
    with pytest.raises(ConfigError, match=rf"^--{flag}: cannot use '' \(give "):
        load_settings(**{"db": None, "profile": None, flag: ""}, env={}, cwd=tmp_path)


@pytest.mark.parametrize("key", ["db", "profile"])
def test_an_empty_db_or_profile_in_the_config_file_is_an_error_naming_the_file(key, tmp_path):
    config = tmp_path / "mediadigest.toml"
    config.write_text(f'{key} = " "\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    assert str(raised.value).startswith(f"config file {config}: {key}: cannot use ' ' (give ")


def test_an_empty_db_flag_stops_the_command_before_it_makes_a_store(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from mediadigest.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["--db", "", "sources", "add", "http://example.org/rss"])
    assert result.exit_code == 2
    assert "--db: cannot use ''" in result.output
    assert list(tmp_path.iterdir()) == []


def test_what_stands_at_the_default_config_path_but_is_no_file_is_an_error_naming_it(tmp_path):
    """A folder or a broken link at ./mediadigest.toml was passed over as no file: the
    defaults were used, and `collect` filled a new ./mediadigest.db."""
    config, gone = tmp_path / "mediadigest.toml", tmp_path / "gone.toml"
    for make, why in (
        (lambda: config.symlink_to(gone), f"is a broken symbolic link (to {gone})"),
        (config.mkdir, "is a folder"),
        (lambda: os.mkfifo(config), "is not a regular file"),
    ):
        make()
        with pytest.raises(ConfigError) as raised:
            load_settings(db=None, profile=None, env={}, cwd=tmp_path)
        assert str(raised.value) == f"config file {config} {why}"
        if config.is_dir():
            config.rmdir()
        else:
            config.unlink()
    assert load_settings(db=None, profile=None, env={}, cwd=tmp_path).db == DEFAULT_DB


def test_a_broken_link_named_by_the_environment_is_said_to_be_one(tmp_path):
    (tmp_path / "link.toml").symlink_to("gone.toml")
    env = {"MEDIADIGEST_CONFIG": "link.toml"}
    with pytest.raises(ConfigError) as raised:
        load_settings(db=None, profile=None, env=env, cwd=tmp_path)
    assert str(raised.value) == (
        f"MEDIADIGEST_CONFIG names {tmp_path / 'link.toml'}, which is a broken symbolic link "
        "(to gone.toml)"
    )


def test_an_empty_llm_timeout_variable_is_taken_as_unset():
    """The one variable outside load_settings that still refused an empty value."""
    from mediadigest.write.llm import LLMConfig

    env = {"MEDIADIGEST_LLM_URL": "http://127.0.0.1:9/v1", "MEDIADIGEST_LLM_MODEL": "m"}
    for empty in ("", " "):
        assert LLMConfig.from_env({**env, "MEDIADIGEST_LLM_TIMEOUT": empty}).timeout == 30.0
