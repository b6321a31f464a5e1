"""An ingest killed with kill -9 leaves no worker process behind (Linux).

The default ingest analyses in a process pool; its workers used to outlive a killed parent,
re-parented to PID 1 and waiting on their task queue forever (~150 MB each).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's"),
    pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the ingest uses no pool"),
]
WORDS = ["market", "rain", "council", "harbour", "season", "coffee", "league", "museum", "river"]


def _archive(path: Path, count: int) -> Path:
    """A JSON Lines file that takes the pool some seconds: relevant articles of filler text."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as fp:
        for n in range(count):
            text = "\n\n".join(
                " ".join(rng.choice(WORDS) for _ in range(60)) + ". Kazakhstan said so."
                for _ in range(5)
            )
            line = {"url": f"https://news.example/{n}", "title": f"Kazakhstan report {n}",
                    "text": text, "published": "2025-12-16"}  # fmt: skip
            fp.write(json.dumps(line) + "\n")
    return path


def _alive(proc: psutil.Process) -> bool:
    """Running, and not a zombie that nobody reaped yet (its parent may be a container's)."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_killing_an_ingest_with_kill_9_ends_its_pool_workers(tmp_path: Path):
    archive = _archive(tmp_path / "wire.jsonl", 3000)
    command = [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{tmp_path / 's.db'}",
               "ingest", "--shard-size", "64K", str(archive)]  # fmt: skip
    main = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2:
            assert main.poll() is None, "the ingest ended before its pool was seen"
            assert time.monotonic() < deadline, "no pool workers appeared"
            time.sleep(0.05)
            workers = psutil.Process(main.pid).children(recursive=True)
        time.sleep(0.5)  # at work, past their start
        workers = psutil.Process(main.pid).children(recursive=True)
        os.kill(main.pid, signal.SIGKILL)
        main.wait()
        deadline = time.monotonic() + 5
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [w.pid for w in workers if _alive(w)] == []
    finally:
        if main.poll() is None:
            main.kill()
        for worker in workers:
            if _alive(worker):
                worker.kill()
