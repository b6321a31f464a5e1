"""Drivers, ingest: files and archives in byte ranges, analysed on any executor, resumable.

The plan walks the inputs and cuts each into pieces (a WARC or JSONL file into ranges on
record or line boundaries, any other file whole), skipping what a checkpoint says is done.
Workers read their pieces, rule out archive records that cannot mention the profile (the
prefilter), analyse the rest, and send results back; the writer stores each piece's results
and moves that input's checkpoint in one transaction. Kill it at any moment and the same
command resumes after the last piece stored, with the same end result (and an archive or
JSONL file that grew since, a crawler still writing it, is read on from there); Ctrl-C stops it
cleanly (workers leave it, and SIGTERM, to this process, see ``run.executors``; the CLI makes
SIGTERM a Ctrl-C), and so does the store going away (a `StoreError`): the same is true then.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISFIFO, S_ISREG, S_ISSOCK

import sqlalchemy as sa

from mediadigest.collect import files, prefilter, warc, warc_ranges
from mediadigest.errors import FormatError, InputError
from mediadigest.model import Document
from mediadigest.profile import Profile
from mediadigest.run.executors import executor_for, ordered_map, stops_held_back
from mediadigest.run.writer import (
    STORE_FAILURES,
    Analysed,
    RunReport,
    analyse_batch,
    group,
    store_analysed,
    store_failure,
)
from mediadigest.store import collect_state
from mediadigest.store.collect_state import Checkpoint
from mediadigest.stories import persist

log = logging.getLogger(__name__)

SHARD_SIZE = 64 * 1024 * 1024  # bytes of input per task, at most
MIN_SHARD_SIZE = 4 * 1024 * 1024  # below this a task's overhead starts to count
TASKS_PER_SLOT = 4
MAX_PIECES = 256  # small files grouped into one task, at most this many
# A checkpoint's fingerprint hashes an input's first block and this many more, of this size,
# ending evenly spaced up to the checkpoint's position (`fingerprint`).
FINGERPRINT_SAMPLES = 16
FINGERPRINT_BLOCK = 4096


@dataclass(slots=True, frozen=True)
class Piece:
    """Bytes [start, end) of one input; ``last`` when it ends the file. ``path`` is absolute:
    a cluster's workers do not run in this process's directory."""

    path: str
    kind: str
    start: int
    end: int
    last: bool
    size: int
    mtime_ns: int
    first_line: int = 1


@dataclass(slots=True, frozen=True)
class Options:
    """How workers treat archive records (picklable: it travels with each task)."""

    prefilter: bool = True
    backend: str | None = None  # prefilter backend; None: the fastest installed
    # Inflate .warc.gz in a thread beside the parsing one. None: only when ingesting in
    # process, where the thread has a core to itself; parallel workers already fill them.
    inflate_thread: bool | None = None


@dataclass(slots=True)
class PieceResult:
    piece: Piece
    analysed: list[Analysed] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records: int = 0
    pages: int = 0  # response records handed on to the prefilter
    prefiltered: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # records not pages, by why
    cpu: float = 0.0  # CPU seconds of the worker process on this piece
    fingerprint: str | None = None  # of the input's bytes before the piece's end, if it grows


# -- workers ------------------------------------------------------------------------------------

# A small page about the country: analysing it once loads what every later page needs
# (extraction, language models, the profile's indexes), before the clock of real work runs.
_WARM_PAGE = (
    b"<html><head><title>Kazakhstan signs a wind power deal</title></head><body><article>"
    b"<h1>Kazakhstan signs a wind power deal</h1><p>ASTANA, Kazakhstan - The government of "
    b"Kazakhstan signed an agreement on Monday to build a wind farm, the energy minister "
    b'said. "We will build it by 2027," he told reporters in Astana.</p>'
    + b"<p>The project is part of a plan to cut the use of coal in power generation.</p>" * 8
    + b"</article></body></html>"
)


def warm(profile: Profile, options: Options) -> None:
    """Pay a worker's first-use costs up front: the prefilter's compile, one analysis."""
    if options.prefilter:
        prefilter.for_profile(profile, options.backend)
    doc = Document("https://warm.invalid/", _WARM_PAGE, datetime.now(UTC), "text/html",
                   {"date_search": "off"})  # fmt: skip
    analyse_batch([doc], profile)


def process_task(pieces: list[Piece], profile: Profile, options: Options) -> list[PieceResult]:
    """Read, prefilter and analyse pieces. Pure apart from reading them: runs anywhere."""
    return [_process_piece(piece, profile, options) for piece in pieces]


def _process_piece(piece: Piece, profile: Profile, options: Options) -> PieceResult:
    cpu = time.process_time()
    result = PieceResult(piece)
    path = Path(piece.path)
    try:
        path.stat()
    except OSError as exc:  # found by the plan, but not where this worker runs
        result.errors.append(InputError(str(path), unreadable(path, exc) + _on_worker()))
        return result
    before = _fingerprint_of(path, piece)
    if piece.kind == "warc":
        _process_archive(path, piece, profile, options, result)
    else:
        docs: list[Document] = []
        for item in files.iter_file(path, piece.start, piece.end, piece.first_line):
            if isinstance(item, InputError):
                result.errors.append(item)
            else:
                docs.append(item)
        result.analysed = analyse_batch(docs, profile)
    # Taken before and after the read: one that differs is of a file replaced meanwhile,
    # and the checkpoint keeps none rather than vouch for bytes that were not read.
    if before is not None and before == _fingerprint_of(path, piece):
        result.fingerprint = before
    result.cpu = time.process_time() - cpu
    return result


def _fingerprint_of(path: Path, piece: Piece) -> str | None:
    if piece.size == 0 or not can_grow(path, piece.kind):
        return None
    try:
        return fingerprint(path, piece.end)
    except OSError:  # the read says why
        return None


def can_grow(path: Path, kind: str) -> bool:
    """Whether ``path`` can be read on from a checkpoint once it grew: a WARC (records and
    gzip members are appended whole) or an uncompressed JSONL file (lines are)."""
    return kind == "warc" or (kind == "jsonl" and not path.name.lower().endswith(".gz"))


def fingerprint(path: Path, position: int) -> str:
    """A hash of the first ``position`` bytes of ``path``, by samples: its first block, the
    block before ``position`` and 15 evenly between (FINGERPRINT_BLOCK bytes each), and
    ``position`` itself.

    Kept with a checkpoint, it tells a file that only grew since (a crawler still appending
    to its WARC: the same hash at the same position) from one replaced by another, larger
    file (a new crawl's warcinfo record differs in the first block, another file's records
    before the position in the last), reading some 68 KB whatever the size.
    """
    digest = hashlib.blake2b(str(position).encode(), digest_size=16)
    with open(path, "rb") as fh:
        for i in range(FINGERPRINT_SAMPLES + 1):
            end = min(position, FINGERPRINT_BLOCK) if i == 0 else (
                position * i // FINGERPRINT_SAMPLES)  # fmt: skip
            start = max(0, end - FINGERPRINT_BLOCK)
            fh.seek(start)
            digest.update(fh.read(end - start))
    return digest.hexdigest()


def _process_archive(
    path: Path, piece: Piece, profile: Profile, options: Options, result: PieceResult
) -> None:
    """Archives keep only relevant articles: a crawl is searched, not copied."""
    if piece.size == 0:  # as iter_file says of other files; a WARC reader sees no records
        result.errors.append(InputError(str(path), "empty file"))
        return
    stats = warc.Stats()
    try:
        _search_archive(path, piece, profile, options, result, stats)
    except OSError as exc:  # a cluster's worker without the file, a disk failing: its line
        result.errors.append(InputError(str(path), unreadable(path, exc) + _on_worker()))
    result.records, result.pages = stats.records, stats.responses
    result.skipped = stats.skipped_by_reason()
    result.warnings.extend(f"{path}: {note}" for note in stats.notes)


def _search_archive(
    path: Path,
    piece: Piece,
    profile: Profile,
    options: Options,
    result: PieceResult,
    stats: warc.Stats,
) -> None:
    scan = prefilter.for_profile(profile, options.backend) if options.prefilter else None
    thread = options.inflate_thread is not False
    for record in warc.iter_records(path, piece.start, piece.end, stats, inflate_thread=thread):
        if isinstance(record, FormatError):
            result.errors.append(record)
            continue
        if scan is not None and not scan.maybe(record.payload):
            result.prefiltered += 1
            continue
        doc = warc.to_document(record, path)
        doc.hints["keep"] = "relevant"  # analyse may stop early on a page we would drop
        (done,) = analyse_batch([doc], profile)
        if done.error is not None:  # unreadable pages are normal in a crawl: say so, go on
            result.warnings.append(f"{record.uri} ({path}): {done.error.reason}")
            continue
        relevant = [a for a in done.articles if a.relevance.relevant]
        if relevant:
            result.analysed.append(Analysed(done.doc, relevant))


def _on_worker() -> str:
    """Which Dask worker a task runs on, said where one cannot read an input; "" elsewhere
    (in this process or a pool, where the plan has already found the file)."""
    try:
        from distributed import get_worker

        return f" on the Dask worker at {get_worker().address}"
    except (ImportError, ValueError):  # no Dask, or not in a worker
        return ""


# -- plan ---------------------------------------------------------------------------------------


def _bytes(task: list[Piece]) -> int:
    return sum(piece.end - piece.start for piece in task)


def plan(
    paths: Iterable[Path],
    known: dict[str, Checkpoint],
    report: RunReport,
    shard_size: int = SHARD_SIZE,
) -> Iterator[list[Piece]]:
    """Tasks of pieces, in input order; inputs a checkpoint says are done are skipped."""
    batch: list[Piece] = []
    batch_bytes = 0
    for path in paths:
        empty = True
        other: Counter[str] = Counter()  # files of types we do not read, found in a folder
        for item in files.walk([path]):
            empty = False
            if isinstance(item, InputError):
                report.error(item)
                continue
            if item != path and files.kind_of(item) is None:
                # A folder of pages also holds images, stylesheets, the store itself: not
                # errors, but the user hears what was passed over.
                other[files.type_suffix(item).lower() or "no extension"] += 1
                continue
            for piece in _pieces(item, known, report, shard_size):
                if batch and (batch_bytes + piece.end - piece.start > shard_size
                              or len(batch) >= MAX_PIECES):  # fmt: skip
                    yield batch
                    batch, batch_bytes = [], 0
                batch.append(piece)
                batch_bytes += piece.end - piece.start
        if empty:  # a folder with no (visible) files: most likely not the one meant
            report.warnings.append(f"{path}: no files in this folder")
        if other:
            kinds = ", ".join(f"{n} {suffix}" for suffix, n in sorted(other.items()))
            report.warnings.append(f"{path}: skipped files of types not read here ({kinds})")
    if batch:
        yield batch


def auto_shard_size(paths: list[Path], slots: int) -> int:
    """Bytes of input per task: about TASKS_PER_SLOT tasks for each of the ``slots`` that
    run tasks (local workers, or a cluster's threads), within MIN_SHARD_SIZE..SHARD_SIZE.

    So the slots finish together (a 200 MB archive cut at 64 MB leaves one of two workers
    idle for the last third), and a run stopped midway keeps most of its work: each task
    stored moves a checkpoint (an 11 MB archive in one 64 MB task on a cluster that lost
    its worker kept nothing).
    """
    total = sum(_size_of(p) for p in files.walk(paths) if isinstance(p, Path))
    return max(MIN_SHARD_SIZE, min(SHARD_SIZE, total // (max(1, slots) * TASKS_PER_SLOT)))


def local_slots(workers: int | None) -> int:
    """Tasks run at once on this machine for ``--workers`` (None: all cores; 0: in process)."""
    return (os.cpu_count() or 1) if workers is None else max(1, workers)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the plan reports it


def _pieces(
    path: Path, known: dict[str, Checkpoint], report: RunReport, shard_size: int
) -> list[Piece]:
    kind = files.kind_of(path)
    if kind is None:
        report.error(files.unknown_type(path))
        return []
    try:
        stat = path.stat()
    except OSError as exc:  # found in a folder: a broken link or a loop is that file's error
        report.error(InputError(str(path), unreadable(path, exc)))
        return []
    if not S_ISREG(stat.st_mode):  # reading a named pipe waits for a writer for ever
        report.error(InputError(str(path), f"not a regular file ({_file_type(stat.st_mode)})"))
        return []
    start = _resume_at(path, kind, stat.st_size, stat.st_mtime_ns, known, report)
    if start is None:
        return []
    try:
        if kind == "warc":
            ranges = [(s, e, 1) for s, e in warc_ranges.split(path, shard_size, start)]
        elif kind == "jsonl":
            ranges = files.jsonl_ranges(path, shard_size, start)
        else:
            ranges = [(0, stat.st_size, 1)]
    except OSError as exc:
        report.error(InputError(str(path), f"cannot read ({exc.strerror or exc})"))
        return []
    if not ranges:  # an empty file: let the reader say so
        ranges = [(0, 0, 1)]
    # Absolute: a cluster's workers read it from another directory ("edge.warc.gz" was
    # looked for in theirs). Not resolved: a message names the link the user gave.
    name = os.path.abspath(path)
    return [
        Piece(name, kind, s, e, i == len(ranges) - 1, stat.st_size, stat.st_mtime_ns, line)
        for i, (s, e, line) in enumerate(ranges)
    ]


def _resume_at(
    path: Path, kind: str, size: int, mtime_ns: int, known: dict[str, Checkpoint], report: RunReport
) -> int | None:
    """Where to start reading ``path`` by its checkpoint; None: an earlier run read it all."""
    cp = known.get(files.storable_path(path.resolve()))
    if cp is None:
        return 0
    if cp.matches(size, mtime_ns):
        if cp.done:
            report.skipped_inputs += 1
            return None
    elif not _only_grew(path, kind, size, cp):
        if cp.position:
            report.changed_inputs.append(str(path))
        return 0
    if cp.position:
        report.resumed.append((str(path), cp.position, size))
    return cp.position


def _only_grew(path: Path, kind: str, size: int, cp: Checkpoint) -> bool:
    """Whether ``path`` is its checkpoint's file with bytes added at the end, the bytes
    before the checkpoint's position as they were read. Not known (a checkpoint without a
    fingerprint, stored before they were kept): no, and the file is read from its start."""
    if cp.fingerprint is None or size <= cp.size or not can_grow(path, kind):
        return False
    try:
        return fingerprint(path, cp.position) == cp.fingerprint
    except OSError:  # the read says why
        return False


def unreadable(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot be read, in words: a symbolic link says where it leads."""
    if path.is_symlink():
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        with contextlib.suppress(OSError):
            return f"broken symbolic link (to {os.readlink(path)})"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    return f"cannot read ({exc.strerror or exc})"


