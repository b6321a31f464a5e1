"""Drivers, executors: in-process, a process pool or Dask, all behind concurrent.futures.

``--workers`` and ``--scheduler`` choose:

========================  ============================================================
neither                   a process pool on the local cores (in-process on one core)
``--workers 0``           in-process, no pool (debugging, profiling)
``--workers N``           a local Dask cluster of N single-threaded worker processes
                          (``pip install 'mediadigest[dask]'``); without Dask installed,
                          a process pool of N
``--scheduler ADDR``      an existing Dask cluster (``tcp://host:8786``); its workers
                          need mediadigest installed and read the input paths themselves
========================  ============================================================

Whatever the executor, tasks are pure (inputs in, results out) and results come back in
submission order to the single writer, with a bounded number of tasks in flight. Workers
that die (killed, out of memory) or a cluster that goes away end the run with `WorkersLost`,
not with the executor's own error.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    InvalidStateError,
    ProcessPoolExecutor,
)
from multiprocessing import resource_tracker
from typing import Any, TypeVar

from mediadigest.errors import ConfigError, WorkersLost

log = logging.getLogger(__name__)

T = TypeVar("T")
Share = Callable[[Any], Any]  # puts an object (the profile) where every worker can read it
DASK_MISSING = "--workers/--scheduler need Dask: pip install 'mediadigest[dask]'"
# Diagnostics a local cluster does not need (it has no dashboard): each worker's sampling
# profiler (a thread that takes the GIL every 10 ms, also while a task runs), event-loop
# health ticks every 20 ms and system monitors every 0.5 s in every process. Idle, a cluster
# of two spent 0.14 of a core on them, 0.03 without.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}
# How long ``--scheduler`` waits to reach its scheduler, then for a worker to be there.
SCHEDULER_TIMEOUT_S = 10.0


class InlineExecutor(Executor):
    """Runs each task at submit time, in this process: the serial executor."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future, as pools do
            future.set_exception(exc)
        return future


def _keep(obj: Any) -> Any:
    return obj


_RESIDENT: OrderedDict[str, Any] = OrderedDict()  # in a pool worker: token -> object
_RESIDENT_MAX = 4


def _resident(token: str, payload: bytes) -> Any:
    """The object of ``token``: unpickled on its first task in this process, then reused."""
    found = _RESIDENT.get(token)
    if found is None:
        found = _RESIDENT[token] = pickle.loads(payload)
        while len(_RESIDENT) > _RESIDENT_MAX:
            _RESIDENT.popitem(last=False)
    return found


class _Resident:
    """An object sent to pool workers with every task but unpickled once per worker.

    A pool pickles a task's arguments for each task; a profile unpickled afresh every time
    loses what it builds on first use (its automata, theme and name indexes, the prefilter's
    words): about 25 ms of an 8 MB archive task's 190. A worker receiving this gets the same
    object each time.
    """

    __slots__ = ("payload", "token")

    def __init__(self, obj: Any) -> None:
        self.token = uuid.uuid4().hex
        self.payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)

    def __reduce__(self) -> tuple[Callable[[str, bytes], Any], tuple[str, bytes]]:
        return _resident, (self.token, self.payload)


