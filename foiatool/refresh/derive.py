"""Derivation in order over the whole index: threads, print zones, names, figures, people, the cached summary."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence

from ..analysis.summary import cache_summary
from ..derive import no_cyclic_collection, steps
from ..derive.aliases import (
    ALIASES_META,
    AliasRule,
    people_fingerprint,
    rule_rows,
    saved_aliases,
)
from ..index import store

# The derive stages in order, one progress step each: what a progress consumer (a terminal bar,
# bench/incremental.py) can name them.
STAGES = ("threads (load, build, write)", "print zones", "names in threads", "thread figures",
          "people and summary", "full-text rows")


def derive_all(conn: sqlite3.Connection, aliases=(), progress=None, alongside: Callable[[], None] | None = None) -> None:
    """Threads, recovered messages, print zones, names, thread figures, people and the cached
    summary, recomputed over the whole index in one transaction.

    ``progress`` (the indexer's Progress protocol) counts the steps: on a large release this
    takes seconds, and a terminal shows what is being done. ``alongside`` runs on a thread
    while the messages are threaded (see steps.derive_threads).
    """
    if not aliases:
        # Aliases given once (people --aliases) stay with the index until replaced.
        saved = saved_aliases(conn)
        aliases = saved.rules if saved else ()
    def people_and_summary(c: sqlite3.Connection) -> None:
        steps.derive_people(c, aliases)
        cache_summary(c)  # the summary names people: computed again for the people just derived

    stages = (
        lambda c: steps.derive_threads(c, alongside),
        steps.infer_print_zones,
        steps.resolve_names_in_threads,
        steps.thread_figures,
        people_and_summary,
        store.sync_fts,  # recovered messages, and any left waiting by an interrupted run
    )
    assert len(stages) == len(STAGES)
    if progress is not None:
        progress.start(len(stages), "Threads, people, summary")
    try:
        with conn, no_cyclic_collection():
            for step in stages:
                step(conn)
                if progress is not None:
                    progress.advance(1)
            store.set_meta(conn, "derived", "1")
    finally:
        if progress is not None:
            progress.finish()


def apply_aliases(conn: sqlite3.Connection, rules: Sequence[AliasRule], file: str, sha256: str) -> None:
    """Derive the people again with ``rules`` and store the rules with the index (the caller holds the writer lock)."""
    with conn:
        steps.derive_people(conn, list(rules))
        cache_summary(conn)
        record = {"file": file, "sha256": sha256, "rules": rule_rows(rules), "people": people_fingerprint(conn)}
        store.set_meta(conn, ALIASES_META, json.dumps(record, ensure_ascii=False))