def _file_type(mode: int) -> str:
    kinds = ((S_ISFIFO, "a named pipe"), (S_ISSOCK, "a socket"), (S_ISCHR, "a character device"),
             (S_ISBLK, "a block device"))  # fmt: skip
    return next((name for test, name in kinds if test(mode)), "another kind of file")


# -- the writer ---------------------------------------------------------------------------------


def ingest(
    engine: sa.Engine,
    profile: Profile,
    paths: Iterable[Path],
    *,
    workers: int | None = 0,
    scheduler: str | None = None,
    shard_size: int | None = None,
    fresh: bool = False,
    options: Options = Options(),
    progress: Progress | None = None,
    planned: Progress | None = None,
    report: RunReport | None = None,
) -> RunReport:
    """Ingest files, folders and archives; resume where a previous run of them stopped.

    ``workers``/``scheduler`` choose the executor (see ``run.executors``); ``fresh`` reads
    the inputs from their start, whatever their checkpoints say (those of other inputs
    stay); ``shard_size`` None: `auto_shard_size` for the slots (local workers, or the
    cluster's threads). Results are stored piece by piece, each with its checkpoint.
    ``planned`` hears once how many bytes of input there are to read (the plan's resumed
    and skipped inputs are in the report by then), ``progress`` how many each finished
    task read. ``report``: filled as the run goes (with
    each piece once its transaction commits), so a caller interrupted (KeyboardInterrupt),
    told the database went away (StoreError, raised after the workers are stopped) or that
    the workers did (WorkersLost) still knows what was stored.
    """
    report = report if report is not None else RunReport()
    try:
        with engine.begin() as conn:
            persist.require_profile(conn, profile.name, claim=True)
            # --fresh reads this run's inputs from their start; the checkpoints of other
            # inputs stay (clearing all of them dropped a colleague's half-done archive's).
            known = {} if fresh else collect_state.checkpoints(conn, profile.name)
        paths = list(paths)

        def tasks_for(slots: int) -> list[list[Piece]]:
            size = shard_size if shard_size is not None else auto_shard_size(paths, slots)
            tasks = list(plan(paths, known, report, size))
            if planned:  # bytes to read, what checkpoints say was done left out: a bar's end
                planned(sum(_bytes(task) for task in tasks))
            return tasks

        work = functools.partial(_work, engine, profile, workers=workers, scheduler=scheduler,
                                options=options, progress=progress, report=report)  # fmt: skip
        if scheduler and shard_size is None:
            work(tasks_for)  # a cluster's size, which sizes its tasks, is known once connected
        elif tasks := tasks_for(local_slots(workers)):
            work(lambda _: tasks, count=len(tasks))
        else:  # no executor: a local Dask cluster took 17 s to say "already ingested"
            report.seconds.update(start=0.0, work=0.0, stop=0.0)
        clock = time.perf_counter()
        group(engine, profile, report)
        report.seconds["group"] = time.perf_counter() - clock
    except STORE_FAILURES as exc:
        # Gone away: each piece went in with its checkpoint in one transaction, so what is
        # stored is whole and a re-run resumes there. Damaged: a re-run fails the same.
        raise store_failure(exc) from exc
    return report