@contextlib.contextmanager
def executor_for(
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    tasks: int | None = None,
    setup: Callable[[], Any] | None = None,
) -> Iterator[tuple[Executor, Share, int]]:
    """(executor, share, slots) for the flags; see the module docstring for the rules.

    ``tasks``, when known, keeps a pool from starting for a single task, and anything (a
    local Dask cluster too) from starting for none. ``setup`` runs once in every worker
    before the first task (imports, compiled patterns), so the tasks do work rather than
    wait on one worker's first-use costs. Local workers leave Ctrl-C and SIGTERM to this
    process (see `_leave_stops_to_the_driver`).
    """
    if scheduler is not None:
        check_scheduler(scheduler)
    if tasks == 0:  # nothing to do: no worker to start, none to set up
        yield InlineExecutor(), _keep, 1
        return
    if scheduler or (workers is not None and workers > 0 and _have_dask()):
        with _dask(workers, scheduler, setup) as found:
            yield found
        return
    count = (os.cpu_count() or 1) if workers is None else workers
    if tasks is not None:
        count = min(count, tasks)
    if count <= 1:
        if setup is not None:
            setup()
        yield InlineExecutor(), _keep, 1
        return
    if workers is not None:
        log.info("Dask is not installed: analysing in a process pool of %d", count)
    # Where the pool's workers are this process's children (not a forkserver's), a worker
    # can tell that this process died before it asked to be told (see _pool_worker_start).
    parent = os.getpid() if multiprocessing.get_start_method() in ("fork", "spawn") else None
    with ProcessPoolExecutor(
        count, initializer=_pool_worker_start, initargs=(parent, setup)
    ) as pool:
        yield pool, _Resident, count


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# What stops a run: Ctrl-C, and SIGTERM from `timeout`, systemd, `docker stop`, a scheduler.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _pool_worker_start(parent: int | None, setup: Callable[[], Any] | None) -> None:
    """Initializer of a pool worker: it leaves Ctrl-C and SIGTERM to the driver and, on
    Linux, dies with the process that started it.

    A pool's workers wait on their task queue forever when the parent is killed (kill -9,
    the OOM killer): two orphans of ~150 MB each. Dask's workers have a nanny; these get
    SIGKILL from the kernel instead (not SIGTERM: they ignore it, and they have nothing to
    clean up). The signal comes when the *thread* that forked the worker ends: the pool
    forks from the thread that submits to it, which holds the pool until it shuts it down.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            failed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0
        except (OSError, AttributeError):  # no libc to load, or no prctl in it
            failed = True
        if failed:
            log.debug("pool worker %d: cannot ask to die with its parent", os.getpid())
        elif parent is not None and os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # the parent died before we asked
    _leave_stops_to_the_driver()
    if setup is not None:
        setup()


def _leave_stops_to_the_driver() -> None:
    """Ignore SIGINT and SIGTERM in a local worker: the driver alone stops a run.

    Ctrl-C in a terminal signals the whole process group; `timeout` sends SIGTERM to its
    process group, systemd to the whole service, a batch scheduler to the whole job. A pool
    worker killed by one while waiting for a task broke the pool, and Python 3.11's pool then
    hung on shutdown for good (its manager thread died setting a cancelled future). The
    driver stops handing out work and lets the tasks under way end. (A forked worker also
    inherits the driver's handlers: its SIGTERM would have raised KeyboardInterrupt there.)
    """
    if threading.current_thread() is threading.main_thread():  # else signal() refuses
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


class _SchedulerGone(logging.Filter):
    """Drops a local worker's "Failed to communicate with scheduler during heartbeat": its
    scheduler lives in the driver, so gone means the run is ending (a Ctrl-C as the cluster
    came up printed it with a traceback below the run's one line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to communicate with scheduler")


def _local_worker() -> None:
    """Set up a worker of our own local cluster: stops are the driver's, and its scheduler's
    going away at the end of a run is no error to print."""
    _leave_stops_to_the_driver()
    logger = logging.getLogger("distributed.worker")
    if not any(isinstance(f, _SchedulerGone) for f in logger.filters):
        logger.addFilter(_SchedulerGone())


@contextlib.contextmanager
def stops_held_back(*, inherited: bool = False) -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back for the block; each that came is raised once at its end,
    to whatever handled it before (SIGTERM's default still ends the process, a moment later).

    ``inherited``: also block them in this thread, so that the threads and processes started
    in the block inherit the mask and never see them (see `_dask`). Blocking alone would not
    hold them back: the kernel hands a signal to any thread not blocking it (numpy's
    OpenBLAS keeps one), and Python runs the handler in the main thread all the same.
    """
    if threading.current_thread() is not threading.main_thread():  # else signal() refuses
        yield
        return
    if inherited:
        # multiprocessing starts its resource tracker with the first process it spawns, and
        # then *unblocks* both signals in the spawning thread (a cluster's event loop, whose
        # later workers would not inherit the mask). Started before, it is not started again.
        resource_tracker.ensure_running()
    caught: list[int] = []
    # A handler set outside Python (getsignal: None) could not be put back: left alone.
    held = [s for s in STOP_SIGNALS if signal.getsignal(s) is not None]
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in held}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS) if inherited else None
    try:
        yield
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # one pending is caught now
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):  # `timeout` sends its SIGTERM twice
            signal.raise_signal(signum)


def _have_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def _dask(
    workers: int | None, scheduler: str | None, setup: Callable[[], Any] | None
) -> Iterator[tuple[Executor, Share, int]]:
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ConfigError(DASK_MISSING) from exc
    # distributed logs every step of a cluster's life at INFO on its own handler (set up on
    # import, whatever the root logger says): thirty lines around one ingest. Its warnings
    # and errors stay; the rest shows with -vv.
    chatty = log.isEnabledFor(logging.DEBUG)
    logging.getLogger("distributed").setLevel(logging.INFO if chatty else logging.WARNING)
    quiet_cancelled_results()
    client_log, lost = logging.getLogger("distributed.client"), _Lost()
    with contextlib.ExitStack() as stack:
        stack.callback(client_log.removeFilter, lost)  # first in, so last out: once closed
        if scheduler:
            client = stack.enter_context(_client(Client, scheduler))
            if setup is not None:
                client.run(setup)  # on every worker, all at once; returns when all are done
        else:
            # Dask starts workers with MALLOC_TRIM_THRESHOLD_ set, which turns off glibc's
            # adaptive mmap threshold: every buffer over 128 KiB (a page, an inflated record)
            # is then a fresh mmap and its page faults. Archive tasks took 40% more CPU so.
            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
            environ.pop("MALLOC_TRIM_THRESHOLD_", None)
            config = {**LOCAL_CLUSTER_CONFIG, "distributed.nanny.pre-spawn-environ": environ}
            stack.enter_context(dask.config.set(config))
            # Stopped in its first seconds, a half-built LocalCluster could not be closed (an
            # AssertionError at exit), and its worker processes, still importing in our
            # process group, died of the same Ctrl-C with a traceback each. Held back, the stop
            # comes once the cluster is up (seconds; Dask's timeouts bound it) and closes it
            # as any stop does, and its workers never see it. Set up too: workers busy in it
            # could not hear the cluster close them, and were killed after 4 s with a warning.
            with stops_held_back(inherited=True):
                # Without a dashboard the scheduler still serves HTTP (health, metrics), on
                # port 8787 by default: a second ingest at the same time warned "Port 8787 is
                # already in use". Any free local port will do.
                cluster = stack.enter_context(LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR,
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                ))  # fmt: skip
                client = stack.enter_context(Client(cluster))
                # Belt and braces: a worker that clears its mask still ignores them (not on
                # a remote cluster, whose workers are not in our process group).
                client.run(_local_worker)
                if setup is not None:
                    client.run(setup)
        slots = sum(client.nthreads().values()) or 1

        def share(obj: Any) -> Any:
            # Sent once to every worker, not once per task.
            return client.scatter(obj, broadcast=True, hash=False)

        try:
            yield client.get_executor(), share, slots
        except WorkersLost as exc:
            # Closing a client whose scheduler is gone logs its cancelled reconnection, with
            # a traceback, under the run's one line that says so.
            client_log.addFilter(lost)
            if client.status != "running":  # reconnecting: the scheduler is what went away
                raise WorkersLost("the cluster's scheduler went away") from exc.__cause__
            raise


class _Lost(logging.Filter):
    """Drops whatever a client says as it closes, its cluster lost: the run said it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


class _CancelledResult(logging.Filter):
    """Drops tornado's report of a result that came for a future already cancelled."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, InvalidStateError)


_CANCELLED_RESULT = _CancelledResult()


def quiet_cancelled_results() -> None:
    """Keep distributed's executor from printing a traceback when a stopped run cancels the
    tasks not begun: a task that finished meanwhile sets the result of its cancelled future
    (distributed's ``_cascade_future`` does not look), and tornado logged the
    InvalidStateError with its traceback beside the run's one-line error (idempotent)."""
    logger = logging.getLogger("tornado.application")
    if _CANCELLED_RESULT not in logger.filters:
        logger.addFilter(_CANCELLED_RESULT)


_PORTED = ("tcp", "tls", "ws", "wss")  # schemes of a host and a port (Dask's default: tcp)


def check_scheduler(address: str) -> None:
    """A ConfigError, before anything starts, for a ``--scheduler`` that cannot be one: empty
    (it was ignored, and the run went to a local pool), or a port that is no port (Dask
    waited 10 s to time out on port 99999, and "notaport" was an int() error)."""
    text = address.strip()
    if not text:
        raise ConfigError("--scheduler needs an address (e.g. tcp://host:8786)")
    scheme, _, location = text.rpartition("://")
    if (scheme or "tcp").lower() not in _PORTED:
        return  # inproc://, ucx://...: Dask says what it makes of them
    location = location.split("/", 1)[0]
    if location.startswith("["):  # [IPv6]:port
        port = location.partition("]")[2].removeprefix(":")
    else:
        # An IPv6 address without brackets has colons but no port (Dask reads it so).
        port = location.rpartition(":")[2] if location.count(":") == 1 else ""
    if port and not (port.isascii() and port.isdigit()):
        raise ConfigError(f"--scheduler {address}: {port!r} is not a port number")
    if port and not 0 < int(port) < 65536:
        raise ConfigError(f"--scheduler {address}: port {int(port)} is out of range (1-65535)")


def _client(client_class: Any, scheduler: str) -> Any:
    """A client of an existing cluster with a worker to run on, or a ConfigError saying why not
    (Dask's own errors came out as a traceback; a cluster with no workers failed later)."""
    from distributed.comm import resolve_address

    try:
        resolve_address(scheduler)  # a typo fails here, before a client starts its threads
        client = client_class(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
    except (OSError, ValueError) as exc:  # no such address, or nobody there
        reason = str(exc)
    else:
        reason = ""
    if reason:
        # A client that failed to start keeps its event loop until the garbage collector
        # finalises it, at any later allocation: inside another client's start (both take one
        # lock) that deadlocked the new client (seen in the tests, after a bad address).
        gc.collect()
        raise ConfigError(f"--scheduler {scheduler}: cannot reach it ({reason})")
    try:
        client.wait_for_workers(1, timeout=SCHEDULER_TIMEOUT_S)
    except TimeoutError as exc:
        client.close()
        raise ConfigError(
            f"--scheduler {scheduler}: no worker joined in {SCHEDULER_TIMEOUT_S:g} s "
            f"(start some with `dask worker {scheduler}`)"
        ) from exc
    return client


def ordered_map(
    executor: Executor, fn: Callable[..., T], items: Iterable[Any], *args: Any, window: int
) -> Iterator[T]:
    """``fn(item, *args)`` for each item, in order, with at most ``window`` tasks in flight."""
    pending: deque[Future[T]] = deque()
    try:
        for item in items:
            pending.append(executor.submit(fn, item, *args))
            if len(pending) >= window:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())
    finally:
        for future in pending:
            future.cancel()


def _result(future: Future[T]) -> T:
    """The task's result; the loss of the workers running it (not its own error) raised as
    `WorkersLost`. Dask cancels every task that needed the data a lost worker held (the
    profile sent to each), and gives up on a task whose workers kept dying (KilledWorker)."""
    try:
        return future.result()
    except CancelledError as exc:  # we cancel only futures no one waits on
        raise WorkersLost("the cluster lost its workers") from exc
    except BrokenExecutor as exc:
        raise WorkersLost("a worker process died (killed, or out of memory)") from exc
    except Exception as exc:
        lost = _lost_cluster(exc)
        if lost is None:
            raise
        raise WorkersLost(lost) from exc


def _lost_cluster(exc: Exception) -> str | None:
    """What ``exc`` says of the cluster, where it says it went away."""
    if sys.modules.get("distributed") is None:  # only a Dask executor raises these
        return None
    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    if isinstance(exc, KilledWorker):
        return "the cluster lost its workers (those that ran one task all died)"
    if isinstance(exc, CommClosedError):
        return "the cluster went away (the scheduler closed the connection)"
    return None
