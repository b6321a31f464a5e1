"""Drivers: stream documents through the pure analyse stage and hand results to one writer.

``ingest`` reads files and archives (resumable, on any executor); ``collect`` fetches the
sources once and ``watch`` keeps doing so. See ``run.executors`` for in-process, process-pool
and Dask execution.
"""

from mediadigest.run.collect import collect, fetcher_for, watch
from mediadigest.run.executors import executor_for
from mediadigest.run.ingest import SHARD_SIZE, Options, ingest
from mediadigest.run.writer import Analysed, RunReport, analyse_batch, group, store_analysed

__all__ = [
    "SHARD_SIZE",
    "Analysed",
    "Options",
    "RunReport",
    "analyse_batch",
    "collect",
    "executor_for",
    "fetcher_for",
    "group",
    "ingest",
    "store_analysed",
    "watch",
]
