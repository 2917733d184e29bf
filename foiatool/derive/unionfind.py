"""A union-find (disjoint sets) over string keys, with path compression."""
from __future__ import annotations


class UnionFind:
    """Disjoint sets of strings; an item never seen is a set of its own."""

    __slots__ = ("parent",)

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        """The root standing for ``item``'s set."""
        parent = self.parent
        root = item
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(item, item) != root:
            parent[item], item = root, parent[item]
        return root

    def attach(self, root: str, into: str) -> None:
        """Put the set whose root is ``root`` under ``into``'s root, which stays the root: callers
        keying data by root choose which key survives."""
        if root != into:
            self.parent[root] = into

    def union(self, a: str, b: str) -> str:
        """Join the sets of ``a`` and ``b``; the smaller root stays, so the result does not depend
        on the order of the unions. Returns the root."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return ra


__all__ = ["UnionFind"]
