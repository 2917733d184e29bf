"""Where independent work runs: a pool of local processes (or, with --cluster, a Dask cluster).

An executor takes a picklable function and items and yields ``(item, result)`` pairs in the
order they finish. Results are plain records; only the calling process writes the index.
"""
from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# A task whose worker process died is tried again this many times before it is given up.
RETRIES = 2


class Executor(Protocol):
    """Runs ``fn`` over ``items``; yields (item, result) as each finishes, or (item, None) when it was given up."""

    def run(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[T, R | None]]: ...


def ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; only the main process handles it, so a
    # worker never prints a traceback of its own and never leaves a half-written result.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now, busy workers included (ProcessPoolExecutor has no public way before Python 3.14)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


class LocalPool:
    """``jobs`` worker processes on this machine, a bounded number of tasks in flight.

    A worker that dies (a crash in a C library, the out-of-memory killer) breaks the
    pool and takes every task in flight with it. The run goes on in a fresh pool; the
    lost tasks run again one at a time, so the one that kills its worker is known, and
    it is given up (yielded with None) after RETRIES deaths of its own.
    """

    def __init__(self, jobs: int, preload: Sequence[str] = ()) -> None:
        self.jobs = max(1, jobs)
        self.preload = list(preload)

    def run(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[T, R | None]]:
        ctx = multiprocessing.get_context("forkserver")
        if self.preload:
            ctx.set_forkserver_preload(self.preload)
        fresh = deque(range(len(items)))
        suspects: deque[int] = deque()
        deaths = [0] * len(items)
        while fresh or suspects:
            pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=ignore_interrupts)
            pending: dict[Future, int] = {}
            broken = False
            try:
                while (fresh or suspects or pending) and not broken:
                    if suspects:
                        if not pending:  # a suspect runs alone
                            index = suspects.popleft()
                            pending[pool.submit(fn, items[index])] = index
                    else:
                        while fresh and len(pending) < self.jobs * 2:
                            index = fresh.popleft()
                            pending[pool.submit(fn, items[index])] = index
                    alone = len(pending) == 1
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        index = pending.pop(future)
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            broken = True
                            if alone:
                                deaths[index] += 1
                                if deaths[index] > RETRIES:
                                    yield items[index], None
                                    continue
                            suspects.append(index)
                            continue
                        yield items[index], result
                    if broken:
                        suspects.extend(pending.values())  # lost with the pool: each runs again alone
                        pending.clear()
            except BrokenProcessPool:
                suspects.extend([*pending.values(), index])  # broken while submitting
                pending.clear()
                broken = True
            except BaseException:
                stop_workers(pool)  # interrupted, or the consumer stopped: do not wait for running tasks
                raise
            pool.shutdown(wait=not broken)


__all__ = ["Executor", "LocalPool", "RETRIES", "ignore_interrupts", "stop_workers"]