def _work(
    engine: sa.Engine,
    profile: Profile,
    tasks_for: Callable[[int], list[list[Piece]]],
    *,
    workers: int | None,
    scheduler: str | None,
    options: Options,
    progress: Progress | None,
    report: RunReport,
    count: int | None = None,
) -> None:
    """Run the tasks ``tasks_for(slots)`` gives on the executor chosen (``count`` of them,
    where known before it starts), storing each one's results as they come."""
    written = _Written()
    setup = functools.partial(warm, profile, options)
    clock = time.perf_counter()
    with executor_for(workers, scheduler, tasks=count, setup=setup) as found:
        executor, share, slots = found
        tasks = tasks_for(slots)
        shared = share(profile)
        if options.inflate_thread is None:
            options = dataclasses.replace(options, inflate_thread=slots == 1)
        report.seconds["start"] = time.perf_counter() - clock  # executor up, workers warm
        clock = time.perf_counter()
        results = ordered_map(executor, process_task, tasks, shared, options, window=2 * slots)
        # closing: stopped early (Ctrl-C, the store gone), the tasks not begun are cancelled
        # rather than run by a pool's shutdown for results nobody stores.
        with contextlib.closing(results):
            for task_results in results:
                # Stopped inside a transaction, the piece was rolled back correctly, but
                # SQLAlchemy logged the connection's reset with a traceback.
                with stops_held_back():
                    for result in task_results:
                        _write(engine, profile.name, result, report, written)
                if progress:
                    progress(_bytes([r.piece for r in task_results]))
        report.seconds["work"] = time.perf_counter() - clock  # read, analyse and store
        clock = time.perf_counter()
    report.seconds["stop"] = time.perf_counter() - clock


