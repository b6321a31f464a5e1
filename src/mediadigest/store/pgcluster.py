"""A throwaway local PostgreSQL cluster (temp folder, free port) for tests and benchmarks."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from mediadigest.errors import StoreError

# Debian installs server binaries outside PATH, one folder per major version.
_DEBIAN_BINS = "/usr/lib/postgresql/*/bin"
# initdb refuses to run as root; these accounts exist on Debian (postgres) or everywhere (nobody).
_UNPRIVILEGED = ("postgres", "nobody")


def find_bindir(hint: str | None = None) -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: ``hint``, PATH, or Debian's newest version."""
    candidates = [Path(hint)] if hint else []
    if on_path := shutil.which("initdb"):
        candidates.append(Path(on_path).parent)
    candidates += [Path(p) for p in sorted(glob.glob(_DEBIAN_BINS), key=_version_key, reverse=True)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _version_key(path: str) -> int:
    version = Path(path).parent.name
    return int(version) if version.isdigit() else 0


@dataclass(slots=True)
class LocalCluster:
    """A running cluster; ``url`` reaches its ``postgres`` database as superuser ``postgres``."""

    bindir: Path
    folder: Path
    port: int
    run_as: str | None  # the OS user running it (None: the current one)

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        engine = sa.create_engine(
            "postgresql+psycopg://" + self.url.split("://", 1)[1], isolation_level="AUTOCOMMIT"
        )
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            engine.dispose()
        return self.database_url(name)

    def stop(self, *, remove: bool = True) -> None:
        """Stop the server and delete its folder (``remove=False``: keep it for a restart)."""
        mode = "immediate" if remove else "fast"  # immediate skips the shutdown checkpoint
        self._run(
            [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.folder / "data"), "-m", mode]
        )
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, args: list[str]) -> None:
        _run(args, self.run_as)


def start_cluster(
    bindir: Path | None = None,
    settings: Mapping[str, str] | None = None,
    folder: Path | None = None,
) -> LocalCluster:
    """Initialise and start a cluster in a new temp folder, listening on 127.0.0.1 only.

    ``settings`` are passed to the server as ``-c name=value`` (e.g. ``fsync=off`` for tests).
    ``folder``: use (and keep) this folder instead; a cluster already there is started again.
    Raises StoreError if the binaries are missing or the server does not start.
    """
    bindir = bindir or find_bindir()
    if bindir is None:
        raise StoreError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    run_as = _unprivileged_user() if os.geteuid() == 0 else None
    temporary = folder is None
    if folder is None:
        # Under /tmp when dropping privileges: a TMPDIR inside root's home is not reachable.
        folder = Path(tempfile.mkdtemp(prefix="mediadigest-pg-", dir="/tmp" if run_as else None))
    folder = folder.resolve()  # the server runs from / when started as another user
    folder.mkdir(parents=True, exist_ok=True)
    if run_as is not None:
        pw = pwd.getpwnam(run_as)
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    cluster = LocalCluster(bindir, folder, _free_port(), run_as)
    data = str(folder / "data")
    try:
        # C.UTF-8: the text-search parser needs a UTF-8 locale to see Cyrillic as letters.
        # trust: the server listens on loopback only and lives as long as one test session.
        if not (folder / "data" / "PG_VERSION").exists():
            _run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    data,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ],
                run_as,
            )
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(cluster.port),
            "unix_socket_directories": str(folder),
            **(settings or {}),
        }
        opts = " ".join(f"-c {k}={v}" for k, v in options.items())
        _run(
            [
                str(bindir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                data,
                "-l",
                str(folder / "server.log"),
                "-o",
                opts,
            ],
            run_as,
        )
    except StoreError as exc:
        log_text = _tail(folder / "server.log")
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        raise StoreError(f"PostgreSQL did not start: {exc} {log_text}") from None
    return cluster


def _unprivileged_user() -> str:
    for name in _UNPRIVILEGED:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise StoreError("running as root and no unprivileged user (postgres, nobody) to run initdb")


def _run(args: list[str], run_as: str | None) -> None:
    # subprocess drops to another user itself (user=/group=), so no su or runuser is needed.
    extra: dict[str, object] = {}
    if run_as is not None:
        pw = pwd.getpwnam(run_as)
        extra = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": [], "cwd": "/"}
    proc = subprocess.run(args, capture_output=True, text=True, check=False, **extra)  # type: ignore[call-overload]
    if proc.returncode != 0:
        raise StoreError(f"{Path(args[0]).name} failed: {(proc.stderr or proc.stdout).strip()}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"
