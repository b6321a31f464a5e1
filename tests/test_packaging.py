"""What a wheel and an sdist carry, read from pyproject.toml and MANIFEST.in (nothing is built).

An install walk found `mediadigest --version` refused, declared minimum versions that do not
run, a package-data entry naming no file, the migrations' template left out of the wheel and an
sdist whose tests could not be collected (no conftest.py, helpers, fixtures or docs).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from typer.testing import CliRunner

from mediadigest import __version__
from mediadigest.cli import app

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE = ROOT / "src" / "mediadigest"


def test_root_version_option_prints_what_the_version_command_prints():
    runner = CliRunner()
    command, option = runner.invoke(app, ["version"]), runner.invoke(app, ["--version"])
    assert command.exit_code == option.exit_code == 0, option.output
    assert option.output == command.output == f"mediadigest {__version__}\n"


def test_version_option_needs_no_usable_setting():
    """Eager: said before the settings are read, so a store URL that cannot be used is no bar."""
    result = CliRunner().invoke(app, ["--version"], env={"MEDIADIGEST_DB": "mysql://nowhere/x"})
    assert result.exit_code == 0, result.output
    assert result.output == f"mediadigest {__version__}\n"


def test_python_m_mediadigest_version():
    env = {**os.environ, "MEDIADIGEST_DB": "sqlite:///never-created.db"}
    done = subprocess.run(
        [sys.executable, "-m", "mediadigest", "--version"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, f"mediadigest {__version__}\n"), done.stderr


def test_version_is_written_once():
    """pyproject reads __version__, so the two cannot drift apart."""
    project = PYPROJECT["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "mediadigest.__version__"}


def _package_data() -> list[str]:
    return PYPROJECT["tool"]["setuptools"]["package-data"]["mediadigest"]


def test_every_package_data_glob_names_a_file():
    empty = [glob for glob in _package_data() if not any(p.is_file() for p in PACKAGE.glob(glob))]
    assert not empty  # store/alembic.ini was listed, and no such file ever existed


def test_every_file_the_package_reads_at_run_time_is_in_the_wheel():
    """Every file in the package that is not Python source is declared as package data: the
    migrations' script.py.mako (`alembic revision` needs it) was left out of the wheel."""
    declared = {p for glob in _package_data() for p in PACKAGE.glob(glob)}
    data = [
        p for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    ]  # fmt: skip
    assert PACKAGE / "store" / "migrations" / "script.py.mako" in data
    assert [str(p.relative_to(PACKAGE)) for p in data if p not in declared] == []


# Versions the walk ran and saw fail, or that cannot be installed beside the other minimums:
# each declared minimum must leave them out.
BROKEN = {
    "trafilatura": "2.0.0",  # KeyError 'max_date' in extract_metadata: every page "no text found"
    "py3langid": "0.3.0",  # ImportError MODEL_DIR on every analysing command
    # under Click 8.2+: --help, TypeError make_metavar (0.12.4-0.12.5: "Secondary flag";
    # 0.12.0-0.12.3: "Type not yet supported: str | None")
    "typer": "0.13.0",
    "numpy": "1.26.4",  # py3langid 0.4 needs NumPy 2
    "scipy": "1.12.0",  # numpy<1.29
    "matplotlib": "3.8.3",  # numpy<2
    "scikit-learn": "1.4.1.post1",  # numpy<2.0
    "babel": "2.15.0",  # courlan 1.4 (trafilatura 2.1) needs 2.16
    "htmldate": "1.9.4",  # trafilatura 2.1 needs 1.10
    "charset-normalizer": "3.3.2",  # trafilatura 2.1 needs 3.4
}


@pytest.mark.parametrize(("name", "version"), BROKEN.items())
def test_minimum_versions_leave_out_what_does_not_work(name, version):
    requirements = {
        Requirement(r).name.lower(): Requirement(r) for r in PYPROJECT["project"]["dependencies"]
    }
    assert not requirements[name].specifier.contains(version)


def test_licence_is_an_spdx_expression_with_its_file():
    """A TOML table for the licence is deprecated by setuptools (refused after 2027-02-18)."""
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"][0]  # PEP 639's first
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the mediadigest contributors" in text


def _sdist_files(root: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The files MANIFEST.in puts in an sdist of the tree at ``root``, as setuptools reads it
    (its FileList globs from the working folder)."""
    file_list = pytest.importorskip("setuptools.command.egg_info").FileList()
    monkeypatch.chdir(root)
    for line in (ROOT / "MANIFEST.in").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            file_list.process_template_line(line)
    return set(file_list.files)


def _tree(folder: Path) -> set[str]:
    return {
        str(p.relative_to(ROOT)) for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }  # fmt: skip


def test_sdist_carries_what_the_tests_read(monkeypatch):
    """conftest.py, the helpers beside the tests, fixtures/, README.md, docs/ and .ci/run."""
    files = _sdist_files(ROOT, monkeypatch)
    needed = {"README.md", "LICENSE", ".ci/run"} | _tree(ROOT / "tests") | _tree(ROOT / "docs")
    assert {"tests/conftest.py", "tests/dbs.py", "docs/digest-json.md"} <= needed
    assert sorted(needed - files) == []


def test_sdist_leaves_out_caches_and_benchmark_output(tmp_path, monkeypatch):
    kept = {"README.md", "LICENSE", ".ci/run", "tests/test_a.py", "tests/fixtures/site/a.html",
            "docs/a.md", "bench/ingest.py"}  # fmt: skip
    left_out = {"tests/__pycache__/test_a.cpython-311.pyc", "bench/out/crawl.warc.gz",
                "bench/__pycache__/ingest.cpython-311.pyc", "test-artifacts/shot.png",
                ".pytest_cache/v/cache/nodeids", "tests/.hypothesis/examples/x"}  # fmt: skip
    for name in kept | left_out:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert _sdist_files(tmp_path, monkeypatch) == kept
