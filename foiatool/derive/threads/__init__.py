"""Rebuilding reply threads: the public API, and the order of the passes (headers, quotes, recovered dates, subjects).

Links are made in three passes, each only for messages the previous pass left
without a parent:

1. **Headers.** Jamie Zawinski's algorithm over Message-ID / References /
   In-Reply-To. Referenced-but-absent Message-IDs become placeholder nodes
   (``"ph:<message-id>"``); loops and self-references are broken; a junk
   In-Reply-To loses to the last References entry; two different messages
   carrying one Message-ID are kept apart and reported. JWZ's subject merge
   is not done here.
2. **Quoted history.** A reply's first quoted message describes its parent.
   It is matched to a message in the dump by sender ("Morton, John" against
   john.morton@ice.dhs.gov), date (printed in some local time without a zone:
   any quarter-hour offset within ±14 h, minute precision), subject without
   RE:/FW: prefixes, and text (whitespace- and redaction-mark-insensitive).
   When no message matches, the quote becomes a *recovered* message; deeper
   quoted levels become its parent in turn, so one withheld message quoted by
   three replies is one recovered message with three sources.
3. **Subject, last resort.** A message still without a parent joins a thread
   of the same normalised subject only when its subject is a reply/forward
   form, it shares a participant with the thread, and it falls between the
   thread's first message and 14 days after its last. A recurring subject
   ("Weekly statistics") therefore never glues unrelated threads.

Near-duplicates (see :mod:`foiatool.derive.dedupe`) are merged into one node, the
canonical copy (smallest id); the others are listed in
``ThreadingResult.near_duplicates`` and mapped in ``thread_of`` to the same
thread, but are not graph nodes.
"""
from __future__ import annotations

from collections.abc import Iterable

from ...mail.message_ids import clean_message_id, message_ids_in
from .. import no_cyclic_collection
from .headers import prune_placeholders, thread_by_headers
from .quotes import QuoteLinker
from .records import (
    DATE_SLACK_SECONDS,
    MAX_OFFSET_SECONDS,
    OFFSET_STEP_SECONDS,
    PLACEHOLDER_PREFIX,
    SUBJECT_WINDOW,
    TEXT_SIMILARITY,
    Thread,
    ThreadingResult,
    ThreadInput,
    text_similarity,
    thread_input,
)
from .records import (
    _sender_keys as _sender_keys,  # for bench/touched_region.py
)
from .records import (
    _subject_key as _subject_key,
)
from .recovery import convert_recovered_dates
from .results import finish
from .subjects import thread_by_subject
from .tree import Forest


def build_threads(messages: Iterable[ThreadInput]) -> ThreadingResult:
    """Thread a corpus. The result does not depend on the order of ``messages``."""
    # Threading allocates millions of small objects and frees almost none; the cyclic
    # collector would rescan the whole corpus again and again for nothing.
    with no_cyclic_collection():
        forest = Forest(messages)
        thread_by_headers(forest)
        prune_placeholders(forest)
        QuoteLinker(forest).thread_by_quotes()
        convert_recovered_dates(forest)
        thread_by_subject(forest)
        return finish(forest)


__all__ = [
    "DATE_SLACK_SECONDS",
    "MAX_OFFSET_SECONDS",
    "OFFSET_STEP_SECONDS",
    "PLACEHOLDER_PREFIX",
    "SUBJECT_WINDOW",
    "TEXT_SIMILARITY",
    "Thread",
    "ThreadInput",
    "ThreadingResult",
    "build_threads",
    "clean_message_id",
    "message_ids_in",
    "text_similarity",
    "thread_input",
]
