"""Corpus-wide facts derived from the stored messages: threads, duplicates, people and their aliases."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cyclic_collection() -> Iterator[None]:
    """No cyclic garbage collection inside: for work over many objects that form no cycles.

    The collector would walk every object alive again and again while new ones are made (the
    threader's working set, the results a run has read); they are freed by reference counting
    as before, and what little might form a cycle is collected once the block ends.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()

