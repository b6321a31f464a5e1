"""The README never lies: every command and every global option is documented there."""

from __future__ import annotations

from pathlib import Path

import typer.main

from mediadigest.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "") -> list[str]:
    names = []
    for name, cmd in group.commands.items():
        names.extend(
            _commands(cmd, f"{prefix}{name} ") if hasattr(cmd, "commands") else [prefix + name]
        )
    return names


def test_every_command_is_in_the_readme():
    missing = [c for c in _commands(typer.main.get_command(app)) if f"mediadigest {c}" not in README
               and f"`{c}" not in README]  # fmt: skip
    assert not missing


def test_every_global_option_and_env_variable_is_in_the_readme():
    for option in ("--db", "--profile", "-v", "MEDIADIGEST_DB", "MEDIADIGEST_PROFILE",
                   "MEDIADIGEST_CONFIG", "mediadigest.toml"):  # fmt: skip
        assert option in README, option


def test_readme_test_command_is_what_ci_runs():
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in README
    assert ci.rstrip().splitlines()[-1] == "python -m pytest"
