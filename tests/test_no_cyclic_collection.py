"""Work over many objects runs without the cyclic collector, and leaves no young heap behind it."""
from __future__ import annotations

import gc
import weakref

from foiatool.derive import no_cyclic_collection


class _Node:
    def __init__(self) -> None:
        self.peer: _Node | None = None


def test_the_collector_is_off_inside_and_on_again_after():
    assert gc.isenabled()
    with no_cyclic_collection():
        assert not gc.isenabled()
        with no_cyclic_collection():  # nested: the outer block decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_the_block_leaves_alive_is_in_the_oldest_generation():
    with no_cyclic_collection():
        kept = [_Node() for _ in range(1000)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in kept)
    assert gc.get_count()[0] < 100  # no young heap of thousands for the next collection to walk


def test_cycles_made_inside_are_still_collected():
    with no_cyclic_collection():
        a, b = _Node(), _Node()
        a.peer, b.peer = b, a
        probe = weakref.ref(a)
        del a, b
    gc.collect()
    assert probe() is None
