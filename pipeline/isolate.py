"""Run one function per input in worker processes, with a time and a memory limit per input.

mwparserfromhell can hang in its C tokenizer (a loop no signal handler can interrupt), take
quadratic time on long runs of unclosed markup, or allocate gigabytes on some tag soup. One such
page must not stop or sink a run of 20,000. `map_isolated(fn, items, limits, on_limit=...)`
therefore runs `fn(item)` in `limits.workers` processes and yields the results in input order:

* time: the parent gives every item `limits.seconds` of wall-clock time, counted from the moment
  its worker could start it. A worker that overruns is killed with SIGKILL (a signal handler
  inside a C loop would never run) and replaced; the item becomes
  `on_limit(item, "page exceeded 20 s")`.
* memory: each worker's address space (RLIMIT_AS) is capped at its size after start-up (the
  imported libraries, about 340 MB of mostly reserved virtual memory with pyarrow) plus
  `limits.memory_mb`. An allocation beyond it raises MemoryError in the worker (or crashes a C
  extension that does not check malloc); the item becomes `on_limit(item, "page exceeded
  1024 MB")` and the worker is replaced, since its heap may be left fragmented. (The answers of
  the items before it in its chunk, held until the chunk is done, count too: kilobytes.)
* death: a worker that dies while on an item (segfault, os._exit, the OOM killer) is replaced;
  that item becomes `on_limit(item, "worker died: signal 9 (SIGKILL)")` and the other items it
  held go to the new worker.
* exceptions: an exception raised by `fn` is a bug, not a limit; it is re-raised in the parent
  (with the worker's traceback as its __cause__), as it would be in-process.

Workers are started with the "spawn" method (never "fork": the parent may hold pyarrow's
threads), so `fn`, items and results must be picklable and `fn` must be importable by name (a
top-level function such as pipeline.run.process). Each worker asks the kernel to SIGKILL it when
the parent dies (Linux), so a hung worker never outlives its run.

Memory stays bounded: at most `window` items are between being read from `items` and being
yielded, whatever the length of the input. Items go to an idle worker in small chunks and the
worker answers a whole chunk in one message, so the parent spends little per item (one message
to receive per chunk, not one per item: the parent's own CPU bounds how many workers it can
feed). The parent still knows which item a worker is on: before each item the worker writes its
count of items started and the time into a small shared array (`_progress`), from which the
parent counts each item's time. A worker killed or dead mid-chunk takes the answers it had not
sent with it: the items of its chunk before the one it was on go back to the queue, with those
behind it, and are done again by another worker (fn's result must depend on its item alone, as
pipeline.run.process's does).
A worker that fails to start (a broken environment) raises RuntimeError.

`limits.workers == 0` runs `fn` in this process without any limit (debugging, tiny runs).
"""
from __future__ import annotations

import copy
import multiprocessing
import os
import pickle
import signal
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator

CHUNK = 8                   # items sent to a worker at once
START_TIMEOUT = 120.0       # seconds a new worker may take to import fn's module


