"""Where independent work runs: a pool of local processes (or, with --cluster, a Dask cluster).

An executor takes a picklable function and items and yields ``(item, result)`` pairs in the
order they finish. Results are plain records; only the calling process writes the index.
"""
from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol, TypeVar

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


class _Died:
    """The event a worker's reader posts when the worker is gone."""


_DIED = _Died()


def _serve(conn: Connection, fn: Callable[[Any], Any]) -> None:
    """A worker's life: receive a task, send back ``(True, result)`` or ``(False, exception)``, until told to stop."""
    ignore_interrupts()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            reply: tuple[bool, Any] = (True, fn(task))
        except BaseException as exc:  # handed to the caller, which raises it
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # a result or exception that does not pickle
            conn.send((False, RuntimeError(f"{fn!r} returned what cannot be sent back: {exc!r}")))


class _Worker:
    """One worker process with a pipe of its own, and a thread in the caller that reads it.

    Each worker has its own pipe, so a worker killed in the middle of a write breaks only
    its own pipe: nothing shared (a queue, a lock) is left half-written for the others.
    The reader thread turns each reply, and the worker's end, into an event on ``events``.
    """

    def __init__(self, ctx: Any, fn: Callable[[Any], Any], events: queue.SimpleQueue) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_serve, args=(child, fn), daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[int] = deque()
        self.reader = threading.Thread(target=self._read, args=(events,), daemon=True)
        self.reader.start()

    def _read(self, events: queue.SimpleQueue) -> None:
        while True:
            ready = wait([self.conn, self.process.sentinel])
            if self.conn not in ready:  # gone, with nothing left to read
                break
            try:
                events.put((self, self.conn.recv()))
            except (EOFError, OSError):  # gone, possibly in the middle of a reply
                break
            except Exception as exc:  # a reply that does not unpickle here
                events.put((self, (False, RuntimeError(f"a worker's reply could not be read: {exc!r}"))))
        events.put((self, _DIED))

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                pass

    def close(self, timeout: float = 5) -> None:
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
        self.reader.join(timeout)
        self.conn.close()


class LocalPool:
    """``jobs`` worker processes on this machine, each with up to two tasks in hand.

    Each worker has a pipe of its own and runs its tasks in the order given, so the task a
    worker was running when it died (a crash in a C library, the out-of-memory killer) is
    known: the oldest it had not answered. That task runs again, in a fresh worker, and is
    given up (yielded with None) after RETRIES deaths of its own; a task that was only
    waiting behind it runs again without blame. The other workers go on undisturbed.
    """

    def __init__(self, jobs: int, preload: Sequence[str] = ()) -> None:
        self.jobs = max(1, jobs)
        self.preload = list(preload)

    def _context(self) -> Any:
        ctx = multiprocessing.get_context("forkserver")
        if self.preload:
            ctx.set_forkserver_preload(self.preload)
        return ctx

    def start(self) -> None:
        """Start the fork server now, before the first run: its imports of ``preload`` (a few
        tenths of a second) then overlap the caller's own work instead of delaying the first task."""
        from multiprocessing import forkserver

        self._context()
        forkserver.ensure_running()

    def run(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[T, R | None]]:
        ctx = self._context()
        events: queue.SimpleQueue = queue.SimpleQueue()
        todo = deque(range(len(items)))
        deaths = [0] * len(items)
        workers: list[_Worker] = []
        try:
            while todo or any(worker.tasks for worker in workers):
                # one task in hand for every worker first, then a second one queued behind it,
                # so that no worker waits for this process to hand it the next
                for depth in (1, 2):
                    while todo and len(workers) < self.jobs:
                        workers.append(_Worker(ctx, fn, events))
                    for worker in workers:
                        if todo and len(worker.tasks) < depth:
                            index = todo.popleft()
                            worker.tasks.append(index)
                            try:
                                worker.conn.send(items[index])
                            except OSError:
                                pass  # it died: its reader's event hands the task back
                worker, reply = events.get()
                if reply is _DIED:
                    workers.remove(worker)
                    worker.close(timeout=1)
                    if worker.tasks:
                        killer = worker.tasks.popleft()
                        todo.extendleft(reversed(worker.tasks))  # only waiting: no blame
                        deaths[killer] += 1
                        if deaths[killer] > RETRIES:
                            yield items[killer], None
                        else:
                            todo.appendleft(killer)
                    continue
                index = worker.tasks.popleft()
                ok, value = reply
                if not ok:
                    raise value
                yield items[index], value
        finally:
            # told to stop when idle; stopped now when interrupted, or when the consumer stopped mid-run
            for worker in workers:
                if worker.tasks:
                    worker.process.terminate()
                else:
                    worker.stop()
            for worker in workers:
                worker.close()


__all__ = ["Executor", "LocalPool", "RETRIES", "ignore_interrupts"]