Progress = Callable[[int], None]


@dataclass(slots=True)
class _Written:
    """What the writer has seen of each input this run (results come in input order)."""

    failed: set[str] = field(default_factory=set)  # inputs with an error: checkpoint stays
    # input -> (byte where this run began reading it, archive records read since)
    records: dict[str, tuple[int, int]] = field(default_factory=dict)


def _write(
    engine: sa.Engine, profile: str, result: PieceResult, report: RunReport, written: _Written
) -> None:
    piece = result.piece
    key = files.storable_path(Path(piece.path).resolve())
    report.records += result.records
    report.pages += result.pages
    report.prefiltered += result.prefiltered
    for why, n in result.skipped.items():
        report.skipped_records[why] = report.skipped_records.get(why, 0) + n
    report.seconds["task_cpu"] = report.seconds.get("task_cpu", 0.0) + result.cpu
    report.warnings.extend(result.warnings)
    since, earlier = written.records.get(key, (piece.start, 0))
    written.records[key] = (since, earlier + result.records)
    for error in result.errors:
        if isinstance(error, warc.ArchiveDamage):  # counted in its range: made the file's
            error = error.counted_from(earlier, since)
        report.error(error)
    failed = written.failed
    if result.errors or any(a.error for a in result.analysed):
        failed.add(key)
    stored = RunReport()  # what this transaction stores: the run's report once it commits
    with engine.begin() as conn:
        for analysed in result.analysed:
            store_analysed(conn, analysed, stored)
        if key not in failed and piece.size > 0:
            # Same transaction as the results: a checkpoint never runs ahead of the store.
            cp = Checkpoint(key, profile, piece.size, piece.mtime_ns, piece.end, piece.last,
                            result.fingerprint)  # fmt: skip
            collect_state.save_checkpoint(conn, cp)
    report.add_stored(stored)
