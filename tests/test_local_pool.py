"""LocalPool: real worker processes, killed from outside as the out-of-memory killer would."""
from __future__ import annotations

import os
import signal
import time

import pytest

from foiatool.refresh.executors import RETRIES, LocalPool


def _slow(i: int) -> tuple[int, int]:
    time.sleep(0.05)
    return i, os.getpid()


def _square_unless_three(i: int) -> int:
    if i == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return i * i


def _raise_on_two(i: int) -> tuple[int, int]:
    if i == 2:
        raise ValueError(f"bad item {i}")
    time.sleep(0.05)
    return i, os.getpid()


def _gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_from_outside_costs_no_task() -> None:
    items = list(range(40))
    results: dict[int, tuple[int, int] | None] = {}
    killed = None
    for item, result in LocalPool(2).run(_slow, items):
        results[item] = result
        if killed is None and result is not None:
            killed = result[1]
            os.kill(killed, signal.SIGKILL)
    assert killed is not None and _gone(killed)
    assert sorted(results) == items
    assert all(r is not None and r[0] == i for i, r in results.items())
    assert any(r is not None and r[1] != killed for r in results.values())


def test_the_task_that_kills_its_worker_is_given_up_and_only_it() -> None:
    results = dict(LocalPool(2).run(_square_unless_three, list(range(10))))
    assert results == {i: (None if i == 3 else i * i) for i in range(10)}
    assert RETRIES >= 1


def test_an_error_in_a_task_reaches_the_caller_and_stops_the_workers() -> None:
    pids = set()
    with pytest.raises(ValueError, match="bad item 2"):
        for _, (_, pid) in LocalPool(2).run(_raise_on_two, list(range(6))):
            pids.add(pid)
    assert pids and all(_gone(pid) for pid in pids)


def test_a_consumer_that_stops_early_leaves_no_worker_behind() -> None:
    run = LocalPool(2).run(_slow, list(range(50)))
    _, (_, pid) = next(run)
    run.close()
    assert _gone(pid)
