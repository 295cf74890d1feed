"""Where extract + transform run: in this process, in isolated local workers, or on Dask.

Every engine runs the same function (pipeline.run.process) on the same inputs and yields the
results in input order, so the tables they lead to are identical row for row. Validation, load
and the report always run in the driver.

- local, workers >= 1 (default): pipeline.isolate worker processes with a time and a memory
  limit per page; a page over its limit is quarantined with the reason and the run goes on.
  A dump that offers partitions() (a multistream dump or a zstd re-pack, with its index) is
  read by the workers themselves, one block of pages (Wikimedia: 100) at a time, so its pages
  never pass through the driver; a block over PART_LIMIT_FACTOR x the page limit, over the
  memory limit or whose worker dies is read again in the driver and its pages are done one by
  one with the per-page limits, so only the page at fault is quarantined, with its own reason.
- local, workers == 0: in this process, no limits (debugging; tiny runs).
- dask: batches of pages on a dask.distributed cluster (`--scheduler tcp://host:8786`), or on
  a local cluster of `workers` processes when no address is given. Per-page limits there are
  the cluster's own (worker memory limits, nanny restarts); a batch whose worker dies is
  retried by Dask.
"""
from __future__ import annotations

import logging
from collections import deque
from typing import Callable, Iterable, Iterator

from pipeline.config import Config

log = logging.getLogger(__name__)

BATCH = 32   # pages per Dask task: amortises scheduling overhead (~1 ms a task)
# A block read by a local worker (about 100 pages) may take this many times the per-page time
# limit before it is done again page by page (a typical block takes well under a second).
PART_LIMIT_FACTOR = 2


def map_pages(fn: Callable, items: Iterable, config: Config, on_limit: Callable,
              finish: Callable[[list], list] | None = None) -> Iterator:
    """fn(item) for every item, in input order, on the configured engine; on the local engine
    on_limit(item, reason) stands in for the result of an item over its limits. On Dask,
    `finish(results)` runs on the worker at the end of each task (it writes the task's part:
    pipeline.parts.write_task_part)."""
    if config.engine == "dask":
        return _dask(fn, items, config, finish)
    if config.workers == 0:
        return (fn(item) for item in items)
    from pipeline.isolate import Limits, map_isolated
    limits = Limits(seconds=config.page_seconds, memory_mb=config.page_memory_mb, workers=config.workers)
    return map_isolated(fn, items, limits, on_limit=on_limit)


def process_all(items: Iterable, config: Config, process: Callable, on_limit: Callable,
                reuse: Callable | None, finish: Callable[[list], list] | None = None) -> Iterator:
    """Results for all items, yielded in input order as they come (the driver keeps none);
    `reuse(item)` (the incremental shortcut) is tried in the driver first, and only the
    remaining items go to the engine.

    Items that offer partitions() (pipeline.sources.multistream.MultistreamDump: calls that each
    read their own byte ranges of a dump) are read by the workers themselves, on Dask and on
    local isolated workers, when there is nothing to reuse (reuse None): the driver sends
    calls, not pages."""
    if uses_partitions(items, config, reuse):
        if config.engine == "dask":
            yield from _dask_partitions(process, items.partitions(), config, finish)
        else:
            yield from _local_partitions(process, items.partitions(blocks_per_partition=1),
                                         config, on_limit, finish)
        return
    if reuse is None:
        def reuse(item):
            return None
    reused: dict[int, object] = {}
    order: deque[int] = deque()

    def todo():
        for idx, item in enumerate(items):
            r = reuse(item)
            if r is not None:
                reused[idx] = r
            else:
                order.append(idx)
                yield item

    done = 0   # results yielded so far (the input index of the next one)
    for res in map_pages(process, todo(), config, on_limit, finish):
        idx = order.popleft()
        while done < idx:  # reused inputs before this one (todo() has read them all by now)
            yield reused.pop(done)
            done += 1
        yield res
        done += 1
    while reused:
        yield reused.pop(done)
        done += 1


def _run_batch(fn: Callable, batch: list, finish: Callable | None = None) -> list:
    results = [fn(item) for item in batch]
    return finish(results) if finish else results


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_partition(fn: Callable, part: Callable, finish: Callable | None = None) -> list:
    """fn on every item a partition reads (on the worker that runs it)."""
    results = [fn(item) for item in part()]
    return finish(results) if finish else results


def run_partition(task: tuple[Callable, Callable, Callable | None]) -> list:
    """fn on every item the partition reads, in a local isolated worker, then finish(results)
    if given: task = (fn, part, finish)."""
    fn, part, finish = task
    return _run_partition(fn, part, finish)


class _Redo:
    """What map_isolated gives for a partition over its limits: the task, to be done again."""

    __slots__ = ("task", "reason")

    def __init__(self, task, reason: str) -> None:
        self.task, self.reason = task, reason


def uses_partitions(items, config: Config, reuse) -> bool:
    """True when process_all lets the workers read `items` themselves (the driver sees no page)."""
    return reuse is None and hasattr(items, "partitions") and (config.engine == "dask" or config.workers >= 1)


def _local_partitions(fn: Callable, parts: Iterable[Callable], config: Config,
                      on_limit: Callable, finish: Callable | None = None) -> Iterator:
    """Partitions read and processed by local isolated workers, their results in order (each
    partition's passed through `finish` on its worker, as on Dask: it writes the partition's
    part); a partition over its limits is read again here and its items done one by one, each
    with the per-page limits (so on_limit names the page at fault and its own reason), without
    `finish` (their rows come to the driver, as every page's do without partitions)."""
    from dataclasses import replace

    from pipeline.isolate import Limits, map_isolated
    per_page = Limits(seconds=config.page_seconds, memory_mb=config.page_memory_mb, workers=config.workers)
    per_part = replace(per_page, seconds=PART_LIMIT_FACTOR * config.page_seconds)
    tasks = ((fn, part, finish) for part in parts)
    for out in map_isolated(run_partition, tasks, per_part, on_limit=_Redo, chunk=1,
                            window=2 * config.workers + 2):
        if isinstance(out, _Redo):
            _, part, _ = out.task
            log.warning("a block of the dump went over its limits (%s): its pages are done again one "
                        "by one", out.reason.replace("page exceeded", "block exceeded"),
                        extra={"data": {"event": "block_redone", "reason": out.reason}})
            yield from map_isolated(fn, part(), replace(per_page, workers=1), on_limit=on_limit)
        else:
            yield from out


def _dask(fn: Callable, items: Iterable, config: Config, finish: Callable | None = None) -> Iterator:
    """Batches of BATCH items, sent from the driver."""
    return _dask_map(config, _run_batch, fn, _batches(items, BATCH), finish)


def _dask_partitions(fn: Callable, parts: Iterable[Callable], config: Config,
                     finish: Callable | None = None) -> Iterator:
    """Partitions (calls that read their own items), run on the workers."""
    return _dask_map(config, _run_partition, fn, parts, finish)


def _dask_map(config: Config, task: Callable, fn: Callable, args: Iterable,
              finish: Callable | None = None) -> Iterator:
    """task(fn, arg, finish) for every arg on the cluster, the results' items yielded in order."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as e:  # an install without the [dask] extra
        raise RuntimeError("--engine dask needs dask.distributed: pip install 'infobox-etl[dask]'") from e
    cluster = None
    if config.scheduler:
        client = Client(config.scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, config.workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        window = 4 * n_workers           # tasks in flight: bounded memory in the driver
        pending: deque = deque()
        for arg in args:
            pending.append(client.submit(task, fn, arg, finish, pure=False))
            while len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