@dataclass(frozen=True)
class Limits:
    """Per-item limits. seconds: wall-clock time per item; memory_mb: address space an item may
    use on top of the worker's start-up size; workers: processes (0 = in-process, no limits)."""

    seconds: float = 20.0
    memory_mb: int = 1024
    workers: int = 2

    def __post_init__(self):
        if not self.seconds > 0:
            raise ValueError(f"Limits.seconds must be > 0, not {self.seconds!r}")
        if self.memory_mb <= 0:
            raise ValueError(f"Limits.memory_mb must be > 0, not {self.memory_mb!r}")
        if self.workers < 0:
            raise ValueError(f"Limits.workers must be >= 0, not {self.workers!r}")


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (attached as __cause__)."""

    def __init__(self, tb: str):
        super().__init__(tb)
        self.tb = tb

    def __str__(self):
        return self.tb


def time_reason(limits: Limits) -> str:
    return f"page exceeded {limits.seconds:g} s"


def memory_reason(limits: Limits) -> str:
    return f"page exceeded {limits.memory_mb} MB"


def death_reason(exitcode: int | None) -> str:
    if exitcode is None:
        return "worker died"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        return f"worker died: signal {-exitcode} ({name})"
    return f"worker died: exit code {exitcode}"


# --- the worker process ---------------------------------------------------------------------

def die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this worker when the parent dies, even mid C loop."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory(memory_mb: int) -> None:
    import resource

    base = _address_space()
    if base is None:  # no /proc: RLIMIT_AS on such systems is unreliable anyway
        return
    cap = base + memory_mb * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker(conn, fn, memory_mb: int, progress) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    die_with_parent()
    _limit_memory(memory_mb)
    conn.send([("ready", None, os.getpid())])
    started = 0
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        answers = []
        for idx, item in chunk:
            started += 1
            progress[_AT] = time.monotonic()   # (the time first: see _Progress)
            progress[_STARTED] = started
            try:
                answers.append(("ok", idx, fn(item)))
            except MemoryError:
                answers.append(("memory", idx, None))
                break  # the parent replaces this worker; the rest of the chunk is requeued
            except BaseException as e:  # a bug in fn: the parent re-raises it
                answers.append(("error", idx, (_picklable(e), traceback.format_exc())))
                break
        if not _answer(conn, answers):
            return


def _answer(conn, answers: list) -> bool:
    """Send a chunk's answers in one message; False when this worker must end (an item over
    its memory limit). A message that cannot be pickled is sent answer by answer, so that only
    the culprit becomes "memory" (a result too large for the limit) or "error"."""
    try:
        conn.send(answers)
    except (MemoryError, pickle.PicklingError, TypeError, AttributeError):
        for out in answers:
            idx = out[1]
            try:
                conn.send([out])
            except MemoryError:
                conn.send([("memory", idx, None)])
                return False
            except (pickle.PicklingError, TypeError, AttributeError) as e:
                conn.send([("error", idx, (_picklable(e), traceback.format_exc()))])
                return True
            if out[0] == "memory":
                return False
        return True
    return answers[-1][0] != "memory"


def _picklable(e: BaseException) -> BaseException:
    """e if the parent can rebuild it (deepcopy rebuilds from __reduce__ as unpickling does),
    else a RuntimeError with its type and message."""
    try:
        pickle.dumps(e)
        copy.deepcopy(e)
        return e
    except Exception:
        return RuntimeError(f"{type(e).__name__}: {e}")


# --- the parent ------------------------------------------------------------------------------

_STARTED, _AT = 0, 1   # the slots of a worker's progress array


def _progress(ctx):
    """A worker's progress, shared with the parent without a lock: [_STARTED] the items it has
    started so far, [_AT] when it started the last one (time.monotonic: one clock for every
    process). The worker writes the time first, so a count read is never newer than its time
    (a parent that reads an older time with a newer count only sees a later deadline, and
    reads again when it comes)."""
    return ctx.RawArray("d", 2)


@dataclass
class _Worker:
    proc: Any
    conn: Any
    started: float
    progress: Any = None
    ready: bool = False
    pending: deque = field(default_factory=deque)  # (idx, item) sent, not answered, in order
    answered: int = 0  # items answered so far: pending[0] is the worker's item number answered + 1
    mark: float = 0.0  # when the chunk was sent, or the last answers came

    def current(self) -> tuple[int, float]:
        """(position in `pending` of the item the worker is on, when it could start it)."""
        at, started = self.progress[_AT], self.progress[_STARTED]
        if started > self.answered:
            return min(int(started) - self.answered - 1, len(self.pending) - 1), max(at, self.mark)
        return 0, self.mark  # not started yet: it has the chunk (or is about to read it)


class _Pool:
    def __init__(self, fn, limits: Limits, chunk: int = CHUNK):
        self.fn, self.limits, self.chunk = fn, limits, chunk
        self.ctx = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []

    def start(self) -> _Worker:
        parent, child = self.ctx.Pipe(duplex=True)
        progress = _progress(self.ctx)
        proc = self.ctx.Process(target=_worker, args=(child, self.fn, self.limits.memory_mb, progress),
                                name="infobox-etl-worker", daemon=True)
        proc.start()
        child.close()
        w = _Worker(proc, parent, time.monotonic(), progress)
        self.workers.append(w)
        return w

    def retire(self, w: _Worker, kill: bool) -> None:
        if kill and w.proc.is_alive():
            w.proc.kill()
        w.proc.join(timeout=5)
        if w.proc.is_alive():  # should not happen after SIGKILL; do not wait forever
            w.proc.kill()
        w.conn.close()
        self.workers.remove(w)

    def shutdown(self) -> None:
        """Idle workers are asked to exit; busy or still starting ones are killed."""
        polite = []
        for w in self.workers:
            if w.ready and not w.pending:
                try:
                    w.conn.send(None)
                    polite.append(w)
                except OSError:
                    pass
        deadline = time.monotonic() + 2
        for w in list(self.workers):
            if w in polite:
                w.proc.join(timeout=max(0.0, deadline - time.monotonic()))
            self.retire(w, kill=True)


def map_isolated(fn: Callable[[Any], Any], items: Iterable, limits: Limits, *,
                 on_limit: Callable[[Any, str], Any], window: int | None = None,
                 chunk: int = CHUNK) -> Iterator:
    """Yield fn(item) for every item, in input order; an item that exceeds `limits` (or whose
    worker dies) yields on_limit(item, reason) instead. See the module docstring. `chunk`:
    items sent to a worker at once (1 for items that are each a lot of work)."""
    if limits.workers == 0:
        for item in items:
            yield fn(item)
        return
    try:
        pickle.dumps(fn)
    except Exception as e:
        raise TypeError(f"fn must be a picklable top-level function, not {fn!r}: {e}") from e
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, not {chunk!r}")
    yield from _run(fn, iter(items), limits, on_limit, window or max(64, limits.workers * chunk * 4), chunk)


def _run(fn, items: Iterator, limits: Limits, on_limit, window: int, chunk: int = CHUNK) -> Iterator:
    pool = _Pool(fn, limits, chunk)
    todo: deque = deque()        # (idx, item) read, not yet sent; requeued items go first
    done: dict[int, Any] = {}    # idx -> result, until its turn to be yielded
    next_out = 0
    taken = 0                    # items read from `items`
    exhausted = False
    try:
        while True:
            while next_out in done:
                result = done.pop(next_out)
                next_out += 1
                yield result
            while not exhausted and taken - next_out < window:
                try:
                    todo.append((taken, next(items)))
                    taken += 1
                except StopIteration:
                    exhausted = True
            if exhausted and next_out == taken:
                return
            _dispatch(pool, todo, limits)
            _wait(pool, todo, done, limits, on_limit)
    finally:
        pool.shutdown()


def _dispatch(pool: _Pool, todo: deque, limits: Limits) -> None:
    busy = sum(1 for w in pool.workers if w.pending or not w.ready)
    while todo and len(pool.workers) < limits.workers and busy < len(todo):
        pool.start()
        busy += 1
    idle = [w for w in pool.workers if w.ready and not w.pending]
    for n, w in enumerate(idle):
        if not todo:
            break
        share = -(-len(todo) // (len(idle) - n))  # spread the tail of the input evenly
        chunk = [todo.popleft() for _ in range(min(pool.chunk, share))]
        try:
            w.conn.send(chunk)
        except (OSError, EOFError):  # it died while idle: nothing lost, start another
            todo.extendleft(reversed(chunk))
            pool.retire(w, kill=True)
            continue
        w.pending.extend(chunk)
        w.mark = time.monotonic()


def _wait(pool: _Pool, todo: deque, done: dict, limits: Limits, on_limit) -> None:
    now = time.monotonic()
    deadlines = [w.current()[1] + limits.seconds if w.ready else w.started + START_TIMEOUT
                 for w in pool.workers if w.pending or not w.ready]
    if not deadlines:
        return
    timeout = max(0.0, min(deadlines) - now)
    handles = [w.conn for w in pool.workers] + [w.proc.sentinel for w in pool.workers]
    ready = set(wait(handles, timeout))
    for w in list(pool.workers):
        if w.conn in ready or w.proc.sentinel in ready:
            _receive(pool, w, todo, done, limits, on_limit)
    now = time.monotonic()
    for w in list(pool.workers):
        if w not in pool.workers:
            continue
        if not w.ready and now > w.started + START_TIMEOUT:
            pool.retire(w, kill=True)
            raise RuntimeError(f"isolated worker did not start within {START_TIMEOUT:g} s")
        if w.pending and now > w.current()[1] + limits.seconds:
            _receive(pool, w, todo, done, limits, on_limit)  # answers may have just arrived
            if w in pool.workers and w.pending and time.monotonic() > w.current()[1] + limits.seconds:
                _fail(pool, w, todo, done, on_limit, time_reason(limits), kill=True)


def _receive(pool: _Pool, w: _Worker, todo, done, limits: Limits, on_limit) -> None:
    """Read every message the worker has sent; notice its death."""
    if not _drain(pool, w, todo, done, limits, on_limit) or w.proc.is_alive():
        return
    # Dead: its last answers may have landed after the poll above, and no more can come now.
    if not _drain(pool, w, todo, done, limits, on_limit):
        return
    w.proc.join(timeout=5)
    if not w.ready:
        code = w.proc.exitcode
        pool.retire(w, kill=True)
        raise RuntimeError(f"isolated worker failed to start ({death_reason(code)}); "
                           "run with workers=0 to see the error")
    _fail(pool, w, todo, done, on_limit, death_reason(w.proc.exitcode), kill=False)


def _drain(pool: _Pool, w: _Worker, todo, done, limits: Limits, on_limit) -> bool:
    """Handle the worker's waiting messages; False when the worker was retired meanwhile."""
    while True:
        try:
            if not w.conn.poll():
                return True
            answers = w.conn.recv()
        except (EOFError, OSError):
            return True
        w.mark = time.monotonic()
        for kind, idx, payload in answers:
            if kind == "ready":
                w.ready = True
                continue
            head_idx, head = w.pending.popleft()
            assert head_idx == idx, (head_idx, idx)
            w.answered += 1
            if kind == "ok":
                done[idx] = payload
            elif kind == "memory":
                done[idx] = on_limit(head, memory_reason(limits))
                _fail(pool, w, todo, done, on_limit, None, kill=True)
                return False
            else:
                exc, tb = payload
                raise exc from RemoteTraceback(tb)


def _fail(pool: _Pool, w: _Worker, todo: deque, done: dict, on_limit, reason: str | None,
          kill: bool) -> None:
    """Retire a worker: the item it is on (if a reason is given) gets on_limit; the other items
    it holds (done but unsent before it, queued behind it) go back to the front of the queue."""
    at = w.current()[0]
    pending = list(w.pending)
    w.pending.clear()
    pool.retire(w, kill=kill)
    if pending and reason is not None:
        idx, item = pending.pop(at)
        done[idx] = on_limit(item, reason)
    todo.extendleft(reversed(pending))
