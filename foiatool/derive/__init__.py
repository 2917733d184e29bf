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
    as before. What the block leaves alive goes to the oldest generation (a freeze and thaw
    moves it there at once): otherwise the first collection after the block, counting every
    object made inside as young, would walk them all (a tenth of a second after threading
    20,000 messages). What might form a cycle is collected with that generation.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.unfreeze()
            gc.enable()

