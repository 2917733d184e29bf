"""Comparing two partitions of the same items: pairwise precision and recall, and where they disagree.

A partition maps each item (a file, a Message-ID) to the group it was put in
(a thread id). "Pairwise" counts unordered pairs of items put in one group:
precision is the share of the predicted together-pairs that the reference also
puts together, recall the share of the reference's together-pairs that the
prediction keeps together. Only items present in both partitions count.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


def pairs(n: int) -> int:
    """Unordered pairs among ``n`` items."""
    return n * (n - 1) // 2


@dataclass(frozen=True, slots=True)
class PairScore:
    items: int               # items present in both partitions
    reference_pairs: int     # pairs the reference puts together
    predicted_pairs: int     # pairs the prediction puts together
    shared_pairs: int        # pairs both put together

    @property
    def precision(self) -> float:
        return self.shared_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.shared_pairs / self.reference_pairs if self.reference_pairs else 1.0

    @property
    def split_pairs(self) -> int:
        """Pairs the reference joins and the prediction separates."""
        return self.reference_pairs - self.shared_pairs

    @property
    def joined_pairs(self) -> int:
        """Pairs the prediction joins and the reference separates."""
        return self.predicted_pairs - self.shared_pairs


def pair_score(reference: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]) -> PairScore:
    """Pairwise agreement of ``predicted`` with ``reference`` over the items both hold; linear time."""
    common = [item for item in reference if item in predicted]
    ref_sizes: Counter = Counter(reference[i] for i in common)
    pred_sizes: Counter = Counter(predicted[i] for i in common)
    both: Counter = Counter((reference[i], predicted[i]) for i in common)
    return PairScore(
        items=len(common),
        reference_pairs=sum(pairs(n) for n in ref_sizes.values()),
        predicted_pairs=sum(pairs(n) for n in pred_sizes.values()),
        shared_pairs=sum(pairs(n) for n in both.values()),
    )


def groups(partition: Mapping[Hashable, Hashable], items: set | None = None) -> dict[Hashable, set]:
    """Group id -> its items (only ``items`` when given)."""
    out: dict[Hashable, set] = defaultdict(set)
    for item, group in partition.items():
        if items is None or item in items:
            out[group].add(item)
    return dict(out)


def split_groups(reference: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]) -> list[list[frozenset]]:
    """Each reference group that the prediction divides, as its pieces (largest first).

    Only items in both partitions are considered. The result is ordered by the
    number of split pairs, most first, so the worst disagreements come first.
    """
    common = {item for item in reference if item in predicted}
    found: list[list[frozenset]] = []
    for members in groups(reference, common).values():
        pieces: dict[Hashable, set] = defaultdict(set)
        for item in members:
            pieces[predicted[item]].add(item)
        if len(pieces) > 1:
            found.append(sorted((frozenset(p) for p in pieces.values()), key=lambda p: (-len(p), sorted(map(str, p)))))
    found.sort(key=lambda ps: (-(pairs(sum(map(len, ps))) - sum(pairs(len(p)) for p in ps)), sorted(map(str, ps[0]))))
    return found


def joined_groups(reference: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]) -> list[list[frozenset]]:
    """Each predicted group that spans several reference groups, as the reference's pieces."""
    return split_groups(predicted, reference)


__all__ = ["PairScore", "pair_score", "pairs", "groups", "split_groups", "joined_groups"]
